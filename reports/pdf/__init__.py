"""PDF rendering with WeasyPrint: the one home of the printed layout.

``render_html(layout)`` gives one self-contained HTML page (stylesheet inlined,
no external URL, NFC text), shown by the in-browser preview; ``render_pdf(layout)``
prints the same markup with WeasyPrint and checks the result before anyone may
issue it. The layout values live in settings.DOCUMENT_LAYOUT and
static/reports/document.css, the markup in templates/reports/documents/.

* markup.py — the HTML (the template's view of a Layout);
* engine.py — the font check, the FontConfiguration and the URL fetcher, once
  per process;
* footnotes.py — the layout read back from WeasyPrint's box tree, and the
  footnote check;
* aside.py — work done in a forked process, on the second CPU;
* overlay.py — laying the appendix pages over the numbered pages (pikepdf);
* here — laying out, fixing the footnotes, writing the PDF.

Footnotes: WeasyPrint may put a note on the page after its call, or lose it
(format.md). After each layout the box tree is read back; when a note is wrong,
the block that ends the call's page (then the paragraph holding the call)
starts a new page and the part is laid out again; whatever is still wrong is
returned in ``PdfResult.problems`` and issuance refuses the PDF.

What is laid out, and how often, is what costs (bench/pdf.py):

* The body and the appendices (which always start on a new page) are laid
  out apart, so that a footnote fix in the body does not lay out a long Phụ
  lục table again, and at the same time: the appendices in a forked process
  (aside.py), the body here. Their first page number is only known when the
  body is done, so they are printed without numbers and laid over blank
  pages, printed with the body, that carry the numbers and the outline
  entries (_render_parts). Done aside or here, the bytes are the same.
* A fix lays out again only the end of the body: from the last page before the
  fixed blocks that opens with a block of its own (nothing carried over from
  the page before) and that the fixes cannot move (see _cut). The pages before
  it stay; the rest is laid out as a document of its own, numbered on, and
  joined after them. The PDF is the same, byte for byte, as that of the whole
  body laid out again (tests/reports/test_pdf.py).
* The garbage collector is paused while WeasyPrint works (_collected_once).
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from reports.pdf import aside, overlay
from reports.pdf.engine import check_font, refusing_fetcher, weasy_font_config
from reports.pdf.footnotes import (
    FootnotePlacement,
    Readback,
    check_footnotes,
    footnote_placements,
    footnote_problems,
    read_back,
)
from reports.pdf.markup import (
    Bookmark,
    Builder,
    document_html,
    page_numbers_html,
    render_html,
)
from reports.structure import FootnoteRef, Layout

if TYPE_CHECKING:
    from weasyprint.document import Document as WeasyDocument
    from weasyprint.document import Page

__all__ = [
    "MAX_RENDERS",
    "FootnotePlacement",
    "PdfResult",
    "check_font",
    "footnote_placements",
    "footnote_problems",
    "render_document",
    "render_html",
    "render_pdf",
]

logger = logging.getLogger(__name__)

# Layouts of one part at most: the first, then one per round of fixes.
MAX_RENDERS = 4


@dataclass
class PdfResult:
    content: bytes
    pages: int
    problems: list[str] = field(default_factory=list)


@dataclass
class _Part:
    """One part laid out, its footnotes fixed as far as they could be."""

    document: WeasyDocument  # the first layout (its metadata goes in the PDF)
    pages: list[Page]
    problems: list[str]
    new_page: frozenset[int]  # the blocks the fixes start on a new page
    laid_out: list[int]  # pages of each layout
    readback: Readback  # of `pages`
    notes: list[FootnoteRef]  # the part's footnotes


def _layout_part(
    layout: Layout,
    part: str,
    new_page: frozenset[int],
    first_page: int,
    start: int | None = None,
) -> tuple[WeasyDocument, Builder]:
    # The appendices are printed without page numbers, then laid over numbered
    # pages (_render_parts): they may be laid out before the body's length is known.
    html, builder = document_html(
        layout,
        part=part,
        new_page=new_page,
        first_page=first_page,
        start=start,
        numbered=part != "appendices",
    )
    return weasy_document(html), builder


def weasy_document(html: str) -> WeasyDocument:
    """`html` laid out by WeasyPrint, with the process's fonts and fetcher."""
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=refusing_fetcher()).render(
        font_config=weasy_font_config()
    )


def _cut(
    readback: Readback, fixes: set[int], first_page: int, headings: set[int]
) -> tuple[int, int] | None:
    """(page, block): the last page before the fixed blocks that opens with a
    block, which the fixes cannot move; None if there is none.

    The fixes cannot move that block when none of them is kept with it: a
    fixed block further on than the first paragraph or table from it (a
    heading is kept with what follows it), or the block itself (its page
    break only becomes forced).
    """
    starts = [readback.block_pages.get(block, [0])[0] for block in fixes]
    for page in range(min(starts), first_page, -1):
        if (block := readback.opens(page)) is None:
            continue
        kept = block
        while kept in headings:
            kept += 1
        if all(fix == block or fix > kept for fix in fixes):
            return page, block
    return None


def _lay_out_again(
    layout: Layout,
    part: str,
    new_page: frozenset[int],
    pages: list[Page],
    first_page: int,
    readback: Readback,
    fixes: set[int],
    headings: set[int],
) -> tuple[list[Page], int]:
    """The part's pages with the blocks of `new_page` starting a page, and how
    many were laid out again: the body from the last page before the fixes
    that opens with a block the fixes cannot move (the pages before it stay as
    they are), any other part whole."""
    cut = _cut(readback, fixes, first_page, headings) if part == "body" else None
    if cut is None:
        document, _ = _layout_part(layout, part, new_page, first_page)
        return list(document.pages), len(document.pages)
    page, block = cut
    rest, _ = _layout_part(layout, part, new_page, page, start=block)
    return pages[: page - first_page] + list(rest.pages), len(rest.pages)


def _render_part(layout: Layout, part: str, first_page: int) -> _Part:
    """Lay out one part until its footnotes are right or no fix is left.

    WeasyPrint moves a page's earlier footnotes to the next page to fit the
    second line of the paragraph that ends the page (rather than leave that
    paragraph one line there). Starting that paragraph on a new page stops it;
    a note that is still wrong gets the paragraph of its call started on a new
    page.
    """
    new_page: set[int] = set()
    document, builder = _layout_part(layout, part, frozenset(), first_page)
    pages = list(document.pages)
    laid_out = [len(pages)]
    numbers = set(builder.notes_in.get(part, []))
    notes = [note for note in layout.footnotes if note.number in numbers]
    for _round in range(MAX_RENDERS):
        readback = read_back(pages, first_page)
        problems, wrong = check_footnotes(readback, notes)
        fixes = set()
        for number, page in wrong.items():
            for block in (
                readback.last_block.get(page),
                builder.block_of_note.get(number),
            ):
                if block is not None and block not in new_page:
                    fixes.add(block)
                    break
        if not fixes or _round == MAX_RENDERS - 1:
            break
        new_page |= fixes
        logger.info(
            "Footnotes %s of %s not on their call's page; laying the %s out again "
            "with blocks %s starting a page.",
            sorted(wrong),
            layout.document.number_and_symbol,
            part,
            sorted(fixes),
        )
        pages, pages_laid_out = _lay_out_again(
            layout,
            part,
            frozenset(new_page),
            pages,
            first_page,
            readback,
            fixes,
            builder.headings,
        )
        laid_out.append(pages_laid_out)
    return _Part(
        document=document,
        pages=pages,
        problems=problems,
        new_page=frozenset(new_page),
        laid_out=laid_out,
        readback=readback,
        notes=notes,
    )


@contextlib.contextmanager
def _collected_once() -> Iterator[None]:
    """No garbage collection while WeasyPrint works, one at the end.

    A rendering makes a few hundred thousand objects that live until the end
    (box trees, pages), so the collector, run on allocation counts, walks them
    and the rest of the process again and again: about a tenth of the time
    (bench/pdf.py). With the collector paused they all stay in the youngest
    generation, which one collection frees afterwards; the peak memory grows
    by a few per cent. Process-wide, as the collector is: fine in a worker
    that renders one document at a time.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def render_document(layout: Layout) -> WeasyDocument:
    """The whole document laid out by WeasyPrint as one piece, without the
    footnote fixes (for tests and measurements)."""
    check_font(settings.DOCUMENT_LAYOUT["font_family"])
    with _collected_once():
        return _layout_part(layout, "all", frozenset(), 1)[0]


def render_pdf(layout: Layout) -> PdfResult:
    """Print the layout. `problems` (Vietnamese) lists the footnotes that are
    not on their call's page even after the fixes: issuance refuses such a PDF."""
    check_font(settings.DOCUMENT_LAYOUT["font_family"])
    with _collected_once():
        # The collection comes after _render_parts has returned, when its
        # documents are garbage.
        return _render_parts(layout)


@dataclass
class _Printed:
    """The appendices printed on their own, without page numbers: the PDF, and
    what the body's PDF needs of their layout."""

    content: bytes
    pages: int
    readback: Readback  # pages numbered from 1
    notes: list[FootnoteRef]
    bookmarks: list[list[Bookmark]]  # each page's outline entries

    def problems(self, after: int) -> list[str]:
        """The footnote problems, the pages numbered on after page `after`."""
        return check_footnotes(self.readback.shifted(after), self.notes)[0]


def _print_appendices(layout: Layout) -> _Printed:
    done = _render_part(layout, "appendices", 1)
    return _Printed(
        content=done.document.copy(done.pages).write_pdf(),
        pages=len(done.pages),
        readback=done.readback,
        notes=done.notes,
        bookmarks=[
            [
                Bookmark(level, label, x, y, state)
                for level, label, (x, y), state in page.bookmarks
            ]
            for page in done.pages
        ],
    )


def _render_parts(layout: Layout) -> PdfResult:
    """The body, and after it the appendices, which always start a new page.

    The appendices are laid out and printed aside (reports.pdf.aside, on the
    second core) while the body is laid out, its footnotes fixed, here; or
    here after the body, when nothing can be done aside. As their first page
    number is not known until the body is done, they are printed without page
    numbers, and each of their pages is laid over a blank page that carries
    the number (and the page's outline entries), printed with the body:
    reports.pdf.overlay.
    """
    side = aside.fork(lambda: _print_appendices(layout)) if layout.appendices else None
    try:
        body = _render_part(layout, "body", 1)
        appendices = side.result() if side is not None else None
    except BaseException:
        if side is not None:
            side.discard()
        raise
    if not layout.appendices:
        return PdfResult(
            content=body.document.copy(body.pages).write_pdf(),
            pages=len(body.pages),
            problems=body.problems,
        )
    if appendices is None:
        appendices = _print_appendices(layout)
    after = len(body.pages)
    numbers = weasy_document(page_numbers_html(after + 1, appendices.bookmarks))
    under = body.document.copy(body.pages + list(numbers.pages)).write_pdf()
    return PdfResult(
        content=overlay.lay_over(under, appendices.content, start=after),
        pages=after + appendices.pages,
        problems=body.problems + appendices.problems(after),
    )
