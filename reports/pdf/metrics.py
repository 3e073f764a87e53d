"""Text widths in the document's font, for sizing table columns.

WeasyPrint lays out tables fastest with `table-layout: fixed` and widths given
(reports/pdf/markup.py), and python-docx writes widths Word keeps: both need
to know how wide a cell's text will print. The advance widths come from the
configured family's own font files (found with fontconfig, read with
fontTools, once per process), so a number column is made exactly as wide as
its widest figure — never wrapped, never touching the border.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

#: The size of table text (.pd-table in static/reports/document.css).
TABLE_SIZE_PT = 13
#: Inside a cell: 4 pt padding either side (static/reports/document.css) and
#: the 0,5 pt rule, with a point to spare.
CELL_PADDING_PT = 9.5
#: A cell of at most this many words is not wrapped ("Chưa đạt", "tổ chức").
SHORT_WORDS = 2
SHORT_CHARS = 10


@dataclass(frozen=True)
class _Face:
    advances: dict[int, int]
    units_per_em: int
    fallback: int  # for a character the font lacks: the width of "n"

    def width(self, text: str, size_pt: float) -> float:
        units = sum(self.advances.get(ord(c), self.fallback) for c in text)
        return units * size_pt / self.units_per_em


@functools.cache
def _face(family: str, bold: bool) -> _Face | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    pattern = f"{family}:{'bold' if bold else 'regular'}"
    path = subprocess.run(
        [fc_match, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    if not path:
        return None
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        metrics = font["hmtx"].metrics
        advances = {code: metrics[name][0] for code, name in font.getBestCmap().items()}
        units = font["head"].unitsPerEm
    return _Face(advances, units, advances.get(ord("n"), units // 2))


def text_width(text: str, *, family: str, size_pt: float, bold: bool = False) -> float:
    """Points `text` takes on one line; an estimate (half an em a character)
    when the font cannot be read."""
    face = _face(family, bold)
    if face is None:
        return len(text) * size_pt * 0.5
    return face.width(text, size_pt)


def column_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    unbroken: Sequence[bool],
    *,
    width_pt: float,
    family: str,
    size_pt: float,
) -> list[float]:
    """Column widths in points summing to `width_pt`, the way a browser's
    automatic layout would share the line: each column at least its longest
    word (its whole text where `unbroken`, e.g. numbers), the room left going
    to the columns whose text is longer than that, in proportion. A cell of
    one or two short words counts as one word; a header may wrap."""
    columns = len(header)
    least, natural = [], []
    for c in range(columns):
        def measure(text: str, bold: bool = False) -> float:
            return text_width(text, family=family, size_pt=size_pt, bold=bold)

        cells = [row[c] if c < len(row) else "" for row in rows]
        words = [measure(w, bold=True) for w in header[c].split()]
        for cell in cells:
            # Figures, and short phrases ("Chưa đạt", "đảng viên"), stay whole.
            if unbroken[c] or (len(cell.split()) <= SHORT_WORDS and len(cell) <= SHORT_CHARS):
                words.append(measure(cell))
            else:
                words += [measure(w) for w in cell.split()]
        # A header may take two lines: the body's text decides what a column wants.
        whole = [measure(cell) for cell in cells]
        least.append(max(words, default=0) + CELL_PADDING_PT)
        natural.append(max([*whole, *words, 0]) + CELL_PADDING_PT)
    if sum(natural) <= width_pt:
        # Everything fits on one line: the room left goes to the text columns.
        text = [c for c in range(columns) if not unbroken[c]] or list(range(columns))
        spare = width_pt - sum(natural)
        share = sum(natural[c] for c in text)
        return [n + (spare * n / share if c in text else 0) for c, n in enumerate(natural)]
    if sum(least) >= width_pt:
        return [width_pt * w / sum(least) for w in least]
    spare = width_pt - sum(least)
    stretch = [n - w for n, w in zip(natural, least, strict=True)]
    return [w + spare * s / sum(stretch) for w, s in zip(least, stretch, strict=True)]
