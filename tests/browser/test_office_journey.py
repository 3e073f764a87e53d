"""An office user's day in a real browser: log in, read the tree, find a member
by a name typed without accents, open the record, log out.

Data is built through tests/factories (the services), before the page opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from organizations.models import Member, Organization, Role
from tests.browser.conftest import PASSWORD, PHONE
from tests.factories import make_member, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Office:
    username: str
    committee: Organization
    sibling: Organization
    dung: Member
    anh: Member


@pytest.fixture
def office_world() -> Office:
    bloc = make_org("Đảng bộ Khối Cơ quan tỉnh", short_name="ĐUK")
    committee = make_org("Đảng bộ Sở Tài chính", parent=bloc, short_name="ĐU")
    cell_office = make_org("Chi bộ Văn phòng Sở", parent=committee)
    cell_budget = make_org("Chi bộ Phòng Ngân sách", parent=committee)
    dung = make_member(cell_office, full_name="Nguyễn Văn Dũng")
    anh = make_member(
        cell_office, full_name="Trần Thị Ánh", sex="F", full_member_on=None
    )
    make_member(cell_office, full_name="Lê Văn Hùng")
    make_member(cell_budget, full_name="Phạm Thị Hoa", sex="F")
    make_member(cell_budget, full_name="Nguyễn Văn Dùng")  # same letters, other tone
    # Outside the office user's scope: must not show up anywhere.
    sibling = make_org("Đảng bộ Sở Xây dựng", parent=bloc)
    make_member(
        make_org("Chi bộ Thanh tra Sở", parent=sibling),
        full_name="Nguyễn Văn Dũng Ngoài",
    )
    make_user("vanphong", role=Role.OFFICE, organization=committee)
    return Office("vanphong", committee, sibling, dung, anh)


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_office_journey(
    page: Page, new_context, office_world: Office, screenshots_dir
) -> None:  # noqa: ANN001
    # Log in: an office lands on the tree.
    log_in(page, office_world.username)
    expect(page).to_have_url(re.compile(r"/to-chuc/$"))

    # The tree: the office's đảng bộ with 5 members in its two chi bộ.
    tree = page.get_by_test_id("tree")
    committee_row = tree.locator("tbody tr").filter(has_text="Đảng bộ Sở Tài chính")
    expect(committee_row).to_have_count(1)
    expect(committee_row.locator("td").nth(2)).to_have_text("5")  # Đảng viên
    expect(committee_row.locator("td").last).to_have_text("2")  # Chi bộ
    expect(tree).to_contain_text("Chi bộ Văn phòng Sở")
    expect(tree).to_contain_text("Chi bộ Phòng Ngân sách")
    expect(tree).not_to_contain_text("Đảng bộ Sở Xây dựng")

    # A phone-sized look at the same page, same session.
    phone = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        storage_state=page.context.storage_state(),
    ).new_page()
    phone.goto("/to-chuc/")
    expect(phone.get_by_test_id("tree")).to_be_visible()
    phone.screenshot(path=str(screenshots_dir / "tree-phone.png"), full_page=True)
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"the tree page scrolls sideways on a phone by {overflow}px"
    phone.close()

    # The member list through the navbar, then a search without accents.
    page.get_by_role("navigation").get_by_role(
        "link", name="Đảng viên", exact=True
    ).click()
    members = page.get_by_test_id("members")
    expect(members).to_contain_text("Trần Thị Ánh")
    expect(members).not_to_contain_text("Nguyễn Văn Dũng Ngoài")
    page.locator("#q").fill("nguyen van dung")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=nguyen(\+|%20)van(\+|%20)dung"))
    expect(
        members.get_by_role("link", name="Nguyễn Văn Dũng", exact=True)
    ).to_be_visible()
    expect(members).not_to_contain_text("Trần Thị Ánh")
    expect(members).not_to_contain_text("Nguyễn Văn Dũng Ngoài")

    # The member's record.
    members.get_by_role("link", name="Nguyễn Văn Dũng", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/dang-vien/{office_world.dung.public_id}/$"))
    expect(page.get_by_test_id("member-name")).to_have_text("Nguyễn Văn Dũng")
    events = page.get_by_test_id("member-events")
    expect(events.locator("tbody tr").filter(has_text="Kết nạp")).to_have_count(1)

    # Log out from the navbar: back on the login page, and the tree is closed.
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/$"))
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    page.goto("/to-chuc/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next=/to-chuc/$"))
