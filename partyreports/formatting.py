"""Vietnamese formatting: the one home for numbers, percentages, dates and names.

Pure functions, no Django imports, so templates, documents, exports and forms all
call the same code.

Rules
-----
Numbers
    "." groups thousands and "," marks decimals: ``20.360``, ``4,05``,
    ``1.234.567,5``.

Rounding (one rule, used everywhere)
    :func:`round_display` rounds an exact ``Decimal`` once, at the display
    precision, half away from zero (``ROUND_HALF_UP``: 110,05 → 110,1;
    -0,945 → -0,95), the way Excel's ROUND and school arithmetic do. Callers keep
    exact values and never round an intermediate result. A value that rounds to
    zero is printed without a minus sign.

Parsing what people type (:func:`parse_number`)
    * surrounding spaces are ignored; one leading sign (``-``, ``+`` or the
      typographic minus ``−``) and one trailing ``%`` are allowed;
    * a dot only separates thousands: the digits before the first dot are a
      1–3 digit head, and every dot is followed by exactly three digits
      (``20.360``, ``1.234.567``). So ``1.23`` and ``1.2345`` are refused rather
      than guessed at: the typist may have meant a decimal point;
    * at most one comma, the decimal mark, after all the dots (``4,05``,
      ``1.234,5``), with digits on both sides;
    * digits without any separator are accepted (``20360``).
    Anything else raises :class:`NumberParseError` with a Vietnamese message.
    A single comma is always read the Vietnamese way: ``20,360`` is 20,36.

Dates
    Documents: ``ngày 06 tháng 7 năm 2023`` — the day has two digits, the month
    has two digits only for January and February (``tháng 01``, ``tháng 02``),
    as the Party's and the State's document rules write them. Tables:
    ``06/07/2023``.

Names
    :func:`vietnamese_sort_key` orders people by given name (the last word),
    then by the rest (family and middle names), letter by letter in the
    Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x
    y; the foreign letters f j w z take their Latin places), ignoring case. Tones
    only break ties, in dictionary order: unmarked < huyền (à) < hỏi (ả) < ngã
    (ã) < sắc (á) < nặng (ạ). The key is plain ASCII whose byte order is that
    order, so it can be stored in a column and sorted with ORDER BY on SQLite and
    PostgreSQL alike, whatever their collation.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "NumberParseError",
    "fold_accents",
    "format_date",
    "format_document_date",
    "format_number",
    "format_percent",
    "format_signed_percent",
    "nfc",
    "pad2",
    "parse_number",
    "round_display",
    "vietnamese_sort_key",
    "vietnamese_text_sort_key",
]

# --- numbers -----------------------------------------------------------------


def round_display(value: Decimal | int, places: int = 0) -> Decimal:
    """Round ``value`` to ``places`` decimals, half away from zero (the one rule)."""
    exact = Decimal(value)
    with localcontext() as ctx:
        # Enough digits for any finite value: quantize must never fail or round twice.
        ctx.prec = max(ctx.prec, exact.adjusted() + places + 2)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | None, places: int = 0) -> str:
    """``20360`` → ``"20.360"``; ``Decimal("4.05"), 2`` → ``"4,05"``; None → ``""``."""
    if value is None:
        return ""
    rounded = round_display(value, places)
    if rounded.is_zero():
        rounded = abs(rounded)  # never print "-0" or "-0,00"
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_plain(value: Decimal | int | None) -> str:
    """A stored figure as a person typed it, without trailing zeros: 20.360; 4,05."""
    if value is None:
        return ""
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_number(value, places)


def format_percent(value: Decimal | int | None, places: int = 1) -> str:
    """``Decimal("110.054")`` → ``"110,1%"``; None → ``""``."""
    if value is None:
        return ""
    return f"{format_number(value, places)}%"


def format_signed_percent(value: Decimal | int | None, places: int = 1) -> str:
    """A change with its sign: ``"+16,3%"``, ``"-2,0%"``, ``"0,0%"``; None → ``""``."""
    if value is None:
        return ""
    text = format_percent(value, places)
    return f"+{text}" if round_display(value, places) > 0 else text


def pad2(n: int) -> str:
    """Counts as documents write them: 4 → ``"04"``, 10 → ``"10"``,
    1117 → ``"1.117"``."""
    if 0 <= n < 10:
        return f"{n:02d}"
    return format_number(n)


_NUMBER_RE = re.compile(
    r"""
    (?P<sign>[-+\u2212])?
    (?P<whole>\d{1,3}(?:\.\d{3})+|\d+)
    (?:,(?P<fraction>\d+))?
    """,
    re.VERBOSE | re.ASCII,  # \d is 0-9 only, not other scripts' digits
)
_EXAMPLE = (
    "Dùng dấu chấm để ngăn cách hàng nghìn và dấu phẩy cho phần thập phân, "
    "ví dụ 20.360 hoặc 4,05."
)


class NumberParseError(ValueError):
    """A number that cannot be read without guessing; ``message`` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_number(text: str) -> Decimal:
    """Read a number as Vietnamese users type it (rules in the module docstring)."""
    body = text.strip()
    if body.endswith("%"):
        body = body[:-1].rstrip()
    if not body:
        raise NumberParseError("Chưa nhập số. " + _EXAMPLE)
    match = _NUMBER_RE.fullmatch(body)
    if match is None:
        raise NumberParseError(f"Số không hợp lệ: “{text.strip()}”. {_why(body)}")
    digits = match["whole"].replace(".", "")
    if match["fraction"]:
        digits += "." + match["fraction"]
    number = Decimal(digits)
    return -number if match["sign"] in ("-", "\u2212") else number


def _why(body: str) -> str:
    """The most useful hint for a refused number, followed by the general rule."""
    if not re.fullmatch(r"[-+\u2212]?[0-9.,]+", body):
        reason = ""
    elif body.count(",") > 1:
        reason = "Chỉ được có một dấu phẩy (phần thập phân). "
    elif "." in body.partition(",")[2]:
        reason = "Dấu chấm (hàng nghìn) phải đứng trước dấu phẩy (thập phân). "
    elif "." in body:
        reason = (
            "Dấu chấm chỉ dùng để ngăn cách hàng nghìn: trước dấu chấm đầu tiên "
            "có 1–3 chữ số, sau mỗi dấu chấm có đúng 3 chữ số. "
        )
    else:
        reason = ""
    return reason + _EXAMPLE


# --- dates -------------------------------------------------------------------


def format_document_date(d: date) -> str:
    """``date(2023, 7, 6)`` → ``"ngày 06 tháng 7 năm 2023"`` (months 1–2 padded)."""
    month = pad2(d.month) if d.month <= 2 else str(d.month)
    return f"ngày {pad2(d.day)} tháng {month} năm {d.year}"


def format_date(d: date) -> str:
    """``date(2023, 7, 6)`` → ``"06/07/2023"`` for tables."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


# --- text and names ----------------------------------------------------------


def nfc(text: str) -> str:
    """Unicode NFC: one code point per Vietnamese letter, as stored and compared."""
    return unicodedata.normalize("NFC", text)


def fold_accents(text: str) -> str:
    """``"Nguyễn  Thị Đào"`` → ``"nguyen thi dao"``: for accent-insensitive search."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Two ASCII characters per letter, in alphabet order; digits sort before letters
# and any other character after them.
_LETTER_CODE = {ch: f"{i + 20:02d}" for i, ch in enumerate(_ALPHABET)}
_LETTER_CODE.update({str(d): f"{d + 10:02d}" for d in range(10)})
_OTHER_CODE = "99"
# NFD combining marks that carry the tone, with their dictionary rank (unmarked 0).
_TONE_RANK = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Separators sort below every code ("0".."9"): end of a word's letters < more
# letters, so "An" < "Anh" and "Lê" < "Lê Văn".
_WORD_SEP = "."
_TONE_SEP = "!"
_PART_SEP = " "


def _word_codes(word: str) -> tuple[str, str]:
    """A word's letter codes and its tone rank (the first tone mark found)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = "0"
    kept = []
    for ch in decomposed:
        if ch in _TONE_RANK:
            tone = _TONE_RANK[ch] if tone == "0" else tone
        else:
            kept.append(ch)
    letters = unicodedata.normalize("NFC", "".join(kept))
    codes = []
    for ch in letters:
        if ch in _LETTER_CODE:
            codes.append(_LETTER_CODE[ch])
        elif ch.isalnum():
            base = fold_accents(ch)
            codes.append(_LETTER_CODE.get(base[:1], _OTHER_CODE))
        # punctuation inside names ("H'Hen") is ignored
    return "".join(codes), tone


def _part_key(words: list[str]) -> str:
    coded = [_word_codes(w) for w in words]
    letters = _WORD_SEP.join(codes for codes, _ in coded)
    tones = "".join(tone for _, tone in coded)
    return f"{letters}{_TONE_SEP}{tones}"


def vietnamese_sort_key(full_name: str) -> str:
    """ASCII key ordering names by given name, then the rest (see module docstring).

    Within each part the letters decide first and the tones only break ties, so
    "Trần Binh" < "Lê Bình" < "Trần Bình".
    """
    words = full_name.split()
    if not words:
        return ""
    return _part_key(words[-1:]) + _PART_SEP + _part_key(words[:-1])


def vietnamese_text_sort_key(text: str) -> str:
    """ASCII key ordering a whole text (an organisation's name) word by word in
    the Vietnamese alphabet, tones breaking ties, as vietnamese_sort_key orders
    each part of a person's name: "Ban Tổ chức" < "Ban Tuyên giáo"."""
    return _part_key(text.split())
