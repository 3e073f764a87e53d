"""Excel round trip of the quarterly sheet: download pre-filled, upload back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from organizations import selectors as org_selectors
from partyreports.formatting import format_number
from targets import selectors, workbook
from targets.views.sheet import _check_period, _sheet_url

#: Problems listed one message each; the rest are counted in a last message.
SHOWN_ERRORS = 50
#: The upload form's checkbox that confirms figures far from the previous ones.
CONFIRM_FIELD = "da_kiem_tra"
CONFIRM_LABEL = "Tôi đã kiểm tra các số liệu bất thường"


@login_required
@require_GET
def sheet_download(
    request: HttpRequest, public_id: str, year: int, quarter: int
) -> HttpResponse:
    _check_period(year, quarter)
    organization = selectors.organization_for_sheet(
        user=request.user, public_id=public_id
    )
    view = selectors.sheet_view(organization=organization, year=year, quarter=quarter)
    if view is None:
        raise Http404(f"Chưa có kế hoạch chỉ tiêu năm {year}.")
    locked = view.sheet is not None and view.sheet.is_locked
    editable = not locked and org_selectors.user_scope(request.user).can_write_members(
        organization
    )
    response = HttpResponse(
        workbook.sheet_export(view=view, editable=editable),
        content_type=workbook.XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=workbook.export_filename(view)
    )
    return response


@login_required
@require_POST
def sheet_upload(
    request: HttpRequest, public_id: str, year: int, quarter: int
) -> HttpResponse:
    _check_period(year, quarter)
    organization = selectors.organization_for_sheet(
        user=request.user, public_id=public_id, write=True
    )
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(
            request,
            "Chọn tệp Excel .xlsx (tải về từ trang này, đã điền số liệu) để tải lên.",
        )
        return redirect(_sheet_url(organization, year, quarter))
    result = workbook.sheet_import(
        file=upload,
        organization=organization,
        year=year,
        quarter=quarter,
        user=request.user,
        confirmed=request.POST.get(CONFIRM_FIELD) == "1",
    )
    if result.warnings:
        messages.warning(
            request,
            f"Chưa nhập tệp Excel: có {format_number(len(result.warnings))} số liệu "
            "khác nhiều so với quý trước hoặc cùng kỳ năm trước, không có số liệu nào "
            "được lưu. Kiểm tra lại các dòng dưới đây; nếu số liệu đúng, đánh dấu "
            f"“{CONFIRM_LABEL}” rồi tải tệp lên lại.",
        )
        for problem in result.warnings[:SHOWN_ERRORS]:
            messages.warning(request, str(problem))
        if len(result.warnings) > SHOWN_ERRORS:
            messages.warning(
                request,
                f"… và {format_number(len(result.warnings) - SHOWN_ERRORS)} số liệu "
                "khác.",
            )
        return redirect(_sheet_url(organization, year, quarter))
    if result.ok:
        if result.changed:
            messages.success(
                request,
                f"Đã nhập số liệu từ tệp Excel: {format_number(result.changed)} "
                "chỉ tiêu được cập nhật.",
            )
        else:
            messages.info(
                request, "Tệp Excel không có số liệu nào khác với số liệu đã lưu."
            )
        return redirect(_sheet_url(organization, year, quarter))
    if any(problem.row is not None for problem in result.errors):
        messages.error(
            request,
            f"Chưa nhập tệp Excel: có {format_number(len(result.errors))} lỗi, "
            "không có số liệu nào được lưu. Sửa các lỗi dưới đây trong tệp rồi "
            "tải lên lại.",
        )
    for problem in result.errors[:SHOWN_ERRORS]:
        messages.error(request, str(problem))
    if len(result.errors) > SHOWN_ERRORS:
        messages.error(
            request,
            f"… và {format_number(len(result.errors) - SHOWN_ERRORS)} lỗi khác.",
        )
    return redirect(_sheet_url(organization, year, quarter))
