"""Shared by the fuzz tests: what a Vietnamese message looks like, a snapshot of
the tables a bad input must not touch, and a per-example rollback."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings

from organizations.models import (
    Handover,
    Member,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationPlacement,
    OrganizationRating,
)
from partyreports.models import AuditEvent
from reports.models import Document, Section
from targets.models import (
    Plan,
    ReportingDeadline,
    Result,
    ResultChange,
    Sheet,
    SheetTransition,
    Target,
)

#: The header of a document as its form edits it.
DOCUMENT_HEADER = (
    *("superior_name", "issuer_name", "place", "dated", "abstract", "authority"),
    *("signer_position", "signer_name", "recipients", "secrecy", "urgency"),
)

#: Hypothesis runs inside one test's database transaction: the fixtures are
#: built once and every example is rolled back (see `rolled_back`).
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
    re.IGNORECASE,
)
# Words of Django's and openpyxl's untranslated English messages.
_ENGLISH = re.compile(
    r"\b(the|is|are|not|must|this|field|enter|ensure|allowed|characters?|invalid|"
    r"error|file|sheet \d|cell|value|expected|cannot|could)\b",
    re.IGNORECASE,
)
# What a message quotes back to the user: “…” and "…".
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"", re.DOTALL)


def is_vietnamese(message: str, echoed: Iterable[str] = ()) -> bool:
    """The message is written in Vietnamese, once what it quotes back from the
    user's input (which may be anything, English included) is taken out."""
    text = unicodedata.normalize("NFC", str(message))
    for value in sorted(echoed, key=len, reverse=True):
        if len(value) >= 2:
            text = text.replace(unicodedata.normalize("NFC", value), " ")
    text = _QUOTED.sub(" ", text)
    # "Sheet" is the word Vietnamese Excel users say too.
    text = text.replace("Sheet", " ")
    return bool(_VIETNAMESE_LETTERS.search(text)) and not _ENGLISH.search(text)


def snapshot() -> dict[str, object]:
    """Everything an importer or a form may write, by table."""
    return {
        "organizations": Organization.objects.count(),
        "organization placements": OrganizationPlacement.objects.count(),
        "members": list(
            Member.objects.order_by("pk").values_list(
                "pk",
                "full_name",
                "sex",
                "date_of_birth",
                "ethnicity",
                "party_card_number",
                "organization_id",
                "left_on",
            )
        ),
        "member placements": MemberPlacement.objects.count(),
        "member events": MemberEvent.objects.count(),
        "organization fields": list(
            Organization.objects.order_by("pk").values_list(
                *("pk", "name", "short_name", "kind", "code", "superior_name"),
                *("parent_id", "path", "dissolved_on", "merged_into_id"),
            )
        ),
        "ratings": [
            *OrganizationRating.objects.order_by("pk").values_list(
                "pk", "organization_id", "year", "grade"
            ),
            *MemberRating.objects.order_by("pk").values_list(
                "pk", "member_id", "year", "grade"
            ),
        ],
        "handovers": Handover.objects.count(),
        "plans": list(
            Plan.objects.order_by("pk").values_list(
                "pk", "title", "start_year", "end_year", "resolution"
            )
        ),
        "targets": list(
            Target.objects.order_by("pk").values_list(
                "pk", "plan_id", "label", "plan_value", "plan_high", "kind", "parent_id"
            )
        ),
        "deadlines": list(
            ReportingDeadline.objects.order_by("pk").values_list(
                "pk", "organization_id", "year", "quarter", "due_on"
            )
        ),
        "sheets": list(
            Sheet.objects.order_by("pk").values_list(
                "pk", "version", "status", "return_reason"
            )
        ),
        "sheet transitions": SheetTransition.objects.count(),
        "results": list(
            Result.objects.order_by("pk").values_list(
                "pk", "value", "numerator", "denominator", "note"
            )
        ),
        "result changes": ResultChange.objects.count(),
        "documents": list(Document.objects.order_by("pk").values_list("pk", "version")),
        "document headers": list(
            Document.objects.order_by("pk").values_list("pk", *DOCUMENT_HEADER)
        ),
        "sections": list(
            Section.objects.order_by("pk").values_list("pk", "heading", "body")
        ),
        "audit events": AuditEvent.objects.count(),
    }


def changed_tables(before: dict[str, object], after: dict[str, object]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one Hypothesis example in a savepoint that is always rolled back, so
    a valid input that did write leaves the next example the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
