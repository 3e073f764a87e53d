"""Roll-ups add numerators and denominators up the tree, incrementally and in full."""

from __future__ import annotations

from decimal import Decimal

import pytest

from targets import calculations as calc
from targets import rollups, services
from targets.models import Rollup, RollupBasis, RollupState
from tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    bloc = make_org("Đảng bộ Khối", short_name="ĐUK")
    cluster = make_org("Đảng bộ cụm", parent=bloc, level_code="upper")
    g1 = make_org("Đảng bộ 1", parent=cluster, level_code="grassroots_committee")
    g2 = make_org("Đảng bộ 2", parent=cluster, level_code="grassroots_committee")
    g3 = make_org("Đảng bộ 3", parent=bloc)
    plan = services.plan_create(
        organization=bloc, title="Chỉ tiêu khối", start_year=2023
    )
    rate = services.target_create(
        plan=plan,
        group="G",
        wording="Tỷ lệ đảng viên dự sinh hoạt đạt trên 80%",
        label="Dự sinh hoạt",
        kind="rate",
        plan_value=80,
    )
    count = services.target_create(
        plan=plan,
        group="G",
        wording="Kết nạp 20 đảng viên",
        label="Kết nạp",
        kind="count",
        plan_value=20,
    )
    copies = {}
    for target in (rate, count):
        for copy in services.target_assign(
            target=target,
            plan_values={g1: 80, g2: 80, g3: 80}
            if target is rate
            else {g1: 5, g2: 10, g3: 5},
        ):
            copies[(target.id, copy.plan.organization_id)] = copy
    return bloc, cluster, (g1, g2, g3), rate, count, copies


def _report(org, quarter, entries, copies, *, approve=True):  # noqa: ANN001
    sheet = services.sheet_save(
        organization=org,
        year=2023,
        quarter=quarter,
        version=0,
        entries={copies[(tid, org.id)].id: e for tid, e in entries.items()},
        user=None,
    )
    services.sheet_submit(organization=org, year=2023, quarter=quarter, user=None)
    if approve:
        sheet.refresh_from_db()
        services.sheet_approve(sheet=sheet, user=None)


def test_every_ancestor_sums_numerators_and_denominators_not_percentages(
    tree, django_capture_on_commit_callbacks
):
    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    E = services.Entry
    with django_capture_on_commit_callbacks(execute=True):
        _report(
            g1,
            1,
            {
                rate.id: E(numerator=Decimal(1), denominator=Decimal(2)),
                count.id: E(value=Decimal(2)),
            },
            copies,
        )
        _report(
            g2,
            1,
            {
                rate.id: E(numerator=Decimal(90), denominator=Decimal(100)),
                count.id: E(value=Decimal(7)),
            },
            copies,
        )
        _report(
            g3,
            1,
            {
                rate.id: E(numerator=Decimal(3), denominator=Decimal(4)),
                count.id: E(value=Decimal(1)),
            },
            copies,
        )

    def rate_of(org) -> Decimal:  # noqa: ANN001
        row = Rollup.objects.get(
            organization=org, year=2023, basis=RollupBasis.APPROVED
        )
        figures = rollups.figures_of(row, rate.id)[0]
        return calc.rate_of(figures.numerator, figures.denominator)

    # Cluster: (1 + 90) / (2 + 100) = 89,22%; the mean of 50% and 90% would be 70%.
    assert round(rate_of(cluster), 2) == Decimal("89.22")
    assert (
        round((Decimal(50) + Decimal(90)) / 2, 2)
        == Decimal("70.00")
        != round(rate_of(cluster), 2)
    )
    # Bloc: (1 + 90 + 3) / (2 + 100 + 4) = 88,68%.
    assert round(rate_of(bloc), 2) == Decimal("88.68")
    bloc_row = Rollup.objects.get(
        organization=bloc, year=2023, basis=RollupBasis.APPROVED
    )
    assert rollups.figures_of(bloc_row, count.id)[0].value == Decimal(10)
    assert bloc_row.reporting == {"1": 3}


def test_incremental_updates_equal_a_full_rebuild(
    tree, django_capture_on_commit_callbacks
):
    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    E = services.Entry
    with django_capture_on_commit_callbacks(execute=True):
        _report(g1, 1, {count.id: E(value=Decimal(2))}, copies)
        _report(g2, 1, {count.id: E(value=Decimal(3))}, copies, approve=False)
        _report(
            g3,
            2,
            {
                count.id: E(value=Decimal(4)),
                rate.id: E(numerator=Decimal(1), denominator=Decimal(3)),
            },
            copies,
        )
    incremental = {
        (r.organization_id, r.basis): (r.subtree, r.reporting)
        for r in Rollup.objects.all()
    }
    rollups.rollup_rebuild(root=bloc, year=2023)
    rebuilt = {
        (r.organization_id, r.basis): (r.subtree, r.reporting)
        for r in Rollup.objects.all()
    }
    for key, value in rebuilt.items():
        if value[0] or value[1]:
            assert incremental[key] == value, key
    submitted = Rollup.objects.get(organization=bloc, basis=RollupBasis.SUBMITTED)
    approved = Rollup.objects.get(organization=bloc, basis=RollupBasis.APPROVED)
    assert rollups.figures_of(submitted, count.id)[0].value == Decimal(
        5
    )  # g1 approved + g2 submitted
    assert rollups.figures_of(approved, count.id)[0].value == Decimal(2)


def test_an_update_is_idempotent_and_a_return_takes_the_figures_back_out(
    tree, django_capture_on_commit_callbacks
):
    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    with django_capture_on_commit_callbacks(execute=True):
        _report(g1, 1, {count.id: services.Entry(value=Decimal(2))}, copies)
    assert rollups.rollup_update(organization=g1, year=2023) is False
    bloc_row = Rollup.objects.get(organization=bloc, basis=RollupBasis.APPROVED)
    assert rollups.figures_of(bloc_row, count.id)[0].value == Decimal(2)
    sheet = g1.sheets.get(quarter=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_reopen(sheet=sheet, reason="Sửa số", user=None)
    bloc_row.refresh_from_db()
    assert rollups.figures_of(bloc_row, count.id)[0] is None
    assert RollupState.objects.get(organization=bloc, year=2023).pending == 0


def test_the_committees_own_sheet_shows_the_subtree_sums_read_only(
    tree, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from organizations.models import Role
    from targets.selectors import sheet_view
    from tests.factories import make_user

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    with django_capture_on_commit_callbacks(execute=True):
        _report(g1, 1, {count.id: services.Entry(value=Decimal(12))}, copies)
        _report(g3, 1, {count.id: services.Entry(value=Decimal(10))}, copies)
    view = sheet_view(organization=bloc, year=2023, quarter=1)
    row = next(r for r in view.rows if r.target.id == count.id)
    assert (
        row.read_only
        and row.to_date.value == Decimal(22)
        and row.evaluation.attainment_text == "110,0%"
    )
    assert "2 tổ chức trực thuộc" in row.explanation
    office = make_user("office_bloc", role=Role.OFFICE, organization=bloc)
    client.force_login(office)
    url = reverse(
        "targets:sheet",
        kwargs={"public_id": bloc.public_id, "year": 2023, "quarter": 1},
    )
    body = client.get(url).content.decode()
    assert f'name="v-{count.id}"' not in body and "110,0%" in body
    # A typed value for a summed target is refused by the service.
    import pytest as _pytest
    from django.core.exceptions import ValidationError

    with _pytest.raises(ValidationError):
        services.sheet_save(
            organization=bloc,
            year=2023,
            quarter=1,
            version=0,
            entries={count.id: services.Entry(value=Decimal(1))},
            user=None,
        )


def test_one_click_from_the_dashboard_drafts_the_quarterly_report_with_the_roll_up(
    tree, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from organizations.models import Role
    from reports.models import Document
    from reports.structure import build_layout
    from tests.factories import make_user

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    with django_capture_on_commit_callbacks(execute=True):
        _report(g1, 1, {count.id: services.Entry(value=Decimal(12))}, copies)
        _report(g3, 1, {count.id: services.Entry(value=Decimal(10))}, copies)
    client.force_login(make_user("office_bloc", role=Role.OFFICE, organization=bloc))
    dashboard = client.get(
        reverse("targets:dashboard", kwargs={"public_id": bloc.public_id}),
        {"nam": 2023, "quy": 1},
    )
    assert "Tạo báo cáo quý" in dashboard.content.decode()
    response = client.post(
        reverse("reports:list", kwargs={"public_id": bloc.public_id}),
        {"doc_type": "quarterly", "year": 2023, "quarter": 1},
    )
    assert response.status_code == 302
    document = Document.objects.get(organization=bloc, doc_type="quarterly")
    layout = build_layout(document)
    assert (
        "Kết nạp: quý này 22 (nâng tổng số từ đầu năm đến nay là 22, đạt 110% nghị "
        "quyết năm)." in layout.plain_text()
    )
    (table,) = [
        item
        for node in layout.appendices
        for item in node.content
        if hasattr(item, "rows")
    ]
    assert ["Kết nạp", "20", "22", "110,0%", "Vượt"] in [
        [row[1], row[3], row[4], row[5], row[6]] for row in table.rows
    ]


def test_a_broker_outage_loses_no_submission_and_the_catch_up_runs_the_roll_up(
    tree, client, django_capture_on_commit_callbacks, monkeypatch
):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone
    from kombu.exceptions import OperationalError as BrokerError

    from organizations.models import Role
    from targets import tasks
    from targets.models import SheetStatus
    from tests.factories import make_user

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    services.sheet_save(
        organization=g3,
        year=2023,
        quarter=1,
        version=0,
        entries={copies[(count.id, g3.id)].id: services.Entry(value=Decimal(9))},
        user=None,
    )

    def broker_down(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.rollup_update, "delay", broker_down)
    client.force_login(make_user("cadre_g3", role=Role.CADRE, organization=g3))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "targets:submit",
                kwargs={"public_id": g3.public_id, "year": 2023, "quarter": 1},
            )
        )
    assert response.status_code == 302
    assert g3.sheets.get(quarter=1).status == SheetStatus.SUBMITTED
    state = RollupState.objects.get(organization=bloc, year=2023)
    assert state.pending == 1
    monkeypatch.undo()  # the broker is back
    RollupState.objects.filter(pk=state.pk).update(
        last_update_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert tasks.rollup_catch_up() == 1
    row = Rollup.objects.get(organization=bloc, year=2023, basis=RollupBasis.SUBMITTED)
    assert rollups.figures_of(row, count.id)[0].value == Decimal(9)
    assert RollupState.objects.get(pk=state.pk).pending == 0


# --- a target handed down twice -------------------------------------------------------


@pytest.fixture
def chain():
    """Bloc → đảng bộ cơ sở A (hands its copy on to its two chi bộ) and đảng bộ B
    (reports itself). A typed 40 for Q1 before handing the target on."""
    bloc = make_org("Đảng bộ Khối", short_name="ĐUK")
    unit_a = make_org("Đảng bộ A", parent=bloc, level_code="grassroots_committee")
    unit_b = make_org("Đảng bộ B", parent=bloc, level_code="grassroots_committee")
    cell_1 = make_org("Chi bộ 1", parent=unit_a, level_code="cell")
    cell_2 = make_org("Chi bộ 2", parent=unit_a, level_code="cell")
    plan = services.plan_create(
        organization=bloc, title="Chỉ tiêu khối", start_year=2023
    )
    count = services.target_create(
        plan=plan,
        group="G",
        wording="Kết nạp 200",
        label="Kết nạp",
        kind="count",
        plan_value=200,
    )
    rate = services.target_create(
        plan=plan,
        group="G",
        wording="Dự sinh hoạt trên 80%",
        label="Dự sinh hoạt",
        kind="rate",
        plan_value=80,
    )
    return bloc, unit_a, unit_b, cell_1, cell_2, count, rate


def _save_and_approve(org, quarter, entries):  # noqa: ANN001, ANN202
    sheet = services.sheet_save(
        organization=org,
        year=2023,
        quarter=quarter,
        version=0,
        entries=entries,
        user=None,
    )
    services.sheet_submit(organization=org, year=2023, quarter=quarter, user=None)
    sheet.refresh_from_db()
    services.sheet_approve(sheet=sheet, user=None)


def test_a_target_handed_down_twice_rolls_up_to_the_bloc(
    chain, django_capture_on_commit_callbacks
):
    from targets.selectors import sheet_view

    bloc, unit_a, unit_b, cell_1, cell_2, count, rate = chain
    E = services.Entry
    with django_capture_on_commit_callbacks(execute=True):
        copy_a, copy_b = services.target_assign(
            target=count, plan_values={unit_a: 120, unit_b: 80}
        )
        rate_a, rate_b = services.target_assign(
            target=rate, plan_values={unit_a: 80, unit_b: 80}
        )
        # A reports Q1 itself (40 admissions; 8 of 10 attended), then hands both on.
        _save_and_approve(
            unit_a,
            1,
            {
                copy_a.id: E(value=Decimal(40)),
                rate_a.id: E(numerator=Decimal(8), denominator=Decimal(10)),
            },
        )
        copy_1, copy_2 = services.target_assign(
            target=copy_a, plan_values={cell_1: 70, cell_2: 50}
        )
        rate_1, rate_2 = services.target_assign(
            target=rate_a, plan_values={cell_1: 80, cell_2: 80}
        )
        _save_and_approve(
            cell_1,
            2,
            {
                copy_1.id: E(value=Decimal(50)),
                rate_1.id: E(numerator=Decimal(1), denominator=Decimal(4)),
            },
        )
        _save_and_approve(
            cell_2,
            2,
            {
                copy_2.id: E(value=Decimal(7)),
                rate_2.id: E(numerator=Decimal(9), denominator=Decimal(10)),
            },
        )
        _save_and_approve(
            unit_b,
            2,
            {
                copy_b.id: E(value=Decimal(100)),
                rate_b.id: E(numerator=Decimal(30), denominator=Decimal(50)),
            },
        )
    assert copy_1.origin_id == count.id and copy_1.derived_from_id == copy_a.id

    def q2(org, target):  # noqa: ANN001, ANN202
        row = Rollup.objects.get(
            organization=org, year=2023, basis=RollupBasis.APPROVED
        )
        return rollups.figures_of(row, target)

    # Bloc, Q2: 50 + 7 (A's chi bộ) + 100 (B) = 157;
    # the rate (1 + 9 + 30)/(4 + 10 + 50).
    assert q2(bloc, count)[1].value == Decimal(157)
    assert (q2(bloc, rate)[1].numerator, q2(bloc, rate)[1].denominator) == (
        Decimal(40),
        Decimal(64),
    )
    # A's own 40 typed for Q1 no longer counts once A handed the target on.
    assert q2(bloc, count)[0] is None and q2(unit_a, copy_a)[0] is None
    assert q2(unit_a, copy_a)[1].value == Decimal(57)
    # The incremental updates equal a full rebuild.
    incremental = {
        (r.organization_id, r.basis): (r.subtree, r.reporting)
        for r in Rollup.objects.all()
    }
    rollups.rollup_rebuild(root=bloc, year=2023)
    for r in Rollup.objects.all():
        if r.subtree or r.reporting:
            assert incremental[(r.organization_id, r.basis)] == (r.subtree, r.reporting)
    # Both committees' own sheets show their subtree's sums.
    bloc_row = next(
        r
        for r in sheet_view(organization=bloc, year=2023, quarter=2).rows
        if r.target.id == count.id
    )
    assert bloc_row.to_date.value == Decimal(157) and bloc_row.is_rollup
    a_row = next(
        r
        for r in sheet_view(organization=unit_a, year=2023, quarter=2).rows
        if r.target.id == copy_a.id
    )
    assert (
        a_row.to_date.value == Decimal(57)
        and a_row.is_rollup
        and a_row.plan_text == "120"
    )
    # And both dashboards: the bloc's 157 of 200, A's 57 of its 120.
    from targets.dashboard import dashboard_view

    bloc_dash = dashboard_view(organization=bloc, year=2023, quarter=2)
    row = next(r for r in bloc_dash.rows if r.target.id == count.id)
    assert (row.plan_text, row.done_text, row.attainment_text) == (
        "200",
        "157",
        "78,5%",
    )
    a_dash = dashboard_view(organization=unit_a, year=2023, quarter=2)
    row = next(r for r in a_dash.rows if r.target.id == copy_a.id)
    assert (row.plan_text, row.done_text, row.attainment_text) == ("120", "57", "47,5%")
    assert [c.cells[0].text for c in a_dash.children] == ["Chi bộ 1", "Chi bộ 2"]


def test_a_target_cannot_be_given_twice_to_one_organisation(chain):
    from django.core.exceptions import ValidationError

    bloc, unit_a, unit_b, cell_1, cell_2, count, rate = chain
    (copy_a,) = services.target_assign(target=count, plan_values={unit_a: 120})
    services.target_assign(target=copy_a, plan_values={cell_1: 70})
    with pytest.raises(
        ValidationError, match="đã được giao chỉ tiêu “Kết nạp” \\(từ “Đảng bộ A”\\)"
    ):
        services.target_assign(target=count, plan_values={cell_1: 10})


# --- moves, handovers, dissolutions --------------------------------------------------


def _q1(org, target):  # noqa: ANN001, ANN202
    row = Rollup.objects.filter(
        organization=org, year=2023, basis=RollupBasis.APPROVED
    ).first()
    figures = rollups.figures_of(row, target)[0]
    return figures.value if figures else None


def test_a_move_rebuilds_both_trees_after_commit_and_shows_as_pending(
    tree, django_capture_on_commit_callbacks
):
    import datetime as dt

    from organizations import services as org_services

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    other = make_org("Đảng bộ Khối khác", short_name="ĐUK")
    with django_capture_on_commit_callbacks(execute=True):
        for org, n in ((g1, 2), (g2, 3), (g3, 4)):
            _report(org, 1, {count.id: services.Entry(value=Decimal(n))}, copies)
    assert _q1(bloc, count) == Decimal(9)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        org_services.organization_move(
            organization=g1, new_parent=other, on_date=dt.date(2023, 6, 1)
        )
    # Until the queued rebuilds run, both trees say an update is pending.
    assert RollupState.objects.get(organization=bloc, year=2023).pending == 1
    assert RollupState.objects.get(organization=other, year=2023).pending == 1
    for callback in callbacks:
        callback()
    # g1's 2 left the bloc and its cluster, and reached the other bloc.
    assert _q1(bloc, count) == Decimal(7)
    cluster_row = Rollup.objects.get(
        organization=cluster, year=2023, basis=RollupBasis.APPROVED
    )
    assert rollups.figures_of(cluster_row, count)[0].value == Decimal(3)
    assert _q1(other, count) == Decimal(2)
    assert RollupState.objects.get(organization=bloc, year=2023).pending == 0
    assert RollupState.objects.get(organization=other, year=2023).pending == 0
    # An incremental update after the move goes to the new chain only.
    sheet = g1.sheets.get(quarter=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_reopen(sheet=sheet, reason="Sửa", user=None)
    assert _q1(other, count) is None and _q1(bloc, count) == Decimal(7)


def test_an_update_after_a_move_whose_rebuild_never_ran_rebuilds_instead(
    tree, django_capture_on_commit_callbacks
):
    """The rebuild the move queued was lost (or has not run yet): the next
    incremental update must not apply g2's difference to the bloc, which never
    held g2's figures under its new place, nor leave the cluster holding them."""
    import datetime as dt

    from organizations import services as org_services

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    with django_capture_on_commit_callbacks(execute=True):
        _report(
            g2, 1, {count.id: services.Entry(value=Decimal(3))}, copies, approve=False
        )
        _report(g3, 1, {count.id: services.Entry(value=Decimal(4))}, copies)
    with django_capture_on_commit_callbacks(execute=False):  # the rebuild is lost
        org_services.organization_move(
            organization=g2, new_parent=bloc, on_date=dt.date(2023, 6, 1)
        )
    g2.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_approve(sheet=g2.sheets.get(quarter=1), user=None)
    assert _q1(bloc, count) == Decimal(7)
    assert _q1(cluster, count) is None
    expected = {(r.organization_id, r.basis): r.subtree for r in Rollup.objects.all()}
    rollups.rollup_rebuild(root=bloc, year=2023)
    assert {
        (r.organization_id, r.basis): r.subtree for r in Rollup.objects.all()
    } == expected


def test_a_merger_rebuilds_the_roll_ups(tree, django_capture_on_commit_callbacks):
    import datetime as dt

    from organizations import services as org_services

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    cell = make_org("Chi bộ 1", parent=g1, level_code="cell")
    (cell_copy,) = services.target_assign(
        target=copies[(count.id, g1.id)], plan_values={cell: 5}
    )
    with django_capture_on_commit_callbacks(execute=True):
        sheet = services.sheet_save(
            organization=cell,
            year=2023,
            quarter=1,
            version=0,
            entries={cell_copy.id: services.Entry(value=Decimal(5))},
            user=None,
        )
        services.sheet_submit(organization=cell, year=2023, quarter=1, user=None)
        services.sheet_approve(sheet=sheet, user=None)
    cluster_row = Rollup.objects.get(
        organization=cluster, year=2023, basis=RollupBasis.APPROVED
    )
    assert rollups.figures_of(cluster_row, count)[0].value == Decimal(5)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.organization_dissolve(
            organization=g1, on_date=dt.date(2023, 6, 1), merged_into=g3
        )
    assert _q1(cluster, count) is None
    assert _q1(g3, count) == Decimal(5)
    assert _q1(bloc, count) == Decimal(5)


def test_the_nightly_rebuild_covers_every_year_with_roll_ups(
    tree, django_capture_on_commit_callbacks
):
    from targets import tasks

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    plan_2019 = services.plan_create(
        organization=bloc, title="Chỉ tiêu 2019", start_year=2019
    )
    old = services.target_create(
        plan=plan_2019,
        group="G",
        wording="Kết nạp 9",
        label="Kết nạp",
        kind="count",
        plan_value=9,
    )
    (old_copy,) = services.target_assign(target=old, plan_values={g3: 9})
    sheet = services.sheet_save(
        organization=g3,
        year=2019,
        quarter=4,
        version=0,
        entries={old_copy.id: services.Entry(value=Decimal(6))},
        user=None,
    )
    services.sheet_submit(organization=g3, year=2019, quarter=4, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_approve(sheet=g3.sheets.get(year=2019, quarter=4), user=None)
    Rollup.objects.all().delete()  # figures lost
    tasks.rollup_rebuild_all()
    row = Rollup.objects.get(organization=bloc, year=2019, basis=RollupBasis.APPROVED)
    assert rollups.figures_of(row, old)[3].value == Decimal(6)
    assert sheet.pk


# --- pending bookkeeping --------------------------------------------------------------


def test_a_failed_update_stays_pending_and_a_retry_is_counted_once(tree, monkeypatch):
    from django.db import OperationalError

    from targets import tasks

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    rollups.rollup_mark_pending(organization=g1, year=2023)
    rollups.rollup_mark_pending(organization=g2, year=2023)
    real, calls = rollups.rollup_update, []

    def flaky(**kwargs):  # noqa: ANN003, ANN202
        calls.append(kwargs)
        if len(calls) <= 2:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(rollups, "rollup_update", flaky)
    monkeypatch.setattr(tasks.rollup_update, "retry_backoff", False)
    # Retries run in place, as the worker would run them later.
    monkeypatch.setitem(tasks.rollup_update.app.conf, "task_eager_propagates", False)
    tasks.rollup_update.apply(args=(g1.id, 2023))
    assert len(calls) == 3  # two failures, then the retry that worked
    assert (
        RollupState.objects.get(organization=bloc, year=2023).pending == 1
    )  # g2's is still queued

    def broken(**kwargs):  # noqa: ANN003, ANN202
        raise ValueError("a bug")

    monkeypatch.setattr(rollups, "rollup_update", broken)
    assert isinstance(tasks.rollup_update.apply(args=(g2.id, 2023)).result, ValueError)
    assert RollupState.objects.get(organization=bloc, year=2023).pending == 1


def test_an_incremental_update_reads_and_writes_only_the_ancestors_in_fixed_queries(
    tree, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bloc, cluster, (g1, g2, g3), rate, count, copies = tree
    with django_capture_on_commit_callbacks(execute=True):
        _report(g1, 1, {count.id: services.Entry(value=Decimal(2))}, copies)
        _report(g3, 1, {count.id: services.Entry(value=Decimal(4))}, copies)
    rollups.rollup_rebuild(root=bloc, year=2023)

    def update_queries() -> int:
        sheet = g1.sheets.get(quarter=1)
        with django_capture_on_commit_callbacks(execute=False):
            services.sheet_reopen(sheet=sheet, reason="Sửa", user=None)
        before = {r.pk: r.computed_at for r in Rollup.objects.all()}
        with CaptureQueriesContext(connection) as queries:
            assert rollups.rollup_update(organization=g1, year=2023)
        written = {
            r.pk for r in Rollup.objects.all() if r.computed_at != before.get(r.pk)
        }
        assert {Rollup.objects.get(pk=pk).organization_id for pk in written} == {
            g1.id,
            cluster.id,
            bloc.id,
        }
        sheet.refresh_from_db()
        services.sheet_submit(organization=g1, year=2023, quarter=1, user=None)
        services.sheet_approve(sheet=g1.sheets.get(quarter=1), user=None)
        rollups.rollup_update(organization=g1, year=2023)
        return len(queries)

    small = update_queries()
    # Ten times the organisations, each with reported figures.
    for i in range(20):
        unit = make_org(
            f"Đảng bộ thêm {i}", parent=bloc, level_code="grassroots_committee"
        )
        (copy,) = services.target_assign(target=count, plan_values={unit: 1})
        copies[(count.id, unit.id)] = copy
        with django_capture_on_commit_callbacks(execute=True):
            _report(unit, 1, {count.id: services.Entry(value=Decimal(1))}, copies)
    assert update_queries() == small
