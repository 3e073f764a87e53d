"""The quarterly entry sheet in a real browser: the live HTMX preview while the
cadre types, then the whole workflow — save a draft, submit, returned by the
bloc's office with a reason, fixed and resubmitted, approved, locked.

Data: tests/conftest.py's world (bloc A → Sở A with a 2023 plan) and
plan_world (jobs target: count, 18.500 người; "trong đó" overseas 3.700), the
cadre of Sở A and the bloc's office (the reviewer must be the parent's office).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from targets.models import Result, Sheet, SheetStatus
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_REASON = "Thiếu số liệu đi làm việc ở nước ngoài"


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Each role lands on its own start page ("/" decides).
    expect(page.get_by_test_id("logout")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/$"))


def sheet_url(world) -> str:  # noqa: ANN001
    return reverse(
        "targets:sheet",
        kwargs={"public_id": world.grassroots_a.public_id, "year": 2023, "quarter": 3},
    )


def mark_page(page: Page) -> None:
    """A marker that only survives as long as no navigation happens."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page navigated or reloaded"


def type_into(page: Page, name: str, text: str) -> None:
    """Clear the field, then type key by key as a person would."""
    field = page.locator(f'[name="{name}"]')
    field.fill("")
    field.press_sequentially(text, delay=30)


def status_of(page: Page):  # noqa: ANN201
    return page.get_by_test_id("sheet-status")


def test_entry_sheet_workflow(
    page: Page, world, plan_world, cadre, bloc_office
) -> None:  # noqa: ANN001
    jobs, overseas = plan_world.jobs.id, plan_world.overseas.id
    url = sheet_url(world)

    # --- the cadre types; attainment and verdict follow without a reload -----------
    log_in(page, cadre.username)
    page.goto(url)
    expect(status_of(page)).to_have_text("Chưa nhập")
    expect(page.get_by_test_id(f"att-{jobs}")).not_to_have_text("110,1%")
    # The group's header and the sheet's summary count its top-level targets:
    # jobs, trained-labour rate and poor households in the group; with the two
    # party-work targets and the plan's first target, six on the sheet.
    group = page.get_by_test_id(f"group-verdicts-{plan_world.jobs.group_id}")
    expect(group).to_have_text("00/03 chỉ tiêu đạt")
    expect(page.get_by_test_id("verdict-summary")).to_have_text("00/06 chỉ tiêu đạt")
    mark_page(page)
    type_into(page, f"v-{jobs}", "20.360")
    expect(page.get_by_test_id(f"att-{jobs}")).to_have_text("110,1%")
    expect(page.get_by_test_id(f"ver-{jobs}")).to_have_text("đạt, vượt kế hoạch")
    expect(page.get_by_test_id(f"ytd-{jobs}")).to_contain_text("20.360")
    expect(group).to_have_text("01/03 chỉ tiêu đạt")
    expect(page.get_by_test_id("verdict-summary")).to_have_text("01/06 chỉ tiêu đạt")
    # Below the plan: "chưa đạt", and the counts go back, all without a reload.
    type_into(page, f"v-{jobs}", "18.000")
    expect(page.get_by_test_id(f"ver-{jobs}")).to_have_text("chưa đạt")
    expect(group).to_have_text("00/03 chỉ tiêu đạt")
    type_into(page, f"v-{jobs}", "20.360")
    expect(page.get_by_test_id(f"ver-{jobs}")).to_have_text("đạt, vượt kế hoạch")
    assert_not_reloaded(page)
    assert not Sheet.objects.filter(quarter=3).exists(), "the preview saved something"

    # --- save a draft: reload with a message, the figure as typed -------------------
    page.get_by_role("button", name="Lưu nháp").click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã lưu bản nháp.")
    ).to_be_visible()
    expect(page.locator(f'[name="v-{jobs}"]')).to_have_value("20.360")
    expect(page.get_by_test_id(f"att-{jobs}")).to_have_text("110,1%")
    expect(status_of(page)).to_have_text("Đang nhập")

    # --- submit ---------------------------------------------------------------------
    page.get_by_role("button", name="Lưu và gửi cấp trên").click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã gửi báo cáo quý 3/2023")
    ).to_be_visible()
    expect(status_of(page)).to_have_text("Đã gửi")
    expect(page.locator(f'[name="v-{jobs}"]')).to_be_disabled()
    log_out(page)

    # --- the bloc's office returns it with a reason ---------------------------------
    log_in(page, bloc_office.username)
    page.goto(url)
    expect(status_of(page)).to_have_text("Đã gửi")
    page.get_by_label("Lý do trả lại").fill(RETURN_REASON)
    page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã trả lại báo cáo.")
    ).to_be_visible()
    expect(status_of(page)).to_have_text("Bị trả lại")
    log_out(page)

    # --- the cadre reads the reason, fixes the sheet and resubmits ------------------
    log_in(page, cadre.username)
    page.goto(url)
    expect(status_of(page)).to_have_text("Bị trả lại")
    expect(page.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    expect(page.locator(f'[name="v-{jobs}"]')).to_be_enabled()
    expect(page.locator(f'[name="v-{jobs}"]')).to_have_value("20.360")
    mark_page(page)
    type_into(page, f"v-{overseas}", "6.042")
    expect(page.get_by_test_id(f"att-{overseas}")).to_have_text("163,3%")
    expect(page.get_by_test_id(f"ver-{overseas}")).to_have_text("đạt, vượt kế hoạch")
    # A slip and its correction: the preview follows both ways.
    type_into(page, f"v-{jobs}", "20.361")
    expect(page.get_by_test_id(f"ytd-{jobs}")).to_contain_text("20.361")
    type_into(page, f"v-{jobs}", "20.360")
    expect(page.get_by_test_id(f"ytd-{jobs}")).to_contain_text("20.360")
    expect(page.get_by_test_id(f"att-{jobs}")).to_have_text("110,1%")
    assert_not_reloaded(page)
    page.get_by_role("button", name="Lưu và gửi cấp trên").click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã gửi báo cáo quý 3/2023")
    ).to_be_visible()
    expect(status_of(page)).to_have_text("Đã gửi")
    expect(page.get_by_test_id("return-reason")).to_have_count(0)
    log_out(page)

    # --- the bloc's office approves ------------------------------------------------
    log_in(page, bloc_office.username)
    page.goto(url)
    page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã duyệt báo cáo.")
    ).to_be_visible()
    expect(status_of(page)).to_have_text("Đã duyệt")
    log_out(page)

    # --- the cadre can no longer edit ------------------------------------------------
    log_in(page, cadre.username)
    page.goto(url)
    expect(status_of(page)).to_have_text("Đã duyệt")
    for name in (f"v-{jobs}", f"note-{jobs}", f"v-{overseas}"):
        expect(page.locator(f'[name="{name}"]')).to_be_disabled()
    expect(page.get_by_role("button", name="Lưu nháp")).to_have_count(0)
    expect(page.get_by_role("button", name="Lưu và gửi cấp trên")).to_have_count(0)
    expect(page.get_by_test_id("locked")).to_contain_text("không thể sửa")
    # Not even a hand-made POST with the session's cookie and CSRF token.
    token = page.locator("#sheet-form input[name=csrfmiddlewaretoken]").get_attribute(
        "value"
    )
    version = page.locator("#sheet-form input[name=version]").get_attribute("value")
    response = page.request.post(
        url,
        form={
            "csrfmiddlewaretoken": token,
            "version": version,
            f"v-{jobs}": "1",
            "action": "save",
        },
        max_redirects=0,
    )
    assert response.status == 422, response.status
    assert "không thể sửa" in response.text()

    sheet = Sheet.objects.get(organization=world.grassroots_a, year=2023, quarter=3)
    assert sheet.status == SheetStatus.APPROVED
    assert [t.to_status for t in sheet.transitions.all()] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    values = {r.target_id: r.value for r in Result.objects.filter(sheet=sheet)}
    assert values == {jobs: Decimal("20360"), overseas: Decimal("6042")}


def test_a_bad_number_is_flagged_live_and_not_saved(
    page: Page, world, plan_world, cadre
) -> None:  # noqa: ANN001
    jobs = plan_world.jobs.id
    log_in(page, cadre.username)
    page.goto(sheet_url(world))
    mark_page(page)
    type_into(page, f"v-{jobs}", "20,360,5")
    message = page.locator(f"#msg-{jobs}")
    expect(message).to_contain_text("Số không hợp lệ: “20,360,5”")
    expect(message).to_contain_text("Chỉ được có một dấu phẩy")
    assert_not_reloaded(page)

    # Fixing it clears the message, live.
    type_into(page, f"v-{jobs}", "20.360")
    expect(page.get_by_test_id(f"att-{jobs}")).to_have_text("110,1%")
    expect(message).to_have_text("")
    type_into(page, f"v-{jobs}", "20,360,5")
    expect(message).to_contain_text("Số không hợp lệ: “20,360,5”")

    # Saving is refused: the page comes back with the error beside the field and
    # the text as typed, and nothing is stored.
    page.get_by_role("button", name="Lưu nháp").click()
    expect(
        page.get_by_role("alert").filter(has_text="Chưa lưu: có ô nhập chưa đúng")
    ).to_be_visible()
    expect(page.locator(f"#msg-{jobs}")).to_contain_text("Số không hợp lệ: “20,360,5”")
    expect(page.locator(f'[name="v-{jobs}"]')).to_have_value("20,360,5")
    expect(status_of(page)).to_have_text("Chưa nhập")
    assert not Sheet.objects.filter(quarter=3).exists()
    assert not Result.objects.filter(sheet__quarter=3).exists()
