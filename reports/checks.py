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
from decimal import Decimal

from organizations import phrases
from organizations import selectors as org_selectors
from partyreports.formatting import (
    NumberParseError,
    format_date,
    format_number,
    format_plain,
    nfc,
    pad2,
    parse_number,
)
from reports import blocks, prefill
from reports.models import Document
from reports.structure import Flag, Layout, Paragraph, Table, section_label
from targets import calculations as calc
from targets import selectors as target_selectors

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# The clause after a pair is looked at, not consumed: the next pair may be in it.
# A date ("05/10/2023", "13/7") is not a pair: no third part, no "ngày" before.
PAIR_RE = re.compile(
    r"(?<![\d.,/])(?<!ngày "
    rf")(?P<actual>{NUMBER})\s*/\s*(?P<plan>{NUMBER})(?![\d.,]*\s*/\s*\d)(?=(?P<rest>[^;\n]{{0,40}}))"
)


# A prompt of reports/prefill.py ("(Văn phòng soạn nội dung.)"), or a date left
# as dots ("ngày …", "ngày ... tháng").
PROMPT_RE = re.compile(r"\(Văn phòng (?:soạn|điền|ghi)[^()]*\)|ngày\s*(?:…|\.{3})")


@dataclass
class Review:
    """A draft checked for issuance."""

    blocks: list[str] = field(
        default_factory=list
    )  # data blocks that cannot be written out
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
                texts.extend(
                    part.text for part in item.parts if not isinstance(part, str)
                )
            elif isinstance(item, Table):
                texts.extend(cell for row in [item.header, *item.rows] for cell in row)
        for text in texts:
            for match in PROMPT_RE.finditer(text):
                found.append(Flag(label, f"còn chỗ nhắc “{match.group(0)}” chưa soạn."))
    found.extend(layout.gaps)
    recipients = "\n".join(layout.recipients)
    if prefill.PLACEHOLDER_RECIPIENT.casefold() in recipients.casefold():
        found.append(
            Flag(
                "Nơi nhận",
                f"còn nơi nhận mẫu “{prefill.PLACEHOLDER_RECIPIENT}”: ghi tên cấp ủy "
                "cấp trên.",
            )
        )
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


def _decimal(text: str) -> Decimal | None:
    try:
        return parse_number(text)
    except NumberParseError:
        return None


def _places(text: str) -> int:
    return len(text.split(",")[1]) if "," in text else 0


def _same(typed: str, value: Decimal | None) -> bool:
    """The typed figure reads as the data's, rounded as typed ("68,9" for 68,93)."""
    number = _decimal(typed)
    if number is None or value is None:
        return True  # nothing to compare
    places = _places(typed)
    return format_number(number, places) == format_number(value, places)


MEMBERS_RE = re.compile(
    rf"(?P<cells>{NUMBER})\s+chi bộ\s*,?\s*(?:với\s+)?(?P<total>{NUMBER})\s+đảng "
    rf"viên(?:\s*,?\s*trong đó\s*:?\s*chính thức\s*:?\s*(?P<full>{NUMBER})(?:\s+đảng "
    rf"viên)?\s*,\s*dự bị\s*:?\s*(?P<probationary>{NUMBER}))?"
)
VERDICTS_RE = re.compile(
    rf"(?P<met>{NUMBER})\s+chỉ tiêu "
    rf"đạt\b[^.;\n]{{0,80}}?\svà\s+(?P<not_met>{NUMBER})\s+chỉ tiêu chưa đạt"
)
ATTAINMENT_RE = re.compile(rf"đạt\s+(?P<pct>{NUMBER})\s*%")
# A figure on its own (not one side of a pair, not a year or a quarter).
VALUE_RE = re.compile(
    r"(?<![\d.,/])(?<!năm )(?<!quý "
    rf")(?P<value>{NUMBER})(?P<percent>\s*%)?(?![\d.,]*\s*/\s*\d)"
)
CLAUSE_RE = re.compile(r";|\.\s+")
FOOTNOTE_RE = re.compile(r"\[\^[^\[\]]*\]")
PAIR_KINDS = (
    calc.Kind.COUNT,
    calc.Kind.DONE_OF_PLANNED,
    calc.Kind.PP_CHANGE,
    calc.Kind.RATE,
)
# How far before "đạt x%" its figure may stand ("cho 20.460 lao động, đạt …").
VALUE_REACH = 45


class _TypedNumbers:
    """Reads typed sentences the way the seeds write figures and compares them
    with the data the document's blocks read (the year's sheet as of the
    document's quarter; membership on its date)."""

    def __init__(self, document: Document) -> None:
        self.ctx = blocks.BlockContext(document)
        self.view: target_selectors.SheetView | None = None
        if not self.ctx.uses_term({}):
            try:
                self.view = self.ctx.sheet(
                    self.ctx.default_year, self.ctx.default_quarter
                )
            except blocks.BlockError:
                self.view = None
        self.rows = self.view.rows if self.view else []
        self.day = self.ctx.capped(
            self.ctx.period_end(self.ctx.default_year, self.ctx.default_quarter)
        )
        self._members: org_selectors.MemberCounts | None = None

    # --- whom a figure is about ---------------------------------------------

    def _by_plan(self, plan: Decimal) -> target_selectors.SheetRow | None:
        for row in self.rows:
            value = row.target.plan_value
            if (
                value is not None
                and row.target.kind in PAIR_KINDS
                and abs(value) == plan
            ):
                return row
        return None

    def _named_near(
        self, clause: str, start: int, end: int
    ) -> target_selectors.SheetRow | None:
        """The target a figure at clause[start:end] is about: the label named last
        before it, else the first after it ("Có 20.360/18.500 lao động được giải
        quyết việc làm")."""
        folded = nfc(clause).casefold()
        before, after = None, None
        last, first = -1, len(folded) + 1
        for row in self.rows:
            label = nfc(row.target.label).casefold()
            at = folded.rfind(label, 0, start)
            if at > last:
                before, last = row, at
            at = folded.find(label, end)
            if 0 <= at < first:
                after, first = row, at
        return before or after

    @staticmethod
    def _measure(row: target_selectors.SheetRow) -> Decimal | None:
        measure = row.evaluation.measure
        if measure is not None and row.target.kind == calc.Kind.PP_CHANGE:
            return abs(measure)
        return measure

    @staticmethod
    def _shown(value: Decimal | None, typed: str) -> str:
        return (
            format_number(value, _places(typed))
            if value is not None
            else "chưa có số liệu"
        )

    # --- the patterns ---------------------------------------------------------

    def clause(self, clause: str) -> list[str]:
        found: list[str] = []
        found += self._membership(clause)
        found += self._verdicts(clause)
        taken: list[tuple[int, int]] = []
        for match in PAIR_RE.finditer(clause):
            found += self._pair(match, clause, taken)
        for match in ATTAINMENT_RE.finditer(clause):
            if any(start <= match.start() < end for start, end in taken):
                continue
            found += self._single(match, clause, taken)
        return found

    def _membership(self, clause: str) -> list[str]:
        found = []
        for match in MEMBERS_RE.finditer(clause):
            if self._members is None:
                self._members = org_selectors.subtree_counts_on(
                    root=self.ctx.organization, day=self.day
                )
            counts = self._members
            typed = {
                "cells": counts.cells,
                "total": counts.total,
                "full": counts.full,
                "probationary": counts.probationary,
            }
            if any(
                match.group(name) and _decimal(match.group(name)) != value
                for name, value in typed.items()
            ):
                found.append(
                    f"“{match.group(0)}”: ngày {format_date(self.day)} có "
                    f"{phrases.membership_sentence(counts).removeprefix('hiện có ')}."
                )
        return found

    def _verdicts(self, clause: str) -> list[str]:
        if self.view is None:
            return []
        found = []
        candidates = [(g.name, g.verdicts) for g in self.view.groups] + [
            ("tất cả chỉ tiêu", self.view.verdicts)
        ]
        for match in VERDICTS_RE.finditer(clause):
            met, not_met = (
                _decimal(match.group("met")),
                _decimal(match.group("not_met")),
            )
            if any((v.met, v.not_met) == (met, not_met) for _, v in candidates):
                continue
            total = (met or 0) + (not_met or 0)
            close = [
                (n, v) for n, v in candidates if v.met + v.not_met == total
            ] or candidates[-1:]
            said = "; ".join(
                f"{name}: {pad2(v.met)} chỉ tiêu đạt và {pad2(v.not_met)} chỉ tiêu "
                "chưa đạt"
                for name, v in close
            )
            found.append(
                f"“{match.group('met')} chỉ tiêu đạt … {match.group('not_met')} chỉ "
                f"tiêu chưa đạt”: theo dữ liệu, {said}."
            )
        return found

    def _pair(
        self, match: re.Match[str], clause: str, taken: list[tuple[int, int]]
    ) -> list[str]:
        typed_actual, typed_plan = match.group("actual"), match.group("plan")
        actual, plan = _decimal(typed_actual), _decimal(typed_plan)
        if actual is None or plan is None:
            return []
        pair = f"{typed_actual}/{typed_plan}"
        row = self._by_plan(plan)
        if row is None:
            # No target has this plan: the plan itself may be wrong ("20.360/18.000").
            named = self._named_near(clause, match.start(), match.end())
            if (
                named is None
                or named.target.kind not in PAIR_KINDS
                or named.target.plan_value is None
            ):
                return []
            taken.append((match.start(), match.end() + len(match.group("rest"))))
            data_plan = abs(named.target.plan_value)
            return [
                f"“{pair}”: kế hoạch của chỉ tiêu “{named.target.label}” là "
                f"{format_plain(data_plan)}; số liệu là "
                f"{self._shown(self._measure(named), typed_actual)}/"
                f"{format_plain(data_plan)}."
            ]
        taken.append((match.start(), match.end() + len(match.group("rest"))))
        measure = self._measure(row)
        if not _same(typed_actual, measure):
            return [
                f"“{pair}”: số liệu của chỉ tiêu “{row.target.label}” là "
                f"{self._shown(measure, typed_actual)}/{typed_plan}."
            ]
        return self._attainment(match.group("rest"), row, pair)

    def _attainment(
        self, rest: str, row: target_selectors.SheetRow, what: str
    ) -> list[str]:
        pct = ATTAINMENT_RE.search(rest)
        if pct is None or row.evaluation.attainment is None:
            return []
        typed = pct.group("pct")
        if _same(typed, row.evaluation.attainment):
            return []
        return [
            f"“đạt {typed}%” cho {what}: đúng là "
            f"{self._shown(row.evaluation.attainment, typed)}%."
        ]

    def _single(
        self, match: re.Match[str], clause: str, taken: list[tuple[int, int]]
    ) -> list[str]:
        """ "cho 20.460 lao động, đạt 110,6%", "69,9% (đạt 101,7%)": the figure
        nearest before "đạt x%", about the target named before it."""
        reach = max(0, match.start() - VALUE_REACH)
        values = [
            v
            for v in VALUE_RE.finditer(clause, reach, match.start())
            if not any(start <= v.start() < end for start, end in taken)
        ]
        if not values:
            return []
        value = values[-1]
        row = self._named_near(clause, value.start(), value.end())
        if row is None:
            return []
        typed = value.group("value")
        is_percent = bool(value.group("percent"))
        if is_percent != (row.target.kind in calc.PERCENT_KINDS):
            return []
        measure = self._measure(row)
        what = f"{typed}{'%' if is_percent else ''}"
        if not _same(typed, measure):
            wrong = [
                f"“{what}”: số liệu của chỉ tiêu “{row.target.label}” là "
                f"{self._shown(measure, typed)}{'%' if is_percent else ''}"
            ]
            attainment = row.evaluation.attainment
            if attainment is not None:
                wrong[0] += f", đạt {self._shown(attainment, match.group('pct'))}%"
            return [wrong[0] + "."]
        return self._attainment(clause[match.start() :], row, what)


def typed_number_flags(document: Document) -> list[Flag]:
    """Flags for typed (not data-block) text whose numbers disagree with the data."""
    check = _TypedNumbers(document)
    flags = []
    for section in document.sections.order_by("order", "id"):
        literal = FOOTNOTE_RE.sub("", blocks.TOKEN_RE.sub(" ", section.body))
        where = section.heading or "Mục"
        for line in literal.splitlines():
            for clause in CLAUSE_RE.split(line):
                flags.extend(Flag(where, message) for message in check.clause(clause))
    return flags
