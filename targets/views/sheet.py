"""The cadre's quarterly entry sheet, its live preview and its workflow."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from organizations import selectors as org_selectors
from organizations.models import Organization
from targets import selectors, services
from targets.forms import (
    ParsedSheet,
    field_names,
    parse_sheet,
    plain_number,
    version_of,
)
from targets.models import SheetStatus


def _check_period(year: int, quarter: int) -> None:
    if not (1 <= quarter <= 4 and 2000 <= year <= dt.date.today().year + 1):
        raise Http404("Kỳ báo cáo không hợp lệ.")


def _sheet_url(organization: Organization, year: int, quarter: int) -> str:
    return reverse(
        "targets:sheet",
        kwargs={"public_id": organization.public_id, "year": year, "quarter": quarter},
    )


def _values(view: selectors.SheetView, data: object | None) -> dict[str, str]:
    """What each input shows: the POST being re-rendered, else the stored figures."""
    if data is not None:
        return {k: v for k, v in data.items()}  # type: ignore[attr-defined]
    values: dict[str, str] = {}
    for row in view.rows:
        if row.result is None:
            continue
        names = field_names(row.target.id)
        values[names["value"]] = plain_number(row.result.value)
        values[names["numerator"]] = plain_number(row.result.numerator)
        values[names["denominator"]] = plain_number(row.result.denominator)
        values[names["note"]] = row.result.note
    return values


def _inputs(
    view: selectors.SheetView, values: dict[str, str]
) -> dict[int, dict[str, str]]:
    """Each row's input values keyed by target id, for the template."""
    return {
        row.target.id: {
            key: values.get(name, "")
            for key, name in field_names(row.target.id).items()
        }
        for row in view.rows
    }


def _render(
    request: HttpRequest,
    view: selectors.SheetView,
    *,
    parsed: ParsedSheet | None = None,
    conflict: selectors.SheetView | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = org_selectors.user_scope(request.user)
    organization = view.organization
    editable = scope.can_write_members(organization) and view.status not in (
        SheetStatus.SUBMITTED,
        SheetStatus.APPROVED,
    )
    context = {
        "view": view,
        "organization": organization,
        "inputs": _inputs(
            view, _values(view, request.POST if parsed is not None else None)
        ),
        "errors": parsed.errors if parsed else {},
        "row_errors": parsed.by_target() if parsed else {},
        "warnings": parsed.warnings if parsed else {},
        "conflict": conflict,
        "editable": editable,
        "can_submit": scope.can_write_members(organization)
        and view.sheet is not None
        and view.status in (SheetStatus.DRAFT, SheetStatus.RETURNED),
        "can_review": scope.can_review(organization),
        "transitions": selectors.sheet_transitions(sheet=view.sheet),
        "quarters": [1, 2, 3, 4],
    }
    return render(request, "targets/sheet.html", context, status=status)


@login_required
def sheet(
    request: HttpRequest, public_id: str, year: int, quarter: int
) -> HttpResponse:
    _check_period(year, quarter)
    organization = selectors.organization_for_sheet(
        user=request.user, public_id=public_id, write=request.method == "POST"
    )
    view = selectors.sheet_view(organization=organization, year=year, quarter=quarter)
    if view is None:
        return render(
            request,
            "targets/no_plan.html",
            {"organization": organization, "year": year},
            status=404,
        )
    if request.method != "POST":
        return _render(request, view)
    parsed = parse_sheet(request.POST, view)
    if parsed.errors:
        messages.error(
            request, "Chưa lưu: có ô nhập chưa đúng, xem thông báo bên cạnh ô."
        )
        return _render(
            request,
            selectors.sheet_view(
                organization=organization,
                year=year,
                quarter=quarter,
                typed=parsed.typed,
            ),
            parsed=parsed,
            status=422,
        )
    if parsed.warnings and request.POST.get("xac_nhan") != "1":
        messages.warning(
            request,
            "Có số liệu khác nhiều so với kỳ trước. Kiểm tra lại, hoặc đánh dấu “Tôi "
            "xác nhận số liệu” rồi lưu.",
        )
        return _render(
            request,
            selectors.sheet_view(
                organization=organization,
                year=year,
                quarter=quarter,
                typed=parsed.typed,
            ),
            parsed=parsed,
            status=422,
        )
    version = version_of(request.POST)
    try:
        services.sheet_save(
            organization=organization,
            year=year,
            quarter=quarter,
            version=version,
            entries=parsed.entries,
            user=request.user,
        )
    except services.SheetConflict as conflict:
        saved = selectors.sheet_view(
            organization=organization, year=year, quarter=quarter
        )
        who = conflict.sheet.updated_by if conflict.sheet else None
        messages.error(
            request,
            "Chưa lưu: "
            f"{who.get_full_name() or who.username if who else 'người khác'} đã cập "
            "nhật báo cáo này sau khi bạn mở trang. Số liệu của họ hiện bên dưới; "
            "số bạn vừa nhập vẫn còn trong ô — đối chiếu rồi lưu lại.",
        )
        view_typed = selectors.sheet_view(
            organization=organization, year=year, quarter=quarter, typed=parsed.typed
        )
        return _render(request, view_typed, parsed=parsed, conflict=saved, status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render(
            request,
            selectors.sheet_view(
                organization=organization,
                year=year,
                quarter=quarter,
                typed=parsed.typed,
            ),
            parsed=parsed,
            status=422,
        )
    if request.POST.get("action") == "submit":
        services.sheet_submit(
            organization=organization, year=year, quarter=quarter, user=request.user
        )
        messages.success(request, f"Đã gửi báo cáo quý {quarter}/{year} lên cấp trên.")
    else:
        messages.success(request, "Đã lưu bản nháp.")
    return redirect(_sheet_url(organization, year, quarter))


@login_required
@require_POST
def sheet_preview(
    request: HttpRequest, public_id: str, year: int, quarter: int
) -> HttpResponse:
    """HTMX: recompute every row from what is typed (nothing is saved)."""
    _check_period(year, quarter)
    organization = selectors.organization_for_sheet(
        user=request.user, public_id=public_id, write=True
    )
    data = selectors.sheet_data(organization=organization, year=year, quarter=quarter)
    if data is None:
        raise Http404("Chưa có kế hoạch chỉ tiêu.")
    parsed = parse_sheet(request.POST, selectors.build_sheet_view(data))
    view = selectors.build_sheet_view(data, typed=parsed.typed)
    return render(
        request,
        "targets/_partials/preview.html",
        {"view": view, "row_errors": parsed.by_target(), "warnings": parsed.warnings},
    )


@login_required
@require_POST
def sheet_submit(
    request: HttpRequest, public_id: str, year: int, quarter: int
) -> HttpResponse:
    _check_period(year, quarter)
    organization = selectors.organization_for_sheet(
        user=request.user, public_id=public_id, write=True
    )
    try:
        services.sheet_submit(
            organization=organization, year=year, quarter=quarter, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã gửi báo cáo quý {quarter}/{year} lên cấp trên.")
    return redirect(_sheet_url(organization, year, quarter))


@login_required
@require_POST
def sheet_decide(
    request: HttpRequest, public_id: str, year: int, quarter: int, decision: str
) -> HttpResponse:
    _check_period(year, quarter)
    found = selectors.sheet_for_review(
        user=request.user, public_id=public_id, year=year, quarter=quarter
    )
    reason = request.POST.get("reason", "")
    actions = {
        "duyet": (
            lambda: services.sheet_approve(sheet=found, user=request.user),
            "Đã duyệt báo cáo.",
        ),
        "tra-lai": (
            lambda: services.sheet_return(
                sheet=found, reason=reason, user=request.user
            ),
            "Đã trả lại báo cáo.",
        ),
        "mo-lai": (
            lambda: services.sheet_reopen(
                sheet=found, reason=reason, user=request.user
            ),
            "Đã mở lại báo cáo để sửa.",
        ),
    }
    if decision not in actions:
        raise Http404
    action, done = actions[decision]
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_sheet_url(found.organization, year, quarter))


@login_required
def sheet_index(request: HttpRequest, public_id: str) -> HttpResponse:
    """An organisation's quarters, and the sheets of its subordinates to review."""
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id
    )
    today = dt.date.today()
    year = (
        int(request.GET["nam"]) if request.GET.get("nam", "").isdigit() else today.year
    )
    own = selectors.sheets_of_year(organization=organization, year=year)
    scope = org_selectors.user_scope(request.user)
    return render(
        request,
        "targets/sheet_index.html",
        {
            "organization": organization,
            "year": year,
            "quarters": [(q, own.get(q)) for q in range(1, 5)],
            "to_review": selectors.sheets_to_review(organization=organization)
            if scope.can_write_organization(organization)
            else [],
            "has_plan": selectors.plan_for(organization=organization, year=year)
            is not None,
        },
    )


@login_required
def target_history(
    request: HttpRequest, public_id: str, target_id: int
) -> HttpResponse:
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id
    )
    target = selectors.target_get_for_organization(
        organization=organization, target_id=target_id
    )
    return render(
        request,
        "targets/history.html",
        {
            "organization": organization,
            "target": target,
            "changes": selectors.target_history(
                organization=organization, target=target
            ),
        },
    )
