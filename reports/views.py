"""The office's documents: list, create, edit, preview, render, issue, download."""

from __future__ import annotations

import hashlib
import logging

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations import selectors as org_selectors
from organizations.views.common import attach_errors
from reports import selectors, services
from reports.forms import DocumentCreateForm, DocumentHeaderForm
from reports.models import RenderStatus, Section
from reports.structure import build_layout
from targets.forms import version_of

log = logging.getLogger(__name__)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id
    )
    can_write = org_selectors.user_scope(request.user).can_write_organization(
        organization
    )
    form = DocumentCreateForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("Chỉ văn phòng cấp ủy được soạn văn bản.")
        if form.is_valid():
            document = services.document_create(
                organization=organization, user=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                "Đã tạo dự thảo với số liệu từ dữ liệu. Soạn nội dung rồi ban hành.",
            )
            return redirect("reports:edit", public_id=document.public_id)
    return render(
        request,
        "reports/document_list.html",
        {
            "organization": organization,
            "documents": selectors.documents_of(organization=organization),
            "form": form,
            "can_write": can_write,
        },
    )


def _editor(
    request: HttpRequest, document, *, header_form=None, status: int = 200
) -> HttpResponse:  # noqa: ANN001
    sections = list(document.sections.order_by("order", "id"))
    layout = build_layout(document, sections=sections)
    numbers = {node.section_id: node.number for node in layout.walk()}
    review = (
        services.checks.review(document, layout)
        if document.is_draft
        else services.checks.Review()
    )
    can_write = org_selectors.user_scope(request.user).can_write_organization(
        document.organization
    )
    header_form = header_form or DocumentHeaderForm.for_document(document)
    # The editor's own URL only answers GET: the form posts to the header view.
    header_form.helper.form_action = reverse(
        "reports:header", kwargs={"public_id": document.public_id}
    )
    return render(
        request,
        "reports/document_edit.html",
        {
            "document": document,
            "organization": document.organization,
            "sections": [
                (s, numbers.get(s.id, ""), _depth(s, sections))
                for s in _tree_order(sections)
            ],
            "header_form": header_form,
            "problems": review.problems,
            "flags": review.flags,
            "notices": review.notices,
            "renderings": list(document.renderings.order_by("-created_at")[:5]),
            "can_write": can_write and document.is_draft,
            "can_issue_role": can_write,
        },
        status=status,
    )


def _tree_order(sections: list[Section]) -> list[Section]:
    by_parent: dict[int | None, list[Section]] = {}
    for section in sections:
        by_parent.setdefault(section.parent_id, []).append(section)
    out: list[Section] = []

    def walk(parent_id: int | None) -> None:
        for section in by_parent.get(parent_id, []):
            out.append(section)
            walk(section.id)

    walk(None)
    return out


def _depth(section: Section, sections: list[Section]) -> int:
    by_id = {s.id: s for s in sections}
    depth, node = 0, section
    while node.parent_id:
        depth, node = depth + 1, by_id[node.parent_id]
    return depth


@login_required
@require_GET
def document_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, public_id=public_id)
    return _editor(request, document)


@login_required
@require_POST
def document_header(request: HttpRequest, public_id: str) -> HttpResponse:
    document = selectors.document_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    form = DocumentHeaderForm(request.POST)
    if not form.is_valid():
        return _editor(request, document, header_form=form, status=422)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.document_update(
            document=document, version=version, user=request.user, **data
        )
    except services.DocumentConflict:
        messages.error(
            request,
            "Chưa lưu: văn bản vừa được người khác sửa. Tải lại trang để xem bản mới "
            "nhất.",
        )
        return _editor(request, document, header_form=form, status=409)
    except ValidationError as error:
        attach_errors(form, error)
        return _editor(request, document, header_form=form, status=422)
    messages.success(request, "Đã lưu đầu văn bản.")
    return redirect("reports:edit", public_id=document.public_id)


@login_required
@require_POST
def section_save(request: HttpRequest, public_id: str, section_id: int) -> HttpResponse:
    document = selectors.document_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    section = document.sections.filter(id=section_id).first()
    if section is None:
        raise Http404("Không tìm thấy mục.")
    heading = request.POST.get("heading", section.heading)[:500]
    body = request.POST.get("body", "")
    if "\x00" in heading + body:  # PostgreSQL refuses it in text
        messages.error(
            request,
            "Chưa lưu mục này: nội dung có ký tự không hợp lệ (ký tự NUL); hãy xóa "
            "rồi gõ lại.",
        )
        return _editor(request, document, status=422)
    try:
        services.section_save(
            document=document,
            section=section,
            version=version_of(request.POST),
            heading=heading,
            body=body,
            user=request.user,
        )
    except services.DocumentConflict:
        messages.error(
            request,
            "Chưa lưu mục này: văn bản vừa được người khác sửa. Nội dung bạn gõ còn "
            "trong ô; tải lại trang để đối chiếu.",
        )
        return _editor(request, document, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _editor(request, document, status=422)
    messages.success(request, f"Đã lưu mục “{section.heading or 'mở đầu'}”.")
    return redirect(f"{request.path.rsplit('/muc/', 1)[0]}/#muc-{section.id}")


def _structure_change(
    request: HttpRequest, public_id: str, section_id: int, change, done: str
) -> HttpResponse:  # noqa: ANN001
    """Run a change of the document's structure; back to the editor."""
    document = selectors.document_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    section = document.sections.filter(id=section_id).first()
    if section is None:
        raise Http404("Không tìm thấy mục.")
    try:
        result = change(document, section, version_of(request.POST))
    except services.DocumentConflict:
        messages.error(
            request,
            "Chưa thay đổi: văn bản vừa được người khác sửa. Tải lại trang để xem "
            "bản mới nhất.",
        )
        return _editor(request, document, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _editor(request, document, status=422)
    messages.success(request, done)
    anchor = f"#muc-{result.pk}" if result is not None else ""
    return redirect(
        reverse("reports:edit", kwargs={"public_id": document.public_id}) + anchor
    )


@login_required
@require_POST
def section_add(request: HttpRequest, public_id: str, section_id: int) -> HttpResponse:
    heading = request.POST.get("heading", "")[:500]
    level = request.POST.get("cap", "ngang")

    def add(document, section, version):  # noqa: ANN001, ANN202
        if level not in ("ngang", "con"):
            raise ValidationError("Chọn vị trí của mục mới: ngang cấp hoặc mục con.")
        if "\x00" in heading:  # PostgreSQL refuses it in text
            raise ValidationError(
                "Tiêu đề có ký tự không hợp lệ (ký tự NUL); hãy gõ lại."
            )
        return services.section_add(
            document=document,
            after=section,
            as_child=level == "con",
            heading=heading,
            version=version,
            user=request.user,
        )

    return _structure_change(
        request, public_id, section_id, add, f"Đã thêm mục “{heading.strip()}”."
    )


@login_required
@require_POST
def section_delete(
    request: HttpRequest, public_id: str, section_id: int
) -> HttpResponse:
    def delete(document, section, version):  # noqa: ANN001, ANN202
        if request.POST.get("xac_nhan_xoa") != "1":
            raise ValidationError("Chưa xóa: đánh dấu ô xác nhận trước khi xóa mục.")
        services.section_delete(
            document=document, section=section, version=version, user=request.user
        )

    return _structure_change(request, public_id, section_id, delete, "Đã xóa mục.")


@login_required
@require_POST
def section_move(request: HttpRequest, public_id: str, section_id: int) -> HttpResponse:
    direction = request.POST.get("huong", "")

    def move(document, section, version):  # noqa: ANN001, ANN202
        if direction not in ("len", "xuong"):
            raise ValidationError("Chọn chuyển mục lên hay xuống.")
        return services.section_move(
            document=document,
            section=section,
            up=direction == "len",
            version=version,
            user=request.user,
        )

    return _structure_change(request, public_id, section_id, move, "Đã chuyển mục.")


# The preview is the WeasyPrint input as is: its layout lives in inline <style>.
@csp_update({"style-src": [UNSAFE_INLINE]})
@login_required
@require_GET
def document_preview(request: HttpRequest, public_id: str) -> HttpResponse:
    from reports import pdf

    document = selectors.document_get_for_user(user=request.user, public_id=public_id)
    return HttpResponse(pdf.render_html(build_layout(document)))


@login_required
@require_POST
def rendering_create(request: HttpRequest, public_id: str) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, public_id=public_id)
    fmt = request.POST.get("fmt", "pdf")
    if fmt not in ("pdf", "docx"):
        raise Http404("Định dạng không hỗ trợ.")
    rendering = services.rendering_request(
        document=document, fmt=fmt, user=request.user
    )
    if request.htmx:
        return render(
            request, "reports/_partials/rendering.html", {"rendering": rendering}
        )
    return redirect("reports:edit", public_id=document.public_id)


@login_required
@require_GET
def rendering_status(request: HttpRequest, public_id: str) -> HttpResponse:
    rendering = selectors.rendering_get_for_user(user=request.user, public_id=public_id)
    return render(request, "reports/_partials/rendering.html", {"rendering": rendering})


def _checked(file, sha256: str, what: str) -> bytes | HttpResponse:  # noqa: ANN001
    """A stored file's bytes if they are the ones stored (SHA-256); else a
    refusal, logged: a file changed or lost on disk is never served as is."""
    try:
        with file.open("rb") as handle:
            content = handle.read()
    except OSError:
        log.error("%s: stored file %s is missing or unreadable", what, file.name)
        return HttpResponse("Không đọc được tệp đã lưu; đã ghi nhận sự cố.", status=409)
    if hashlib.sha256(content).hexdigest() != sha256:
        log.error("%s does not match its SHA-256 (file %s)", what, file.name)
        return HttpResponse(
            "Tệp đã lưu không khớp mã kiểm tra; đã ghi nhận sự cố.", status=409
        )
    return content


@login_required
@require_GET
def rendering_download(request: HttpRequest, public_id: str) -> HttpResponse:
    rendering = selectors.rendering_get_for_user(user=request.user, public_id=public_id)
    if rendering.status != RenderStatus.DONE or not rendering.file:
        raise Http404("Bản in chưa sẵn sàng.")
    document = rendering.document
    suffix = "du-thao" if document.is_draft else f"{document.number:02d}"
    content = _checked(
        rendering.file, rendering.sha256, f"Rendering {rendering.public_id}"
    )
    if isinstance(content, HttpResponse):
        return content
    response = HttpResponse(content, content_type=CONTENT_TYPES[rendering.fmt])
    name = f"{document.symbol.replace('/', '-')}-{suffix}.{rendering.fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def document_issue(request: HttpRequest, public_id: str) -> HttpResponse:
    document = selectors.document_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    if not document.is_draft:
        messages.info(request, "Văn bản đã ban hành.")
        return redirect("reports:edit", public_id=document.public_id)
    found = services.document_review(document)
    if found.problems:
        for problem in found.problems:
            messages.error(request, "Chưa thể ban hành: " + problem)
        return redirect("reports:edit", public_id=document.public_id)
    if found.to_confirm and request.POST.get("xac_nhan") != "1":
        messages.error(
            request,
            "Có số liệu cần kiểm tra (xem danh sách). Sửa lại, hoặc đánh dấu đã kiểm "
            "tra rồi ban hành.",
        )
        return redirect("reports:edit", public_id=document.public_id)
    if found.to_confirm and version_of(request.POST) != document.version:
        # The office confirmed the figures of the page it read, not of a later text.
        messages.error(
            request,
            "Chưa ban hành: văn bản vừa được sửa sau khi bạn mở trang. Kiểm tra lại "
            "các số liệu được đánh dấu rồi xác nhận lần nữa.",
        )
        return redirect("reports:edit", public_id=document.public_id)
    services.rendering_request(
        document=document, fmt="pdf", user=request.user, for_issue=True
    )
    messages.success(
        request, "Đang ban hành: hệ thống cấp số và tạo bản PDF chính thức."
    )
    return redirect("reports:edit", public_id=document.public_id)


@login_required
@require_POST
def document_correct(request: HttpRequest, public_id: str) -> HttpResponse:
    document = selectors.document_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    try:
        copy = services.document_correct(document=document, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:edit", public_id=document.public_id)
    messages.success(
        request, f"Đã tạo dự thảo đính chính cho {document.number_and_symbol}."
    )
    return redirect("reports:edit", public_id=copy.public_id)


@login_required
@require_GET
def document_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """The issued PDF, byte for byte as stored, checked against its SHA-256."""
    document = selectors.document_get_for_user(user=request.user, public_id=public_id)
    if document.is_draft or not document.pdf:
        raise Http404("Văn bản chưa ban hành.")
    content = _checked(
        document.pdf, document.pdf_sha256, f"Issued PDF {document.public_id}"
    )
    if isinstance(content, HttpResponse):
        return content
    response = HttpResponse(content, content_type="application/pdf")
    name = f"{document.symbol.replace('/', '-')}-{document.number:02d}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
