"""Writes for documents: create (pre-filled), edit, issue (numbered, frozen, PDF)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from organizations.models import Organization
from partyreports.audit import audit_diff, audit_record
from reports import blocks, checks, prefill
from reports.models import (
    TYPE_ABBREVIATION,
    TYPE_TITLE,
    Authority,
    Document,
    DocumentStatus,
    DocumentType,
    NumberCounter,
    Rendering,
    RenderStatus,
    Section,
)
from reports.structure import build_layout
from targets.models import Plan

logger = logging.getLogger(__name__)


class DocumentConflict(Exception):
    """The document changed since the user opened it."""


# --- names in the header ------------------------------------------------------------


def issuer_name_for(organization: Organization) -> str:
    """The issuing body is the committee: "Đảng bộ Sở X" issues as "ĐẢNG ỦY SỞ X"."""
    return committee_name(organization.name).upper()


# The committee of a đảng bộ by the kind of place it leads (format.md: TU, HU…).
_COMMITTEES = (
    ("đảng bộ khối ", "Đảng ủy Khối ", "ĐUK"),
    ("đảng bộ tỉnh ", "Tỉnh ủy ", "TU"),
    ("đảng bộ thành phố ", "Thành ủy ", "TU"),
    ("đảng bộ huyện ", "Huyện ủy ", "HU"),
    ("đảng bộ quận ", "Quận ủy ", "QU"),
    ("đảng bộ thị xã ", "Thị ủy ", "TU"),
    ("đảng bộ ", "Đảng ủy ", "ĐU"),
)


def committee_name(name: str) -> str:
    """The body that acts for an organisation: "Đảng bộ tỉnh Quảng Bình" →
    "Tỉnh ủy Quảng Bình", "Đảng bộ Sở A" → "Đảng ủy Sở A"; a chi bộ acts as
    itself. A name in capitals (a header's) is brought to title case first."""
    name = " ".join(name.split())
    if name.isupper():
        name = name.title()
    folded = name.casefold()
    for prefix, committee, _ in _COMMITTEES:
        if folded.startswith(prefix):
            return committee + name[len(prefix) :]
    return name


def is_cell(organization: Organization) -> bool:
    """A chi bộ (trực thuộc or cơ sở): members meet in it (its level says so)."""
    return organization.level.holds_members


def issuer_code_for(organization: Organization) -> str:
    """The issuer's short code of the number and symbol ("BC/ĐUK"): the
    organisation's own, else from its level and name — "CB" for a chi bộ,
    "ĐUK", "TU", "HU", "ĐU" for a committee."""
    if organization.short_name:
        return organization.short_name
    if is_cell(organization):
        return "CB"
    folded = organization.name.casefold()
    return next(
        code
        for prefix, _, code in _COMMITTEES
        if folded.startswith(prefix) or prefix == "đảng bộ "
    )


def authority_for(organization: Organization) -> str:
    """A chi bộ signs "T/M CHI BỘ"; a committee "T/M BAN CHẤP HÀNH" (seed 002)."""
    return Authority.CELL if is_cell(organization) else Authority.EXECUTIVE


def recipients_for(organization: Organization, doc_type: str) -> str:
    """Nơi nhận: the superior committee (its Ban Thường vụ above the grassroots),
    the committee's members and subordinates, the file copy. The placeholder
    recipient only when the superior is not known (issuance refuses it)."""
    parent = organization.parent
    if parent is not None:
        superior = committee_name(parent.name)
        if not (is_cell(organization) and parent.level.is_grassroots):
            superior = f"BTV {superior}"
    elif organization.superior_name:
        superior = f"BTV {committee_name(organization.superior_name)}"
    else:
        superior = prefill.PLACEHOLDER_RECIPIENT
    report = "(để b/c)" if doc_type == DocumentType.RESOLUTION else "(báo cáo)"
    lines = [f"- {superior} {report},"]
    if is_cell(organization):
        lines += ["- Các đồng chí chi ủy viên,", "- Lưu Chi bộ."]
    else:
        below = (
            "Các tổ chức cơ sở đảng trực thuộc"
            if organization.children.filter(level__is_grassroots=True).exists()
            else "Các chi bộ trực thuộc"
        )
        lines += ["- Các đồng chí Đảng ủy viên,", f"- {below},", "- Lưu Văn phòng."]
    return "\n".join(lines)


def superior_name_for(organization: Organization) -> str:
    if organization.parent is not None:
        return organization.parent.name.upper()
    return (organization.superior_name or "").upper()


def place_for(organization: Organization) -> str:
    node: Organization | None = organization
    while node is not None:
        if node.place_name:
            return node.place_name
        node = node.parent
    return settings.DOCUMENT_DEFAULT_PLACE


def term_for(day: dt.date) -> tuple[int, int]:
    """The committee's term (nhiệm kỳ) holding `day`: numbering runs through it."""
    first = dt.date.fromisoformat(settings.PARTY_TERM_FIRST_START)
    years = settings.PARTY_TERM_YEARS
    offset = (day.year - first.year) // years * years
    start = first.replace(year=first.year + offset)
    if day < start:
        start = start.replace(year=start.year - years)
    return start.year, start.year + years


# --- create and edit ------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    organization: Organization,
    doc_type: str,
    year: int,
    quarter: int | None = None,
    dated: dt.date | None = None,
    user: AbstractBaseUser | None = None,
    corrects: Document | None = None,
    basis: str = "approved",
) -> Document:
    """A draft of `doc_type` for the organisation and period, pre-filled with the
    seeds' structure and data blocks (`basis`: whether a quarterly report's sums
    count the subordinates' sent sheets too, as the dashboard it came from)."""
    if doc_type == "quarterly" and quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "Chọn quý (1–4) cho báo cáo quý."})
    dated = dated or timezone.localdate()
    term = term_for(dated)
    # A congress plan's years name the term of a mid-term review.
    plan_term = _term_plan_years(organization, dated) or term
    document = Document.objects.create(
        organization=organization,
        doc_type=doc_type,
        year=year,
        quarter=quarter if doc_type == "quarterly" else None,
        term_start_year=term[0],
        term_end_year=term[1],
        superior_name=superior_name_for(organization),
        issuer_name=issuer_name_for(organization),
        symbol=f"{TYPE_ABBREVIATION[doc_type]}/{issuer_code_for(organization)}",
        authority=authority_for(organization),
        place=place_for(organization),
        dated=dated,
        title=TYPE_TITLE[doc_type],
        abstract=prefill.abstract_for(
            doc_type, year=year, quarter=quarter, term=plan_term
        ),
        recipients=recipients_for(organization, doc_type),
        created_by=user,
        corrects=corrects,
    )
    drafts = prefill.sections_for(
        doc_type,
        organization_name=organization.name,
        year=year,
        quarter=quarter,
        basis=basis,
        term=plan_term,
        next_year_plan=doc_type == "annual"
        and Plan.objects.filter(
            organization=organization, start_year=year + 1, end_year=year + 1
        ).exists(),
    )
    _create_sections(document, drafts, parent=None)
    changes: dict[str, tuple[object, object]] = {
        "doc_type": (None, document.get_doc_type_display()),
        "year": (None, year),
        "quarter": (None, document.quarter),
        "dated": (None, dated),
    }
    if corrects is not None:
        changes["corrects"] = (None, corrects.number_and_symbol)
        summary = (
            f"Tạo văn bản đính chính {corrects.number_and_symbol} "
            f"({corrects.abstract})."
        )
    else:
        summary = f"Tạo dự thảo “{document.abstract}”."
    audit_record(
        action="document.correct" if corrects is not None else "document.create",
        organization=organization,
        user=user,
        obj=document,
        summary=summary,
        changes=changes,
    )
    return document


@transaction.atomic
def document_correct(*, document: Document, user: AbstractBaseUser | None) -> Document:
    """A correction is a new draft: the issued text copied as it was issued (data
    blocks already written out), pointing back to the document it corrects."""
    if document.is_draft:
        raise ValidationError(
            "Chỉ văn bản đã ban hành mới cần đính chính; dự thảo thì sửa trực tiếp."
        )
    copy = document_create(
        organization=document.organization,
        doc_type=document.doc_type,
        year=document.year,
        quarter=document.quarter,
        user=user,
        corrects=document,
    )
    copy.sections.all().delete()
    for name in HEADER_FIELDS:
        if name != "dated":
            setattr(copy, name, getattr(document, name))
    copy.abstract = f"{document.abstract} (đính chính {document.number_and_symbol})"[
        :500
    ]
    copy.save()
    ids: dict[int, Section] = {}
    for section in document.sections.order_by("parent_id", "order", "id"):
        ids[section.id] = Section.objects.create(
            document=copy,
            parent=ids.get(section.parent_id),
            kind=section.kind,
            order=section.order,
            heading=section.heading,
            numbered=section.numbered,
            is_part=section.is_part,
            body=section.frozen_body,
        )
    return copy


def _term_plan_years(
    organization: Organization, day: dt.date
) -> tuple[int, int] | None:
    """The years of the organisation's congress term plan holding `day`."""
    from targets.term import term_plans

    plan = next(
        (p for p in term_plans(organization=organization) if p.covers(day.year)), None
    )
    return (plan.start_year, plan.end_year) if plan else None


def _create_sections(
    document: Document, drafts: list[prefill.Draft], parent: Section | None
) -> None:
    for order, draft in enumerate(drafts, start=1):
        section = Section.objects.create(
            document=document,
            parent=parent,
            kind=draft.kind,
            order=order,
            heading=draft.heading,
            numbered=draft.numbered,
            is_part=draft.is_part,
            body=draft.body,
        )
        _create_sections(document, draft.children, parent=section)


def _claim(document: Document, version: int) -> None:
    """Bump the version if nobody saved since `version` and it is still a draft."""
    claimed = Document.objects.filter(
        pk=document.pk, version=version, status=DocumentStatus.DRAFT
    ).update(version=F("version") + 1, updated_at=timezone.now())
    if not claimed:
        document.refresh_from_db()
        if not document.is_draft:
            raise ValidationError(
                "Văn bản đã ban hành, không thể sửa. Muốn đính chính, hãy tạo văn "
                "bản mới."
            )
        raise DocumentConflict()
    document.refresh_from_db()


HEADER_FIELDS = (
    "superior_name",
    "issuer_name",
    "place",
    "dated",
    "abstract",
    "authority",
    "signer_position",
    "signer_name",
    "recipients",
    "secrecy",
    "urgency",
)


@transaction.atomic
def document_update(
    *,
    document: Document,
    version: int,
    user: AbstractBaseUser | None = None,
    **fields: object,
) -> Document:
    _claim(document, version)
    before = {name: getattr(document, name) for name in fields if name in HEADER_FIELDS}
    for name, value in fields.items():
        if name not in HEADER_FIELDS:
            raise ValueError(f"{name} is not an editable header field")
        setattr(document, name, value)
    # The number runs through the term holding the document's date.
    document.term_start_year, document.term_end_year = term_for(document.dated)
    document.save(
        update_fields=[*fields, "term_start_year", "term_end_year", "updated_at"]
    )
    _audit_edit(
        document,
        before=before,
        after={name: getattr(document, name) for name in before},
        user=user,
    )
    return document


def _audit_edit(
    document: Document,
    *,
    before: dict[str, object],
    after: dict[str, object],
    user: AbstractBaseUser | None,
    section: Section | None = None,
) -> None:
    changes = audit_diff(before, after)
    if not changes:
        return
    where = (
        f" mục “{section.heading[:80]}”"
        if section is not None and section.heading
        else ""
    )
    audit_record(
        action="document.edit",
        organization=document.organization,
        user=user,
        obj=document,
        summary=f"Sửa{where or ' đầu văn bản'} dự thảo “{document.abstract}”.",
        changes=changes,
    )


@transaction.atomic
def section_save(
    *,
    document: Document,
    section: Section,
    version: int,
    heading: str,
    body: str,
    user: AbstractBaseUser | None = None,
) -> Section:
    if section.document_id != document.pk:
        raise ValidationError("Mục không thuộc văn bản này.")
    _claim(document, version)
    before = {"heading": section.heading, "body": section.body}
    section.heading, section.body = heading.strip(), body.replace("\r\n", "\n").strip()
    section.save(update_fields=["heading", "body"])
    after = {"heading": section.heading, "body": section.body}
    _audit_edit(document, before=before, after=after, user=user, section=section)
    return section


# --- the structure: add, delete, move sections ----------------------------------------

#: Sections go four levels deep (I., 1., 1.1., 1.1.1.).
MAX_SECTION_DEPTH = 4


def _siblings(section: Section) -> list[Section]:
    """The section's siblings of the same kind (body or appendix), in order."""
    return list(
        Section.objects.filter(
            document_id=section.document_id,
            parent_id=section.parent_id,
            kind=section.kind,
        ).order_by("order", "id")
    )


def _depth_of(section: Section) -> int:
    depth, node = 1, section
    while node.parent_id is not None:
        node = Section.objects.only("parent_id", "is_part").get(pk=node.parent_id)
        depth += 0 if node.is_part else 1
    return depth


def _renumber(sections: list[Section]) -> None:
    for order, section in enumerate(sections, start=1):
        section.order = order
    Section.objects.bulk_update(sections, ["order"])


def _name(section: Section) -> str:
    return f"“{section.heading[:80]}”" if section.heading else "không tiêu đề"


@transaction.atomic
def section_add(
    *,
    document: Document,
    after: Section,
    as_child: bool,
    heading: str,
    version: int,
    user: AbstractBaseUser | None = None,
) -> Section:
    """A new section right after `after`: at its level, or as its first
    sub-section (as_child). The numbers of the sections after it follow."""
    if after.document_id != document.pk:
        raise ValidationError("Mục không thuộc văn bản này.")
    heading = heading.strip()
    if not heading:
        raise ValidationError("Nhập tiêu đề cho mục mới.")
    _claim(document, version)
    if as_child and _depth_of(after) >= MAX_SECTION_DEPTH:
        raise ValidationError(
            f"Không thể thêm mục con: văn bản chỉ chia tối đa {MAX_SECTION_DEPTH} cấp."
        )
    section = Section(
        document=document,
        kind=after.kind,
        heading=heading[:500],
        body=prefill.WRITE,
        parent_id=after.pk if as_child else after.parent_id,
    )
    if as_child:
        siblings = list(after.children.filter(kind=after.kind).order_by("order", "id"))
        position = 0
    else:
        siblings = _siblings(after)
        position = next(i for i, s in enumerate(siblings) if s.pk == after.pk) + 1
    section.order = position + 1
    section.save()
    siblings.insert(position, section)
    _renumber(siblings)
    where = f"mục con của {_name(after)}" if as_child else f"sau mục {_name(after)}"
    audit_record(
        action="document.edit",
        organization=document.organization,
        user=user,
        obj=document,
        summary=(
            f"Thêm mục “{section.heading[:80]}” ({where}) vào dự thảo "
            f"“{document.abstract}”."
        ),
        changes={"heading": (None, section.heading)},
    )
    return section


@transaction.atomic
def section_delete(
    *,
    document: Document,
    section: Section,
    version: int,
    user: AbstractBaseUser | None = None,
) -> None:
    """Delete a section with its sub-sections; the numbers after it follow."""
    if section.document_id != document.pk:
        raise ValidationError("Mục không thuộc văn bản này.")
    _claim(document, version)
    body_sections = Section.objects.filter(
        document=document, kind=section.kind, parent__isnull=True
    )
    if (
        section.parent_id is None
        and section.kind == "body"
        and body_sections.count() == 1
    ):
        raise ValidationError(
            "Không thể xóa: văn bản phải còn ít nhất một mục nội dung."
        )
    below = Section.objects.filter(document=document, parent=section).count()
    before, name = {"heading": section.heading, "body": section.body}, _name(section)
    siblings = [s for s in _siblings(section) if s.pk != section.pk]
    section.delete()
    _renumber(siblings)
    extra = " cùng các mục con" if below else ""
    audit_record(
        action="document.edit",
        organization=document.organization,
        user=user,
        obj=document,
        summary=f"Xóa mục {name}{extra} khỏi dự thảo “{document.abstract}”.",
        changes=audit_diff(before, {"heading": None, "body": None}),
    )


@transaction.atomic
def section_move(
    *,
    document: Document,
    section: Section,
    up: bool,
    version: int,
    user: AbstractBaseUser | None = None,
) -> Section:
    """Swap a section (with its sub-sections) with the one before or after it
    at the same level."""
    if section.document_id != document.pk:
        raise ValidationError("Mục không thuộc văn bản này.")
    _claim(document, version)
    siblings = _siblings(section)
    index = next(i for i, s in enumerate(siblings) if s.pk == section.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        raise ValidationError(
            "Mục đã ở đầu, không chuyển lên được."
            if up
            else "Mục đã ở cuối, không chuyển xuống được."
        )
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)
    audit_record(
        action="document.edit",
        organization=document.organization,
        user=user,
        obj=document,
        summary=(
            f"Chuyển mục {_name(section)} {'lên trên' if up else 'xuống dưới'} mục "
            f"{_name(siblings[index])} trong dự thảo “{document.abstract}”."
        ),
    )
    return section


# --- checks and issuance --------------------------------------------------------------


def document_review(document: Document) -> checks.Review:
    """What stops issuance (blocks that cannot be written out, an unfinished
    draft) and what the office must confirm (appendix rows without data, typed
    numbers that disagree with the data)."""
    return checks.review(document, build_layout(document))


def _next_number(document: Document, term_label: str) -> int:
    """Take the next number of this type in the committee's term.

    The conditional UPDATE takes the row's write lock first, so two issuances at
    once queue on it and never read the same value.
    """
    counter, _ = NumberCounter.objects.get_or_create(
        organization=document.organization,
        symbol=document.symbol,
        term_label=term_label,
    )
    NumberCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db()
    return counter.last_number


def _prepare_issue(
    document: Document, number: int, user: AbstractBaseUser | None
) -> tuple[list[Section], object]:
    """The document as it will be issued (in memory): frozen text, number, PDF."""
    from reports import pdf  # WeasyPrint is heavy; import where it is used.

    sections = list(document.sections.order_by("order", "id"))
    ctx = blocks.BlockContext(document)
    for section in sections:
        section.frozen_body, _ = blocks.expand(section.body, ctx)
    document.term_label = f"{document.term_start_year}-{document.term_end_year}"
    document.number = number
    document.status = DocumentStatus.ISSUED
    document.issued_at = timezone.now()
    document.issued_by = user
    result = pdf.render_pdf(build_layout(document, sections=sections))
    if result.problems:
        raise ValidationError(
            ["Bản PDF chưa đạt, chưa ban hành: " + p for p in result.problems]
        )
    return sections, result


def _check_for_issue(
    document: Document, *, confirm_flags: bool, confirmed_version: int | None
) -> None:
    """Refuse an unfinished draft; refuse what needs confirming unless the
    office confirmed it, on this very version of the text."""
    found = document_review(document)
    if found.problems:
        raise ValidationError(["Chưa thể ban hành: " + p for p in found.problems])
    if not found.to_confirm:
        return
    if (
        confirm_flags
        and confirmed_version is not None
        and confirmed_version != document.version
    ):
        raise ValidationError(
            "Văn bản đã được sửa sau khi số liệu được xác nhận; chưa ban hành. "
            "Kiểm tra lại các số liệu được đánh dấu rồi xác nhận lần nữa."
        )
    if not confirm_flags:
        raise ValidationError(
            [
                "Cần xác nhận trước khi ban hành: " + f"{f.section}: {f.message}"
                for f in found.to_confirm
            ]
        )


def document_issue(
    *,
    document: Document,
    user: AbstractBaseUser | None,
    confirm_flags: bool = False,
    confirmed_version: int | None = None,
) -> Document:
    """Draft → issued: number, frozen text and the stored PDF, all or nothing.

    The PDF (seconds of layout) is rendered before the transaction with the
    number the counter will most likely give, so no lock is held meanwhile; the
    transaction then takes the number and, only if someone issued in between
    (another number, or the draft changed), renders again under the lock. A
    layout the footnote check refuses uses no number and leaves the draft.
    """
    document = Document.objects.get(pk=document.pk)
    if not document.is_draft:
        return document  # already issued (a retried task): nothing to do
    _check_for_issue(
        document, confirm_flags=confirm_flags, confirmed_version=confirmed_version
    )
    term_label = f"{document.term_start_year}-{document.term_end_year}"
    predicted = (
        NumberCounter.objects.filter(
            organization=document.organization,
            symbol=document.symbol,
            term_label=term_label,
        )
        .values_list("last_number", flat=True)
        .first()
        or 0
    ) + 1
    version = document.version
    sections, result = _prepare_issue(document, predicted, user)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not locked.is_draft:
            return locked
        if locked.version != version:
            # Edited while the PDF was made: the checks again, on what is issued.
            _check_for_issue(
                locked, confirm_flags=confirm_flags, confirmed_version=confirmed_version
            )
        number = _next_number(locked, term_label)
        if number != predicted or locked.version != version:
            sections, result = _prepare_issue(locked, number, user)
            document = locked
        else:
            document.number = number
        Section.objects.bulk_update(sections, ["frozen_body"])
        document.pdf_sha256 = hashlib.sha256(result.content).hexdigest()
        name = f"{document.symbol.replace('/', '-')}-{number:02d}-{document.public_id}"
        _store(document.pdf, f"{name}.pdf", result.content)
        document.version = locked.version + 1
        document.save()
        audit_record(
            action="document.issue",
            organization=document.organization,
            user=user,
            obj=document,
            summary=f"Ban hành {document.number_and_symbol} “{document.abstract}”.",
            changes={
                "status": (DocumentStatus.DRAFT.label, DocumentStatus.ISSUED.label),
                "number": (None, document.number_and_symbol),
            },
        )
    return document


def _store(file: FieldFile, name: str, content: bytes) -> None:
    """Put `content` in the field's storage as `name`; the caller saves the row.

    A run killed after storing the file, before saving the row, left a file
    under that name: replace it, where the storage would keep both and give
    the new one another name.
    """
    file.storage.delete(file.field.generate_filename(file.instance, name))
    file.save(name, ContentFile(content), save=False)


# --- renderings (Celery) --------------------------------------------------------------


@transaction.atomic
def rendering_request(
    *,
    document: Document,
    fmt: str,
    user: AbstractBaseUser | None,
    for_issue: bool = False,
) -> Rendering:
    """Queue a rendering; the task runs once the transaction commits (or, if the
    broker is down then, when reports.renderings_catch_up finds it pending)."""
    from partyreports.queue import send_on_commit
    from reports import tasks

    rendering = Rendering.objects.create(
        document=document,
        fmt=fmt,
        for_issue=for_issue,
        requested_by=user,
        document_version=document.version,
    )
    send_on_commit(
        lambda: tasks.render_document.delay(rendering.pk),
        what=f"rendering {rendering.pk}",
    )
    return rendering


#: The rendering task's hard time limit (reports.tasks): a run claimed longer
#: ago than this (and a margin) is dead, and the rendering may be run again.
RENDER_TIME_LIMIT_S = 300
STALE_CLAIM = dt.timedelta(seconds=RENDER_TIME_LIMIT_S + 60)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim_is_dead(
    claimed_by: str, claimed_at: dt.datetime | None, now: dt.datetime
) -> bool:
    """Whether the run holding a claim is gone: no claim recorded, older than
    the task can live, or a process of this host that no longer exists (a
    worker killed mid-rendering, whose task the broker hands out again)."""
    if not claimed_by or claimed_at is None or claimed_at < now - STALE_CLAIM:
        return True
    host, _, rest = claimed_by.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


def _claim_rendering(rendering_id: int) -> str | None:
    """Claim a rendering for this run, or None when it is done or another live
    run has it. The claim is a conditional update on the attempt counter, so
    of two deliveries at once only one renders."""
    now = timezone.now()
    row = (
        Rendering.objects.filter(pk=rendering_id)
        .values("status", "attempt", "claimed_by", "claimed_at")
        .first()
    )
    if row is None or row["status"] in (RenderStatus.DONE, RenderStatus.FAILED):
        return None
    if row["status"] == RenderStatus.RUNNING and not _claim_is_dead(
        row["claimed_by"], row["claimed_at"], now
    ):
        return None
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    claimed = Rendering.objects.filter(
        pk=rendering_id, status=row["status"], attempt=row["attempt"]
    ).update(
        status=RenderStatus.RUNNING,
        attempt=F("attempt") + 1,
        claimed_by=token,
        claimed_at=now,
    )
    return token if claimed else None


def rendering_run(*, rendering_id: int) -> None:
    """Do a queued rendering once: claim it, render, store (safe to run twice).

    Whatever goes wrong ends the rendering FAILED with the reason (an
    unexpected error logged), never RUNNING for ever; a run that dies outright
    leaves a claim that reports.renderings_catch_up finds stale and sends again.
    """
    from reports import docx, pdf

    token = _claim_rendering(rendering_id)
    if token is None:
        return
    rendering = Rendering.objects.select_related(
        "document__organization", "requested_by"
    ).get(pk=rendering_id)
    try:
        if rendering.for_issue:
            # What the office confirmed is the text of the version it saw.
            document = document_issue(
                document=rendering.document,
                user=rendering.requested_by,
                confirm_flags=True,
                confirmed_version=rendering.document_version,
            )
            rendering.sha256, pages = document.pdf_sha256, None
        else:
            layout = build_layout(rendering.document)
            if rendering.fmt == "docx":
                content, pages = docx.render_docx(layout), None
            else:
                result = pdf.render_pdf(layout)
                content, pages = result.content, result.pages
                # A draft may be printed with a layout warning; issuance refuses it.
                rendering.error = " ".join(result.problems)
            name = f"{rendering.document.public_id}-{rendering.pk}.{rendering.fmt}"
            rendering.sha256 = hashlib.sha256(content).hexdigest()
            _store(rendering.file, name, content)
        rendering.pages = pages
        rendering.status = RenderStatus.DONE
    except ValidationError as exc:
        rendering.status, rendering.error = RenderStatus.FAILED, " ".join(exc.messages)
    except Exception:
        logger.exception(
            "Rendering %s of document %s failed",
            rendering.pk,
            rendering.document.public_id,
        )
        rendering.status = RenderStatus.FAILED
        rendering.error = (
            "Lỗi hệ thống khi tạo bản in, đã ghi nhận sự cố. Hãy tạo lại; nếu vẫn "
            "lỗi, báo quản trị."
        )
    # Only the run that holds the claim writes its outcome.
    Rendering.objects.filter(pk=rendering.pk, claimed_by=token).update(
        status=rendering.status,
        error=rendering.error,
        sha256=rendering.sha256,
        file=rendering.file.name or "",
        pages=rendering.pages,
        finished_at=timezone.now(),
    )
