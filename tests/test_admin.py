"""The Django admin: works in Vietnamese for every registered model; shows the
records the app writes through its services without letting them be changed
or deleted; records every write it does allow in the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from organizations import services as org_services
from organizations.models import (
    Grade,
    Member,
    MemberEvent,
    MemberRating,
    Organization,
    OrganizationLevel,
    OrganizationRating,
    Role,
    RoleAssignment,
)
from partyreports.models import AuditEvent
from reports.models import Document, NumberCounter, Rendering
from targets.models import Plan, Result, ResultChange, Sheet, Target
from tests.factories import level, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):  # noqa: ANN001, ANN201
    superuser = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    return superuser


def _url(model: type[models.Model], action: str, *args: object) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args
    )


def _form_data(client, url: str) -> dict[str, Any]:  # noqa: ANN001
    """What the admin page's form would post unchanged: its fields' values and
    the inlines' management forms."""
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        widget = form.fields[name].widget
        if value is None or value is False:
            continue
        if isinstance(value, dt.datetime) and hasattr(widget, "widgets_names"):
            for suffix, part in zip(
                widget.widgets_names, widget.decompress(value), strict=True
            ):
                data[f"{name}{suffix}"] = part.isoformat()
            continue
        data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    return data


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_every_admin_changelist_and_form_renders_in_vietnamese(client, world, root):
    index = client.get(reverse("admin:index")).content.decode()
    assert "Quản trị dữ liệu" in index and "Tổ chức đảng" in index
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        assert 'lang="vi"' in changelist.content.decode()
        obj = model.objects.first()
        if obj is not None:
            assert (
                client.get(
                    reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
                ).status_code
                == 200
            ), info


# --- what the app writes: view only ---------------------------------------------------

#: Models the app writes through its own forms and services: the superuser may
#: look, never add, change or delete (issued documents, results, sheets, their
#: history and the audit trail above all).
VIEW_ONLY = [
    Document,
    NumberCounter,
    Rendering,
    Plan,
    Target,
    Sheet,
    Result,
    ResultChange,
    Member,
    MemberEvent,
    MemberRating,
    OrganizationRating,
    AuditEvent,
]


@pytest.fixture
def rated(world, plan_world):  # noqa: ANN001, ANN201
    org_services.member_rating_set(member=world.member_a, year=2023, grade=Grade.GOOD)
    org_services.organization_rating_set(
        organization=world.cell_a1, year=2023, grade=Grade.GOOD
    )
    return world


def test_an_issued_document_cannot_be_deleted_or_changed_in_the_admin(
    client, world, root
):
    issued = world.issued_document
    events = AuditEvent.objects.count()
    delete = client.post(_url(Document, "delete", issued.pk), {"post": "yes"})
    assert delete.status_code == 403
    change = client.post(_url(Document, "change", issued.pk), {"abstract": "Sửa trộm"})
    assert change.status_code == 403
    bulk = client.post(
        _url(Document, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [issued.pk, world.document.pk],
            "post": "yes",
        },
    )
    assert bulk.status_code == 200  # no such action: the list again, nothing deleted
    issued.refresh_from_db()
    assert issued.status == "issued" and issued.abstract != "Sửa trộm"
    assert Document.objects.filter(pk__in=[issued.pk, world.document.pk]).count() == 2
    assert AuditEvent.objects.count() == events
    page = client.get(_url(Document, "change", issued.pk)).content.decode()
    assert "deletelink" not in page and 'name="_save"' not in page


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda m: m._meta.model_name)
def test_records_the_app_writes_cannot_be_added_changed_or_deleted(
    client, rated, root, model
):
    obj = model.objects.order_by("pk").first()
    assert obj is not None, "the fixture makes one of each"
    before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    counts = {m: m.objects.count() for m in VIEW_ONLY}
    assert (
        client.get(_url(model, "change", obj.pk)).status_code == 200
    )  # looking is fine
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "add"), {}).status_code == 403
    assert client.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert (
        client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    )
    obj.refresh_from_db()
    assert {
        f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields
    } == before
    assert {m: m.objects.count() for m in VIEW_ONLY} == counts


def test_a_member_renamed_nowhere_but_in_the_app_keeps_its_search_keys(
    client, world, root
):
    member = world.member_a
    data = {"full_name": "Lê Văn Mới", "sex": "M", "date_of_birth": "17/05/1980"}
    assert client.post(_url(Member, "change", member.pk), data).status_code == 403
    assert client.post(_url(Member, "add"), data).status_code == 403  # was a 500
    member.refresh_from_db()
    assert (
        member.full_name == "Nguyễn Thị Hoà" and member.search_name == "nguyen thi hoa"
    )
    assert Member.objects.count() == 2


def test_a_target_plan_value_cannot_be_changed_in_the_admin(
    client, world, plan_world, root
):
    target = plan_world.jobs
    url = _url(Target, "change", target.pk)
    assert (
        client.post(url, {"plan_value": "1", "label": target.label}).status_code == 403
    )
    target.refresh_from_db()
    assert target.plan_value == 18500


# --- organisations: added through the service, edited with a record -------------------


def test_the_admin_adds_a_top_organisation_through_the_service(client, db, root):
    data = _form_data(client, _url(Organization, "add"))
    data.update(
        name="Đảng bộ Khối Mới",
        short_name="ĐUK",
        level=level("upper").pk,
        kind="committee",
        superior_name="ĐẢNG BỘ TỈNH QUẢNG BÌNH",
        founded_on="01/07/2020",
    )
    response = client.post(_url(Organization, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organization = Organization.objects.get(name="Đảng bộ Khối Mới")
    assert organization.path and organization.depth == 1
    placement = organization.placements.get()
    assert placement.valid_from == dt.date(2020, 7, 1) and placement.parent is None
    (event,) = _events("organization.create")
    assert event.user == root and event.organization == organization
    assert event.changes["founded_on"] == [None, "2020-07-01"]


def test_the_admin_adds_a_child_and_refuses_one_under_a_chi_bo(client, world, root):
    data = _form_data(client, _url(Organization, "add"))
    data.update(
        name="Chi bộ Mới",
        level=level("cell").pk,
        kind="cell",
        parent=world.grassroots_a.pk,
        founded_on="01/01/2024",
    )
    assert client.post(_url(Organization, "add"), data).status_code == 302
    child = Organization.objects.get(name="Chi bộ Mới")
    assert child.parent == world.grassroots_a and child.path.startswith(
        world.grassroots_a.path
    )
    assert _events("organization.create")[-1].changes["parent"] == [
        None,
        "Đảng bộ Sở A",
    ]
    count = Organization.objects.count()
    data.update(name="Chi bộ Con", parent=world.cell_a1.pk)
    response = client.post(_url(Organization, "add"), data)
    assert response.status_code == 200
    assert "là chi bộ, không thể có tổ chức trực thuộc" in response.content.decode()
    data.update(
        parent=world.grassroots_a.pk, founded_on="01/01/2019"
    )  # before the Sở existed
    response = client.post(_url(Organization, "add"), data)
    assert response.status_code == 200
    assert "không tồn tại vào ngày 01/01/2019" in response.content.decode()
    assert Organization.objects.count() == count


def test_the_admin_edits_an_organisation_with_a_record_and_never_deletes_one(
    client, world, root
):
    url = _url(Organization, "change", world.grassroots_a.pk)
    data = _form_data(client, url)
    data.update(name="Đảng bộ Sở A (mới)", place_name="Đồng Hới")
    data.pop("parent", None)  # read-only on an existing organisation
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.grassroots_a.refresh_from_db()
    assert (world.grassroots_a.name, world.grassroots_a.place_name) == (
        "Đảng bộ Sở A (mới)",
        "Đồng Hới",
    )
    events = _events("organization.update")
    assert [e.changes for e in events] == [
        {"name": ["Đảng bộ Sở A", "Đảng bộ Sở A (mới)"]},
        {"place_name": ["", "Đồng Hới"]},
    ]
    assert {e.user for e in events} == {root}
    # Saving unchanged records nothing; a parent sent anyway is ignored.
    data["parent"] = world.bloc_b.pk
    assert (
        client.post(
            url, _form_data(client, url) | {"parent": world.bloc_b.pk}
        ).status_code
        == 302
    )
    assert len(_events("organization.update")) == 2
    world.grassroots_a.refresh_from_db()
    assert world.grassroots_a.parent == world.bloc_a
    # Deleting is never offered: an organisation is dissolved in the app.
    response = client.post(
        _url(Organization, "delete", world.cell_a2.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Organization.objects.filter(pk=world.cell_a2.pk).exists()


# --- roles, levels and accounts: writable, recorded -----------------------------------


def test_role_assignments_made_changed_and_revoked_in_the_admin_are_recorded(
    client, world, root
):
    user = make_user("canbo_moi")
    data = _form_data(client, _url(RoleAssignment, "add"))
    data.update(user=user.pk, organization=world.cell_a1.pk, role=Role.CADRE)
    assert client.post(_url(RoleAssignment, "add"), data).status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    (grant,) = _events("role.grant")
    assert grant.user == root and grant.organization == world.cell_a1
    assert grant.changes == {
        "user": [None, "canbo_moi"],
        "role": [None, "Cán bộ nhập liệu"],
        "scope": [None, "Chi bộ Văn phòng A"],
    }

    url = _url(RoleAssignment, "change", assignment.pk)
    data = _form_data(client, url) | {"role": Role.OFFICE}
    assert client.post(url, data).status_code == 302
    (update,) = _events("role.update")
    assert update.changes == {"role": ["Cán bộ nhập liệu", "Văn phòng cấp ủy"]}

    response = client.post(
        _url(RoleAssignment, "delete", assignment.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    (revoke,) = _events("role.revoke")
    assert revoke.organization == world.cell_a1 and revoke.user == root
    assert revoke.changes["role"] == ["Văn phòng cấp ủy", None]
    # The office above sees the grant on its audit page.
    office = make_user("vp_a", role=Role.OFFICE, organization=world.grassroots_a)
    client.force_login(office)
    page = client.get(reverse("audit_log")).content.decode()
    assert "Phân quyền" in page and "Thu hồi quyền" in page and "canbo_moi" in page


def test_levels_and_accounts_changed_in_the_admin_are_recorded(client, world, root):
    cell = level("cell")
    url = _url(OrganizationLevel, "change", cell.pk)
    data = _form_data(client, url) | {"name": "Chi bộ (trực thuộc)"}
    assert client.post(url, data).status_code == 302
    (event,) = _events("level.update")
    assert (
        event.changes == {"name": [cell.name, "Chi bộ (trực thuộc)"]}
        and event.user == root
    )

    User = get_user_model()
    add = _url(User, "add")
    data = _form_data(client, add) | {
        "username": "lanhdao_moi",
        "password1": "Mat-khau-2024!",
        "password2": "Mat-khau-2024!",
        "usable_password": "true",
    }
    assert client.post(add, data).status_code == 302
    account = User.objects.get(username="lanhdao_moi")
    assert _events("user.create")[0].changes["username"] == [None, "lanhdao_moi"]

    url = _url(User, "change", account.pk)
    data = _form_data(client, url) | {"is_superuser": "on", "last_name": "Trần Văn"}
    assert client.post(url, data).status_code == 302
    (update,) = _events("user.update")
    assert update.changes == {
        "last_name": ["", "Trần Văn"],
        "is_superuser": [False, True],
    }

    password = reverse("admin:auth_user_password_change", args=[account.pk])
    data = {
        "password1": "Mat-khau-moi-2025!",
        "password2": "Mat-khau-moi-2025!",
        "usable_password": "true",
    }
    assert client.post(password, data).status_code == 302
    (reset,) = _events("user.password")
    assert reset.user == root and "lanhdao_moi" in reset.summary and reset.changes == {}
    # The audit page prints the flags in words.
    page = client.get(
        reverse("audit_log"), {"thao_tac": "user.update"}
    ).content.decode()
    assert "toàn quyền" in page and "không" in page and "có" in page
