"""A document as a tree ready to print: numbered sections, paragraphs with
footnote calls, tables, and the header and signature fields.

PDF (reports/pdf/) and Word (reports/docx.py) both render this one structure,
so the two copies always say the same thing.

Body markup (what the office types, and what data blocks expand to):
  one paragraph per line; "- " and "+ " start list items, "* " a bold-star lead;
  "[^text]" is a footnote at that point; lines starting with "|" are table rows
  (the first row is the header); "[[…]]" is a data block (reports/blocks.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from partyreports.formatting import format_document_date
from reports import blocks, metrics
from reports.models import Document, Section, SectionKind

FOOTNOTE_RE = re.compile(r"\[\^(?P<text>[^\[\]]*)\]")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
ORDINALS = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười"]


def part_number(index: int) -> str:
    """ "Phần thứ nhất", "Phần thứ hai" (seed 004)."""
    word = ORDINALS[index - 1] if index <= len(ORDINALS) else str(index)
    return f"Phần thứ {word}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Flag:
    """Something to fix or confirm before issuance, named by its section."""

    section: str
    message: str


@dataclass
class FootnoteRef:
    number: int
    text: str


@dataclass
class Paragraph:
    """kind: "p" (plain), "dash" ("- "), "plus" ("+ "), "star" ("* ")."""

    kind: str
    parts: list[str | FootnoteRef]

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else "" for p in self.parts)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class SectionNode:
    number: str
    heading: str
    level: int
    kind: str
    content: list[Paragraph | Table] = field(default_factory=list)
    children: list[SectionNode] = field(default_factory=list)
    section_id: int | None = None
    is_part: bool = False  # "Phần thứ nhất": level 0, its children I., II.
    label: str = ""  # how messages name it: "mục 1. Lãnh đạo …", "đoạn mở đầu"


@dataclass
class Layout:
    document: Document
    is_draft: bool
    superior_name: str
    issuer_name: str
    number_and_symbol: str
    place_and_date: str
    title: str
    abstract: str
    secrecy: str
    urgency: str
    sections: list[SectionNode]
    appendices: list[SectionNode]
    footnotes: list[FootnoteRef]
    authority: str
    signer_position: str
    signer_name: str
    recipients: list[str]
    problems: list[str]
    # The header names as printed, line by line ("|" in a name breaks it there).
    superior_lines: list[str] = field(default_factory=list)
    issuer_lines: list[str] = field(default_factory=list)
    # Numbers a data block could not find (printed "…"): issuance refuses them.
    gaps: list[Flag] = field(default_factory=list)
    # Appendix rows without data: the office confirms they are really missing.
    notices: list[Flag] = field(default_factory=list)

    def walk(self) -> list[SectionNode]:
        out: list[SectionNode] = []
        stack = list(reversed(self.sections + self.appendices))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def plain_text(self) -> str:
        """Every sentence of the body, for checks and tests."""
        lines = []
        for node in self.walk():
            lines.append(f"{node.number} {node.heading}".strip())
            for item in node.content:
                if isinstance(item, Paragraph):
                    lines.append(item.text)
                else:
                    lines.extend(" | ".join(row) for row in [item.header, *item.rows])
        lines.extend(f.text for f in self.footnotes)
        return "\n".join(lines)


def section_number(level: int, index: int, parents: list[int], kind: str) -> str:
    """I., 1., 1.1., 1.1.1. — appendices are "Phụ lục 1", "Phụ lục 2"."""
    if kind == SectionKind.APPENDIX and level == 1:
        return f"Phụ lục {index}"
    if level == 1:
        return f"{ROMAN[index - 1] if index <= len(ROMAN) else index}."
    if level == 2:
        return f"{index}."
    return ".".join(str(i) for i in [*parents[1:], index]) + "."


def _header(name: str) -> str:
    return nfc(" ".join(name.upper().split()))


def _one_line(name: str) -> str:
    """A header name without its manual line breaks ("|")."""
    return " ".join(_header(name).replace("|", " ").split())


def section_label(number: str, heading: str) -> str:
    """How messages name a section: "mục 1. Lãnh đạo …", "Phụ lục 1"."""
    text = " ".join(part for part in (number, nfc(heading).strip()) if part)
    if not text:
        return "đoạn không có tiêu đề"
    return text if number.startswith("Phụ lục") else f"mục {text}"


class _Footnotes:
    def __init__(self) -> None:
        self.items: list[FootnoteRef] = []

    def add(self, text: str) -> FootnoteRef:
        ref = FootnoteRef(number=len(self.items) + 1, text=nfc(text.strip()))
        self.items.append(ref)
        return ref


def parse_body(text: str, notes: _Footnotes) -> list[Paragraph | Table]:
    content: list[Paragraph | Table] = []
    table_lines: list[list[str]] = []

    def flush_table() -> None:
        if table_lines:
            content.append(Table(header=table_lines[0], rows=table_lines[1:]))
            table_lines.clear()

    for raw in nfc(text).splitlines():
        line = raw.strip()
        if line.startswith("|"):
            table_lines.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        flush_table()
        if not line:
            continue
        kind = "p"
        for prefix, name in (("- ", "dash"), ("+ ", "plus"), ("* ", "star")):
            if line.startswith(prefix):
                kind, line = name, line[len(prefix) :]
                break
        parts: list[str | FootnoteRef] = []
        position = 0
        for match in FOOTNOTE_RE.finditer(line):
            parts.append(line[position : match.start()])
            parts.append(notes.add(match.group("text")))
            position = match.end()
        parts.append(line[position:])
        content.append(Paragraph(kind=kind, parts=[p for p in parts if p != ""]))
    flush_table()
    return content


def build_layout(
    document: Document, *, sections: list[Section] | None = None
) -> Layout:
    """The document ready to print: frozen text once issued, else data blocks
    written out from today's data (problems listed, not raised)."""
    if sections is None:
        sections = list(document.sections.order_by("order", "id"))
    ctx = blocks.BlockContext(document)
    notes = _Footnotes()
    problems: list[str] = []
    by_parent: dict[int | None, list[Section]] = {}
    for section in sections:
        by_parent.setdefault(section.parent_id, []).append(section)

    gaps: list[Flag] = []
    notices: list[Flag] = []

    def body_of(section: Section, label: str) -> str:
        if not document.is_draft:
            return section.frozen_body
        seen_gaps, seen_notices = len(ctx.gaps), len(ctx.notices)
        expanded, found = blocks.expand(section.body, ctx)
        problems.extend(f"{label}: {p}" for p in found)
        gaps.extend(Flag(label, message) for message in ctx.gaps[seen_gaps:])
        notices.extend(Flag(label, message) for message in ctx.notices[seen_notices:])
        return expanded

    def build(
        parent_id: int | None, level: int, numbers: list[int], kind: str
    ) -> list[SectionNode]:
        nodes = []
        index = parts = 0
        for section in by_parent.get(parent_id, []):
            if section.kind != kind:
                continue
            if section.is_part and parent_id is None and kind == SectionKind.BODY:
                # A part: unnumbered among the sections, its own I., II. under it.
                parts += 1
                number = part_number(parts)
                node = SectionNode(
                    number=number,
                    heading=nfc(section.heading),
                    level=0,
                    kind=kind,
                    content=parse_body(body_of(section, number), notes),
                    section_id=section.id,
                    is_part=True,
                    label=number,
                )
                node.children = build(section.id, 1, [], kind)
                nodes.append(node)
                continue
            if section.numbered:
                index += 1
            number = (
                section_number(level, index, numbers, kind) if section.numbered else ""
            )
            label = section_label(number, section.heading)
            if not number and not section.heading.strip():
                # An untitled paragraph: the preamble, or the closing words.
                label = (
                    f"đoạn sau mục {nodes[-1].number}"
                    if nodes and nodes[-1].number
                    else "đoạn mở đầu"
                )
            node = SectionNode(
                number=number,
                heading=nfc(section.heading),
                level=level,
                kind=kind,
                content=parse_body(body_of(section, label), notes),
                section_id=section.id,
                label=label,
            )
            node.children = build(section.id, level + 1, [*numbers, index], kind)
            nodes.append(node)
        return nodes

    body = build(None, 1, [], SectionKind.BODY)
    appendices = build(None, 1, [], SectionKind.APPENDIX)
    return Layout(
        document=document,
        is_draft=document.is_draft,
        superior_name=_one_line(document.superior_name),
        issuer_name=_one_line(document.issuer_name),
        superior_lines=metrics.header_lines(
            _header(document.superior_name), bold=False
        ),
        issuer_lines=metrics.header_lines(_header(document.issuer_name), bold=True),
        number_and_symbol=document.number_and_symbol,
        place_and_date=f"{nfc(document.place)}, {format_document_date(document.dated)}",
        title=nfc(document.title.upper()),
        abstract=nfc(document.abstract),
        secrecy=document.secrecy,
        urgency=document.urgency,
        sections=body,
        appendices=appendices,
        footnotes=notes.items,
        authority=document.authority,
        signer_position=document.signer_position,
        signer_name=nfc(document.signer_name),
        recipients=[nfc(r) for r in document.recipient_lines],
        problems=problems,
        gaps=gaps,
        notices=notices,
    )
