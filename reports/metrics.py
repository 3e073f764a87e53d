"""Text widths in the document's font, for sizing table columns.

WeasyPrint lays out tables fastest with `table-layout: fixed` and widths given
(reports/pdf/markup.py) and python-docx writes widths Word keeps: both need
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
#: The header's left column, a share of the text width (.pd-header .pd-left in
#: static/reports/document.css; the Word copy's header table).
HEADER_LEFT = 0.46
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
        [fc_match, "-f", "%{file}", pattern],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
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
            if unbroken[c] or (
                len(cell.split()) <= SHORT_WORDS and len(cell) <= SHORT_CHARS
            ):
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
        return [
            n + (spare * n / share if c in text else 0) for c, n in enumerate(natural)
        ]
    if sum(least) >= width_pt:
        return [width_pt * w / sum(least) for w in least]
    spare = width_pt - sum(least)
    stretch = [n - w for n, w in zip(natural, least, strict=True)]
    return [w + spare * s / sum(stretch) for w, s in zip(least, stretch, strict=True)]


#: Words a header line should not end with: they lead into what follows
#: ("CÁC CƠ QUAN", "VÀ DOANH NGHIỆP").
_LEADING_WORDS = frozenset(
    {"CÁC", "VÀ", "CỦA", "VỀ", "VỚI", "CHO", "TẠI", "THUỘC", "-", "–"}
)
#: Words of two syllables common in the names of party bodies, not to be split
#: over two lines ("CƠ / QUAN"); and the words a place name follows ("TỈNH
#: QUẢNG BÌNH"), whose next two syllables are kept together too.
_COMPOUNDS = frozenset(
    tuple(pair.split())
    for pair in (
        "ĐẢNG BỘ",
        "ĐẢNG ỦY",
        "CHI BỘ",
        "CƠ QUAN",
        "DOANH NGHIỆP",
        "LAO ĐỘNG",
        "THƯƠNG BINH",
        "XÃ HỘI",
        "VĂN PHÒNG",
        "THÀNH PHỐ",
        "THỊ XÃ",
        "NHÂN DÂN",
        "SỰ NGHIỆP",
        "ĐOÀN THỂ",
        "CHÍNH TRỊ",
        "CÔNG NGHIỆP",
        "NÔNG NGHIỆP",
        "PHÁT TRIỂN",
        "NÔNG THÔN",
        "GIÁO DỤC",
        "ĐÀO TẠO",
        "Y TẾ",
        "TÀI CHÍNH",
        "KẾ HOẠCH",
        "ĐẦU TƯ",
        "XÂY DỰNG",
        "GIAO THÔNG",
        "VẬN TẢI",
        "CÔNG THƯƠNG",
        "KHOA HỌC",
        "CÔNG NGHỆ",
        "THÔNG TIN",
        "TRUYỀN THÔNG",
        "VĂN HÓA",
        "THỂ THAO",
        "DU LỊCH",
        "TÀI NGUYÊN",
        "MÔI TRƯỜNG",
        "NỘI VỤ",
        "THANH TRA",
        "NGÂN HÀNG",
        "BẢO HIỂM",
        "TƯ PHÁP",
        "QUÂN SỰ",
        "CÔNG AN",
        "NGOẠI VỤ",
        "DÂN TỘC",
        "TÔN GIÁO",
    )
)
_PLACE_WORDS = frozenset({"TỈNH", "HUYỆN", "QUẬN", "PHƯỜNG", "XÃ", "PHỐ"})


def balanced_lines(
    text: str, *, width_pt: float, family: str, size_pt: float, bold: bool = False
) -> list[str]:
    """`text` broken into the fewest lines that fit `width_pt`, as even as
    possible, no line ending with a word that leads into the next ("CÁC",
    "VÀ"): "ĐẢNG ỦY KHỐI CÁC CƠ QUAN / VÀ DOANH NGHIỆP TỈNH" rather than
    "ĐẢNG ỦY KHỐI CÁC CƠ / QUAN VÀ DOANH NGHIỆP / TỈNH". A word wider than
    the line gets a line of its own."""
    words = text.split()
    if not words:
        return []
    space = text_width(" ", family=family, size_pt=size_pt, bold=bold)
    sizes = [text_width(w, family=family, size_pt=size_pt, bold=bold) for w in words]

    def line_width(i: int, j: int) -> float:
        return sum(sizes[i:j]) + space * (j - i - 1)

    count = len(words)
    # best[i] = (lines, cost) of laying out words[i:]; nxt[i] = end of its first line.
    best: list[tuple[int, float]] = [(0, 0.0)] * (count + 1)
    nxt = [count] * (count + 1)
    for i in range(count - 1, -1, -1):
        options = []
        for j in range(i + 1, count + 1):
            width = line_width(i, j)
            if width > width_pt and j > i + 1:
                break
            lines, cost = best[j]
            # Even lines: the squared slack; a line ending on a leading word is
            # as bad as an extra line's worth of slack.
            slack = (max(width_pt - width, 0.0) / width_pt) ** 2
            penalty = _break_penalty(words, j) if j < count else 0.0
            options.append(((lines + 1, cost + slack + penalty), j))
        (best[i], nxt[i]) = min(options)
    out, i = [], 0
    while i < count:
        out.append(" ".join(words[i : nxt[i]]))
        i = nxt[i]
    return out


def _break_penalty(words: list[str], j: int) -> float:
    """What breaking a line before words[j] costs: as much as a line's worth
    of slack after a leading word or inside a two-syllable word."""
    before, after = words[j - 1].upper(), words[j].upper()
    if before in _LEADING_WORDS or (before, after) in _COMPOUNDS:
        return 1.0
    # A place name: "TỈNH / QUẢNG BÌNH", "TỈNH QUẢNG / BÌNH".
    if before in _PLACE_WORDS or (j >= 2 and words[j - 2].upper() in _PLACE_WORDS):
        return 0.5
    return 0.0


def header_lines(text: str, *, bold: bool) -> list[str]:
    """A header name in the lines it prints on: where the office put "|",
    else balanced_lines over the header's left column."""
    from django.conf import settings

    if "|" in text:
        return [line.strip() for line in text.split("|") if line.strip()]
    layout = settings.DOCUMENT_LAYOUT
    text_width_pt = (
        (210 - layout["margin_left_mm"] - layout["margin_right_mm"]) * 72 / 25.4
    )
    return balanced_lines(
        text,
        width_pt=text_width_pt * HEADER_LEFT - 2,
        family=layout["font_family"],
        size_pt=layout["font_size_pt"],
        bold=bold,
    )
