"""The document as HTML: the template's view of a Layout.

``document_html`` writes the whole document (the preview), the body (header to
signature) or the appendices; for a re-render after a footnote fix, the body
from one block on (``start``), to be laid out apart and joined after the pages
that come before it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from reports import metrics
from reports.structure import FootnoteRef, Layout, Paragraph, SectionNode, Table

TEMPLATE = "reports/documents/document.html"
NUMBERS_TEMPLATE = "reports/documents/page_numbers.html"
STYLESHEET = "reports/document.css"

# A figure, as tables print them: "20.360", "-0,95%", "trên 95,0%", "300/năm";
# "–" or "…" for none. Right-aligned and never wrapped.
_NUMBER_RE = re.compile(
    r"^(?:(?:trên|dưới|không quá|từ)\s)?"
    r"[+\-−]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*%?(/năm)?$"
    r"|^[…–-]$"
)
_FAMILY_RE = re.compile(r"^\w[\w .\-]*$")


@dataclass
class _Run:
    text: str = ""
    note: FootnoteRef | None = None


@dataclass
class _Cell:
    text: str
    align: str = ""  # "" (left), "num" (right), "center"


@dataclass
class _Block:
    index: int
    kind: str  # p, dash, plus, star, table
    runs: list[_Run] = field(default_factory=list)
    lead: str = ""
    new_page: bool = False
    # The first block of a body laid out from `start`: its top margin goes, as
    # WeasyPrint drops it at the top of a page it moved to without being told.
    cut: bool = False
    header: list[str] = field(default_factory=list)
    rows: list[list[_Cell]] = field(default_factory=list)
    widths: list[str] = field(default_factory=list)  # CSS percentages


@dataclass
class _Node:
    index: int
    number: str
    heading: str
    level: int
    new_page: bool
    blocks: list[_Block]
    children: list[_Node]
    shown: bool = True  # False: the heading comes before `start`
    cut: bool = False
    is_part: bool = False  # "Phần thứ nhất" over its title, centred

    @property
    def tag_level(self) -> int:
        return min(self.level + 1, 6)


def _column_widths(header: list[str], rows: list[list[_Cell]]) -> list[str]:
    """Column widths from the printed width of the text they hold, for
    `table-layout: fixed` (WeasyPrint's automatic table layout measures every
    cell first: a third of the time of a long Phụ lục). A figure is never
    wrapped: its column is at least as wide as the widest."""
    layout = settings.DOCUMENT_LAYOUT
    width_pt = (210 - layout["margin_left_mm"] - layout["margin_right_mm"]) * 72 / 25.4
    unbroken = [
        bool(rows) and all(row[i].align == "num" or not row[i].text for row in rows)
        for i in range(len(header))
    ]
    widths = metrics.column_widths(
        header,
        [[cell.text for cell in row] for row in rows],
        unbroken,
        width_pt=width_pt,
        family=layout["font_family"],
        size_pt=metrics.TABLE_SIZE_PT,
    )
    total = sum(widths)
    return [f"{100 * width / total:.2f}%" for width in widths]


class Builder:
    """The template's view of a layout. Every heading, paragraph and table gets
    an index (data-i), in document order, so that a re-render can start it on
    a new page, or start laying the body out from it."""

    def __init__(self, new_page: frozenset[int]) -> None:
        self.new_page = new_page
        self.count = 0
        self.block_of_note: dict[int, int] = {}
        # Kept with what follows them (`break-after: avoid`).
        self.headings: set[int] = set()
        self.notes_in: dict[str, list[int]] = {}
        self.part = "body"

    def _next(self) -> int:
        self.count += 1
        return self.count

    def nodes(self, part: str, sections: list[SectionNode]) -> list[_Node]:
        self.part = part
        self.notes_in.setdefault(part, [])
        return [self.node(section) for section in sections]

    def node(self, section: SectionNode) -> _Node:
        index = self._next()
        self.headings.add(index)
        return _Node(
            index=index,
            number=section.number,
            heading=section.heading.upper() if section.level <= 1 else section.heading,
            level=section.level,
            is_part=section.is_part,
            new_page=index in self.new_page,
            blocks=[
                self.table(item) if isinstance(item, Table) else self.paragraph(item)
                for item in section.content
            ],
            children=[self.node(child) for child in section.children],
        )

    def paragraph(self, paragraph: Paragraph) -> _Block:
        index = self._next()
        runs = [
            _Run(note=part) if isinstance(part, FootnoteRef) else _Run(text=part)
            for part in paragraph.parts
        ]
        for run in runs:
            if run.note is not None:
                self.block_of_note[run.note.number] = index
                self.notes_in[self.part].append(run.note.number)
        lead = ""
        if paragraph.kind == "star":
            # "* Về chỉ tiêu: …": the lead up to the colon is bold, or the whole line.
            head = runs[0].text if runs and runs[0].note is None else ""
            cut = head.find(":")
            if cut >= 0:
                lead, runs[0] = "* " + head[: cut + 1], _Run(text=head[cut + 1 :])
            elif len(runs) == 1 and head:
                lead, runs = "* " + head, []
            else:
                lead = "*"
                runs.insert(0, _Run(text=" "))
        elif prefix := {"dash": "- ", "plus": "+ "}.get(paragraph.kind):
            runs.insert(0, _Run(text=prefix))
        return _Block(
            index=index,
            kind=paragraph.kind,
            runs=runs,
            lead=lead,
            new_page=index in self.new_page,
        )

    def table(self, table: Table) -> _Block:
        index = self._next()
        width = max([len(table.header), *(len(row) for row in table.rows)])
        header = table.header + [""] * (width - len(table.header))
        centred = {
            i for i, title in enumerate(header) if title.upper() in ("STT", "TT")
        }
        rows = []
        for row in table.rows:
            cells = []
            for i, text in enumerate(row + [""] * (width - len(row))):
                if i in centred:
                    align = "center"
                elif _NUMBER_RE.match(text):
                    align = "num"
                else:
                    align = ""
                cells.append(_Cell(text=text, align=align))
            rows.append(cells)
        return _Block(
            index=index,
            kind="table",
            header=header,
            rows=rows,
            widths=_column_widths(header, rows),
            new_page=index in self.new_page,
        )


def _from(nodes: list[_Node], start: int) -> None:
    """Keep what comes from block `start` on (indices follow document order)."""
    for node in nodes:
        node.shown = node.index >= start
        node.cut = node.index == start and not node.new_page
        node.blocks = [block for block in node.blocks if block.index >= start]
        for block in node.blocks:
            block.cut = block.index == start and not block.new_page
        _from(node.children, start)


def _font_css(family: str) -> str:
    if not _FAMILY_RE.match(family):
        raise ImproperlyConfigured(
            f"DOCUMENT_LAYOUT['font_family'] = {family!r}: tên phông không hợp lệ "
            "(not a valid font family name)."
        )
    return f'"{family}"'


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if not path:
        raise ImproperlyConfigured(f"Static file {STYLESHEET} not found.")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def document_html(
    layout: Layout,
    *,
    part: str = "all",
    new_page: frozenset[int] = frozenset(),
    first_page: int = 1,
    start: int | None = None,
    numbered: bool = True,
) -> tuple[str, Builder]:
    """part: "all" (the preview), "body" (header to signature) or "appendices",
    numbered from `first_page`, or without page numbers (`numbered` False) for
    a part whose numbers are printed apart (page_numbers_html). With `start`,
    the body from the block of that index on, without the header: the rest of
    the body after a cut at a page that opened with that block."""
    page = _page_settings()
    recipients = [
        line if line.startswith(("-", "–")) else f"- {line}"
        for line in layout.recipients
    ]
    builder = Builder(new_page)
    body = builder.nodes("body", layout.sections)
    if start is not None:
        _from(body, start)
    html = render_to_string(
        TEMPLATE,
        {
            "part": part,
            "first_page": first_page,
            "numbered": numbered,
            "from_top": start is None,
            "doc": layout,
            "recipients": recipients,
            "page": page,
            "css": _stylesheet(),
            "body": body,
            "appendices": builder.nodes("appendices", layout.appendices),
            "notes": layout.footnotes,
        },
    )
    return unicodedata.normalize("NFC", html), builder


@dataclass(frozen=True)
class Bookmark:
    """An outline entry of a laid-out page: WeasyPrint's (level, label,
    (x, y) in CSS px from the page's corner, state)."""

    level: int
    label: str
    x: float
    y: float
    state: str


def page_numbers_html(first_page: int, pages: list[list[Bookmark]]) -> str:
    """Blank pages numbered from `first_page`, one per item of `pages`, each
    holding its outline entries where they were: what a part printed without
    page numbers is laid over, so that its pages get their numbers and the
    PDF's outline its entries."""
    page = _page_settings()
    px_per_mm = 96 / 25.4
    top, left = page["margin_top_mm"] * px_per_mm, page["margin_left_mm"] * px_per_mm
    marks = [
        [
            {
                "level": max(1, int(mark.level)),
                "label_css": _css_string(mark.label),
                "state": "closed" if mark.state == "closed" else "open",
                "left": f"{mark.x - left:.3f}",
                "top": f"{mark.y - top:.3f}",
            }
            for mark in bookmarks
        ]
        for bookmarks in pages
    ]
    html = render_to_string(
        NUMBERS_TEMPLATE,
        {
            "first_page": first_page,
            "page": page,
            "css": _stylesheet(),
            "pages": marks,
        },
    )
    return unicodedata.normalize("NFC", html)


def _css_string(text: str) -> str:
    """`text` as a CSS string (the template escapes it for the attribute)."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_settings() -> dict:
    page = dict(settings.DOCUMENT_LAYOUT)
    page["font_css"] = _font_css(page["font_family"])
    return page


def render_html(layout: Layout) -> str:
    """The whole document as one self-contained HTML page: stylesheet inlined,
    no external URL, text in NFC. Screen media shows it as a sheet with the
    footnotes listed at the end; print media is what WeasyPrint lays out."""
    return document_html(layout)[0]
