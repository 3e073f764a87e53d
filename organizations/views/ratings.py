"""Annual quality ratings of chi bộ and members, entered as one table."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from organizations import selectors, services
from organizations.forms import GRADE_CHOICES
from organizations.models import Grade, Organization

GRADE_VALUES = set(Grade.values)


@login_required
@require_http_methods(["GET", "POST"])
def ratings_edit(request: HttpRequest, public_id: str, year: int) -> HttpResponse:
    organization = selectors.organization_get_for_member_write(
        user=request.user, public_id=public_id
    )
    if not 1930 <= year <= timezone.localdate().year + 1:
        messages.error(request, "Năm không hợp lệ.")
        return redirect("organizations:detail", public_id=organization.public_id)
    organizations = [
        organization,
        *Organization.objects.filter(
            parent=organization, dissolved_on__isnull=True
        ).order_by("sort_key", "name"),
    ]
    year_end = dt.date(year, 12, 31)
    members = []
    if organization.level.holds_members:
        members = list(
            selectors.members_of_subtree(
                root=organization, day=min(year_end, timezone.localdate())
            )
            .filter(organization=organization)
            .order_by("sort_key")
        )
    org_grades = dict(
        organization.ratings.model.objects.filter(
            organization__in=organizations, year=year
        ).values_list("organization_id", "grade")
    )
    member_grades = dict(
        organization.member_ratings.model.objects.filter(
            member__in=members, year=year
        ).values_list("member_id", "grade")
    )
    errors: list[str] = []
    if request.method == "POST":
        org_updates = _read_grades(request, "org", organizations, errors)
        member_updates = _read_grades(request, "member", members, errors)
        if not errors:
            with transaction.atomic():
                for org, grade in org_updates:
                    services.organization_rating_set(
                        organization=org, year=year, grade=grade, user=request.user
                    )
                for member, grade in member_updates:
                    services.member_rating_set(
                        member=member, year=year, grade=grade, user=request.user
                    )
            messages.success(
                request,
                f"Đã lưu xếp loại năm {year}: {len(org_updates)} tổ chức, "
                f"{len(member_updates)} đảng viên.",
            )
            return redirect("organizations:detail", public_id=organization.public_id)
    return render(
        request,
        "organizations/ratings_form.html",
        {
            "organization": organization,
            "year": year,
            "org_rows": [(o, org_grades.get(o.id, "")) for o in organizations],
            "member_rows": [(m, member_grades.get(m.id, "")) for m in members],
            "grade_choices": GRADE_CHOICES,
            "errors": errors,
        },
    )


def _read_grades(
    request: HttpRequest, prefix: str, objects: list, errors: list[str]
) -> list:
    updates = []
    for obj in objects:
        value = request.POST.get(f"{prefix}-{obj.public_id}", "")
        if value == "":
            continue
        if value not in GRADE_VALUES:
            errors.append(f"Xếp loại “{value}” của {obj} không hợp lệ.")
            continue
        updates.append((obj, value))
    return updates
