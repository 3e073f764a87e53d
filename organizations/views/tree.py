"""The organisation tree, an organisation's page and its lifecycle forms."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organizations import phrases, selectors, services
from organizations.context_processors import home_url
from organizations.forms import (
    HandoverForm,
    OrganizationDissolveForm,
    OrganizationEditForm,
    OrganizationForm,
    OrganizationMoveForm,
)
from organizations.models import Grade, Organization
from organizations.views.common import as_of_day, form_page, year_param


def _flatten(node: selectors.TreeNode) -> list[selectors.TreeNode]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children))
    return out


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A cadre's day starts at the entry sheets, a leader's at the dashboard,
    an office's at the tree."""
    return redirect(home_url(selectors.user_scope(request.user)))


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    day = as_of_day(request)
    scope = selectors.user_scope(request.user)
    roots = scope.roots
    if scope.is_superuser:
        roots = list(
            Organization.objects.filter(
                parent__isnull=True, dissolved_on__isnull=True
            ).order_by("sort_key", "name")
        )
    all_levels = request.GET.get("tat_ca") == "1"
    trees = []
    for root in roots:
        node = selectors.organization_tree_on(root=root, day=day)
        if node is None:
            continue
        rows = _flatten(node)
        shown = rows if all_levels else [n for n in rows if n.depth <= node.depth + 1]
        trees.append({"root": node, "rows": shown, "truncated": len(shown) < len(rows)})
    return render(
        request,
        "organizations/tree.html",
        {"trees": trees, "day": day, "all_levels": all_levels},
    )


@login_required
def organization_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id
    )
    day = as_of_day(request)
    # Ratings are entered at a year's end: until mid-year, last year's.
    entry_year = day.year - 1 if day.month < 7 else day.year
    chosen_year = year_param(request, default=0)
    # Without a chosen year the page shows the latest year that has ratings,
    # not after the as-of date (this year usually has none yet).
    year = (
        chosen_year
        or selectors.latest_rating_year(root=organization, up_to=day.year)
        or entry_year
    )
    node = selectors.organization_tree_on(root=organization, day=day)
    ratings = selectors.rating_counts(root=organization, year=year)
    events = selectors.event_counts(
        root=organization, start=dt.date(day.year, 1, 1), end=day
    )
    scope = selectors.user_scope(request.user)
    counts = node.counts if node else selectors.MemberCounts()
    context = {
        "organization": organization,
        # A cadre of a Sở sees its committee's name, not a link it may not open.
        "parent_readable": organization.parent is not None
        and scope.can_read(organization.parent),
        "node": node,
        "counts": counts,
        "children": node.children if node else [],
        "ethnicities": selectors.ethnicity_counts_on(root=organization, day=day),
        "ratings": ratings,
        # TCCSĐ columns on committees that have (or had, that year) TCCSĐ
        # below them (a TCCSĐ's own count includes itself).
        "show_grassroots": bool(
            counts.grassroots - organization.level.is_grassroots > 0
            or ratings.grassroots_rated
        ),
        "grades": Grade,
        "grade_rows": [
            {
                "grade": grade,
                "grassroots": ratings.grassroots[grade.value],
                "grassroots_share": ratings.grassroots_share(grade.value),
                "organizations": ratings.organizations[grade.value],
                "organization_share": ratings.organization_share(grade.value),
                "members": ratings.members[grade.value],
                "member_share": ratings.member_share(grade.value),
            }
            for grade in Grade
        ],
        "events": events,
        "membership_sentence": phrases.membership_sentence(counts),
        "ratings_sentence": phrases.ratings_sentence(ratings),
        "event_rows": selectors.event_rows(events),
        "day": day,
        "year": year,
        "rating_edit_year": chosen_year or entry_year,
        "can_write_org": scope.can_write_organization(organization),
        "can_write_members": scope.can_write_members(organization),
        "can_dashboard": scope.can_see_dashboard(organization),
        "placements": selectors.organization_history(organization=organization),
    }
    return render(request, "organizations/organization_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest, public_id: str) -> HttpResponse:
    parent = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )

    def save(data: dict) -> tuple[str, HttpResponse]:
        child = services.organization_create(parent=parent, user=request.user, **data)
        return f"Đã thêm “{child.name}”.", redirect(
            "organizations:detail", public_id=child.public_id
        )

    return form_page(
        request,
        OrganizationForm(request.POST or None),
        save,
        organization=parent,
        title=f"Thêm tổ chức trực thuộc {parent.name}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    initial = {
        "name": organization.name,
        "short_name": organization.short_name,
        "kind": organization.kind,
        "code": organization.code or "",
        "superior_name": organization.superior_name,
    }

    def save(data: dict) -> tuple[str, HttpResponse]:
        services.organization_update(
            organization=organization, user=request.user, **data
        )
        return "Đã lưu thông tin tổ chức.", redirect(
            "organizations:detail", public_id=organization.public_id
        )

    return form_page(
        request,
        OrganizationEditForm(request.POST or None, initial=initial),
        save,
        organization=organization,
        title=f"Sửa {organization.name}",
    )


def _other_parents(request: HttpRequest, organization: Organization):  # noqa: ANN202
    return (
        selectors.organizations_for_user(request.user)
        .filter(dissolved_on__isnull=True)
        .exclude(path__startswith=organization.path)
        .exclude(level__holds_members=True)
        .select_related("level")
        .order_by("path")
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_move(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    if organization.parent is None:
        raise PermissionDenied("Không thể chuyển tổ chức ở đỉnh cây.")

    def save(data: dict) -> tuple[str, HttpResponse]:
        new_parent = data["new_parent"]
        if not selectors.user_scope(request.user).can_write_organization(new_parent):
            raise PermissionDenied("Bạn không có quyền với tổ chức nhận.")
        moved = services.organization_move(
            organization=organization,
            new_parent=new_parent,
            on_date=data["on_date"],
            user=request.user,
        )
        message = f"Đã chuyển {moved} tổ chức về “{new_parent.name}”."
        return message, redirect(
            "organizations:detail", public_id=organization.public_id
        )

    form = OrganizationMoveForm(
        request.POST or None, parents=_other_parents(request, organization)
    )
    return form_page(
        request,
        form,
        save,
        organization=organization,
        title=f"Chuyển {organization.name}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_dissolve(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    if organization.parent is None:
        raise PermissionDenied("Không thể giải thể tổ chức ở đỉnh cây từ đây.")
    if organization.dissolved_on:
        messages.info(request, "Tổ chức đã giải thể.")
        return redirect("organizations:detail", public_id=organization.public_id)
    targets = (
        selectors.organizations_for_user(request.user)
        .filter(dissolved_on__isnull=True, level=organization.level)
        .exclude(pk=organization.pk)
        .order_by("sort_key", "name")
    )

    def save(data: dict) -> tuple[str, HttpResponse]:
        services.organization_dissolve(
            organization=organization, user=request.user, **data
        )
        message = f"Đã ghi nhận giải thể “{organization.name}”."
        return message, redirect(
            "organizations:detail", public_id=organization.public_id
        )

    return form_page(
        request,
        OrganizationDissolveForm(request.POST or None, targets=targets),
        save,
        organization=organization,
        title=f"Giải thể / sáp nhập {organization.name}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_create(request: HttpRequest, public_id: str) -> HttpResponse:
    source = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    scope = selectors.user_scope(request.user)
    children = list(
        Organization.objects.filter(parent=source, dissolved_on__isnull=True)
        .select_related("level")
        .order_by("sort_key", "name")
    )
    receivers = Organization.objects.filter(
        dissolved_on__isnull=True, level__holds_members=False
    )
    if not scope.is_superuser:
        receivers = receivers.filter(scope.path_filter())
    receivers_list = [
        org
        for org in receivers.exclude(path__startswith=source.path)
        .select_related("level")
        .order_by("sort_key", "name")
        if scope.can_write_organization(org)
    ]
    # Each organisation is offered the receivers its level may sit under.
    top = services.grassroots_order()
    destinations = [
        (
            child,
            [
                parent
                for parent in receivers_list
                if services.level_problem(
                    level=child.level,
                    parent_level=parent.level,
                    parent_name=parent.name,
                    grassroots_top=top,
                )
                is None
            ],
        )
        for child in children
    ]

    def save(data: dict) -> tuple[str, HttpResponse]:
        moves = data["moves"]
        services.handover_create(
            source=source,
            moves=moves,
            effective_on=data["effective_on"],
            decision=data["decision"],
            note=data["note"],
            user=request.user,
        )
        receivers_named = sorted({parent.name for _, parent in moves})
        message = (
            f"Đã bàn giao {len(moves)} tổ chức về "
            + ", ".join(f"“{name}”" for name in receivers_named)
            + "."
        )
        return message, redirect("organizations:detail", public_id=source.public_id)

    form = HandoverForm(request.POST or None, destinations=destinations)
    return form_page(
        request,
        form,
        save,
        organization=source,
        title=f"Bàn giao tổ chức của {source.name}",
    )
