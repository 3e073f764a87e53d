"""Reading the dashboard's Excel copy back as the page shows it (tests)."""

from __future__ import annotations

import re
from decimal import Decimal

from partyreports.formatting import format_number, format_percent


def excel_text(cell) -> str:  # noqa: ANN001
    """An exported cell as the page writes it: a number read through its number
    format ("0.00%", '"trên "0.0%', "#,##0"), the Vietnamese way."""
    value, code = cell.value, cell.number_format
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    signed = code.startswith("+")
    code = code.split(";")[0].lstrip("+")
    prefix = re.match(r'^"([^"]*)"', code)
    body = code[prefix.end() :] if prefix else code
    places = len(body.rstrip("%").split(".")[1]) if "." in body else 0
    number = Decimal(str(value))
    if body.endswith("%"):
        text = format_percent(number * 100, places)
    else:
        text = format_number(number, places)
    if signed and number > 0:
        text = "+" + text
    return (prefix.group(1) if prefix else "") + text


def excel_target_row(cells) -> list[str]:  # noqa: ANN001
    """A row of the exported targets sheet as the page's row: the numerator and
    denominator back in brackets after the figure ("88,68% (94/106)")."""
    label, unit, plan, done, top, bottom, attainment, verdict = cells
    done_text = excel_text(done)
    if top.value is not None:
        done_text += f" ({excel_text(top)}/{excel_text(bottom)})"
    return [
        label.value,
        unit.value or "",
        excel_text(plan),
        done_text,
        excel_text(attainment),
        verdict.value,
    ]
