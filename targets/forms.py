"""Reading the entry sheet's POST: Vietnamese numbers, per-field errors, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import QueryDict

from partyreports.formatting import NumberParseError, parse_number
from partyreports.formatting import format_plain as plain_number
from targets import calculations as calc
from targets.selectors import SheetView
from targets.services import Entry, entry_problems

#: A quarter's value this many times above (or below 1/x of) the last quarter's
#: or last year's asks the cadre to confirm it (DHIS2-style outlier check).
OUTLIER_FACTOR = Decimal(3)


def field_names(target_id: int) -> dict[str, str]:
    return {
        "value": f"v-{target_id}",
        "numerator": f"n-{target_id}",
        "denominator": f"d-{target_id}",
        "note": f"note-{target_id}",
    }


@dataclass
class ParsedSheet:
    entries: dict[int, Entry] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[int, str] = field(default_factory=dict)

    def by_target(self) -> dict[int, list[str]]:
        """Error messages grouped by the target whose field they belong to."""
        grouped: dict[int, list[str]] = {}
        for name, message in self.errors.items():
            target_id = int(name.rsplit("-", 1)[1])
            grouped.setdefault(target_id, []).append(message)
        return grouped

    @property
    def typed(self) -> dict[int, calc.Figures]:
        return {
            tid: calc.Figures(value=e.value, numerator=e.numerator, denominator=e.denominator)
            for tid, e in self.entries.items()
        }


def _number(data: QueryDict, name: str, errors: dict[str, str]) -> Decimal | None:
    raw = data.get(name, "").strip()
    if raw == "":
        return None
    try:
        return parse_number(raw)
    except NumberParseError as exc:
        errors[name] = exc.message
        return None


def parse_sheet(data: QueryDict, view: SheetView) -> ParsedSheet:
    """Parse every manual row; collect errors by field name and outlier warnings."""
    parsed = ParsedSheet()
    for row in view.rows:
        target = row.target
        if target.is_computed:
            continue
        names = field_names(target.id)
        entry = Entry(
            value=_number(data, names["value"], parsed.errors),
            numerator=_number(data, names["numerator"], parsed.errors),
            denominator=_number(data, names["denominator"], parsed.errors),
            note=data.get(names["note"], "").strip()[:500],
        )
        problems = entry_problems(target, entry)
        if problems:
            parsed.errors.setdefault(names["numerator"] if entry.numerator is not None else names["value"], " ".join(problems))
        parsed.entries[target.id] = entry
        warning = _outlier(entry, row.last_quarter, "quý trước") or _outlier(entry, row.last_year, "cùng kỳ năm trước")
        if warning:
            parsed.warnings[target.id] = warning
    return parsed


def _outlier(entry: Entry, previous: calc.Figures | None, what: str) -> str:
    if previous is None or entry.value is None or previous.value is None:
        return ""
    before, now = Decimal(previous.value), entry.value
    if before <= 0 or now <= 0:
        return ""
    if now > before * OUTLIER_FACTOR or now * OUTLIER_FACTOR < before:
        return (
            f"Giá trị {plain_number(now)} khác nhiều so với {what} "
            f"({plain_number(before)}). Kiểm tra lại hoặc xác nhận."
        )
    return ""
