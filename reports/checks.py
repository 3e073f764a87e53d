"""Numbers typed into a draft that disagree with the data, flagged before issuance.

The office may rewrite any sentence. Where a typed sentence states a result the
way the seeds do — "269/250 người (đạt 107,4%)" — the pair is matched with a
target whose plan is the second number, and the actual and the percentage are
compared with the data. Seed 001 prints 107,4% for 269/250: this finds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from partyreports.formatting import NumberParseError, format_number, parse_number
from reports import blocks
from reports.models import Document
from targets import calculations as calc

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# The clause after a pair is looked at, not consumed: the next pair may be in it.
PAIR_RE = re.compile(rf"(?<![\d.,])(?P<actual>{NUMBER})\s*/\s*(?P<plan>{NUMBER})(?=(?P<rest>[^;\n]{{0,40}}))")
PERCENT_RE = re.compile(rf"đạt\s+(?P<pct>{NUMBER})\s*%")


@dataclass(frozen=True)
class Flag:
    section: str
    message: str


def _decimal(text: str):  # noqa: ANN202
    try:
        return parse_number(text)
    except NumberParseError:
        return None


def typed_number_flags(document: Document) -> list[Flag]:
    """Flags for typed (not data-block) text whose numbers disagree with the data."""
    ctx = blocks.BlockContext(document)
    try:
        rows = ctx.sheet(ctx.default_year, ctx.default_quarter).rows
    except blocks.BlockError:
        return []
    facts = []
    for row in rows:
        plan = row.target.plan_value
        if plan is None or row.target.kind not in (calc.Kind.COUNT, calc.Kind.DONE_OF_PLANNED):
            continue
        facts.append((abs(plan), row))
    flags = []
    for section in document.sections.all():
        literal = blocks.TOKEN_RE.sub(" ", section.body)
        for match in PAIR_RE.finditer(literal):
            actual, plan = _decimal(match.group("actual")), _decimal(match.group("plan"))
            if actual is None or plan is None:
                continue
            for plan_value, row in facts:
                if plan_value != plan:
                    continue
                data_actual = row.evaluation.measure
                where = section.heading or "Mục"
                if data_actual is not None and actual != data_actual:
                    flags.append(Flag(where, (
                        f"“{match.group('actual')}/{match.group('plan')}”: số liệu của chỉ tiêu "
                        f"“{row.target.label}” là {format_number(data_actual)}/{format_number(plan)}."
                    )))
                    break
                pct = PERCENT_RE.search(match.group("rest"))
                if pct and row.evaluation.attainment is not None:
                    typed = _decimal(pct.group("pct"))
                    places = len(pct.group("pct").split(",")[1]) if "," in pct.group("pct") else 0
                    shown = format_number(row.evaluation.attainment, places)
                    if typed is not None and format_number(typed, places) != shown:
                        flags.append(Flag(where, (
                            f"“đạt {pct.group('pct')}%” cho {match.group('actual')}/{match.group('plan')}: "
                            f"đúng là {shown}%."
                        )))
                break
    return flags
