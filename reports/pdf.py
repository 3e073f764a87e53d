"""PDF rendering with WeasyPrint: the one home of the printed layout.

``render_html(layout)`` gives one self-contained HTML page (stylesheet inlined,
no external URL, NFC text), shown by the in-browser preview; ``render_pdf(layout)``
prints the same markup with WeasyPrint and checks the result before anyone may
issue it. The layout values live in settings.DOCUMENT_LAYOUT and
static/reports/document.css, the markup in templates/reports/documents/.

Two things WeasyPrint gets wrong without saying so (format.md):

* Footnotes. A note may land on the page after its call, or vanish. After each
  render the box tree is read back (no PDF parsing): every footnote must have one
  call, and its whole text in the footnote area of the call's page. When one is
  wrong, the block that ends the call's page (then the paragraph holding the
  call) is started on a new page and the part re-rendered; whatever is still
  wrong is returned in ``PdfResult.problems`` and issuance refuses the PDF.
* Fonts. A missing family, or missing letters, silently fall back to another
  font, so the family of settings.DOCUMENT_LAYOUT is looked up with fontconfig
  once per process, with the Vietnamese alphabet in four styles, and raises
  ImproperlyConfigured when it is not there.

The body and the appendices (which always start on a new page) are laid out as
two WeasyPrint documents and joined page by page, so that a footnote fix in the
body does not lay out a long Phụ lục table again.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from reports.structure import FootnoteRef, Layout, Paragraph, SectionNode, Table

if TYPE_CHECKING:
    from weasyprint.document import Document as WeasyDocument

logger = logging.getLogger(__name__)

TEMPLATE = "reports/documents/document.html"
STYLESHEET = "reports/document.css"
# Renders of one part at most: the first, then one per round of fixes.
MAX_RENDERS = 4

_NUMBER_RE = re.compile(r"^[+\-−]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*%?$|^…$")
_FAMILY_RE = re.compile(r"^\w[\w .\-]*$")


@dataclass
class PdfResult:
    content: bytes
    pages: int
    problems: list[str] = field(default_factory=list)


# --- the HTML -------------------------------------------------------------------------


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

    @property
    def tag_level(self) -> int:
        return min(self.level + 1, 6)


# About how many characters of table text (13 pt) fit across the page, counting
# two per column for the cell padding.
_TABLE_CHARS = 95


def _column_widths(header: list[str], rows: list[list[_Cell]]) -> list[str]:
    """Column widths from the text they hold, for `table-layout: fixed`
    (WeasyPrint's automatic table layout measures every cell first: a third
    of the time of a long Phụ lục). Short columns get their whole text on one
    line; the long ones share the rest, none narrower than its longest word."""
    narrowest, widest = [], []
    for i, title in enumerate(header):
        cells = [row[i] for row in rows]
        words = [len(word) for word in title.split()]
        for cell in cells:
            if cell.align == "num":  # not wrapped
                words.append(len(cell.text))
            else:
                words.extend(len(word) for word in cell.text.split())
        longest = max([max(words, default=1), *(len(cell.text) for cell in cells)])
        # Letters run wider than digits; the padding takes about two.
        scale = 1.0 if cells and all(cell.align == "num" for cell in cells) else 1.1
        narrowest.append(max(words, default=1) * scale + 2)
        widest.append(longest * scale + 3)
    widths = list(widest)
    if sum(widest) > _TABLE_CHARS:
        long = [i for i, width in enumerate(widest) if width > 15]
        room = _TABLE_CHARS - sum(w for i, w in enumerate(widest) if i not in long)
        share = sum(widest[i] for i in long) or 1
        for i in long:
            widths[i] = max(narrowest[i], room * widest[i] / share)
    total = sum(widths)
    return [f"{100 * width / total:.2f}%" for width in widths]


class _Builder:
    """The template's view of a layout. Every heading, paragraph and table gets
    an index (data-i) so that a re-render can start it on a new page."""

    def __init__(self, new_page: frozenset[int]) -> None:
        self.new_page = new_page
        self.count = 0
        self.block_of_note: dict[int, int] = {}
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


def _html(
    layout: Layout,
    *,
    part: str = "all",
    new_page: frozenset[int] = frozenset(),
    first_page: int = 1,
) -> tuple[str, _Builder]:
    """part: "all" (the preview), "body" (header to signature) or "appendices"
    (numbered on from `first_page`)."""
    page = dict(settings.DOCUMENT_LAYOUT)
    page["font_css"] = _font_css(page["font_family"])
    recipients = [
        line if line.startswith(("-", "–")) else f"- {line}"
        for line in layout.recipients
    ]
    builder = _Builder(new_page)
    html = render_to_string(
        TEMPLATE,
        {
            "part": part,
            "first_page": first_page,
            "doc": layout,
            "recipients": recipients,
            "page": page,
            "css": _stylesheet(),
            "body": builder.nodes("body", layout.sections),
            "appendices": builder.nodes("appendices", layout.appendices),
            "notes": layout.footnotes,
        },
    )
    return unicodedata.normalize("NFC", html), builder


def render_html(layout: Layout) -> str:
    """The whole document as one self-contained HTML page: stylesheet inlined,
    no external URL, text in NFC. Screen media shows it as a sheet with the
    footnotes listed at the end; print media is what WeasyPrint lays out."""
    return _html(layout)[0]


# --- fonts and fetching ---------------------------------------------------------------

_font_config: Any = None
_fonts_checked: set[str] = set()


def _missing_font(family: str, detail: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Thiếu phông {family} ({detail}): cài gói phông (fonts-croscore cho Tinos, "
        "fonts-liberation cho Liberation Serif) hoặc đổi DOCUMENT_FONT. "
        f"The font family {family!r} of DOCUMENT_LAYOUT is not installed with "
        "Vietnamese glyphs in all four styles; WeasyPrint would silently print "
        "with another font."
    )


def _fc_styles(fc_list: str, family: str, pattern: str) -> set[str]:
    """The styles ("regular", "bold", "italic", "bold italic") fontconfig has
    for `family` among the fonts matching `pattern`, read from weight and slant
    (style names vary: Regular, Book, Roman…)."""
    listed = subprocess.run(
        [fc_list, "--format", "%{family}\t%{weight}\t%{slant}\n", pattern],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    styles: set[str] = set()
    for line in listed.splitlines():
        families, _, rest = line.partition("\t")
        if family.casefold() not in (
            name.strip().casefold() for name in families.split(",")
        ):
            continue
        weight, _, slant = rest.partition("\t")
        # A variable font gives a range, "[0 210]": it has both ends.
        weights = [int(w) for w in re.findall(r"\d+", weight)]
        slants = [int(w) for w in re.findall(r"\d+", slant)]
        for w in weights:
            for sl in slants:
                name = (
                    ("bold" if w >= 200 else "regular")
                    if sl == 0
                    else ("bold italic" if w >= 200 else "italic")
                )
                styles.add(name)
    return styles


def check_font(family: str) -> None:
    """Raise unless fontconfig has `family` itself, with the Vietnamese
    alphabet, upright, bold, italic and bold italic.

    fc-list is asked, not fc-match: fc-match always answers with some font.
    The language matters: a family without some of "Ạ Ả Ấ … Ộ Ệ" (Liberation
    Serif 1.07) gets those letters from another font, silently.
    """
    if family in _fonts_checked:
        return
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise _missing_font(family, "không có lệnh fc-list / fc-list not found")
    escaped = family.replace("-", "\\-")
    styles = _fc_styles(fc_list, family, f"{escaped}:lang=vi")
    if not styles:
        if _fc_styles(fc_list, family, escaped):
            raise _missing_font(
                family, "phông thiếu chữ tiếng Việt / lacks Vietnamese glyphs"
            )
        raise _missing_font(
            family, "fontconfig không tìm thấy / not found by fontconfig"
        )
    if missing := {"regular", "bold", "italic", "bold italic"} - styles:
        raise _missing_font(
            family, "thiếu kiểu / missing styles: " + ", ".join(sorted(missing))
        )
    _fonts_checked.add(family)


def _weasy_font_config() -> Any:
    """One FontConfiguration per process: creating one scans the system fonts."""
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


# --- reading the layout back ----------------------------------------------------------


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _text_without_marker(box: Any) -> str:
    """The text of a laid-out footnote, without its marker."""
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
    call_pages: list[int] = field(default_factory=list)  # one per call found
    text_pages: list[int] = field(default_factory=list)  # pages holding its text
    text_found: str = ""  # the text read back, without white space


@dataclass
class _Readback:
    notes: dict[int, FootnotePlacement]
    last_block: dict[int, int]  # page → data-i of the block that ends it


def _read_back(document: WeasyDocument, first_page: int = 1) -> _Readback:
    """One walk of WeasyPrint's box tree: where each footnote's call and text
    ended up, and which block ends each page (pages numbered from first_page)."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    notes: dict[int, FootnotePlacement] = {}
    last_block: dict[int, int] = {}

    def placement(element: Any) -> FootnotePlacement | None:
        raw = element.get("data-n") if element is not None else None
        if raw is None or not raw.isdigit():
            return None
        return notes.setdefault(int(raw), FootnotePlacement(int(raw)))

    for page_number, page in enumerate(document.pages, start=first_page):
        for child in page._page_box.children:
            if isinstance(child, FootnoteAreaBox):
                for note in child.children:
                    if (placed := placement(note.element)) is not None:
                        placed.text_pages.append(page_number)
                        placed.text_found += _squash(_text_without_marker(note))
                continue
            element = None
            for box in child.descendants():
                if box.element is not element:
                    element = box.element
                    if element is not None and (index := element.get("data-i")):
                        last_block[page_number] = int(index)
                if box.footnote is not None and (placed := placement(box.element)):
                    placed.call_pages.append(page_number)
    return _Readback(notes, last_block)


def footnote_placements(document: WeasyDocument) -> dict[int, FootnotePlacement]:
    """Where each footnote's call and text are in a rendered document."""
    return _read_back(document).notes


def _check_footnotes(
    readback: _Readback, notes: list[FootnoteRef]
) -> tuple[list[str], dict[int, int]]:
    """Vietnamese messages, and the wrong footnotes with their call's page."""
    problems: list[str] = []
    wrong: dict[int, int] = {}
    for note in notes:
        placed = readback.notes.get(note.number, FootnotePlacement(note.number))
        calls, pages = placed.call_pages, sorted(set(placed.text_pages))
        if len(calls) != 1:
            problems.append(
                f"Chú thích {note.number}: có {len(calls)} số chú thích trong bài "
                "(cần đúng 1)."
            )
        elif not pages or placed.text_found != _squash(note.text):
            problems.append(
                f"Chú thích {note.number} (trang {calls[0]}): lời chú thích bị mất "
                "hoặc không đầy đủ."
            )
        elif pages != calls:
            problems.append(
                f"Chú thích {note.number}: số chú thích ở trang {calls[0]} nhưng lời "
                f"chú thích ở trang {', '.join(map(str, pages))}."
            )
        else:
            continue
        wrong[note.number] = calls[0] if calls else 0
    expected = {note.number for note in notes}
    if extra := sorted(number for number in readback.notes if number not in expected):
        problems.append(f"Chú thích không thuộc văn bản: {', '.join(map(str, extra))}.")
    return problems, wrong


def footnote_problems(document: WeasyDocument, notes: list[FootnoteRef]) -> list[str]:
    """Why the footnotes of a rendered document (all of it, from page 1) are not
    each on their call's page, in Vietnamese; [] when they all are."""
    return _check_footnotes(_read_back(document), notes)[0]


# --- the PDF --------------------------------------------------------------------------


def _layout_part(
    layout: Layout, part: str, new_page: frozenset[int], first_page: int
) -> tuple[WeasyDocument, _Builder]:
    import weasyprint

    html, builder = _html(layout, part=part, new_page=new_page, first_page=first_page)
    document = weasyprint.HTML(string=html, url_fetcher=_refusing_fetcher()).render(
        font_config=_weasy_font_config()
    )
    return document, builder


def _render_part(
    layout: Layout, part: str, first_page: int
) -> tuple[WeasyDocument, list[str]]:
    """Lay out one part until its footnotes are right or no fix is left.

    WeasyPrint moves a page's earlier footnotes to the next page to fit the
    second line of the paragraph that ends the page (rather than leave that
    paragraph one line there). Starting that paragraph on a new page stops it;
    a note that is still wrong gets the paragraph of its call started on a new
    page.
    """
    new_page: set[int] = set()
    for _render in range(MAX_RENDERS):
        document, builder = _layout_part(layout, part, frozenset(new_page), first_page)
        notes = set(builder.notes_in.get(part, []))
        readback = _read_back(document, first_page)
        problems, wrong = _check_footnotes(
            readback, [note for note in layout.footnotes if note.number in notes]
        )
        fixes = set()
        for number, page in wrong.items():
            for block in (
                readback.last_block.get(page),
                builder.block_of_note.get(number),
            ):
                if block is not None and block not in new_page:
                    fixes.add(block)
                    break
        if not fixes:
            break
        logger.info(
            "Footnotes %s of %s not on their call's page; laying the %s out again "
            "with blocks %s starting a page.",
            sorted(wrong),
            layout.document.number_and_symbol,
            part,
            sorted(fixes),
        )
        new_page |= fixes
    return document, problems


def render_document(layout: Layout) -> WeasyDocument:
    """The whole document laid out by WeasyPrint as one piece, without the
    footnote fixes (for tests and measurements)."""
    check_font(settings.DOCUMENT_LAYOUT["font_family"])
    return _layout_part(layout, "all", frozenset(), 1)[0]


def render_pdf(layout: Layout) -> PdfResult:
    """Print the layout. `problems` (Vietnamese) lists the footnotes that are
    not on their call's page even after the fixes: issuance refuses such a PDF."""
    check_font(settings.DOCUMENT_LAYOUT["font_family"])
    documents, problems = [], []
    first_page = 1
    for part in ("body", "appendices") if layout.appendices else ("body",):
        document, part_problems = _render_part(layout, part, first_page)
        documents.append(document)
        problems.extend(part_problems)
        first_page += len(document.pages)
    pages = [page for document in documents for page in document.pages]
    content = documents[0].copy(pages).write_pdf()
    return PdfResult(content=content, pages=len(pages), problems=problems)
