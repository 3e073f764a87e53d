"""The committee's dashboard: roll-up figures, toggles, drill-down, export, rebuild.

The committee tree: a bloc gives three targets to its grassroots organisations
for 2022 and 2023 — a rate (dự sinh hoạt, plan 80%), a count (bồi dưỡng, plan
20 = 5 + 10 + 5) and admissions as a share of members on 1 January (from the
registry). Each grassroots organisation has one chi bộ with members.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from organizations import services as org_services
from organizations.models import Grade, Organization, Role
from targets import calculations as calc
from targets import rollups, services
from targets.dashboard import Dashboard, ScopeMode, dashboard_view
from targets.models import Rollup, RollupBasis, RollupState, Source, Target
from tests.factories import make_member, make_org, make_user
from tests.targets.dashboard_excel import excel_target_row, excel_text

pytestmark = pytest.mark.django_db

E = services.Entry


@dataclass
class Committee:
    bloc: Organization
    units: list[Organization]
    cells: list[Organization]
    rate: Target  # 2023
    count: Target
    admissions: Target
    rate_2022: Target
    count_2022: Target
    copies: dict[
        tuple[int, int], Target
    ]  # (committee target id, organisation id) → copy


def _plan(
    bloc: Organization, year: int, units: list[Organization], copies: dict
) -> tuple[Target, Target, Target]:
    plan = services.plan_create(
        organization=bloc, title=f"Nghị quyết năm {year}", start_year=year
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
    admissions = services.target_create(
        plan=plan,
        group="Xây dựng Đảng",
        wording="Kết nạp đảng viên đạt 3% số đảng viên đầu năm",
        label="Kết nạp đảng viên",
        kind="base_share",
        plan_value=3,
        unit="%",
        source=Source.ADMISSIONS_SHARE,
    )
    count_plans = [5, 10, 5, 5, 5, 5, 5, 5]
    for target, values in (
        (rate, {u: 80 for u in units}),
        (count, {u: count_plans[i] for i, u in enumerate(units)}),
        (admissions, {u: 3 for u in units}),
    ):
        for copy in services.target_assign(target=target, plan_values=values):
            copies[(target.id, copy.plan.organization_id)] = copy
    return rate, count, admissions


def add_unit(
    bloc: Organization, name: str, *, members: int = 2
) -> tuple[Organization, Organization]:
    unit = make_org(name, parent=bloc, level_code="grassroots_committee")
    cell = make_org(f"Chi bộ {name}", parent=unit, level_code="cell")
    for _ in range(members):
        make_member(cell)
    return unit, cell


def report(org, year, quarter, entries, copies, *, approve=True):  # noqa: ANN001, ANN201
    sheet = services.sheet_save(
        organization=org,
        year=year,
        quarter=quarter,
        version=0,
        entries={copies[(tid, org.id)].id: e for tid, e in entries.items()},
        user=None,
    )
    services.sheet_submit(organization=org, year=year, quarter=quarter, user=None)
    if approve:
        sheet.refresh_from_db()
        services.sheet_approve(sheet=sheet, user=None)


@pytest.fixture
def committee() -> Committee:
    bloc = make_org("Đảng bộ Khối Thử", short_name="ĐUK")
    pairs = [add_unit(bloc, f"Đảng bộ Sở {i}", members=2 + i) for i in (1, 2, 3)]
    units, cells = [u for u, _ in pairs], [c for _, c in pairs]
    copies: dict = {}
    rate_2022, count_2022, _ = _plan(bloc, 2022, units, copies)
    rate, count, admissions = _plan(bloc, 2023, units, copies)
    g1, g2, g3 = units
    # 2022: bồi dưỡng 4 + 8 + 6 = 18 by the year's end.
    for unit, n in zip(units, (4, 8, 6), strict=True):
        report(unit, 2022, 4, {count_2022.id: E(value=Decimal(n))}, copies)
    # 2023 Q1: the rate 1/2, 90/100 and (g3, submitted only) 3/4.
    report(
        g1,
        2023,
        1,
        {
            rate.id: E(numerator=Decimal(1), denominator=Decimal(2)),
            count.id: E(value=Decimal(2)),
        },
        copies,
    )
    report(
        g2,
        2023,
        1,
        {
            rate.id: E(numerator=Decimal(90), denominator=Decimal(100)),
            count.id: E(value=Decimal(7)),
        },
        copies,
    )
    report(
        g3,
        2023,
        1,
        {
            rate.id: E(numerator=Decimal(3), denominator=Decimal(4)),
            count.id: E(value=Decimal(1)),
        },
        copies,
        approve=False,
    )
    # Two admissions in 2023 (g2's chi bộ); the members above joined in 2015.
    make_member(cells[1], admitted_on=dt.date(2023, 2, 1), full_member_on=None)
    make_member(cells[1], admitted_on=dt.date(2023, 3, 1), full_member_on=None)
    for year in (2022, 2023):
        rollups.rollup_rebuild(root=bloc, year=year)
    return Committee(
        bloc, units, cells, rate, count, admissions, rate_2022, count_2022, copies
    )


def url(org: Organization, name: str = "targets:dashboard", **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"nam": 2023, "quy": 1, **params}.items())
    return reverse(name, kwargs={"public_id": org.public_id}) + "?" + query


@pytest.fixture
def bloc_leader(committee: Committee):  # noqa: ANN201
    return make_user("leader_bloc", role=Role.LEADER, organization=committee.bloc)


def _row(dashboard: Dashboard, target: Target):  # noqa: ANN202
    return next(r for r in dashboard.rows if r.target.id == target.id)


# --- figures -------------------------------------------------------------------------


def test_it_shows_the_hand_computed_roll_up_sum_of_numerators_over_sum_of_denominators(
    client, committee, bloc_leader
):
    client.force_login(bloc_leader)
    response = client.get(url(committee.bloc))
    assert response.status_code == 200
    body = response.content.decode()
    # Approved only: (1 + 90) / (2 + 100) = 89,22%; attainment 89,2156…/80 = 111,5%.
    rate = _row(response.context["dash"], committee.rate)
    assert rate.to_date.numerator == 91 and rate.to_date.denominator == 102
    expected = calc.rate_of(Decimal(91), Decimal(102))
    assert round(expected, 2) == Decimal("89.22")
    assert rate.done_text == "89,22% (91/102)" and rate.attainment_text == "111,5%"
    assert "89,22% (91/102)" in body and "111,5%" in body
    assert rate.verdict_text == "đạt, vượt kế hoạch"
    # The count: 2 + 7 of a plan of 20 → 45,0%, chưa đạt.
    count = _row(response.context["dash"], committee.count)
    assert count.done_text == "9" and count.attainment_text == "45,0%"
    assert count.verdict_text == "chưa đạt"
    # Admissions from the registry: 2 of (3 + 4 + 5) = 12 members on 1 January.
    admissions = _row(response.context["dash"], committee.admissions)
    assert admissions.done_text == "16,67% (2/12)"
    cards = {c.key: c for c in response.context["cards"]}
    assert (
        cards["members"].value == "14"
        and cards["members"].detail == "+2 so với 01/01/2023"
    )
    assert cards["admissions"].value == "2"
    assert "đạt 555,6%" in cards["admissions"].detail
    assert cards["verdicts"].value == "02/03 chỉ tiêu đạt"
    assert cards["completeness"].value == "3/3"
    for card in cards.values():
        assert html.escape(card.value) in body


def test_the_basis_toggle_counts_submitted_sheets_and_says_so(
    client, committee, bloc_leader
):
    client.force_login(bloc_leader)
    approved = client.get(url(committee.bloc, co_so="da_duyet"))
    submitted = client.get(url(committee.bloc, co_so="da_gui"))
    rate_approved = _row(approved.context["dash"], committee.rate)
    rate_submitted = _row(submitted.context["dash"], committee.rate)
    # With g3's submitted sheet: (1 + 90 + 3) / (2 + 100 + 4) = 88,68%.
    assert rate_approved.done_text == "89,22% (91/102)"
    assert rate_submitted.done_text == "88,68% (94/106)"
    assert _row(submitted.context["dash"], committee.count).done_text == "10"
    assert "Chỉ tính báo cáo đã duyệt" in approved.content.decode()
    assert "Tính cả báo cáo đã gửi, chưa duyệt" in submitted.content.decode()
    assert "88,68% (94/106)" in submitted.content.decode()


def test_subordinates_are_listed_with_verdict_counts_completeness_and_drill_down(
    client, committee, bloc_leader
):
    client.force_login(bloc_leader)
    dashboard = client.get(url(committee.bloc)).context["dash"]
    rows = {c.organization.id: c for c in dashboard.children}
    g1, g2, g3 = committee.units
    # g1: rate 50% (chưa đạt), 2 of 5 (chưa đạt), no admissions (0% of 3: chưa đạt).
    assert [c.text for c in rows[g1.id].cells] == [
        "Đảng bộ Sở 1",
        "3",
        "0",
        "3",
        "0",
        "0,0%",
        "Đã duyệt",
    ]
    # g2: 90% (vượt), 7 of 10 (chưa đạt), 2 of 4 members = 50% of 3% (vượt).
    assert [c.text for c in rows[g2.id].cells] == [
        "Đảng bộ Sở 2",
        "6",
        "2",
        "1",
        "0",
        "66,7%",
        "Đã duyệt",
    ]
    # g3's sheet is only submitted: on the approved basis it has no figures.
    assert [c.text for c in rows[g3.id].cells][2:] == ["0", "1", "2", "0,0%", "Đã gửi"]
    assert (
        dashboard.completeness["approved"] == 2
        and dashboard.completeness["submitted"] == 1
    )
    body = client.get(url(committee.bloc)).content.decode()
    assert reverse("targets:dashboard", kwargs={"public_id": g2.public_id}) in body
    # Drill down to g2: its own sheet's figures, a breadcrumb back to the bloc.
    response = client.get(url(g2))
    assert response.status_code == 200
    own = response.context["dash"]
    assert own.mode == "own"
    assert _row(own, committee.copies[(committee.count.id, g2.id)]).done_text == "7"
    assert reverse(
        "targets:dashboard", kwargs={"public_id": committee.bloc.public_id}
    ) in (response.content.decode())
    # … whose table lists its chi bộ with members.
    assert [c.text for c in own.children[0].cells][:2] == ["Chi bộ Đảng bộ Sở 2", "6"]


def test_restated_and_as_then_comparisons_differ_after_a_handover_and_say_so(
    client, committee, bloc_leader, django_capture_on_commit_callbacks
):
    g3 = committee.units[2]
    other = make_org("Đảng bộ Khối khác", short_name="ĐUK")
    # g3 went to another committee in 2023, after last year's figures were in;
    # the handover queues the rebuild of both trees' roll-ups itself.
    with django_capture_on_commit_callbacks(execute=True):
        org_services.handover_create(
            source=committee.bloc, moves=[(g3, other)], effective_on=dt.date(2023, 3, 1)
        )
    client.force_login(bloc_leader)
    restated = client.get(url(committee.bloc, quy=4, pham_vi="hien_tai"))
    then = client.get(url(committee.bloc, quy=4, pham_vi="khi_do"))

    def last_year_q4(response) -> str:  # noqa: ANN001
        series = next(
            s
            for s in response.context["dash"].trend
            if s.label == "Bồi dưỡng nhận thức"
        )
        return series.rows[3][2]

    # Restated: today's g1 + g2 = 12 of 20 → 60,0%; as it was: + g3's 6 = 18 → 90,0%.
    assert last_year_q4(restated) == "60,0%"
    assert last_year_q4(then) == "90,0%"
    assert "Số liệu so sánh tính theo phạm vi hiện nay" in restated.content.decode()
    assert (
        "Số liệu so sánh tính theo cây tổ chức tại thời điểm đó"
        in then.content.decode()
    )
    # Members on 1 January: g3's 5 are gone today (restated 7), were there then (12).
    assert restated.context["dash"].members_start == 7
    assert then.context["dash"].members_start == 12


def test_a_pending_update_and_the_last_update_are_shown(client, committee, bloc_leader):
    RollupState.objects.filter(organization=committee.bloc, year=2023).update(pending=2)
    client.force_login(bloc_leader)
    body = client.get(url(committee.bloc)).content.decode()
    assert "Đang cập nhật (2 thay đổi chờ xử lý)" in body
    assert "Số liệu cập nhật lúc " in body


# --- the committee's own targets ------------------------------------------------------


def add_own_target(committee: Committee) -> Target:
    """A target the bloc reports itself (not given down), as seed 004's "Chi bộ
    sinh hoạt đúng quy định": 9 of 10 chi bộ in Q1/2023 against 100%, and last
    year 8 of 10 by Q4 against the same target of 2022's plan. The bloc's sheets
    are sent: nobody above it approves them."""
    own = None
    for year, quarter, num in ((2022, 4, 8), (2023, 1, 9)):
        plan = committee.bloc.plans.get(start_year=year)
        own = services.target_create(
            plan=plan,
            group="Xây dựng Đảng",
            wording="100% chi bộ sinh hoạt đúng quy định",
            label="Chi bộ sinh hoạt đúng quy định",
            kind="all_or_nothing",
            plan_value=100,
        )
        services.sheet_save(
            organization=committee.bloc,
            year=year,
            quarter=quarter,
            version=0,
            entries={own.id: E(numerator=Decimal(num), denominator=Decimal(10))},
            user=None,
        )
        services.sheet_submit(
            organization=committee.bloc, year=year, quarter=quarter, user=None
        )
    assert own is not None
    return own


@pytest.mark.parametrize("basis", ["da_duyet", "da_gui"])
def test_the_committees_own_targets_are_on_its_dashboard_and_counted(
    client, committee, bloc_leader, basis
):
    own = add_own_target(committee)
    client.force_login(bloc_leader)
    response = client.get(url(committee.bloc, co_so=basis))
    dashboard = response.context["dash"]
    assert [r.target.label for r in dashboard.rows] == [
        "Dự sinh hoạt",
        "Bồi dưỡng nhận thức",
        "Kết nạp đảng viên",
        "Chi bộ sinh hoạt đúng quy định",
    ]
    row = _row(dashboard, own)
    assert (row.done_text, row.verdict_text) == ("90,00% (9/10)", "chưa đạt")
    assert "tự báo cáo" in row.explanation
    assert {c.key: c.value for c in dashboard.cards()}[
        "verdicts"
    ] == "02/04 chỉ tiêu đạt"
    body = response.content.decode()
    assert "Chi bộ sinh hoạt đúng quy định" in body and "90,00% (9/10)" in body
    # Its trend against last year's own figures: 90% of 100% now, 80% by Q4/2022.
    series = next(s for s in dashboard.trend if s.target_id == own.id)
    assert series.rows[0][1] == "90,0%" and series.rows[3][2] == "80,0%"
    # The subordinates are counted on the targets given to them only.
    g1 = committee.units[0]
    child = next(c for c in dashboard.children if c.organization.id == g1.id)
    assert [c.text for c in child.cells[2:5]] == ["0", "3", "0"]
    # The Excel copy has the row too.
    book = load_workbook(
        io.BytesIO(
            client.get(
                url(committee.bloc, "targets:dashboard_export", co_so=basis)
            ).content
        )
    )
    labels = [r[1].value for r in book["Chỉ tiêu"].iter_rows(min_row=4)]
    assert "Chi bộ sinh hoạt đúng quy định" in labels


def test_the_dashboard_lists_the_targets_the_drafted_report_lists(client, committee):
    from reports.models import Document
    from reports.structure import build_layout

    add_own_target(committee)
    office = make_user("office_bloc", role=Role.OFFICE, organization=committee.bloc)
    client.force_login(office)
    dashboard = client.get(url(committee.bloc)).context["dash"]
    client.post(
        reverse("reports:list", kwargs={"public_id": committee.bloc.public_id}),
        {"doc_type": "quarterly", "year": 2023, "quarter": 1},
    )
    layout = build_layout(Document.objects.get(organization=committee.bloc))
    (table,) = [
        item
        for node in layout.appendices
        for item in node.content
        if hasattr(item, "rows")
    ]
    from reports.blocks import TABLE_VERDICT

    # The appendix writes plans at the target's precision and the tables'
    # verdict words ("Vượt", "Chưa đạt"): the same targets, figures and verdicts.
    appendix = [[row[1], row[5], row[6]] for row in table.rows]
    assert appendix == [
        [r.label, r.evaluation.attainment_text, TABLE_VERDICT[r.evaluation.verdict]]
        for r in dashboard.rows
    ]


# --- query count ---------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["hien_tai", "khi_do"])
@pytest.mark.parametrize("quarter", [1, 4])
def test_the_query_count_does_not_grow_with_the_number_of_organisations(
    client, committee, bloc_leader, scope, quarter
):
    add_own_target(committee)
    client.force_login(bloc_leader)
    page = url(committee.bloc, quy=quarter, pham_vi=scope, co_so="da_gui")
    # Ratings exist before and after: only the number of organisations changes.
    org_services.organization_rating_set(
        organization=committee.cells[0], year=2023, grade=Grade.EXCELLENT
    )

    def count() -> int:
        client.get(page)  # warm the session and the user's scope
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        return len(queries)

    before = count()
    units = []
    for i in range(4, 9):
        unit, cell = add_unit(committee.bloc, f"Đảng bộ Sở {i}", members=3)
        make_member(cell, admitted_on=dt.date(2023, 1, 15), full_member_on=None)
        org_services.organization_rating_set(
            organization=cell, year=2023, grade=Grade.GOOD
        )
        units.append(unit)
    for target in (committee.rate, committee.count, committee.admissions):
        for copy in services.target_assign(
            target=target, plan_values={u: 5 for u in units}
        ):
            committee.copies[(target.id, copy.plan.organization_id)] = copy
    for unit in units:
        report(
            unit,
            2023,
            1,
            {
                committee.rate.id: E(numerator=Decimal(9), denominator=Decimal(10)),
                committee.count.id: E(value=Decimal(3)),
            },
            committee.copies,
        )
    rollups.rollup_rebuild(root=committee.bloc, year=2023)
    assert (
        Rollup.objects.filter(organization__parent=committee.bloc, year=2023).count()
        >= 15
    )  # 8 units × 2 bases, g3 submitted only
    after = count()
    assert after == before, (before, after)


# --- access ---------------------------------------------------------------------------


def test_it_is_for_leaders_and_offices_of_the_tree_only(
    client, world, leader, cadre, outsider, office
):
    for user, status in ((leader, 200), (office, 200), (cadre, 403), (outsider, 404)):
        client.force_login(user)
        for name in ("targets:dashboard", "targets:dashboard_export"):
            assert client.get(url(world.grassroots_a, name)).status_code == status, (
                user,
                name,
            )
    client.force_login(leader)
    assert client.post(url(world.grassroots_a)).status_code == 405
    rebuild = reverse(
        "targets:rollup_rebuild", kwargs={"public_id": world.grassroots_a.public_id}
    )
    assert (
        client.post(rebuild, {"nam": 2023}).status_code == 403
    )  # a leader reads, does not rebuild
    assert client.get(rebuild).status_code == 405
    client.logout()
    assert client.get(url(world.grassroots_a)).status_code == 302


def test_an_own_sheet_dashboard_counts_submitted_quarters_only_on_that_basis(
    client, world, leader
):
    client.force_login(leader)
    approved = client.get(url(world.grassroots_a, quy=4)).context["dash"]
    submitted = client.get(url(world.grassroots_a, quy=4, co_so="da_gui")).context[
        "dash"
    ]
    target_id = world.plan_target_id
    assert next(r for r in approved.rows if r.target.id == target_id).done_text == "–"
    assert next(r for r in submitted.rows if r.target.id == target_id).done_text == "5"
    assert {c.key: c.value for c in submitted.cards()}["completeness"] == "Đã gửi"


def test_the_dashboard_opens_on_the_latest_quarter_someone_reported(
    client, committee, bloc_leader
):
    """The demo's setup: reports for 2022 and Q1/2023, a term plan to 2025, and
    a rebuild of 2024 that wrote empty roll-up rows. The leader lands on
    Q1/2023 with its figures, not on an empty Q4/2024 ("00/03")."""
    services.plan_create(
        organization=committee.bloc,
        title="Chỉ tiêu nhiệm kỳ",
        start_year=2020,
        end_year=2025,
    )
    rollups.rollup_rebuild(root=committee.bloc, year=2024)
    assert Rollup.objects.filter(organization=committee.bloc, year=2024).exists()
    client.force_login(bloc_leader)
    with mock.patch(
        "django.utils.timezone.localdate", return_value=dt.date(2025, 2, 3)
    ):
        response = client.get(
            reverse("targets:dashboard", kwargs={"public_id": committee.bloc.public_id})
        )
    params, dashboard = response.context["params"], response.context["dash"]
    assert (params.year, params.quarter) == (2023, 1)
    assert (
        dashboard.reporting == 2
        and dashboard.verdicts.summary_text == "02/03 chỉ tiêu đạt"
    )
    # A grassroots organisation's own dashboard: its own latest sheet.
    g3 = committee.units[2]
    response = client.get(
        reverse("targets:dashboard", kwargs={"public_id": g3.public_id})
    )
    assert (response.context["params"].year, response.context["params"].quarter) == (
        2023,
        1,
    )


def test_a_term_plan_or_a_new_plan_does_not_move_the_default_past_the_figures(
    committee,
):
    """Seed 004's term plan runs to 2025; the figures are for Q1/2023: the
    dashboard opens there, not on an empty Q4/2025, nor on the empty last
    quarter of a plan adopted this year; once someone reports, on that."""
    from targets.dashboard import default_period

    services.plan_create(
        organization=committee.bloc,
        title="Chỉ tiêu nhiệm kỳ",
        start_year=2020,
        end_year=2025,
    )
    today = dt.date(2026, 11, 25)
    assert default_period(organization=committee.bloc, today=today) == (2023, 1)
    plan = services.plan_create(
        organization=committee.bloc, title="Chỉ tiêu 2026", start_year=2026
    )
    assert default_period(organization=committee.bloc, today=today) == (2023, 1)
    target = services.target_create(
        plan=plan,
        group="G",
        wording="Bồi dưỡng 10",
        label="Bồi dưỡng",
        kind="count",
        plan_value=10,
    )
    g1 = committee.units[0]
    copies = {
        (target.id, c.plan.organization_id): c
        for c in services.target_assign(target=target, plan_values={g1: 10})
    }
    report(g1, 2026, 2, {target.id: E(value=Decimal(4))}, copies, approve=False)
    rollups.rollup_rebuild(root=committee.bloc, year=2026)
    assert default_period(organization=committee.bloc, today=today) == (2026, 2)
    # With nobody reporting at all, the plan decides, as before.
    Rollup.objects.all().delete()
    from targets.models import Sheet

    Sheet.objects.all().delete()
    assert default_period(organization=committee.bloc, today=today) == (2026, 3)


# --- export ---------------------------------------------------------------------------


def test_the_export_holds_the_numbers_on_the_page(client, committee, bloc_leader):
    client.force_login(bloc_leader)
    page = client.get(url(committee.bloc, co_so="da_gui"))
    body = page.content.decode()
    response = client.get(
        url(committee.bloc, "targets:dashboard_export", co_so="da_gui")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    targets = book["Chỉ tiêu"]
    rows = [row[1:] for row in targets.iter_rows(min_row=4) if row[0].value]
    shown = [Dashboard.target_cells(r) for r in page.context["dash"].rows]
    assert [excel_target_row(row) for row in rows] == shown
    # The figures are numbers, shown by their format as the page shows them.
    rate = next(row for row in rows if row[0].value == "Dự sinh hoạt")
    assert [c.value for c in rate] == [
        "Dự sinh hoạt",
        None,
        0.8,
        0.8868,
        94,
        106,
        1.108,
        "đạt, vượt kế hoạch",
    ]
    assert [c.number_format for c in rate[2:7]] == [
        "0%",
        "0.00%",
        "#,##0",
        "#,##0",
        "0.0%",
    ]
    count = next(row for row in rows if row[0].value == "Bồi dưỡng nhận thức")
    assert [c.value for c in count[2:5]] == [20, 10, None]
    assert count[2].data_type == count[3].data_type == "n"
    children = book["Tổ chức trực thuộc"]
    exported = [
        [excel_text(c) for c in row][1:] for row in children.iter_rows(min_row=2)
    ]
    on_page = [[c.text for c in child.cells] for child in page.context["dash"].children]
    assert exported == on_page
    shares = [row[6] for row in children.iter_rows(min_row=2)]
    assert all(c.data_type == "n" and c.number_format == "0.0%" for c in shares)
    for row in exported:
        for value in row:
            assert html.escape(str(value)) in body
    summary = {row[0].value: row[1] for row in book["Tổng quan"].iter_rows(min_row=7)}
    assert summary["Chỉ tiêu đạt"].value == "02/03 chỉ tiêu đạt"
    assert summary["Đảng viên ngày 31/03/2023"].value == 14
    trend = [
        [excel_text(c) for c in row] for row in book["Xu hướng"].iter_rows(min_row=2)
    ]
    assert trend == [[s.label, *r] for s in page.context["dash"].trend for r in s.rows]


def test_exported_names_cannot_turn_into_formulas(client, committee, bloc_leader):
    Organization.objects.filter(pk=committee.units[0].pk).update(
        name='=HYPERLINK("http://x")'
    )
    client.force_login(bloc_leader)
    response = client.get(url(committee.bloc, "targets:dashboard_export"))
    sheet = load_workbook(io.BytesIO(response.content))["Tổ chức trực thuộc"]
    cell = next(
        row[1]
        for row in sheet.iter_rows(min_row=2)
        if str(row[1].value).startswith("=")
    )
    assert cell.data_type == "s" and cell.quotePrefix


# --- rebuild --------------------------------------------------------------------------


def test_the_rebuild_button_enqueues_a_rebuild_and_the_figures_appear(
    client, committee, django_capture_on_commit_callbacks
):
    Rollup.objects.all().delete()
    RollupState.objects.all().delete()
    office = make_user("office_bloc", role=Role.OFFICE, organization=committee.bloc)
    client.force_login(office)
    before = client.get(url(committee.bloc))
    assert "Chưa tổng hợp số liệu năm 2023." in before.content.decode()
    assert _row(before.context["dash"], committee.rate).done_text == "–"
    rebuild = reverse(
        "targets:rollup_rebuild", kwargs={"public_id": committee.bloc.public_id}
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            rebuild, {"nam": 2023, "quy": 1, "co_so": "da_duyet", "pham_vi": "hien_tai"}
        )
    assert len(callbacks) == 1
    # Asked for, not yet done: the page says an update is pending.
    waiting = client.get(url(committee.bloc)).content.decode()
    assert "Đang cập nhật (1 thay đổi chờ xử lý)" in waiting
    assert "Đã yêu cầu tổng hợp lại số liệu năm 2023" in waiting
    callbacks[0]()
    assert response.status_code == 302 and response.url == url(
        committee.bloc, co_so="da_duyet", pham_vi="hien_tai"
    )
    after = client.get(response.url)
    assert "Số liệu cập nhật lúc" in after.content.decode()
    assert "chờ xử lý" not in after.content.decode()
    assert _row(after.context["dash"], committee.rate).done_text == "89,22% (91/102)"


def test_only_the_top_committees_office_may_rebuild_the_trees_roll_ups(
    client, committee, django_capture_on_commit_callbacks
):
    """A rebuild recomputes the whole tree: an office lower down may not start it,
    from its own dashboard or any other, and is not offered the button."""
    g1 = committee.units[0]
    unit_office = make_user("office_g1", role=Role.OFFICE, organization=g1)
    client.force_login(unit_office)
    for org in (g1, committee.bloc):
        rebuild = reverse("targets:rollup_rebuild", kwargs={"public_id": org.public_id})
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            status = client.post(rebuild, {"nam": 2023}).status_code
        assert status == (403 if org == g1 else 404) and callbacks == []
    assert RollupState.objects.get(organization=committee.bloc, year=2023).pending == 0
    assert "Tổng hợp lại" not in client.get(url(g1)).content.decode()
    bloc_office = make_user(
        "office_bloc", role=Role.OFFICE, organization=committee.bloc
    )
    client.force_login(bloc_office)
    assert "Tổng hợp lại" in client.get(url(committee.bloc)).content.decode()
    rebuild = reverse("targets:rollup_rebuild", kwargs={"public_id": g1.public_id})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(rebuild, {"nam": 2023}).status_code == 302
    assert len(callbacks) == 1


def test_the_selector_signature_for_the_bench(committee):
    dashboard = dashboard_view(
        organization=committee.bloc,
        year=2023,
        quarter=1,
        basis=RollupBasis.SUBMITTED,
        scope_mode=ScopeMode.THEN,
    )
    assert dashboard.mode == "committee" and len(dashboard.children) == 3
    assert dashboard.chart_data()["attainment"]["labels"] == [
        "Dự sinh hoạt",
        "Bồi dưỡng nhận thức",
        "Kết nạp đảng viên",
    ]


# --- other levels --------------------------------------------------------------------


def test_a_committee_in_between_sums_the_plans_given_under_it(client):
    bloc = make_org("Đảng bộ Khối", short_name="ĐUK")
    cluster = make_org("Đảng bộ cụm", parent=bloc, level_code="upper")
    g1 = make_org("Đảng bộ 1", parent=cluster, level_code="grassroots_committee")
    g2 = make_org("Đảng bộ 2", parent=cluster, level_code="grassroots_committee")
    g3 = make_org("Đảng bộ 3", parent=bloc, level_code="grassroots_committee")
    plan = services.plan_create(organization=bloc, title="Khối 2023", start_year=2023)
    count = services.target_create(
        plan=plan,
        group="G",
        wording="Bồi dưỡng 20",
        label="Bồi dưỡng",
        kind="count",
        plan_value=20,
    )
    copies = {
        (count.id, c.plan.organization_id): c
        for c in services.target_assign(
            target=count, plan_values={g1: 5, g2: 10, g3: 5}
        )
    }
    report(g1, 2023, 1, {count.id: E(value=Decimal(6))}, copies)
    report(g2, 2023, 1, {count.id: E(value=Decimal(3))}, copies)
    rollups.rollup_rebuild(root=bloc, year=2023)
    dashboard = dashboard_view(organization=cluster, year=2023, quarter=1)
    assert dashboard.mode == "committee"
    row = _row(dashboard, count)
    # The cluster's plan is what was given under it: 5 + 10; done 6 + 3.
    assert (row.plan_text, row.done_text, row.attainment_text) == ("15", "9", "60,0%")
    assert [c.cells[2].text for c in dashboard.children] == ["1", "0"]  # đạt: g1 only


def test_a_chi_bo_dashboard_shows_its_members(client, committee, bloc_leader):
    client.force_login(bloc_leader)
    response = client.get(url(committee.cells[1]))
    assert response.status_code == 200
    dashboard = response.context["dash"]
    assert dashboard.mode == "none" and dashboard.children == []
    cards = {c.key: c.value for c in dashboard.cards()}
    assert cards == {"members": "6", "admissions": "2"}


# --- the subordinates' verdict counts, memoised ---------------------------------------


def _child_counts(dashboard: Dashboard) -> dict[int, list[str]]:
    """Each subordinate's đạt / chưa đạt / chưa có số liệu cells."""
    return {
        c.organization.id: [cell.text for cell in c.cells[2:5]]
        for c in dashboard.children
    }


def _fresh(committee: Committee, **kwargs: object) -> dict[int, list[str]]:
    """The counts computed from scratch (an empty cache)."""
    cache.clear()
    return _child_counts(
        dashboard_view(organization=committee.bloc, year=2023, quarter=1, **kwargs)
    )


def test_memoised_counts_are_the_computed_ones_and_are_reused(committee):
    def read() -> dict[int, list[str]]:
        return _child_counts(
            dashboard_view(organization=committee.bloc, year=2023, quarter=1)
        )

    fresh = _fresh(committee)
    with mock.patch.object(calc, "verdict", wraps=calc.verdict) as verdict:
        again = read()
    assert again == fresh
    # No subordinate's target was evaluated again: their counts came from the memo.
    assert verdict.call_count == 0


def test_an_approval_changes_the_counts_on_the_next_read(
    committee, django_capture_on_commit_callbacks
):
    g3 = committee.units[2]
    before = _fresh(committee)
    assert before[g3.id] == ["0", "1", "2"]  # only submitted: no figures approved
    dashboard_view(organization=committee.bloc, year=2023, quarter=1)  # memo warm
    sheet = g3.sheets.get(year=2023, quarter=1)
    with django_capture_on_commit_callbacks(execute=True):  # the roll-up task
        services.sheet_approve(sheet=sheet, user=None)
    after = _child_counts(
        dashboard_view(organization=committee.bloc, year=2023, quarter=1)
    )
    # 3/4 = 75% of 80% and 1 of 5: both chưa đạt now that they count.
    assert after[g3.id] == ["0", "3", "0"]
    assert after == _fresh(committee)


def test_a_changed_plan_changes_the_counts_on_the_next_read(committee):
    g1 = committee.units[0]
    assert _fresh(committee)[g1.id] == ["0", "3", "0"]  # 2 of a plan of 5
    dashboard_view(organization=committee.bloc, year=2023, quarter=1)  # memo warm
    services.target_assign(target=committee.count, plan_values={g1: 2})
    after = _child_counts(
        dashboard_view(organization=committee.bloc, year=2023, quarter=1)
    )
    assert after[g1.id] == ["1", "2", "0"]  # 2 of 2: đạt
    assert after == _fresh(committee)


def test_an_admission_changes_the_counts_on_the_next_read(committee):
    g1, cell = committee.units[0], committee.cells[0]
    assert _fresh(committee)[g1.id] == ["0", "3", "0"]
    dashboard_view(organization=committee.bloc, year=2023, quarter=1)  # memo warm
    make_member(cell, admitted_on=dt.date(2023, 2, 10), full_member_on=None)
    after = _child_counts(
        dashboard_view(organization=committee.bloc, year=2023, quarter=1)
    )
    # 1 admitted of 3 members on 1 January: 33,3% of a plan of 3%.
    assert after[g1.id] == ["1", "2", "0"]
    assert after == _fresh(committee)


def test_the_rendered_rows_follow_a_rename_and_an_approval(
    client, committee, bloc_leader, django_capture_on_commit_callbacks
):
    client.force_login(bloc_leader)
    g1, _, g3 = committee.units

    def row_of(org: Organization) -> str:
        body = client.get(url(committee.bloc)).content.decode()
        start = body.index(f'data-testid="child-{org.public_id}"')
        return body[start : body.index("</tr>", start)]

    assert "Đảng bộ Sở 1" in row_of(g1)
    assert 'data-sort="2">2</td>' in row_of(g3)  # no data for 2 targets
    # The rows' HTML is now in the cache: a changed row must still be rendered.
    Organization.objects.filter(pk=g1.pk).update(name="Đảng bộ Sở Tài chính")
    assert "Đảng bộ Sở Tài chính" in row_of(g1)
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_approve(sheet=g3.sheets.get(year=2023, quarter=1), user=None)
    assert 'data-sort="0">0</td>' in row_of(g3) and "Đã duyệt" in row_of(g3)


# --- the quarterly report drafted from the dashboard ----------------------------------


@pytest.mark.parametrize("basis", ["da_duyet", "da_gui"])
def test_the_drafted_quarterly_report_and_the_dashboard_agree(client, committee, basis):
    """A registry-computed target given down (admissions against members on 1
    January) and a count summed from the subordinates read the same on the
    dashboard, on the committee's own sheet and in the draft's Phụ lục, on the
    basis the dashboard shows (g3's Q1 sheet is only submitted)."""
    from reports.models import Document
    from reports.structure import build_layout
    from targets.selectors import sheet_view

    office = make_user("office_bloc", role=Role.OFFICE, organization=committee.bloc)
    client.force_login(office)
    page = client.get(url(committee.bloc, co_so=basis))
    body = page.content.decode()
    assert f'name="basis" value="{page.context["params"].basis}"' in body
    shown = {
        row.target.label: [
            row.plan_text,
            row.evaluation.measure_text,
            row.attainment_text,
            row.verdict_text,
        ]
        for row in page.context["dash"].rows
    }
    verdicts = {
        row.target.label: row.evaluation.verdict for row in page.context["dash"].rows
    }
    count, done = ("9", "45,0%") if basis == "da_duyet" else ("10", "50,0%")
    assert shown["Bồi dưỡng nhận thức"] == ["20", count, done, "chưa đạt"]
    # 2 admitted of 12 members on 1 January: 16,67% of a plan of 3%.
    assert shown["Kết nạp đảng viên"] == [
        "3%",
        "16,67%",
        "555,6%",
        "đạt, vượt kế hoạch",
    ]
    # The committee's own sheet (approved sheets only) reads the registry too.
    own = sheet_view(organization=committee.bloc, year=2023, quarter=1)
    admissions = next(r for r in own.rows if r.target.id == committee.admissions.id)
    assert admissions.to_date_text == "16,67%" and admissions.read_only
    assert "ngày 01/01/2023" in admissions.explanation

    response = client.post(
        reverse("reports:list", kwargs={"public_id": committee.bloc.public_id}),
        {
            "doc_type": "quarterly",
            "year": 2023,
            "quarter": 1,
            "basis": page.context["params"].basis,
        },
    )
    assert response.status_code == 302
    layout = build_layout(Document.objects.get(organization=committee.bloc))
    (table,) = [
        item
        for node in layout.appendices
        for item in node.content
        if hasattr(item, "rows")
    ]
    from reports.blocks import TABLE_VERDICT

    # The appendix writes the tables' verdict words ("Vượt", "Chưa đạt").
    appendix = {row[1]: [row[4], row[5], row[6]] for row in table.rows}
    for label in ("Bồi dưỡng nhận thức", "Kết nạp đảng viên"):
        assert appendix[label] == [
            *shown[label][1:3],
            TABLE_VERDICT[verdicts[label]],
        ], label
    text = layout.plain_text()
    assert (basis == "da_gui") == ("tính cả báo cáo đã gửi, chưa duyệt" in text)


def test_the_dashboard_links_to_the_term_view_and_the_completeness_page(
    client, committee, bloc_leader
):
    client.force_login(bloc_leader)
    body = client.get(url(committee.bloc)).content.decode()
    completeness = reverse(
        "targets:completeness", kwargs={"public_id": committee.bloc.public_id}
    )
    assert f'href="{completeness}?nam=2023&amp;quy=1"' in body
    term = reverse("targets:term", kwargs={"public_id": committee.bloc.public_id})
    assert 'data-testid="term-link"' not in body  # no term plan yet
    services.plan_create(
        organization=committee.bloc,
        title="Nghị quyết Đại hội, nhiệm kỳ 2020-2025",
        start_year=2020,
        end_year=2025,
    )
    body = client.get(url(committee.bloc)).content.decode()
    assert f'href="{term}" data-testid="term-link">Nhiệm kỳ</a>' in body


def test_a_rating_target_is_not_assessed_before_quarter_iv_on_the_dashboard(
    client, committee, bloc_leader
):
    """Ratings are made at year end: in Q1 a target read from them is "không
    đánh giá", as on the entry sheet, and counts neither in the committee's
    "…/… chỉ tiêu đạt" nor in a subordinate's "chưa có số liệu"."""
    client.force_login(bloc_leader)
    before = client.get(url(committee.bloc)).context["dash"]
    plan = committee.bloc.plans.get(start_year=2023)
    good = services.target_create(
        plan=plan,
        group="Xây dựng Đảng",
        wording="100% chi bộ hoàn thành tốt nhiệm vụ trở lên",
        label="Chi bộ HTTNV trở lên",
        kind="all_or_nothing",
        plan_value=100,
        source=Source.CELLS_GOOD,
    )
    services.target_assign(target=good, plan_values={u: 100 for u in committee.units})
    dashboard = client.get(url(committee.bloc)).context["dash"]
    row = _row(dashboard, good)
    assert row.evaluation.verdict is calc.Verdict.NOT_ASSESSED
    assert row.verdict_text == "không đánh giá"
    cards = {c.key: c.value for c in dashboard.cards()}
    assert cards["verdicts"] == {c.key: c.value for c in before.cards()}["verdicts"]
    g1 = committee.units[0]
    old = next(c for c in before.children if c.organization.id == g1.id)
    new = next(c for c in dashboard.children if c.organization.id == g1.id)
    assert [c.text for c in new.cells[2:5]] == [c.text for c in old.cells[2:5]]
