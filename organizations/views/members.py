"""The member list, a member's page and the forms that change the registry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from organizations import selectors, services
from organizations.forms import (
    MemberCreateForm,
    MemberEventEditForm,
    MemberEventForm,
    MemberForm,
)
from organizations.models import Member, MemberStatus, Sex
from organizations.views.common import form_page
from partyreports.formatting import fold_accents

PAGE_SIZE = 50


@login_required
def member_list(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id
    )
    members = selectors.members_of_subtree(root=organization).select_related(
        "organization"
    )
    cells = list(selectors.cells_under(root=organization).only("public_id", "name"))
    query = request.GET.get("q", "").strip()
    if query:
        folded = fold_accents(query)
        members = members.filter(
            Q(search_name__contains=folded) | Q(party_card_number__iexact=query)
        )
    # Status as of today: a full membership recorded ahead of its date is not yet.
    today = timezone.localdate()
    full_today = Q(full_member_on__isnull=False, full_member_on__lte=today)
    status = request.GET.get("trang_thai", "")
    if status == MemberStatus.FULL:
        members = members.filter(full_today)
    elif status == MemberStatus.PROBATIONARY:
        members = members.exclude(full_today)
    sex = request.GET.get("gioi_tinh", "")
    if sex in Sex.values:
        members = members.filter(sex=sex)
    cell = request.GET.get("chi_bo", "")
    if cell and any(str(c.public_id) == cell for c in cells):
        members = members.filter(organization__public_id=cell)
    page = Paginator(members.order_by("sort_key", "id"), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    filters = request.GET.copy()
    filters.pop("trang", None)
    return render(
        request,
        "organizations/member_list.html",
        {
            "organization": organization,
            "page": page,
            "cells": cells,
            "query": query,
            "status": status,
            "sex": sex,
            "cell": cell,
            "statuses": MemberStatus.choices,
            "sexes": Sex.choices,
            "filter_query": filters.urlencode(),
            "today": today,
            "can_write_members": selectors.user_scope(request.user).can_write_members(
                organization
            ),
        },
    )


@login_required
def member_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    member = selectors.member_get_for_user(user=request.user, public_id=public_id)
    scope = selectors.user_scope(request.user)
    return render(
        request,
        "organizations/member_detail.html",
        {
            "member": member,
            "events": selectors.member_history(member=member),
            "placements": member.placements.select_related("organization").order_by(
                "valid_from"
            ),
            "ratings": member.ratings.select_related("organization").order_by("-year"),
            "can_write": scope.can_write_members(member.organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_member_write(
        user=request.user, public_id=public_id
    )
    cells = selectors.cells_under(root=organization)
    initial = {"organization": organization} if organization.level.holds_members else {}

    def save(data: dict) -> tuple[str, HttpResponse]:
        member = services.member_create(user=request.user, **data)
        message = f"Đã thêm đảng viên {member.full_name}."
        return message, redirect(
            "organizations:member_detail", public_id=member.public_id
        )

    form = MemberCreateForm(request.POST or None, cells=cells, initial=initial)
    return form_page(
        request, form, save, organization=organization, title="Thêm đảng viên"
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    member = selectors.member_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    initial = {
        "full_name": member.full_name,
        "sex": member.sex,
        "date_of_birth": member.date_of_birth,
        "ethnicity": member.ethnicity,
        "party_card_number": member.party_card_number,
    }

    def save(data: dict) -> tuple[str, HttpResponse]:
        services.member_update(member=member, user=request.user, **data)
        return "Đã lưu hồ sơ đảng viên.", redirect(
            "organizations:member_detail", public_id=member.public_id
        )

    return form_page(
        request,
        MemberForm(request.POST or None, initial=initial),
        save,
        member=member,
        organization=member.organization,
        title=f"Sửa hồ sơ {member.full_name}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_event_create(request: HttpRequest, public_id: str) -> HttpResponse:
    member: Member = selectors.member_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    scope = selectors.user_scope(request.user)
    cells = (
        selectors.organizations_for_user(request.user)
        .filter(level__holds_members=True, dissolved_on__isnull=True)
        .order_by("sort_key", "name")
    )

    def save(data: dict) -> tuple[str, HttpResponse]:
        target = data["target_organization"]
        if target is not None and not scope.can_write_members(target):
            raise ValidationError(
                {"target_organization": "Bạn không có quyền với chi bộ này."}
            )
        services.member_record_event(member=member, user=request.user, **data)
        return "Đã ghi nhận sự kiện.", redirect(
            "organizations:member_detail", public_id=member.public_id
        )

    return form_page(
        request,
        MemberEventForm(request.POST or None, cells=cells),
        save,
        member=member,
        organization=member.organization,
        title=f"Ghi nhận sự kiện – {member.full_name}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_event_edit(
    request: HttpRequest, public_id: str, event_id: str
) -> HttpResponse:
    member = selectors.member_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    event = (
        member.events.select_related("organization").filter(public_id=event_id).first()
    )
    if event is None:
        raise Http404("Không tìm thấy sự kiện.")
    if not selectors.user_scope(request.user).can_write_members(event.organization):
        raise PermissionDenied("Sự kiện được ghi tại chi bộ ngoài phạm vi của bạn.")

    def save(data: dict) -> tuple[str, HttpResponse]:
        services.member_event_update(event=event, user=request.user, **data)
        return "Đã sửa sự kiện.", redirect(
            "organizations:member_detail", public_id=member.public_id
        )

    form = MemberEventEditForm(
        request.POST or None,
        kind=event.kind,
        initial={"occurred_on": event.occurred_on, "note": event.note},
    )
    return form_page(
        request,
        form,
        save,
        member=member,
        organization=member.organization,
        title=f"Sửa sự kiện {event.get_kind_display().lower()} – {member.full_name}",
    )
