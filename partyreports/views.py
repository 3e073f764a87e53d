"""Project-wide pages: the audit trail, the refused-form page (CSRF)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organizations.selectors import organization_get_for_user
from partyreports import audit

PAGE_SIZE = 50
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class AuditFilterForm(forms.Form):
    nguoi = forms.CharField(label="Người thực hiện", required=False, max_length=150)
    to_chuc_ten = forms.CharField(
        label="Tổ chức (tên có chứa)", required=False, max_length=255
    )
    to_chuc = forms.UUIDField(required=False, widget=forms.HiddenInput)
    tu_ngay = forms.DateField(
        label="Từ ngày",
        required=False,
        input_formats=_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    den_ngay = forms.DateField(
        label="Đến ngày",
        required=False,
        input_formats=_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    thao_tac = forms.ChoiceField(
        label="Thao tác",
        required=False,
        choices=[("", "Tất cả"), *audit.ACTION_LABELS.items()],
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", "“Đến ngày” phải sau “Từ ngày”.")
        return data


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who changed what in the user's organisations: read-only, newest first."""
    events = audit.audit_events_for_user(user=request.user)
    form = AuditFilterForm(request.GET)
    form.is_valid()  # invalid fields are reported and left out of the filter
    data = getattr(form, "cleaned_data", {})
    within = None
    if data.get("to_chuc"):
        within = organization_get_for_user(user=request.user, public_id=data["to_chuc"])
    events = audit.audit_filter(
        events,
        username=data.get("nguoi") or "",
        organization_name=data.get("to_chuc_ten") or "",
        within=within,
        date_from=data.get("tu_ngay"),
        date_to=data.get("den_ngay"),
        action=data.get("thao_tac") or "",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [
        (
            event,
            audit.ACTION_LABELS.get(event.action, event.action),
            audit.change_rows(event),
        )
        for event in page
    ]
    filters = request.GET.copy()
    filters.pop("trang", None)
    without_org = request.GET.copy()
    without_org.pop("trang", None)
    without_org.pop("to_chuc", None)
    return render(
        request,
        "partyreports/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "within": within,
            "filter_query": filters.urlencode(),
            "without_org_query": without_org.urlencode(),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (an expired session,
    a page kept open across a log-out, cookies blocked) told in Vietnamese, with
    the site's navigation, rather than Django's English page. `reason` is for
    the log only (Django logs it as django.security.csrf)."""
    return render(
        request,
        "403_csrf.html",
        {"no_cookie": reason == "CSRF cookie not set."},
        status=403,
    )
