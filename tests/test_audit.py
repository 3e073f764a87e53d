"""The audit trail: every change is recorded (who, when, what, old → new), only
offices and admins read it, within their scope, and nobody edits it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations import imports
from organizations import services as org_services
from organizations.models import EventKind, Grade
from partyreports import audit
from partyreports.models import AuditEvent
from reports import services as report_services
from targets import services as target_services
from targets.models import Sheet
from tests.factories import make_user
from tests.organizations.test_imports import GOOD_MEMBERS, GOOD_ORGS, _codes, _xlsx
from tests.reports.drafting import enter_results, finish

pytestmark = pytest.mark.django_db

URL = reverse("audit_log")
RENAME = "thành “Đảng bộ Khối A (mới)”"


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


def _page(client, **params: object) -> str:  # noqa: ANN001
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


# --- each kind of change is recorded ------------------------------------------------


def test_it_records_an_organisation_rename_with_who_when_and_old_new(
    client, world, office
):
    client.force_login(office)
    before = timezone.now()
    response = client.post(
        reverse("organizations:edit", kwargs={"public_id": world.cell_a1.public_id}),
        {"name": "Chi bộ Văn phòng A mới", "short_name": "", "kind": "cell"},
    )
    assert response.status_code == 302
    event = _last("organization.update")
    assert event.user == office
    assert before <= event.at <= timezone.now()
    assert event.organization == world.cell_a1
    assert event.organization_path == world.cell_a1.path
    assert event.object_type == "organization" and event.object_id == str(
        world.cell_a1.public_id
    )
    assert event.changes == {"name": ["Chi bộ Văn phòng A", "Chi bộ Văn phòng A mới"]}
    assert (
        event.summary == "Đổi tên “Chi bộ Văn phòng A” thành “Chi bộ Văn phòng A mới”."
    )


def test_it_records_nothing_when_an_edit_changes_nothing(world, office):
    count = AuditEvent.objects.count()
    org_services.organization_update(
        organization=world.cell_a1,
        name=world.cell_a1.name,
        short_name="",
        kind="cell",
        user=office,
    )
    assert AuditEvent.objects.count() == count


def test_it_records_creation_and_a_move_where_the_organisation_stood(
    client, world, office, bloc_office
):
    new = org_services.organization_create(
        name="Chi bộ Mới",
        level=world.cell_a1.level,
        kind="cell",
        parent=world.grassroots_a,
        founded_on=dt.date(2021, 1, 1),
        user=office,
    )
    created = _last("organization.create")
    assert (created.user, created.organization) == (office, new)
    assert created.changes["parent"] == [None, "Đảng bộ Sở A"]
    old_path = new.path
    sub = org_services.organization_create(
        name="Đảng bộ Sở C",
        level=world.grassroots_a.level,
        kind="agency",
        parent=world.bloc_a,
        founded_on=dt.date(2020, 6, 1),
    )
    assert _last("organization.create").user is None  # the system (no user given)
    client.force_login(bloc_office)
    response = client.post(
        reverse("organizations:move", kwargs={"public_id": new.public_id}),
        {"new_parent": sub.id, "on_date": "2024-06-01"},
    )
    assert response.status_code == 302
    moved = _last("organization.move")
    assert moved.user == bloc_office
    assert moved.changes == {"parent": ["Đảng bộ Sở A", "Đảng bộ Sở C"]}
    # Filed under the Sở that gave the chi bộ away: its office still sees it.
    assert moved.organization_path == old_path
    assert "Chi bộ Mới" in moved.summary and "01/06/2024" in moved.summary


def test_it_records_a_member_transfer_from_one_cell_to_another(client, world, office):
    client.force_login(office)
    response = client.post(
        reverse(
            "organizations:member_event", kwargs={"public_id": world.member_a.public_id}
        ),
        {
            "kind": EventKind.TRANSFER_OUT,
            "occurred_on": "2024-05-01",
            "target_organization": world.cell_a2.id,
        },
    )
    assert response.status_code == 302
    event = _last("member.event")
    assert event.user == office
    assert event.organization == world.cell_a1  # where the member sat
    assert event.object_id == str(world.member_a.public_id)
    assert event.changes["organization"] == [
        "Chi bộ Văn phòng A",
        "Chi bộ Phòng Kế hoạch A",
    ]
    assert event.changes["event"] == [None, "Chuyển sinh hoạt đi"]
    assert "Nguyễn Thị Hoà" in event.summary and "01/05/2024" in event.summary


def test_it_records_member_creation_and_a_personal_data_correction(
    client, world, office
):
    member = _last("member.create")
    assert member.object_id == str(world.member_b.public_id)
    client.force_login(office)
    response = client.post(
        reverse(
            "organizations:member_edit", kwargs={"public_id": world.member_a.public_id}
        ),
        {
            "full_name": "Nguyễn Thị Hòa",
            "sex": "F",
            "date_of_birth": "1980-05-17",
            "ethnicity": "Tày",
        },
    )
    assert response.status_code == 302
    event = _last("member.update")
    assert event.user == office
    assert event.changes == {
        "full_name": ["Nguyễn Thị Hoà", "Nguyễn Thị Hòa"],
        "ethnicity": ["Kinh", "Tày"],
    }


def test_it_records_a_rating_change_old_to_new(client, world, office):
    org_services.member_rating_set(
        member=world.member_a, year=2023, grade=Grade.GOOD, user=office
    )
    first = _last("rating.set")
    assert first.changes["grade"] == [None, "HTTNV"]
    client.force_login(office)
    url = reverse(
        "organizations:ratings",
        kwargs={"public_id": world.cell_a1.public_id, "year": 2023},
    )
    response = client.post(url, {f"member-{world.member_a.public_id}": Grade.EXCELLENT})
    assert response.status_code == 302
    event = _last("rating.set")
    assert event.pk != first.pk and event.user == office
    assert event.changes == {"grade": ["HTTNV", "HTXSNV"]}
    assert event.organization == world.cell_a1
    assert "HTTNV → HTXSNV" in event.summary
    # Saving the same grade again is not a change.
    count = AuditEvent.objects.count()
    client.post(url, {f"member-{world.member_a.public_id}": Grade.EXCELLENT})
    assert AuditEvent.objects.count() == count


def test_it_records_each_changed_result_of_a_sheet_save(world, plan_world, cadre):
    def save(version: int, value: str) -> Sheet:
        return target_services.sheet_save(
            organization=world.grassroots_a,
            year=2023,
            quarter=3,
            version=version,
            entries={
                plan_world.jobs.id: target_services.Entry(value=Decimal(value)),
                plan_world.trained.id: target_services.Entry(
                    numerator=Decimal(687), denominator=Decimal(1000)
                ),
            },
            user=cadre,
        )

    # One decimal place, so that a fraction of the count is accepted.
    type(plan_world.jobs).objects.filter(pk=plan_world.jobs.pk).update(places=1)
    sheet = save(0, "5")
    assert AuditEvent.objects.filter(action="result.change", user=cadre).count() == 2
    save(sheet.version, "20360.5")  # only the jobs row changes
    assert AuditEvent.objects.filter(action="result.change", user=cadre).count() == 3
    event = _last("result.change")
    assert event.changes == {"value": ["5", "20360.5"]}
    assert event.organization == world.grassroots_a
    assert (
        event.summary == "Sửa kết quả “Giải quyết việc làm” quý 3/2023: 5 → 20.360,5."
    )


def test_it_records_workflow_transitions(client, world, bloc_office):
    client.force_login(bloc_office)
    url = reverse(
        "targets:decide",
        kwargs={
            "public_id": world.grassroots_a.public_id,
            "year": 2023,
            "quarter": 4,
            "decision": "duyet",
        },
    )
    assert client.post(url).status_code == 302
    event = _last("sheet.approve")
    assert event.user == bloc_office
    assert event.changes == {"status": ["Đã gửi", "Đã duyệt"]}
    assert event.organization == world.grassroots_a
    sheet = Sheet.objects.get(organization=world.grassroots_a, year=2023, quarter=4)
    target_services.sheet_reopen(sheet=sheet, reason="Sai số liệu", user=bloc_office)
    event = _last("sheet.reopen")
    assert event.changes == {
        "status": ["Đã duyệt", "Bị trả lại"],
        "reason": [None, "Sai số liệu"],
    }
    assert _last("sheet.submit").user is None  # the fixture's submission


def test_it_records_document_edits_and_issuance(world, plan_world, office):
    document = world.document
    report_services.document_update(
        document=document,
        version=document.version,
        user=office,
        signer_name="Nguyễn Văn Ký",
    )
    edit = _last("document.edit")
    assert edit.user == office and edit.changes == {
        "signer_name": ["", "Nguyễn Văn Ký"]
    }
    enter_results(world.grassroots_a, year=2023, quarter=3)
    issued = report_services.document_issue(
        document=finish(document), user=office, confirm_flags=True
    )
    event = _last("document.issue")
    assert event.user == office
    assert event.organization == world.grassroots_a
    assert event.object_id == str(document.public_id)
    assert event.changes == {
        "status": ["Dự thảo", "Đã ban hành"],
        "number": [None, issued.number_and_symbol],
    }


def test_it_records_an_import_with_its_counts(world, office):
    _codes(world)
    result = imports.import_workbook(
        file=_xlsx(GOOD_ORGS, GOOD_MEMBERS), root=world.grassroots_a, user=office
    )
    assert result.ok, result.errors
    event = _last("import.organizations_members")
    assert event.user == office and event.organization == world.grassroots_a
    assert event.changes == {
        "organizations_created": [None, result.organizations_created],
        "members_created": [None, result.members_created],
    }
    # Each organisation and member it created is recorded too, as the importer's.
    assert AuditEvent.objects.filter(
        action="organization.create", user=office
    ).count() == len(GOOD_ORGS)


def test_it_records_plans_and_targets_keyed_in_by_the_office(client, world, office):
    client.force_login(office)
    response = client.post(
        reverse(
            "targets:plan_create", kwargs={"public_id": world.grassroots_a.public_id}
        ),
        {
            "title": "Chỉ tiêu năm 2024",
            "start_year": 2024,
            "end_year": 2024,
            "resolution": "Nghị quyết số 05-NQ/ĐU",
        },
    )
    assert response.status_code == 302
    plan = _last("plan.create")
    assert (plan.user, plan.organization) == (office, world.grassroots_a)
    assert plan.changes == {
        "title": [None, "Chỉ tiêu năm 2024"],
        "start_year": [None, 2024],
        "end_year": [None, 2024],
        "resolution": [None, "Nghị quyết số 05-NQ/ĐU"],
    }
    plan_id = plan.object_id
    url = reverse("targets:target_create", kwargs={"public_id": plan_id})
    target = {
        "group": "Chỉ tiêu về công tác chuyên môn",
        "wording": "Tạo việc làm cho 19.500 người",
        "label": "Tạo việc làm",
        "unit": "người",
        "kind": "count",
        "comparator": "gte",
        "plan_value": "19.500",
        "source": "manual",
    }
    assert client.post(url, target).status_code == 302
    created = _last("target.create")
    assert created.user == office and created.organization == world.grassroots_a
    assert created.changes["plan_value"] == [None, "19500"]
    assert created.changes["label"] == [None, "Tạo việc làm"]
    target_id = int(created.object_id)
    edit = reverse(
        "targets:target_edit", kwargs={"public_id": plan_id, "target_id": target_id}
    )
    assert client.post(edit, target | {"plan_value": "20.360,5"}).status_code == 302
    updated = _last("target.update")
    assert updated.user == office
    assert updated.changes == {"plan_value": ["19500", "20360.5"]}
    # The page names the field and prints the figures the Vietnamese way.
    body = _page(client, thao_tac="target.update")
    assert "Sửa chỉ tiêu" in body and "kế hoạch" in body
    assert "19.500" in body and "20.360,5" in body
    # Saving it unchanged records nothing.
    count = AuditEvent.objects.count()
    assert client.post(edit, target | {"plan_value": "20.360,5"}).status_code == 302
    assert AuditEvent.objects.count() == count


def test_it_records_a_target_given_to_subordinates_and_its_new_plan_value(
    client, world, bloc_office
):
    plan = target_services.plan_create(
        organization=world.bloc_a, title="Chỉ tiêu khối 2023", start_year=2023
    )
    target = target_services.target_create(
        plan=plan,
        group="Công tác Đảng",
        wording="Kết nạp 300 đảng viên",
        label="Kết nạp",
        kind="count",
        plan_value=300,
    )
    client.force_login(bloc_office)
    url = reverse(
        "targets:target_assign",
        kwargs={"public_id": plan.public_id, "target_id": target.id},
    )
    field = f"org-{world.grassroots_a.public_id}"
    assert client.post(url, {field: "120"}).status_code == 302
    given = _last("target.assign")
    assert given.user == bloc_office and given.organization == world.grassroots_a
    assert given.changes == {"plan_value": [None, "120"]}
    assert "Giao chỉ tiêu “Kết nạp” cho “Đảng bộ Sở A”: kế hoạch 120." == given.summary
    assert client.post(url, {field: "150"}).status_code == 302
    assert _last("target.assign").changes == {"plan_value": ["120", "150"]}
    assert AuditEvent.objects.filter(action="target.assign").count() == 2
    # The Sở's own office sees what it was given.
    client.force_login(
        make_user("vp_so_a", role="office", organization=world.grassroots_a)
    )
    assert "Giao chỉ tiêu cho tổ chức trực thuộc" in _page(client)


def test_it_records_reporting_deadlines_set_moved_and_cleared(client, world, office):
    client.force_login(office)
    url = reverse(
        "targets:deadlines", kwargs={"public_id": world.grassroots_a.public_id}
    )
    assert client.post(url, {"nam": "2024", "quy_1": "10/04/2024"}).status_code == 302
    first = _last("deadline.set")
    assert (first.user, first.organization) == (office, world.grassroots_a)
    assert first.changes == {"due_on": [None, "2024-04-10"]}
    assert first.summary == "Hạn nộp báo cáo quý 1/2024: 10/04/2024."
    assert client.post(url, {"nam": "2024", "quy_1": "15/04/2024"}).status_code == 302
    assert _last("deadline.set").changes == {"due_on": ["2024-04-10", "2024-04-15"]}
    assert client.post(url, {"nam": "2024", "quy_1": ""}).status_code == 302
    cleared = _last("deadline.clear")
    assert cleared.changes == {"due_on": ["2024-04-15", None]}
    assert AuditEvent.objects.filter(action__startswith="deadline.").count() == 3
    body = _page(client, thao_tac="deadline.set")
    assert "Đặt hạn nộp báo cáo" in body and "hạn nộp" in body and "15/04/2024" in body


def test_a_change_that_rolls_back_leaves_no_record(world, office):
    count = AuditEvent.objects.count()
    # The first move is done (and recorded) before the second is refused.
    with pytest.raises(org_services.ValidationError):
        org_services.handover_create(
            source=world.grassroots_a,
            moves=[
                (world.cell_a1, world.grassroots_b),
                (world.cell_b, world.grassroots_a),
            ],
            effective_on=dt.date(2024, 1, 1),
            user=office,
        )
    assert AuditEvent.objects.count() == count
    world.cell_a1.refresh_from_db()
    assert world.cell_a1.parent == world.grassroots_a
    # A caller's transaction that fails takes the service's record with it.
    with pytest.raises(RuntimeError), transaction.atomic():
        org_services.organization_update(
            organization=world.cell_a2,
            name="Tên tạm",
            short_name="",
            kind="cell",
            user=office,
        )
        raise RuntimeError
    assert AuditEvent.objects.count() == count


def test_values_are_stored_json_safe():
    assert audit.json_safe(Decimal("5.0000")) == "5"
    assert audit.json_safe(Decimal("68.90")) == "68.9"
    assert audit.json_safe(dt.date(2023, 10, 6)) == "2023-10-06"
    assert audit.json_safe(Grade.GOOD) == "HTTNV"
    with pytest.raises(ValueError):
        audit.audit_record(action="no.such.action", organization=None)


# --- the page -----------------------------------------------------------------------


@pytest.fixture
def three_trees(world):  # noqa: ANN001, ANN201
    """One recorded change in Sở A's cell, one in tree B, one on bloc A itself."""
    org_services.organization_rating_set(
        organization=world.cell_a1, year=2023, grade=Grade.GOOD
    )
    org_services.organization_rating_set(
        organization=world.cell_b, year=2023, grade=Grade.DONE
    )
    org_services.organization_update(
        organization=world.bloc_a,
        name="Đảng bộ Khối A (mới)",
        short_name="ĐUK",
        kind=world.bloc_a.kind,
    )
    return world


def test_an_office_sees_its_own_subtree_only(client, three_trees, office):
    client.force_login(office)
    body = _page(client)
    assert "“Chi bộ Văn phòng A”: — → HTTNV" in body
    assert "Chi bộ Văn phòng B" not in body  # another tree
    assert RENAME not in body  # the committee above
    assert 'href="/nhat-ky/"' in body  # the navbar link


def test_the_bloc_office_sees_its_subtree_and_the_superuser_everything(
    client, three_trees, bloc_office
):
    client.force_login(bloc_office)
    body = _page(client)
    assert RENAME in body and "Chi bộ Văn phòng A" in body
    assert "Chi bộ Văn phòng B" not in body
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    body = _page(client)
    assert RENAME in body and "Chi bộ Văn phòng B" in body


@pytest.mark.parametrize("persona", ["leader", "cadre"])
def test_leaders_and_cadres_get_403_and_no_link(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    home = client.get(reverse("organizations:tree")).content.decode()
    assert 'href="/nhat-ky/"' not in home


def test_it_filters_by_user_organisation_date_and_action(
    client, three_trees, office, bloc_office
):
    world = three_trees
    org_services.organization_rating_set(
        organization=world.cell_a2, year=2023, grade=Grade.EXCELLENT, user=office
    )
    client.force_login(bloc_office)
    everything = _page(client)
    assert (
        "“Chi bộ Phòng Kế hoạch A”: — → HTXSNV" in everything and RENAME in everything
    )

    by_user = _page(client, nguoi="office_a")
    assert "Chi bộ Phòng Kế hoạch A”: — → HTXSNV" in by_user and RENAME not in by_user

    by_name = _page(client, to_chuc_ten="Phòng Kế hoạch")
    assert (
        "HTXSNV" in by_name and RENAME not in by_name and "Văn phòng A" not in by_name
    )

    by_subtree = _page(client, to_chuc=str(world.grassroots_a.public_id))
    assert "HTXSNV" in by_subtree and RENAME not in by_subtree
    assert "Đảng bộ Sở A</strong> và các tổ chức trực thuộc" in by_subtree

    by_action = _page(client, thao_tac="organization.update")
    assert RENAME in by_action and "HTXSNV" not in by_action

    # Dates are the local (Vietnam) day of the change.
    AuditEvent.objects.filter(action="organization.update").update(
        at=timezone.make_aware(dt.datetime(2024, 3, 10, 23, 30))
    )
    march = _page(client, tu_ngay="2024-03-10", den_ngay="2024-03-10")
    assert RENAME in march and "HTXSNV" not in march
    assert RENAME not in _page(client, tu_ngay="2024-03-11")
    assert RENAME not in _page(client, den_ngay="09/03/2024")
    # A wrong date is reported and left out, not a server error.
    assert "chưa được áp dụng" in _page(client, tu_ngay="ngày mai")


def test_an_organisation_outside_the_scope_cannot_be_picked(client, world, office):
    client.force_login(office)
    assert (
        client.get(URL, {"to_chuc": str(world.grassroots_b.public_id)}).status_code
        == 404
    )
    assert client.get(URL, {"to_chuc": str(world.bloc_a.public_id)}).status_code == 404


def test_the_page_runs_in_a_fixed_number_of_queries(client, world, bloc_office):
    client.force_login(bloc_office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _page(client)
        return len(ctx.captured_queries)

    few = count()
    for year in range(2015, 2090):
        org_services.member_rating_set(
            member=world.member_a, year=year, grade=Grade.GOOD, user=bloc_office
        )
    assert AuditEvent.objects.count() > audit_page_size() + 10
    assert count() == few
    assert "Trang 1/2" in _page(client)


def audit_page_size() -> int:
    from partyreports.views import PAGE_SIZE

    return PAGE_SIZE


def test_records_cannot_be_changed_from_the_ui(client, world, office):
    client.force_login(office)
    assert client.post(URL, {"nguoi": "x"}).status_code == 405
    event = AuditEvent.objects.latest("id")
    model_admin = admin.site._registry[AuditEvent]
    superuser = make_user("root", is_superuser=True, is_staff=True)
    request = type("Request", (), {"user": superuser})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    client.force_login(superuser)
    change_url = reverse("admin:partyreports_auditevent_change", args=[event.pk])
    assert client.get(change_url).status_code == 200  # view only
    assert client.post(change_url, {"summary": "sửa"}).status_code == 403
    delete_url = reverse("admin:partyreports_auditevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.summary != "sửa"
