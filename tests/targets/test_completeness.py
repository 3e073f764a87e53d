"""Completeness and timeliness: statuses against deadlines, the late list, the
deadlines form and the daily reminder e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Organization, Role
from targets import services
from targets.completeness import (
    REPORTING_TZ,
    Completeness,
    completeness_counts,
    completeness_rows,
    deadlines_save,
    default_period,
    late_organizations,
)
from targets.models import ReminderLog, ReportingDeadline, Sheet, SheetTransition
from targets.tasks import send_late_reminders
from tests.factories import make_org, make_user
from tests.targets.test_demo_targets import demo  # noqa: F401  (the demo's registry)

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2023, 3
DUE = dt.date(2023, 10, 10)
TODAY = dt.date(2023, 10, 15)


def _at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment in October 2023, Vietnam time."""
    return dt.datetime(2023, 10, day, hour, minute, tzinfo=REPORTING_TZ)


def _reporting(name: str, parent: Organization) -> Organization:
    organization = make_org(name, parent=parent)
    services.plan_create(
        organization=organization, title="Kế hoạch 2023", start_year=YEAR
    )
    return organization


def _submit(organization: Organization, at: dt.datetime) -> Sheet:
    sheet = services.sheet_submit(
        organization=organization, year=YEAR, quarter=QUARTER, user=None
    )
    # The last transition is this submission: date it as the test needs.
    last = SheetTransition.objects.filter(sheet=sheet).latest("id")
    SheetTransition.objects.filter(pk=last.pk).update(at=at)
    return sheet


def _draft(organization: Organization) -> None:
    services.sheet_save(
        organization=organization,
        year=YEAR,
        quarter=QUARTER,
        version=0,
        entries={},
        user=None,
    )


@pytest.fixture
def cells(world) -> dict[str, Organization]:  # noqa: ANN001
    """Six chi bộ under the Sở, one per case, with the Sở's deadline of 10/10/2023."""
    parent = world.grassroots_a
    made = {
        key: _reporting(name, parent)
        for key, name in (
            ("on_time", "Chi bộ Đúng hạn"),
            ("late", "Chi bộ Gửi muộn"),
            ("not_started", "Chi bộ Chưa nhập"),
            ("returned", "Chi bộ Bị trả lại"),
            ("approved_late", "Chi bộ Duyệt muộn"),
            ("draft", "Chi bộ Đang nhập"),
        )
    }
    ReportingDeadline.objects.create(
        organization=parent, year=YEAR, quarter=QUARTER, due_on=DUE
    )
    for key in ("on_time", "late", "returned", "approved_late", "draft"):
        _draft(made[key])
    _submit(made["on_time"], _at(9))
    _submit(made["late"], _at(12))
    sheet = _submit(made["returned"], _at(5))
    services.sheet_return(sheet=sheet, reason="Thiếu số liệu", user=None)
    sheet = _submit(made["approved_late"], _at(11))
    services.sheet_approve(sheet=sheet, user=None)
    return made


def _by_name(rows: list) -> dict[str, object]:  # noqa: ANN001
    return {row.organization.name: row for row in rows}


# --- statuses -----------------------------------------------------------------


def test_it_gives_each_organisation_its_status_against_the_deadline(world, cells):
    rows = _by_name(
        completeness_rows(
            committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )
    # Chi bộ without a plan for the year do not have to report.
    assert set(rows) == {o.name for o in cells.values()}
    expected = {
        "on_time": (Completeness.ON_TIME, False, 0),
        "late": (Completeness.LATE, True, 2),
        "not_started": (Completeness.NOT_STARTED, True, 5),
        "returned": (Completeness.RETURNED, False, 0),
        "approved_late": (Completeness.APPROVED, True, 1),
        "draft": (Completeness.DRAFT, True, 5),
    }
    for key, (status, late, days) in expected.items():
        row = rows[cells[key].name]
        assert (row.status, row.is_late, row.days_late) == (status, late, days), key
        assert row.deadline == DUE
    assert rows[cells["on_time"].name].submitted_on == dt.date(2023, 10, 9)
    assert rows[cells["approved_late"].name].submitted_late
    assert rows[cells["not_started"].name].needs_reminder
    assert not rows[cells["late"].name].needs_reminder
    assert not rows[cells["approved_late"].name].needs_reminder


def test_it_counts_nothing_late_before_the_deadline(world, cells):
    rows = completeness_rows(
        committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=DUE
    )
    late = {r.organization.name for r in rows if r.is_late}
    assert late == {cells["late"].name, cells["approved_late"].name}


def test_it_judges_the_first_submission_on_the_vietnamese_calendar_day(world, cells):
    cell = cells["not_started"]
    _draft(cell)
    # 23:30 in Hà Nội on the due date is 16:30 UTC: on time.
    _submit(cell, dt.datetime(2023, 10, 10, 16, 30, tzinfo=dt.UTC))
    row = _by_name(
        completeness_rows(
            committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )[cell.name]
    assert (row.status, row.is_late) == (Completeness.ON_TIME, False)
    SheetTransition.objects.filter(sheet__organization=cell).update(
        at=dt.datetime(2023, 10, 10, 17, 30, tzinfo=dt.UTC)
    )
    row = _by_name(
        completeness_rows(
            committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )[cell.name]
    assert (row.status, row.is_late, row.submitted_on) == (
        Completeness.LATE,
        True,
        dt.date(2023, 10, 11),
    )


def test_a_sheet_returned_and_sent_again_keeps_its_first_sending(world, cells):
    cell = cells["returned"]
    _submit(cell, _at(14))
    row = _by_name(
        completeness_rows(
            committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )[cell.name]
    assert (row.status, row.is_late, row.submitted_on) == (
        Completeness.ON_TIME,
        False,
        dt.date(2023, 10, 5),
    )


def test_the_nearest_committee_above_sets_the_deadline(world, cells):
    ReportingDeadline.objects.create(
        organization=world.bloc_a,
        year=YEAR,
        quarter=QUARTER,
        due_on=dt.date(2023, 10, 20),
    )
    rows = _by_name(
        completeness_rows(
            committee=world.bloc_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )
    # The Sở reports to the bloc by the bloc's date, its chi bộ by the Sở's own.
    sở = rows[world.grassroots_a.name]
    assert (sở.deadline, sở.deadline_set_by_id, sở.status, sở.is_late) == (
        dt.date(2023, 10, 20),
        world.bloc_a.id,
        Completeness.NOT_STARTED,
        False,
    )
    assert rows[cells["late"].name].deadline == DUE
    assert rows[cells["late"].name].deadline_set_by_id == world.grassroots_a.id


def test_without_a_deadline_nobody_is_late(world, cells):
    ReportingDeadline.objects.all().delete()
    rows = completeness_rows(
        committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
    )
    assert not any(r.is_late for r in rows) and all(r.deadline is None for r in rows)
    assert not any(r.needs_reminder for r in rows)


def test_without_a_deadline_a_sent_sheet_is_not_called_on_time(
    client, world, cells, office
):
    """No date was set: a sheet sent is neither on time nor late, and the page
    says there is no deadline."""
    ReportingDeadline.objects.all().delete()
    rows = _by_name(
        completeness_rows(
            committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )
    sent = rows[cells["on_time"].name]
    assert sent.status == Completeness.SUBMITTED
    assert sent.status_label == "Đã gửi (chưa đặt hạn nộp)"
    client.force_login(office)
    body = client.get(
        reverse("targets:completeness", args=[world.grassroots_a.public_id]),
        {"nam": YEAR, "quy": QUARTER},
    ).content.decode()
    table = body[body.index('data-testid="all-rows"') :]
    assert "<td>Gửi đúng hạn</td>" not in table and "<td>Đúng hạn</td>" not in table
    assert "<td>Đã gửi (chưa đặt hạn nộp)</td>" in table
    assert table.count("Chưa đặt hạn nộp") == len(cells)
    assert "Chưa đặt hạn nộp cho quý này." in body


def test_a_sheet_returned_after_the_deadline_is_overdue_until_sent_again(world, cells):
    rows = _by_name(
        completeness_rows(
            committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
        )
    )
    returned = rows[cells["returned"].name]
    # First sent in time (5/10), returned, not sent again by 15/10.
    assert (returned.is_late, returned.overdue, returned.days_overdue) == (
        False,
        True,
        5,
    )
    assert returned.needs_reminder
    before = completeness_rows(
        committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=DUE
    )
    assert not _by_name(before)[cells["returned"].name].needs_reminder


def test_the_late_list_puts_the_longest_overdue_first_and_counts_add_up(world, cells):
    late = late_organizations(
        committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
    )
    assert [r.days_late for r in late] == [5, 5, 2, 1]
    summary = completeness_counts(
        committee=world.grassroots_a, year=YEAR, quarter=QUARTER, today=TODAY
    )
    assert summary.total == 6 and summary.late == 4 and summary.submitted == 4
    assert summary.counts == {
        "not_started": 1,
        "draft": 1,
        "submitted": 0,
        "on_time": 1,
        "late": 1,
        "returned": 1,
        "approved": 1,
    }


def test_rows_take_three_queries_whatever_the_number_of_organisations(world, cells):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            completeness_rows(
                committee=world.bloc_a, year=YEAR, quarter=QUARTER, today=TODAY
            )
        return len(queries)

    before = count()
    for n in range(3):
        cell = _reporting(f"Chi bộ thêm {n}", world.grassroots_a)
        _draft(cell)
        _submit(cell, _at(8))
    assert count() == before == 3


def test_the_default_period_is_the_last_quarter_that_ended():
    assert default_period(dt.date(2024, 2, 3)) == (2023, 4)
    assert default_period(dt.date(2024, 4, 1)) == (2024, 1)
    assert default_period(dt.date(2024, 12, 31)) == (2024, 3)


# --- the completeness page ----------------------------------------------------


def _page(world, **params) -> str:  # noqa: ANN001
    url = reverse(
        "targets:completeness", kwargs={"public_id": world.grassroots_a.public_id}
    )
    return url + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def _late_list(body: str) -> str:
    start = body.index('data-testid="late-list"')
    return body[start : body.index("</table>", start)]


@pytest.mark.parametrize("persona", ["office", "leader", "bloc_office"])
def test_it_lists_the_late_organisations_first_for_offices_and_leaders(
    client, world, cells, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_page(world, nam=YEAR, quy=QUARTER))
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "Danh sách chậm nộp" in body and "Hạn nộp: <strong>10/10/2023</strong>" in body
    )
    late = _late_list(body)
    for key in ("late", "not_started", "approved_late", "draft"):
        assert cells[key].name in late, key
    for key in ("on_time", "returned"):
        assert cells[key].name not in late, key
    assert "12/10/2023" in late  # the late sending's date
    sheet_url = reverse(
        "targets:sheet",
        kwargs={"public_id": cells["late"].public_id, "year": YEAR, "quarter": QUARTER},
    )
    assert sheet_url in late
    assert body.index("Danh sách chậm nộp") < body.index("Tất cả tổ chức phải báo cáo")
    assert "Gửi đúng hạn: 1" in body and "Chậm nộp: 4" in body


def test_the_page_offers_to_set_deadlines_only_to_the_office(
    client, world, cells, office, leader
):
    deadlines_url = reverse(
        "targets:deadlines", kwargs={"public_id": world.grassroots_a.public_id}
    )
    client.force_login(office)
    assert deadlines_url in client.get(_page(world)).content.decode()
    client.force_login(leader)
    assert deadlines_url not in client.get(_page(world)).content.decode()


def test_a_cadre_gets_403_and_an_outsider_404(client, world, cells, cadre, outsider):
    client.force_login(cadre)
    assert client.get(_page(world)).status_code == 403
    client.force_login(outsider)
    assert client.get(_page(world)).status_code == 404


def test_the_page_wants_a_login_and_a_get(client, world, office):
    response = client.get(_page(world))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(office)
    assert client.post(_page(world)).status_code == 405


def test_the_page_takes_a_fixed_number_of_queries(client, world, cells, office):
    client.force_login(office)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_page(world, nam=YEAR, quy=QUARTER)).status_code == 200
        return len(queries)

    before = count()
    for n in range(3):
        _reporting(f"Chi bộ thêm {n}", world.grassroots_a)
    assert count() == before


def test_a_bad_period_falls_back_to_the_default(client, world, office):
    client.force_login(office)
    response = client.get(_page(world, nam="abc", quy="9"))
    year, quarter = default_period()
    assert response.status_code == 200
    assert f"quý {quarter}/{year}" in response.content.decode()


# --- the deadlines form -------------------------------------------------------


def _deadlines_url(world) -> str:  # noqa: ANN001
    return reverse(
        "targets:deadlines", kwargs={"public_id": world.grassroots_a.public_id}
    )


def test_the_office_sets_the_year_s_deadlines(client, world, office):
    client.force_login(office)
    assert client.get(_deadlines_url(world) + "?nam=2024").status_code == 200
    response = client.post(
        _deadlines_url(world),
        {
            "nam": "2024",
            "quy_1": "2024-04-10",
            "quy_2": "",
            "quy_3": "10/10/2024",
            "quy_4": "2025-01-10",
        },
    )
    assert response.status_code == 302 and response.url.endswith("?nam=2024")
    saved = dict(
        ReportingDeadline.objects.filter(
            organization=world.grassroots_a, year=2024
        ).values_list("quarter", "due_on")
    )
    assert saved == {
        1: dt.date(2024, 4, 10),
        3: dt.date(2024, 10, 10),
        4: dt.date(2025, 1, 10),
    }
    body = client.get(_deadlines_url(world) + "?nam=2024").content.decode()
    assert 'value="2024-04-10"' in body
    # Clearing a quarter removes its date; the others stay.
    client.post(
        _deadlines_url(world),
        {"nam": "2024", "quy_1": "2024-04-12", "quy_3": "", "quy_4": "2025-01-10"},
    )
    saved = dict(
        ReportingDeadline.objects.filter(
            organization=world.grassroots_a, year=2024
        ).values_list("quarter", "due_on")
    )
    assert saved == {1: dt.date(2024, 4, 12), 4: dt.date(2025, 1, 10)}


def test_bad_dates_are_refused_in_vietnamese_and_nothing_is_saved(
    client, world, office
):
    ReportingDeadline.objects.create(
        organization=world.grassroots_a,
        year=2024,
        quarter=2,
        due_on=dt.date(2024, 7, 10),
    )
    client.force_login(office)
    response = client.post(
        _deadlines_url(world),
        {
            "nam": "2024",
            "quy_1": "2024-03-15",
            "quy_2": "2024-07-20",
            "quy_3": "",
            "quy_4": "",
        },
    )
    assert response.status_code == 422
    assert (
        "Hạn nộp quý 1 phải sau ngày kết thúc quý (31/03/2024)."
        in response.content.decode()
    )
    assert dict(ReportingDeadline.objects.values_list("quarter", "due_on")) == {
        2: dt.date(2024, 7, 10)
    }
    response = client.post(_deadlines_url(world), {"nam": "2024", "quy_1": "abc"})
    assert (
        response.status_code == 422 and "Ngày không hợp lệ" in response.content.decode()
    )
    response = client.post(_deadlines_url(world), {"quy_1": "2024-04-10"})
    assert response.status_code == 422 and "Chọn năm." in response.content.decode()
    assert ReportingDeadline.objects.count() == 1


def test_the_deadlines_service_is_all_or_nothing(world):
    with pytest.raises(ValidationError) as error:
        deadlines_save(
            organization=world.grassroots_a,
            year=2024,
            due_dates={1: dt.date(2024, 4, 10), 2: dt.date(2026, 1, 1)},
            user=None,
        )
    assert "quy_2" in error.value.error_dict
    assert not ReportingDeadline.objects.exists()


def test_the_form_shows_the_date_set_above(client, world, office):
    ReportingDeadline.objects.create(
        organization=world.bloc_a, year=2024, quarter=1, due_on=dt.date(2024, 4, 15)
    )
    client.force_login(office)
    body = client.get(_deadlines_url(world) + "?nam=2024").content.decode()
    assert "Cấp trên (Đảng bộ Khối A) đặt: 15/04/2024" in body


def test_only_the_office_may_set_deadlines(client, world, cadre, leader, outsider):
    for user, status in ((cadre, 403), (leader, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(_deadlines_url(world)).status_code == status
        assert (
            client.post(
                _deadlines_url(world), {"nam": "2024", "quy_1": "2024-04-10"}
            ).status_code
            == status
        )
    assert not ReportingDeadline.objects.exists()


# --- reminders ----------------------------------------------------------------


@pytest.fixture
def cadres(cells) -> dict[str, object]:  # noqa: ANN001
    return {
        "first": make_user(
            "cb_chua_nhap_1",
            role=Role.CADRE,
            organization=cells["not_started"],
            email="a@dang.vn",
        ),
        "second": make_user(
            "cb_chua_nhap_2",
            role=Role.CADRE,
            organization=cells["not_started"],
            email="b@dang.vn",
        ),
        # Cadres of organisations that did send (late or not) get nothing.
        "late": make_user(
            "cb_gui_muon",
            role=Role.CADRE,
            organization=cells["late"],
            email="c@dang.vn",
        ),
        # The chi bộ still drafting has no cadre: its office is written to.
        "office": make_user(
            "vp_dang_nhap",
            role=Role.OFFICE,
            organization=cells["draft"],
            email="d@dang.vn",
        ),
    }


def test_the_reminder_task_sends_one_e_mail_per_late_organisation(
    world, cells, cadres, settings
):
    settings.DEFAULT_FROM_EMAIL = "nhac-bao-cao@dang.vn"
    assert send_late_reminders(TODAY.isoformat()) == 2
    assert len(mail.outbox) == 2
    by_org = {m.subject.split(" – ")[-1]: m for m in mail.outbox}
    assert set(by_org) == {cells["not_started"].name, cells["draft"].name}
    first = by_org[cells["not_started"].name]
    assert sorted(first.to) == ["a@dang.vn", "b@dang.vn"]
    assert first.from_email == "nhac-bao-cao@dang.vn"
    assert (
        first.subject
        == f"Nhắc nộp báo cáo kết quả quý 3/2023 – {cells['not_started'].name}"
    )
    sheet_path = reverse(
        "targets:sheet",
        kwargs={
            "public_id": cells["not_started"].public_id,
            "year": YEAR,
            "quarter": QUARTER,
        },
    )
    assert (
        "10/10/2023" in first.body
        and "chậm 5 ngày" in first.body
        and sheet_path in first.body
    )
    assert world.grassroots_a.name in first.body
    assert by_org[cells["draft"].name].to == ["d@dang.vn"]
    assert ReminderLog.objects.count() == 2


def test_running_the_reminders_twice_the_same_day_sends_nothing_more(
    world, cells, cadres
):
    send_late_reminders(TODAY.isoformat())
    assert send_late_reminders(TODAY.isoformat()) == 0
    assert len(mail.outbox) == 2 and ReminderLog.objects.count() == 2
    # The next day they are reminded again.
    assert send_late_reminders((TODAY + dt.timedelta(days=1)).isoformat()) == 2
    assert len(mail.outbox) == 4


def test_no_reminders_before_the_deadline_passes_nor_long_after(world, cells, cadres):
    assert send_late_reminders(DUE.isoformat()) == 0
    assert send_late_reminders((DUE + dt.timedelta(days=31)).isoformat()) == 0
    assert mail.outbox == []


def test_a_committee_lower_down_with_its_own_date_reminds_its_own_part(
    world, cells, cadres
):
    # The bloc's earlier date does not make the Sở's chi bộ late: the Sở gave them
    # until 10/10.
    ReportingDeadline.objects.create(
        organization=world.bloc_a,
        year=YEAR,
        quarter=QUARTER,
        due_on=dt.date(2023, 10, 5),
    )
    sở_cadre = make_user(
        "cb_so", role=Role.CADRE, organization=world.grassroots_a, email="so@dang.vn"
    )
    assert send_late_reminders(dt.date(2023, 10, 8).isoformat()) == 1
    assert [m.to for m in mail.outbox] == [[sở_cadre.email]]


def test_the_cadres_of_a_sheet_returned_after_the_deadline_are_reminded(
    world, cells, cadres
):
    returned = make_user(
        "cb_tra_lai", role=Role.CADRE, organization=cells["returned"], email="e@dang.vn"
    )
    assert send_late_reminders(TODAY.isoformat()) == 3
    (message,) = [m for m in mail.outbox if m.to == [returned.email]]
    assert "đã bị trả lại và chưa được gửi lại" in message.body
    assert "chậm 5 ngày" in message.body
    # Sent again: no more reminders.
    _submit(cells["returned"], _at(16))
    assert send_late_reminders((TODAY + dt.timedelta(days=2)).isoformat()) == 2
    assert [m for m in mail.outbox[3:] if m.to == [returned.email]] == []


# --- the demo -----------------------------------------------------------------------


def test_the_demo_sets_deadlines_and_has_a_few_organisations_late(demo):  # noqa: F811
    from targets.demo import demo_targets_load

    bloc, so = demo
    demo_targets_load(bloc=bloc, so=so)
    due = dict(
        ReportingDeadline.objects.filter(organization=bloc, year=2023).values_list(
            "quarter", "due_on"
        )
    )
    assert due == {
        1: dt.date(2023, 4, 10),
        2: dt.date(2023, 7, 10),
        3: dt.date(2023, 10, 10),
        4: dt.date(2024, 1, 10),
    }
    for quarter in (1, 2, 3):
        rows = completeness_rows(
            committee=bloc, year=2023, quarter=quarter, today=dt.date(2024, 2, 1)
        )
        late = [r for r in rows if r.submitted_late]
        assert 1 <= len(late) < len(rows), quarter
        assert all(1 <= r.days_late <= 3 for r in late)
        # Sent late, then approved: the approval still comes after the sending.
        for row in late:
            transitions = list(row.sheet.transitions.order_by("at"))
            assert transitions[0].to_status == "submitted"
