"""The term page (targets.term): yearly figures of a congress term, the verdicts so
far, and the forecast to year end and term end, on hand-computed numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import EventKind, MemberEvent, Role
from targets import calculations as calc
from targets import rollups, services
from targets.demo_term import demo_term_load
from targets.models import Plan, Source
from targets.term import (
    Nature,
    Outlook,
    YearPoint,
    assess,
    least_squares,
    nature_of,
    scale_to_year,
    term_view,
    trend_at,
)
from tests.factories import make_member, make_org, make_user

V = calc.Verdict
E = services.Entry
TODAY = dt.date(2024, 1, 15)


def _spec(
    kind: str, plan: int | str | None, comparator: str | None = None
) -> calc.TargetSpec:
    return calc.TargetSpec(
        kind=kind, comparator=comparator, plan=None if plan is None else Decimal(plan)
    )


def _points(
    values: dict[int, int | str], quarters: dict[int, int] | None = None
) -> list[YearPoint]:
    quarters = quarters or {}
    return [
        YearPoint(y, Decimal(v), quarters=quarters.get(y, 4)) for y, v in values.items()
    ]


# --- the arithmetic -----------------------------------------------------------------


def test_it_averages_a_per_year_target_over_the_years_so_far():
    # Seed 004: 2.078 admitted in three years against 300/năm → 692,67/năm, 230,9%.
    assert round(calc.per_year_average(2078, 3), 2) == Decimal("692.67")
    a = assess(
        _spec("per_year", 300),
        _points({2020: 700, 2021: 690, 2022: 688}),
        as_of_year=2022,
        last_year=2025,
    )
    assert a.years == 3
    assert a.so_far.measure == calc.per_year_average(2078, 3)
    assert a.so_far.measure_text == "693"
    assert a.so_far.attainment_text == "230,9%"
    assert a.so_far.verdict is V.VUOT


def test_a_year_counted_to_quarter_two_is_half_a_year_and_doubles_to_the_year_end():
    assert scale_to_year(150, 2) == 300
    assert round(scale_to_year(Decimal(100), 3), 10) == Decimal(
        "133.3333333333"
    )  # 9 tháng → × 4/3
    a = assess(
        _spec("per_year", 300),
        _points({2020: 700, 2021: 690, 2022: 688, 2023: 150}, {2023: 2}),
        as_of_year=2023,
        last_year=2025,
    )
    # So far: (2.078 + 150) / 3,5 years; at year end: (2.078 + 300) / 4.
    assert a.years == Decimal("3.5")
    assert a.so_far.measure == calc.per_year_average(2228, Decimal("3.5"))
    assert a.year_end.measure == Decimal("594.5")
    assert a.projected[2023] == 300


def test_a_cumulative_target_adds_the_years_and_its_year_end_scales_the_current_one():
    spec = _spec("count", 1000)
    a = assess(
        spec,
        _points({2020: 200, 2021: 210, 2022: 110}, {2022: 2}),
        as_of_year=2022,
        last_year=2024,
    )
    assert a.so_far.measure == 520 and a.so_far.verdict is V.CHUA_DAT
    assert a.year_end.measure == 630  # 200 + 210 + 110 × 2
    # The line through 200, 210, 220 gives 230 in 2023 and 240 in 2024: 1.100 ≥ 1.000.
    assert a.term_end.measure == 1100
    assert a.outlook is Outlook.ON_TRACK


def test_the_least_squares_line_is_exact():
    assert least_squares([(2020, 78), (2021, 82), (2022, 86)]) == (
        Fraction(4),
        Fraction(78 - 4 * 2020),
    )
    assert trend_at([(2020, 78), (2021, 82), (2022, 86)], 2025) == 98
    # Two noisy points and one: 10, 14, 15 → slope 2,5; a single year is flat.
    slope, _ = least_squares([(2020, 10), (2021, 14), (2022, 15)])
    assert slope == Fraction(5, 2)
    assert trend_at([(2021, Decimal("86.58"))], 2025) == Decimal("86.58")


def test_a_clearly_on_track_target_is_forecast_to_be_met():
    # 70% of units up to cultural standard by 2025: 60%, 65%, 68% so far (not yet).
    a = assess(
        _spec("rate", 70),
        _points({2020: 60, 2021: 65, 2022: 68}),
        as_of_year=2022,
        last_year=2025,
    )
    assert a.so_far.verdict is V.CHUA_DAT
    assert a.year_end.measure == 68  # a stock stays at its latest figure
    # slope 4 through (2021; 64,33…): 64,33… + 4 × 4 = 80,33… in 2025.
    assert a.term_end.measure_text == "80,33%"
    assert a.outlook is Outlook.ON_TRACK and a.outlook.label == "dự báo đạt"


def test_a_clearly_off_track_target_is_hard_to_reach():
    # 100% of chi bộ meeting as required: 78%, 82%, 86% → 98% in 2025, still short.
    a = assess(
        _spec("all_or_nothing", 100),
        _points({2020: 78, 2021: 82, 2022: 86}),
        as_of_year=2022,
        last_year=2025,
    )
    assert a.so_far.verdict is V.CHUA_DAT
    assert a.term_end.measure == 98
    assert a.outlook is Outlook.AT_RISK and a.outlook.label == "khó đạt"
    # A per-year flow falling below its plan: 320, 290, 260 against 300/năm.
    b = assess(
        _spec("per_year", 300),
        _points({2020: 320, 2021: 290, 2022: 260}),
        as_of_year=2022,
        last_year=2025,
    )
    assert b.so_far.verdict is V.CHUA_DAT  # 290/năm
    assert b.term_end.measure == Decimal(320 + 290 + 260 + 230 + 200 + 170) / 6
    assert b.outlook is Outlook.AT_RISK


def test_projections_stay_within_what_the_figure_can_be():
    # A flow never goes below 0; a share of units never above 100%.
    flow = assess(
        _spec("count", 500),
        _points({2020: 300, 2021: 100}),
        as_of_year=2021,
        last_year=2024,
    )
    assert flow.projected == {2022: 0, 2023: 0, 2024: 0}
    assert flow.term_end.measure == 400
    share = assess(
        _spec("all_or_nothing", 100),
        _points({2020: 90, 2021: 96}),
        as_of_year=2021,
        last_year=2025,
    )
    assert share.term_end.measure == 100 and share.outlook is Outlook.ON_TRACK


def test_a_share_of_members_is_a_ratio_of_sums_and_a_missing_year_is_no_data():
    spec = calc.TargetSpec(kind="base_share", plan=Decimal(3))
    points = [
        YearPoint(2021, Decimal(4), Decimal(100)),
        YearPoint(2022, Decimal(2), Decimal(200)),
    ]
    a = assess(spec, points, as_of_year=2022, last_year=2022)
    assert a.so_far.measure == 2  # 6 ÷ 300, not the mean of 4% and 1%
    empty = assess(_spec("rate", 90), [], as_of_year=2022, last_year=2025)
    assert empty.so_far.verdict is V.NO_DATA and empty.term_end is None
    assert empty.outlook is Outlook.NO_DATA
    assert nature_of("yoy") is Nature.CHANGE
    yoy = assess(
        _spec("yoy", 10),
        _points({2021: 100, 2022: 120}),
        as_of_year=2022,
        last_year=2025,
    )
    assert yoy.so_far.measure == 20 and yoy.outlook is Outlook.NOT_ASSESSED


# --- reading a term from the database -----------------------------------------------


def _year_plan(org, year: int, figures: dict[str, tuple], *, quarter: int = 4):  # noqa: ANN001, ANN202
    """A year plan of `org` with same-label targets and one sheet of figures."""
    plan = Plan.objects.filter(organization=org, start_year=year, end_year=year).first()
    plan = plan or services.plan_create(
        organization=org, title=f"Nghị quyết năm {year}", start_year=year
    )
    entries = {}
    for label, (kind, plan_value, entry) in figures.items():
        target = plan.targets.filter(label=label).first() or services.target_create(
            plan=plan,
            group="Công tác xây dựng Đảng",
            wording=label,
            label=label,
            kind=kind,
            plan_value=plan_value,
        )
        entries[target.id] = entry
    services.sheet_save(
        organization=org,
        year=year,
        quarter=quarter,
        version=0,
        entries=entries,
        user=None,
    )
    return plan


@pytest.fixture
def term(world):  # noqa: ANN001, ANN201
    """Tree A's bloc with a 2020-2025 plan of four targets, fed three ways.

    * "Kết nạp đảng viên" 300/năm: typed in the bloc's year plans, 700 + 690 + 688.
    * "Kết nạp từ sổ" 2/năm: from the registry, 2, 3, 2 and 1 (to 30/6/2023).
    * "Chi bộ sinh hoạt đúng quy định" 100%: 78/100, 82/100, 86/100 typed.
    * "Bồi dưỡng nhận thức về Đảng" trên 600/năm: typed 620, 640, 650; in 2023
      given down to the Sở, which reports 150 and 200 (the roll-up).
    """
    bloc = world.bloc_a
    plan = services.plan_create(
        organization=bloc,
        title="Nghị quyết Đại hội nhiệm kỳ 2020-2025",
        start_year=2020,
        end_year=2025,
    )
    group = "Chỉ tiêu về công tác xây dựng Đảng"
    typed = services.target_create(
        plan=plan,
        group=group,
        wording="Kết nạp 300 đảng viên/năm",
        label="Kết nạp đảng viên",
        kind="per_year",
        plan_value=300,
        unit="đảng viên",
    )
    registry = services.target_create(
        plan=plan,
        group=group,
        wording="Kết nạp từ 2 đảng viên/năm",
        label="Kết nạp từ sổ",
        kind="per_year",
        plan_value=2,
        unit="đảng viên",
        source=Source.ADMISSIONS_SHARE,
    )
    cells = services.target_create(
        plan=plan,
        group=group,
        wording="100% chi bộ sinh hoạt đúng quy định",
        label="Chi bộ sinh hoạt đúng quy định",
        kind="all_or_nothing",
        plan_value=100,
    )
    awareness = services.target_create(
        plan=plan,
        group=group,
        wording="Bồi dưỡng trên 600 quần chúng/năm",
        label="Bồi dưỡng nhận thức về Đảng",
        kind="per_year",
        plan_value=600,
        comparator="gt",
        unit="người",
    )
    for year, admitted, ratio, trained in (
        (2020, 700, 78, 620),
        (2021, 690, 82, 640),
        (2022, 688, 86, 650),
    ):
        _year_plan(
            bloc,
            year,
            {
                "Kết nạp đảng viên": ("count", 300, E(value=Decimal(admitted))),
                "Chi bộ sinh hoạt đúng quy định": (
                    "all_or_nothing",
                    100,
                    E(numerator=Decimal(ratio), denominator=Decimal(100)),
                ),
                "Bồi dưỡng nhận thức về Đảng": (
                    "count",
                    600,
                    E(value=Decimal(trained)),
                ),
            },
        )
    for day, n in (
        (dt.date(2020, 6, 1), 2),
        (dt.date(2021, 3, 1), 3),
        (dt.date(2022, 9, 1), 2),
        (dt.date(2023, 2, 1), 1),
    ):
        for _ in range(n):
            make_member(world.cell_a2, admitted_on=day, full_member_on=None)
    # 2023: the bloc gives its target down; the Sở reports quarters I and II.
    plan_2023 = services.plan_create(
        organization=bloc, title="Nghị quyết năm 2023", start_year=2023
    )
    given = services.target_create(
        plan=plan_2023,
        group=group,
        wording="Bồi dưỡng 600 quần chúng",
        label="Bồi dưỡng nhận thức về Đảng",
        kind="count",
        plan_value=600,
    )
    (copy,) = services.target_assign(
        target=given, plan_values={world.grassroots_a: 600}
    )
    for quarter, value in ((1, 150), (2, 200)):
        sheet = services.sheet_save(
            organization=world.grassroots_a,
            year=2023,
            quarter=quarter,
            version=0,
            entries={copy.id: E(value=Decimal(value))},
            user=None,
        )
        services.sheet_submit(
            organization=world.grassroots_a, year=2023, quarter=quarter, user=None
        )
        sheet.refresh_from_db()
        services.sheet_approve(sheet=sheet, user=None)
    rollups.rollup_rebuild(root=bloc, year=2023)
    return plan, typed, registry, cells, awareness


def test_it_reads_each_year_from_the_year_plans_the_registry_and_the_rollup(
    world, term
):  # noqa: ANN001
    plan, typed, registry, cells, awareness = term
    view = term_view(organization=world.bloc_a, today=TODAY)
    assert (view.plan, view.year, view.quarter) == (
        plan,
        2023,
        2,
    )  # the roll-up's last quarter
    assert view.years == [2020, 2021, 2022, 2023, 2024, 2025]
    rows = {r.target.id: r for r in view.rows}

    row = rows[typed.id]
    assert [c.text for c in row.cells[:4]] == ["700", "690", "688", ""]
    assert row.plan_text == "300/năm"
    assert (
        row.assessment.so_far.measure_text == "693"
        and row.assessment.so_far.attainment_text == "230,9%"
    )

    row = rows[registry.id]
    assert [c.text for c in row.cells[:4]] == ["2", "3", "2", "1"]
    assert row.cells[3].detail == "đến quý 2"
    assert row.assessment.years == Decimal("3.5")
    assert row.assessment.so_far.measure == calc.per_year_average(8, Decimal("3.5"))
    assert row.assessment.year_end.measure == Decimal(9) / 4  # 2 + 3 + 2 + 1 × 2

    row = rows[cells.id]
    assert [c.text for c in row.cells] == [
        "78,00%",
        "82,00%",
        "86,00%",
        "",
        "94,00%",
        "98,00%",
    ]
    assert row.cells[0].detail == "78/100" and row.cells[5].projected
    assert (
        row.assessment.so_far.verdict is V.CHUA_DAT
        and row.assessment.outlook is Outlook.AT_RISK
    )

    row = rows[awareness.id]
    assert [c.text for c in row.cells[:4]] == ["620", "640", "650", "350"]
    assert "tổ chức trực thuộc" in row.cells[3].note
    # So far (1.910 + 350) / 3,5 = 645,7; at year end (1.910 + 700) / 4 = 652,5.
    assert row.assessment.so_far.measure_text == "646"
    assert row.assessment.year_end.measure == Decimal("652.5")
    assert row.assessment.outlook is Outlook.ON_TRACK

    assert (
        view.summary_text
        == "03/04 chỉ tiêu Nghị quyết Đại hội đề ra hoàn thành và hoàn thành vượt mức"
    )
    assert view.at_risk == [cells]
    assert "01 chỉ tiêu khó đạt" in view.outlook_text


def test_an_earlier_as_of_point_leaves_out_the_later_years(world, term):  # noqa: ANN001
    plan, typed, registry, cells, awareness = term
    view = term_view(
        organization=world.bloc_a,
        plan_id=plan.public_id,
        year=2021,
        quarter=4,
        today=TODAY,
    )
    rows = {r.target.id: r for r in view.rows}
    # 2022's own figure is after the as-of point: the line through 700, 690 gives 680.
    assert [c.text for c in rows[typed.id].cells[:3]] == ["700", "690", "680"]
    assert rows[typed.id].cells[2].projected
    assert rows[typed.id].assessment.so_far.measure == 695
    with pytest.raises(LookupError):
        term_view(
            organization=world.bloc_a,
            plan_id="00000000-0000-0000-0000-000000000000",
            today=TODAY,
        )


def test_the_page_shows_the_term_for_a_leader(client, world, term, leader):  # noqa: ANN001
    plan, typed, registry, cells, awareness = term
    client.force_login(leader)
    url = reverse("targets:term", kwargs={"public_id": world.bloc_a.public_id})
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "03/04 chỉ tiêu Nghị quyết Đại hội đề ra hoàn thành và hoàn thành vượt mức"
        in body
    )
    assert "nhiệm kỳ 2020-2025" in body and "số liệu đến quý 2/2023" in body
    assert "230,9%" in body and "300/năm" in body
    assert "dự báo đạt" in body and "khó đạt" in body
    assert "Dự báo cuối nhiệm kỳ" in body and "bình phương nhỏ nhất" in body
    assert f'data-testid="cell-{typed.id}-2022">688<' in body
    # Picking another point of the term through the selector.
    response = client.get(
        url, {"nhiem_ky": str(plan.public_id), "nam": "2022", "quy": "4"}
    )
    assert "số liệu đến quý 4/2022" in response.content.decode()
    assert client.get(url, {"nhiem_ky": "khong-co"}).status_code == 404


def test_an_organisation_without_a_term_plan_gets_a_hint(client, world, leader):  # noqa: ANN001
    client.force_login(leader)
    response = client.get(
        reverse("targets:term", kwargs={"public_id": world.grassroots_a.public_id})
    )
    assert response.status_code == 200
    assert 'data-testid="no-term"' in response.content.decode()


def test_it_is_for_leaders_and_offices_only(client, world, term, cadre, outsider):  # noqa: ANN001
    url = reverse("targets:term", kwargs={"public_id": world.bloc_a.public_id})
    assert client.get(url).status_code == 302  # anonymous → login
    cadre_of_bloc = make_user("cadre_bloc", role=Role.CADRE, organization=world.bloc_a)
    client.force_login(cadre_of_bloc)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(cadre)
    assert client.get(url).status_code == 404  # the bloc is above the cadre's Sở
    office = make_user("office_bloc_term", role=Role.OFFICE, organization=world.bloc_a)
    client.force_login(office)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_query_count_does_not_grow_with_the_organisations(
    client, world, term, leader
):  # noqa: ANN001
    plan, typed, registry, cells, awareness = term
    client.force_login(leader)
    url = reverse("targets:term", kwargs={"public_id": world.bloc_a.public_id})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    given = Plan.objects.get(organization=world.bloc_a, start_year=2023).targets.get()
    more = [make_org(f"Đảng bộ thêm {i}", parent=world.bloc_a) for i in range(6)]
    copies = services.target_assign(target=given, plan_values={o: 100 for o in more})
    for org, copy in zip(more, copies, strict=True):
        make_member(
            make_org(f"Chi bộ của {org.name}", parent=org),
            admitted_on=dt.date(2022, 5, 5),
            full_member_on=None,
        )
        sheet = services.sheet_save(
            organization=org,
            year=2023,
            quarter=1,
            version=0,
            entries={copy.id: E(value=Decimal(10))},
            user=None,
        )
        services.sheet_submit(organization=org, year=2023, quarter=1, user=None)
        sheet.refresh_from_db()
        services.sheet_approve(sheet=sheet, user=None)
    rollups.rollup_rebuild(root=world.bloc_a, year=2023)
    after = count()
    assert after == before
    assert after < 80  # one sheet read and one registry read per year of the term


# --- the demo -----------------------------------------------------------------------


@pytest.fixture
def demo_bloc(db):  # noqa: ANN001, ANN201
    bloc = make_org("Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh", short_name="ĐUK")
    unit = make_org("Đảng bộ Sở Xây dựng", parent=bloc)
    cell = make_org("Chi bộ Văn phòng", parent=unit)
    member = make_member(
        cell, admitted_on=dt.date(2019, 5, 1), full_member_on=dt.date(2020, 5, 10)
    )
    # The registry's admissions, as counted events: 560, 480, 430 and, to June, 230.
    MemberEvent.objects.bulk_create(
        MemberEvent(
            member=member, organization=cell, kind=EventKind.ADMISSION, occurred_on=day
        )
        for year, n in ((2020, 560), (2021, 480), (2022, 430), (2023, 230))
        for day in [dt.date(year, 1 + i % 6, 1 + i % 28) for i in range(n)]
    )
    services.plan_create(
        organization=bloc, title="Nghị quyết năm 2023", start_year=2023
    )
    return bloc


def test_the_demo_term_shows_nine_of_ten_and_the_one_to_strive_for(demo_bloc):  # noqa: ANN001
    added = demo_term_load(bloc=demo_bloc)
    assert added == {
        "plans": 4,
        "targets": 13 + 12 * 3 + 2,
        "sheets": 5,
        "results": 12 * 3 + 4,
    }
    assert demo_term_load(bloc=demo_bloc) == {
        "plans": 0,
        "targets": 0,
        "sheets": 0,
        "results": 0,
    }
    view = term_view(organization=demo_bloc, today=TODAY)
    assert (view.plan.start_year, view.plan.end_year, view.year, view.quarter) == (
        2020,
        2025,
        2023,
        2,
    )
    assert (
        view.summary_text
        == "09/10 chỉ tiêu Nghị quyết Đại hội đề ra hoàn thành và hoàn thành vượt mức"
    )
    assert [t.label for t in view.at_risk] == ["Chi bộ sinh hoạt đúng quy định"]
    rows = {r.target.label: r for r in view.rows}
    admissions = rows["Kết nạp đảng viên mới"]
    assert [c.text for c in admissions.cells[:4]] == ["560", "480", "430", "230"]
    assert admissions.assessment.so_far.verdict is V.VUOT
    assert rows["Chi bộ sinh hoạt đúng quy định"].cells[3].text == "86,6%"
