"""Excel import of organisations and members under one organisation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from organizations import imports, selectors
from partyreports.formatting import format_number

#: The error table shows this many rows; the count above it says how many more.
SHOWN_ERRORS = 500


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    errors: list[imports.ImportProblem] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [
                imports.ImportProblem("", None, "", "Chọn tệp Excel .xlsx để nhập.")
            ]
        else:
            result = imports.import_workbook(
                file=upload, root=organization, user=request.user
            )
            if result.ok:
                messages.success(
                    request,
                    f"Đã nhập {format_number(result.organizations_created)} tổ chức và "
                    f"{format_number(result.members_created)} đảng viên.",
                )
                return redirect(
                    "organizations:detail", public_id=organization.public_id
                )
            errors = result.errors
    return render(
        request,
        "organizations/import.html",
        {
            "organization": organization,
            "errors": errors[:SHOWN_ERRORS],
            "error_count": len(errors),
            "hidden_errors": max(0, len(errors) - SHOWN_ERRORS),
            "sheets": imports.SHEETS,
            "org_columns": imports.ORG_COLUMNS,
            "member_columns": imports.MEMBER_COLUMNS,
            "max_rows": imports.MAX_ROWS,
            "max_megabytes": settings.UPLOAD_MAX_BYTES // 2**20,
        },
    )


def _template_response(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        'attachment; filename="mau-nhap-to-chuc-dang-vien.xlsx"'
    )
    return response


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return _template_response(imports.template_workbook())


@login_required
@require_GET
def import_template_for(request: HttpRequest, public_id: str) -> HttpResponse:
    """The template for importing under one organisation: its lists name the
    chi bộ already there, which member rows may refer to."""
    organization = selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    return _template_response(imports.template_workbook(root=organization))
