"""What the office does to a pre-filled draft before issuing it: write every
section the draft left to it, name the signer and the superior committee."""

from __future__ import annotations

from reports import prefill
from reports.checks import PROMPT_RE
from reports.models import Document

OFFICE_TEXT = "Ban Thường vụ Đảng ủy đã lãnh đạo triển khai thực hiện nhiệm vụ."
SIGNER = "Trần Chí Viễn"


def finish(document: Document, *, signer: str | None = SIGNER) -> Document:
    """Replace every prompt, sign, and name the recipients (no version bump:
    the test plays the office's earlier sessions)."""
    for section in document.sections.all():
        body = section.body.replace(prefill.MEETING_DATE, f"{document.dated:%d/%m/%Y}")
        body = PROMPT_RE.sub(OFFICE_TEXT, body)
        if body != section.body:
            section.body = body
            section.save(update_fields=["body"])
    if signer is not None:
        document.signer_name = document.signer_name or signer
    document.recipients = document.recipients.replace(
        prefill.PLACEHOLDER_RECIPIENT, "BTV Đảng ủy cấp trên"
    )
    document.save(update_fields=["signer_name", "recipients"])
    return document


def enter_results(organization, *, year: int, quarter: int) -> None:  # noqa: ANN001
    """A figure for every typed target of the year's plan that has none this
    quarter, so the data blocks have a number for each (seed 001's where known)."""
    from decimal import Decimal

    from targets import services as target_services
    from targets.models import Sheet
    from targets.selectors import plan_for

    plan = plan_for(organization=organization, year=year)
    sheet = Sheet.objects.filter(
        organization=organization, year=year, quarter=quarter
    ).first()
    have = set(sheet.results.values_list("target_id", flat=True)) if sheet else set()
    entries = {}
    for target in plan.targets.all():
        if target.is_computed or target.id in have:
            continue
        if target.kind in ("rate", "all_or_nothing"):
            entries[target.id] = target_services.Entry(
                numerator=Decimal(689), denominator=Decimal(1000)
            )
        elif target.kind == "pp_change":
            entries[target.id] = target_services.Entry(value=Decimal("-0.95"))
        else:
            value = (target.plan_value or 10) * Decimal("1.1")
            entries[target.id] = target_services.Entry(value=value.quantize(Decimal(1)))
    if entries:
        target_services.sheet_save(
            organization=organization,
            year=year,
            quarter=quarter,
            version=sheet.version if sheet else 0,
            entries=entries,
            user=None,
        )
