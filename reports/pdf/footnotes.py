"""Reading a layout back from WeasyPrint's box tree (no PDF parsing): where
each footnote's call and text went, and how the blocks fall on the pages.

WeasyPrint may put a footnote on the page after its call, or lose it
(format.md). Every footnote must have one call, and its whole text in the
footnote area of the call's page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reports.structure import FootnoteRef

if TYPE_CHECKING:
    from weasyprint.document import Document as WeasyDocument
    from weasyprint.document import Page


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
class Readback:
    notes: dict[int, FootnotePlacement]
    last_block: dict[int, int]  # page → data-i of the block that ends it
    first_block: dict[int, int] = field(default_factory=dict)  # page → data-i
    block_pages: dict[int, list[int]] = field(default_factory=dict)  # data-i → pages

    def shifted(self, pages: int) -> Readback:
        """The footnotes' places with every page number `pages` further on
        (a part laid out from page 1 and printed after `pages` pages)."""
        return Readback(
            notes={
                number: FootnotePlacement(
                    number,
                    [page + pages for page in placed.call_pages],
                    [page + pages for page in placed.text_pages],
                    placed.text_found,
                )
                for number, placed in self.notes.items()
            },
            last_block={},
        )

    def opens(self, page: int) -> int | None:
        """The block that page `page` starts afresh, with nothing carried over
        from the page before (no rest of a block, no footnote reported from
        it); None when it does not."""
        block = self.first_block.get(page)
        if block is None or self.block_pages[block][0] != page:
            return None
        for placed in self.notes.values():
            if page in placed.text_pages and any(
                call < page for call in placed.call_pages
            ):
                return None
        return block


def read_back(pages: Iterable[Page], first_page: int = 1) -> Readback:
    """One walk of WeasyPrint's box tree: where each footnote's call and text
    ended up, and where each block is (pages numbered from first_page)."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    notes: dict[int, FootnotePlacement] = {}
    readback = Readback(notes, {})

    def placement(element: Any) -> FootnotePlacement | None:
        raw = element.get("data-n") if element is not None else None
        if raw is None or not raw.isdigit():
            return None
        return notes.setdefault(int(raw), FootnotePlacement(int(raw)))

    for page_number, page in enumerate(pages, start=first_page):
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
                        block = int(index)
                        readback.last_block[page_number] = block
                        readback.first_block.setdefault(page_number, block)
                        on = readback.block_pages.setdefault(block, [])
                        if not on or on[-1] != page_number:
                            on.append(page_number)
                if box.footnote is not None and (placed := placement(box.element)):
                    placed.call_pages.append(page_number)
    return readback


def footnote_placements(document: WeasyDocument) -> dict[int, FootnotePlacement]:
    """Where each footnote's call and text are in a rendered document."""
    return read_back(document.pages).notes


def check_footnotes(
    readback: Readback, notes: list[FootnoteRef]
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
    return check_footnotes(read_back(document.pages), notes)[0]
