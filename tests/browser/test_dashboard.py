"""The bloc leader's dashboard in a real browser: log in, read the cards and a
chart, drill down to one organisation and back, sort the table, export it, and
find in the downloaded .xlsx the same numbers as on the page.

Data: a bloc gives two targets to two grassroots organisations (services, then
a full roll-up rebuild, as the nightly job does).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from organizations.models import Organization, Role
from targets import rollups, services
from tests.browser.conftest import PASSWORD
from tests.factories import make_member, make_org, make_user
from tests.targets.dashboard_excel import excel_target_row, excel_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Bloc:
    bloc: Organization
    finance: Organization
    works: Organization


@pytest.fixture
def bloc_world() -> Bloc:
    bloc = make_org("Đảng bộ Khối Cơ quan tỉnh", short_name="ĐUK")
    finance = make_org(
        "Đảng bộ Sở Tài chính", parent=bloc, level_code="grassroots_committee"
    )
    works = make_org(
        "Đảng bộ Sở Xây dựng", parent=bloc, level_code="grassroots_committee"
    )
    for org, members in ((finance, 3), (works, 5)):
        cell = make_org(
            f"Chi bộ Văn phòng {org.name[8:]}", parent=org, level_code="cell"
        )
        for _ in range(members):
            make_member(cell)
    make_member(cell, admitted_on=dt.date(2023, 2, 1), full_member_on=None)
    plan = services.plan_create(
        organization=bloc, title="Nghị quyết năm 2023", start_year=2023
    )
    rate = services.target_create(
        plan=plan,
        group="Xây dựng Đảng",
        wording="Tỷ lệ đảng viên dự sinh hoạt đạt từ 80% trở lên",
        label="Dự sinh hoạt",
        kind="rate",
        plan_value=80,
    )
    count = services.target_create(
        plan=plan,
        group="Xây dựng Đảng",
        wording="Bồi dưỡng nhận thức về Đảng cho 20 quần chúng",
        label="Bồi dưỡng nhận thức",
        kind="count",
        plan_value=20,
        unit="người",
    )
    copies = {}
    for target, values in (
        (rate, {finance: 80, works: 80}),
        (count, {finance: 8, works: 12}),
    ):
        for copy in services.target_assign(target=target, plan_values=values):
            copies[(target.id, copy.plan.organization_id)] = copy
    for org, (num, den, n) in ((finance, (27, 30, 9)), (works, (40, 60, 6))):
        entries = {
            copies[(rate.id, org.id)].id: services.Entry(
                numerator=Decimal(num), denominator=Decimal(den)
            ),
            copies[(count.id, org.id)].id: services.Entry(value=Decimal(n)),
        }
        sheet = services.sheet_save(
            organization=org,
            year=2023,
            quarter=1,
            version=0,
            entries=entries,
            user=None,
        )
        services.sheet_submit(organization=org, year=2023, quarter=1, user=None)
        sheet.refresh_from_db()
        services.sheet_approve(sheet=sheet, user=None)
    rollups.rollup_rebuild(root=bloc, year=2023)
    make_user("lanhdao", role=Role.LEADER, organization=bloc)
    return Bloc(bloc, finance, works)


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Each role lands on its own start page ("/" decides).
    expect(page.get_by_test_id("logout")).to_be_visible()


def table_texts(page: Page, testid: str) -> list[list[str]]:
    return (
        page.get_by_test_id(testid)
        .locator("tbody tr")
        .evaluate_all(
            "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
        )
    )


def test_the_leader_reads_drills_down_and_exports(
    page: Page, bloc_world: Bloc, screenshots_dir
) -> None:
    bloc, finance = bloc_world.bloc, bloc_world.finance
    log_in(page, "lanhdao")
    page.goto(
        reverse("targets:dashboard", kwargs={"public_id": bloc.public_id})
        + "?nam=2023&quy=1"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bảng điều khiển – Đảng bộ Khối Cơ quan tỉnh"
    )

    # The cards: 9 members (1 admitted this year), targets met, reports in.
    expect(page.get_by_test_id("card-members-value")).to_have_text("9")
    expect(page.get_by_test_id("card-members-detail")).to_have_text(
        "+1 so với 01/01/2023"
    )
    expect(page.get_by_test_id("card-admissions-value")).to_have_text("1")
    expect(page.get_by_test_id("card-verdicts-value")).to_have_text(
        "00/02 chỉ tiêu đạt"
    )
    expect(page.get_by_test_id("card-completeness-value")).to_have_text("2/2")
    # (27 + 40) / (30 + 60) = 74,44% of a plan of 80% → 93,1%; 9 + 6 of 20 → 75,0%.
    targets = table_texts(page, "targets")
    assert targets[0][1:] == [
        "Dự sinh hoạt",
        "",
        "80%",
        "74,44% (67/90)",
        "93,1%",
        "chưa đạt",
    ]
    assert targets[1][1:] == [
        "Bồi dưỡng nhận thức",
        "người",
        "20",
        "15",
        "75,0%",
        "chưa đạt",
    ]
    expect(page.get_by_test_id("updated")).to_contain_text("Số liệu cập nhật lúc")
    expect(page.get_by_test_id("scope-sentence")).to_contain_text(
        "Số liệu so sánh tính theo phạm vi hiện nay"
    )

    # The charts are drawn by Chart.js from the page's JSON block.
    drawn = page.evaluate(
        """() => ["chart-attainment", "chart-trend", "chart-kinds"].map(id => {
            const canvas = document.getElementById(id);
            const chart = window.Chart && Chart.getChart(canvas);
            return [id, Boolean(chart), canvas.width > 0 && canvas.height > 0,
                    chart ? chart.data.datasets[0].data.length : 0];
        })"""
    )
    assert drawn == [
        ["chart-attainment", True, True, 2],
        ["chart-trend", True, True, 4],
        ["chart-kinds", True, True, 1],
    ], drawn
    assert page.evaluate(
        "Chart.getChart('chart-attainment').data.datasets[0].data"
    ) == [93.1, 75]
    page.screenshot(path=str(screenshots_dir / "dashboard-bloc.png"), full_page=True)

    # The table sorts by a click on a header (numbers as numbers).
    children = page.get_by_test_id("children")
    names = lambda: [row[0] for row in table_texts(page, "children")]  # noqa: E731
    assert names() == ["Đảng bộ Sở Tài chính", "Đảng bộ Sở Xây dựng"]
    children.get_by_role("button", name="Đảng viên").click()
    expect(children.locator("th[aria-sort=ascending]")).to_have_count(1)
    assert names() == ["Đảng bộ Sở Tài chính", "Đảng bộ Sở Xây dựng"]  # 3 < 6
    children.get_by_role("button", name="Đảng viên").click()
    assert names() == ["Đảng bộ Sở Xây dựng", "Đảng bộ Sở Tài chính"]
    on_page = table_texts(page, "children")

    # Drill down to the Sở Tài chính and back up.
    page.get_by_test_id(f"drill-{finance.public_id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bảng điều khiển – Đảng bộ Sở Tài chính"
    )
    expect(page).to_have_url(
        re.compile(rf"/bang-dieu-khien/{finance.public_id}/\?nam=2023&quy=1")
    )
    own = table_texts(page, "targets")
    assert [row[1:4] for row in own] == [
        ["Dự sinh hoạt", "", "80%"],
        ["Bồi dưỡng nhận thức", "người", "8"],
    ]
    assert own[0][4] == "90,00% (27/30)" and own[1][4] == "9"
    page.get_by_test_id("parent-dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bảng điều khiển – Đảng bộ Khối Cơ quan tỉnh"
    )

    # Export what is shown; the workbook holds the page's numbers.
    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    # Playwright keeps the download under a name without extension: read the bytes.
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    # Figures are numeric cells whose number format shows them as the page does.
    rows = [row[1:] for row in book["Chỉ tiêu"].iter_rows(min_row=4) if row[0].value]
    exported_targets = [excel_target_row(row) for row in rows]
    assert exported_targets == [row[1:] for row in table_texts(page, "targets")]
    assert [c.value for c in rows[0][2:7]] == [0.8, 0.7444, 67, 90, 0.931]
    exported_children = sorted(
        [
            [excel_text(c) for c in row][1:]
            for row in book["Tổ chức trực thuộc"].iter_rows(min_row=2)
        ]
    )
    # The page's table has one more column: its links.
    assert exported_children == sorted(row[:-1] for row in on_page)
    summary = {
        row[0].value: row[1].value for row in book["Tổng quan"].iter_rows(min_row=7)
    }
    assert (
        summary["Chỉ tiêu đạt"]
        == page.get_by_test_id("card-verdicts-value").inner_text()
    )
    assert summary["Đảng viên ngày 31/03/2023"] == 9
