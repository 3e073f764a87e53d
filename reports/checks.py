"""What stops or holds up issuance: an unfinished draft, and numbers typed into
a draft that disagree with the data.

Unfinished (issuance refuses): a prompt the draft was pre-filled with and the
office has not replaced ("(Văn phòng soạn nội dung.)", "ngày …"), a figure a
data block printed "…" for want of data, the placeholder recipient, no
signer's name. Held (the office confirms): appendix rows without data, which
may be legitimately absent, and the typed numbers below.

The office may rewrite any sentence. Where a typed sentence states a result the
way the seeds do — "269/250 người (đạt 107,4%)" — the pair is matched with a
target whose plan is the second number, and the actual and the percentage are
compared with the data. Seed 001 prints 107,4% for 269/250: this finds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from partyreports.formatting import NumberParseError, format_number, parse_number
from reports import blocks, prefill
from reports.models import Document
from reports.structure import Flag, Layout, Paragraph, Table, section_label
from targets import calculations as calc

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# The clause after a pair is looked at, not consumed: the next pair may be in it.
# A date ("05/10/2023", "13/7") is not a pair: no third part, no "ngày" before.
PAIR_RE = re.compile(
    rf"(?<![\d.,/])(?<!ngày )(?P<actual>{NUMBER})\s*/\s*(?P<plan>{NUMBER})(?![\d.,]*\s*/\s*\d)"
    rf"(?=(?P<rest>[^;\n]{{0,40}}))"
)
PERCENT_RE = re.compile(rf"đạt\s+(?P<pct>{NUMBER})\s*%")


# A prompt of reports/prefill.py ("(Văn phòng soạn nội dung.)"), or a date left
# as dots ("ngày …", "ngày ... tháng").
PROMPT_RE = re.compile(r"\(Văn phòng (?:soạn|điền|ghi)[^()]*\)|ngày\s*(?:…|\.{3})")


@dataclass
class Review:
    """A draft checked for issuance."""

    blocks: list[str] = field(default_factory=list)  # data blocks that cannot be written out
    unfinished: list[Flag] = field(default_factory=list)  # drafting not finished
    notices: list[Flag] = field(default_factory=list)  # appendix rows without data
    flags: list[Flag] = field(default_factory=list)  # typed numbers that disagree

    @property
    def problems(self) -> list[str]:
        """What stops issuance, one line per problem, by section (Vietnamese)."""
        return self.blocks + [f"{f.section}: {f.message}" for f in self.unfinished]

    @property
    def to_confirm(self) -> list[Flag]:
        return self.notices + self.flags


def unfinished(document: Document, layout: Layout) -> list[Flag]:
    """Prompts, missing figures, the placeholder recipient, no signer."""
    found: list[Flag] = []
    for node in layout.walk():
        label = node.label or section_label(node.number, node.heading)
        texts = [node.heading]
        for item in node.content:
            if isinstance(item, Paragraph):
                texts.append(item.text)
                texts.extend(part.text for part in item.parts if not isinstance(part, str))
            elif isinstance(item, Table):
                texts.extend(cell for row in [item.header, *item.rows] for cell in row)
        for text in texts:
            for match in PROMPT_RE.finditer(text):
                found.append(Flag(label, f"còn chỗ nhắc “{match.group(0)}” chưa soạn."))
    found.extend(layout.gaps)
    recipients = "\n".join(layout.recipients)
    if prefill.PLACEHOLDER_RECIPIENT.casefold() in recipients.casefold():
        found.append(Flag(
            "Nơi nhận", f"còn nơi nhận mẫu “{prefill.PLACEHOLDER_RECIPIENT}”: ghi tên cấp ủy cấp trên."
        ))
    if not recipients.strip():
        found.append(Flag("Nơi nhận", "chưa có nơi nhận."))
    if not layout.signer_name.strip():
        found.append(Flag("Chữ ký", "chưa ghi họ tên người ký."))
    return found


def review(document: Document, layout: Layout) -> Review:
    """The checks of a draft before issuance (the layout built from its text)."""
    return Review(
        blocks=list(layout.problems),
        unfinished=unfinished(document, layout),
        notices=list(layout.notices),
        flags=typed_number_flags(document),
    )


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
