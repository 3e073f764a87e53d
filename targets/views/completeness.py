"""Who reported a quarter and who is late; the committee's deadlines."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from organizations import selectors as org_selectors
from organizations.views.common import attach_errors, year_param
from targets import completeness as reporting


def _quarter_param(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("quy", "")
    return int(raw) if raw in ("1", "2", "3", "4") else default


@login_required
@require_GET
def completeness(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_for_dashboard(
        user=request.user, public_id=public_id
    )
    default_year, default_quarter = reporting.default_period()
    year = year_param(request, default_year)
    quarter = _quarter_param(request, default_quarter)
    rows = reporting.completeness_rows(
        committee=organization, year=year, quarter=quarter
    )
    return render(
        request,
        "targets/completeness.html",
        {
            "organization": organization,
            "year": year,
            "quarter": quarter,
            "quarters": reporting.QUARTERS,
            "rows": rows,
            "base_depth": organization.depth + 1,
            "late_rows": reporting.late_only(rows),
            "summary": reporting.completeness_summary(rows),
            "deadline": reporting.deadline_in_force(
                organization=organization, year=year, quarter=quarter
            ),
            "can_set_deadlines": org_selectors.user_scope(
                request.user
            ).can_write_organization(organization),
        },
    )


def _due_field(quarter: int) -> forms.DateField:
    return forms.DateField(
        label=f"Hạn nộp quý {quarter}",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
        ),
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
    )


class DeadlinesForm(forms.Form):
    nam = forms.IntegerField(
        label="Năm",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Chọn năm.",
            "invalid": "Năm không hợp lệ.",
            "min_value": "Năm không hợp lệ.",
            "max_value": "Năm không hợp lệ.",
        },
    )
    quy_1 = _due_field(1)
    quy_2 = _due_field(2)
    quy_3 = _due_field(3)
    quy_4 = _due_field(4)

    def due_dates(self) -> dict[int, dt.date | None]:
        return {q: self.cleaned_data[f"quy_{q}"] for q in reporting.QUARTERS}


@login_required
@require_http_methods(["GET", "POST"])
def deadlines(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    if request.method == "POST":
        form = DeadlinesForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["nam"]
            try:
                reporting.deadlines_save(
                    organization=organization,
                    year=year,
                    due_dates=form.due_dates(),
                    user=request.user,
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, f"Đã lưu hạn nộp báo cáo năm {year}.")
                url = reverse("targets:deadlines", args=[organization.public_id])
                return redirect(f"{url}?nam={year}")
        year = form.cleaned_data.get("nam") or reporting.default_period()[0]
        status = 422
    else:
        year = year_param(request, reporting.default_period()[0])
        own = reporting.deadlines_of_year(organization=organization, year=year)
        form = DeadlinesForm(
            initial={"nam": year, **{f"quy_{q}": d.due_on for q, d in own.items()}}
        )
        status = 200
    inherited = reporting.inherited_deadlines(organization=organization, year=year)
    fields = [(form[f"quy_{q}"], inherited.get(q)) for q in reporting.QUARTERS]
    return render(
        request,
        "targets/deadlines.html",
        {"organization": organization, "form": form, "year": year, "fields": fields},
        status=status,
    )
