"""PDF rendering with WeasyPrint: the one home of the printed layout.

``render_html(layout)`` gives a self-contained HTML page (stylesheet inlined, no
external URL), used for the in-browser preview; ``render_pdf(layout)`` prints the
same page with WeasyPrint and checks the result before anyone may issue it.

Two things WeasyPrint gets wrong without saying so (format.md):

* Footnotes. A note may land on the page after its call, or vanish. After every
  render the box tree is read back: each footnote must have exactly one call and
  its whole text on the call's page. If not, the paragraph holding the call is
  kept on one page and the document re-rendered, then, if still wrong, started
  on a new page; what is still wrong is returned in ``PdfResult.problems`` and
  issuance refuses it.
* Fonts. A missing family silently falls back to another font, so the family of
  settings.DOCUMENT_LAYOUT is looked up in fontconfig once per process and a
  missing one raises ImproperlyConfigured.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from reports.structure import FootnoteRef, Layout, Paragraph, SectionNode, Table

if TYPE_CHECKING:
    from weasyprint.document import Document as WeasyDocument

TEMPLATE = "reports/documents/document.html"
STYLESHEET = "reports/document.css"
# Renders in all: the first, then one per escalation (keep the paragraph whole,
# then start it on a new page).
MAX_RENDERS = 3

_NUMBER_RE = re.compile(r"^[+\-−]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*%?$|^…$")
_FAMILY_RE = re.compile(r"^[\w][\w .\-]*$")


@dataclass
class PdfResult:
    content: bytes
    pages: int
    problems: list[str] = field(default_factory=list)


# --- the HTML ----------------------------------------------------------------------


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
    header: list[str] = field(default_factory=list)
    rows: list[list[_Cell]] = field(default_factory=list)


@dataclass
class _Node:
    index: int
    number: str
    heading: str
    level: int
    new_page: bool
    blocks: list[_Block]
    children: list[_Node]

    @property
    def tag_level(self) -> int:
        return min(self.level + 1, 6)


class _Builder:
    """The template's view of a layout. Every heading, paragraph and table gets
    an index (data-i), so that a re-render can start a given one on a new page."""

    def __init__(self, new_page: frozenset[int]) -> None:
        self.new_page = new_page
        self.count = 0
        self.block_of_note: dict[int, int] = {}

    def _next(self) -> int:
        self.count += 1
        return self.count

    def paragraph(self, paragraph: Paragraph) -> _Block:
        index = self._next()
        runs = [
            _Run(note=part) if isinstance(part, FootnoteRef) else _Run(text=part)
            for part in paragraph.parts
        ]
        for run in runs:
            if run.note is not None:
                self.block_of_note[run.note.number] = index
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
        width = max([len(table.header), *(len(row) for row in table.rows)], default=0)
        header = table.header + [""] * (width - len(table.header))
        centred = {
            i for i, title in enumerate(header) if title.strip().upper() in ("STT", "TT")
        }
        rows = []
        for row in table.rows:
            cells = []
            for i, text in enumerate(row + [""] * (width - len(row))):
                if i in centred:
                    align = "center"
                elif _NUMBER_RE.match(text.strip()):
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
            new_page=index in self.new_page,
        )

    def node(self, section: SectionNode) -> _Node:
        index = self._next()
        return _Node(
            index=index,
            number=section.number,
            heading=section.heading.upper() if section.level == 1 else section.heading,
            level=section.level,
            new_page=index in self.new_page,
            blocks=[
                self.table(item) if isinstance(item, Table) else self.paragraph(item)
                for item in section.content
            ],
            children=[self.node(child) for child in section.children],
        )


def _font_css(family: str) -> str:
    if not _FAMILY_RE.match(family):
        raise ImproperlyConfigured(
            f"DOCUMENT_LAYOUT['font_family'] = {family!r}: tên phông không hợp lệ "
            "(invalid font family name)."
        )
    return f'"{family}"'


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if not path:
        raise ImproperlyConfigured(f"Static file {STYLESHEET} not found.")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _recipient_lines(lines: list[str]) -> list[str]:
    return [line if line.startswith(("-", "–")) else f"- {line}" for line in lines]


def _html(layout: Layout, new_page: frozenset[int] = frozenset()) -> tuple[str, _Builder]:
    page = dict(settings.DOCUMENT_LAYOUT)
    page["font_css"] = _font_css(page["font_family"])
    doc = {
        "is_draft": layout.is_draft,
        "superior_name": layout.superior_name,
        "issuer_name": layout.issuer_name,
        "number_and_symbol": layout.number_and_symbol,
        "place_and_date": layout.place_and_date,
        "title": layout.title,
        "abstract": layout.abstract,
        "secrecy": layout.secrecy,
        "urgency": layout.urgency,
        "authority": layout.authority,
        "signer_position": layout.signer_position,
        "signer_name": layout.signer_name,
        "recipients": _recipient_lines(layout.recipients),
    }
    builder = _Builder(new_page)
    html = render_to_string(
        TEMPLATE,
        {
            "doc": doc,
            "page": page,
            "css": _stylesheet(),
            "body": [builder.node(node) for node in layout.sections],
            "appendices": [builder.node(node) for node in layout.appendices],
            "notes": layout.footnotes,
        },
    )
    return unicodedata.normalize("NFC", html), builder


def render_html(layout: Layout) -> str:
    """The document as one self-contained HTML page: stylesheet inlined, no
    external URL, text in NFC. The preview shows it as is; the PDF prints it."""
    return _html(layout)[0]


# --- fonts and fetching ---------------------------------------------------------------

_font_config: Any = None
_fonts_checked: set[str] = set()


def _missing_font(family: str, detail: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Thiếu phông {family} ({detail}): cài gói fonts-liberation "
        f"(apt-get install fonts-liberation fontconfig). "
        f"The font family {family!r} of DOCUMENT_LAYOUT is not installed; WeasyPrint "
        f"would silently print with another font."
    )


def check_font(family: str) -> None:
    """Raise unless fontconfig has `family` itself in upright, bold and italic.

    fc-list (not fc-match) is asked: fc-match always answers with some font.
    """
    if family in _fonts_checked:
        return
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise _missing_font(family, "không có lệnh fc-list / fc-list not found")
    out = subprocess.run(
        [fc_list, "--format", "%{family}\t%{style}\n", family],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    styles: set[str] = set()
    for line in out.splitlines():
        families, _, style = line.partition("\t")
        if family.casefold() in (f.strip().casefold() for f in families.split(",")):
            styles.update(s.strip().casefold() for s in style.split(","))
    wanted = {"regular", "bold", "italic", "bold italic"}
    if not styles:
        raise _missing_font(family, "fontconfig không tìm thấy / not found by fontconfig")
    if missing := wanted - styles:
        raise _missing_font(family, "thiếu kiểu / missing styles: " + ", ".join(sorted(missing)))
    _fonts_checked.add(family)


def _weasy_font_config() -> Any:
    """One FontConfiguration per process: creating it scans the system fonts."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def _refusing_fetcher() -> Any:
    """The HTML carries its stylesheet inline and links nothing, so any fetch
    (file://, http, a font, an image) is refused and stops the rendering."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> Any:
            raise ValueError(f"Không tải tài nguyên ngoài khi in văn bản: {url}")

    return RefusingFetcher(fail_on_errors=True)


# --- footnote check --------------------------------------------------------------------


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _marker_free_text(box: Any) -> str:
    """The text of a laid-out footnote box, without its marker."""
    from weasyprint.formatting_structure.boxes import TextBox

    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, TextBox):
            parts.append(node.text)
        elif not (node.element_tag or "").endswith("::footnote-marker"):
            for child in node.children:
                walk(child)

    walk(box)
    return "".join(parts)


@dataclass
class FootnotePlacement:
    number: int
    call_pages: list[int] = field(default_factory=list)  # 1-based, one per call
    text_pages: list[int] = field(default_factory=list)  # pages holding its text
    text_found: str = ""  # the text read back, without white space


@dataclass
class _Readback:
    notes: dict[int, FootnotePlacement]
    last_block: dict[int, int]  # page → data-i of the last block on it


def _read_back(document: WeasyDocument) -> _Readback:
    """Walk WeasyPrint's box tree once: where each footnote's call and text
    ended up, and which block ends each page."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    notes: dict[int, FootnotePlacement] = {}
    last_block: dict[int, int] = {}

    def placement(element: Any) -> FootnotePlacement | None:
        raw = element.get("data-n") if element is not None else None
        if raw is None or not raw.isdigit():
            return None
        return notes.setdefault(int(raw), FootnotePlacement(int(raw)))

    for page_number, page in enumerate(document.pages, start=1):
        for child in page._page_box.children:
            if isinstance(child, FootnoteAreaBox):
                for note in child.children:
                    if (placed := placement(note.element)) is not None:
                        placed.text_pages.append(page_number)
                        placed.text_found += _squash(_marker_free_text(note))
                continue
            element = None
            for box in child.descendants():
                if box.element is not element:
                    element = box.element
                    if element is not None and (i := element.get("data-i")):
                        last_block[page_number] = int(i)
                if box.footnote is not None and (placed := placement(box.element)):
                    placed.call_pages.append(page_number)
    return _Readback(notes, last_block)


def footnote_placements(document: WeasyDocument) -> dict[int, FootnotePlacement]:
    """Where each footnote's call and text ended up, read from the box tree."""
    return _read_back(document).notes


def _footnote_problems(
    readback: _Readback, notes: list[FootnoteRef]
) -> tuple[list[str], dict[int, int]]:
    """Vietnamese messages, and the wrong footnotes with their call's page."""
    problems: list[str] = []
    wrong: dict[int, int] = {}
    for note in notes:
        placed = readback.notes.get(note.number, FootnotePlacement(note.number))
        calls = placed.call_pages
        pages = sorted(set(placed.text_pages))
        if len(calls) != 1:
            problems.append(
                f"Chú thích {note.number}: có {len(calls)} số chú thích trong bài "
                "(cần đúng 1)."
            )
            wrong[note.number] = calls[0] if calls else 0
        elif not pages or placed.text_found != _squash(note.text):
            problems.append(
                f"Chú thích {note.number} (trang {calls[0]}): lời chú thích bị mất "
                "hoặc không đầy đủ."
            )
            wrong[note.number] = calls[0]
        elif pages != calls:
            where = ", ".join(str(p) for p in pages)
            problems.append(
                f"Chú thích {note.number}: số chú thích ở trang {calls[0]} nhưng lời "
                f"chú thích ở trang {where}."
            )
            wrong[note.number] = calls[0]
    extra = sorted(set(readback.notes) - {note.number for note in notes})
    if extra:
        problems.append(
            "Có chú thích không thuộc văn bản: " + ", ".join(map(str, extra)) + "."
        )
    return problems, wrong


def footnote_problems(document: WeasyDocument, notes: list[FootnoteRef]) -> list[str]:
    """Why the footnotes of a rendered document are not each on their call's
    page (Vietnamese), or [] when they all are."""
    return _footnote_problems(_read_back(document), notes)[0]


# --- the PDF ---------------------------------------------------------------------------


def _render(layout: Layout, new_page: frozenset[int]) -> tuple[WeasyDocument, _Builder]:
    import weasyprint

    check_font(settings.DOCUMENT_LAYOUT["font_family"])
    html, builder = _html(layout, new_page)
    document = weasyprint.HTML(string=html, url_fetcher=_refusing_fetcher()).render(
        font_config=_weasy_font_config()
    )
    return document, builder


def render_document(layout: Layout) -> WeasyDocument:
    """Lay the document out with WeasyPrint, without the footnote fixes."""
    return _render(layout, frozenset())[0]


def render_pdf(layout: Layout) -> PdfResult:
    """Print the layout. `problems` lists the footnotes that are not on their
    call's page even after the fixes; issuance refuses such a PDF.

    WeasyPrint moves a page's earlier footnotes to the next page to fit the
    second line of the paragraph that ends the page (it would rather do that
    than leave one orphan line). The fix starts that last paragraph on a new
    page; if a note is still wrong, the paragraph holding its call.
    """
    new_page: set[int] = set()
    for _attempt in range(MAX_RENDERS):
        document, builder = _render(layout, frozenset(new_page))
        readback = _read_back(document)
        problems, wrong = _footnote_problems(readback, layout.footnotes)
        fixes = set()
        for number, page in wrong.items():
            for block in (readback.last_block.get(page), builder.block_of_note.get(number)):
                if block is not None and block not in new_page:
                    fixes.add(block)
                    break
        if not fixes:
            break
        new_page |= fixes
    content = document.write_pdf()
    return PdfResult(content=content, pages=len(document.pages), problems=problems)
