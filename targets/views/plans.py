"""The office's pages for a plan: its targets as adopted, add and edit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organizations import selectors as org_selectors
from organizations.models import Organization
from organizations.views.common import form_page
from partyreports.formatting import format_plain as plain_number
from targets import selectors, services
from targets.forms import PlanForm, TargetForm, VietnameseDecimalField
from targets.models import Plan


def _plan(request: HttpRequest, public_id: str, *, write: bool) -> Plan:
    return selectors.plan_get_for_user(
        user=request.user, public_id=public_id, write=write
    )


# A subordinate's plan value: the same reading and limits as on the target form.
PLAN_VALUE = VietnameseDecimalField(required=False)


@login_required
def plan_list(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id
    )
    return render(
        request,
        "targets/plan_list.html",
        {
            "organization": organization,
            "plans": list(organization.plans.order_by("-start_year")),
            "can_write": org_selectors.user_scope(request.user).can_write_organization(
                organization
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )

    def save(data: dict) -> tuple[str, HttpResponse]:
        plan = services.plan_create(
            organization=organization, user=request.user, **data
        )
        message = "Đã tạo kế hoạch. Thêm các chỉ tiêu theo nghị quyết."
        return message, redirect("targets:plan", public_id=plan.public_id)

    return form_page(
        request,
        PlanForm(request.POST or None),
        save,
        organization=organization,
        title="Tạo kế hoạch chỉ tiêu",
    )


@login_required
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = _plan(request, public_id, write=False)
    targets = selectors.plan_targets(plan=plan)
    return render(
        request,
        "targets/plan_detail.html",
        {
            "plan": plan,
            "organization": plan.organization,
            "targets": targets,
            "plan_texts": {t.id: selectors.plan_text(t) for t in targets},
            "problems": {t.id: " ".join(selectors.target_problems(t)) for t in targets},
            "can_write": org_selectors.user_scope(request.user).can_write_organization(
                plan.organization
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(
    request: HttpRequest, public_id: str, target_id: int | None = None
) -> HttpResponse:
    plan = _plan(request, public_id, write=True)
    target = (
        selectors.plan_target(plan=plan, target_id=target_id) if target_id else None
    )

    def save(data: dict) -> tuple[str, HttpResponse]:
        services.target_save(plan=plan, target=target, user=request.user, **data)
        return "Đã lưu chỉ tiêu.", redirect("targets:plan", public_id=plan.public_id)

    title = f"Sửa chỉ tiêu “{target.label}”" if target else "Thêm chỉ tiêu"
    form = TargetForm(request.POST or None, plan=plan, target=target)
    return form_page(request, form, save, organization=plan.organization, title=title)


@login_required
@require_http_methods(["GET", "POST"])
def target_assign(request: HttpRequest, public_id: str, target_id: int) -> HttpResponse:
    """A committee gives one of its targets to each subordinate, with its own plan
    value."""
    plan = _plan(request, public_id, write=True)
    target = plan.targets.filter(id=target_id, parent__isnull=True).first()
    if target is None:
        raise Http404("Không tìm thấy chỉ tiêu.")
    subordinates = list(
        Organization.objects.filter(
            parent=plan.organization, dissolved_on__isnull=True
        ).order_by("name")
    )
    current = dict(target.assigned.values_list("plan__organization_id", "plan_value"))
    errors: dict[int, str] = {}
    values: dict[int, str] = {}
    if request.method == "POST":
        plan_values = {}
        for organization in subordinates:
            raw = request.POST.get(f"org-{organization.public_id}", "").strip()
            values[organization.id] = raw
            if not raw:
                continue
            try:
                plan_values[organization] = PLAN_VALUE.clean(raw)
            except forms.ValidationError as exc:
                errors[organization.id] = exc.messages[0]
        if not errors and plan_values:
            services.target_assign(
                target=target, plan_values=plan_values, user=request.user
            )
            messages.success(
                request,
                f"Đã giao chỉ tiêu “{target.label}” cho {len(plan_values)} tổ chức "
                "trực thuộc.",
            )
            return redirect("targets:plan", public_id=plan.public_id)
        if not plan_values and not errors:
            messages.error(request, "Nhập kế hoạch cho ít nhất một tổ chức.")
    rows = [
        (org, values.get(org.id, plain_number(current.get(org.id))), errors.get(org.id))
        for org in subordinates
    ]
    return render(
        request,
        "targets/assign.html",
        {
            "plan": plan,
            "target": target,
            "organization": plan.organization,
            "rows": rows,
        },
    )
