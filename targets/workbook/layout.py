"""The workbook's layout, shared by the download and the upload: the columns,
the hidden “Thông tin” sheet's keys, and text written so that it never turns
into a formula."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Border, PatternFill, Protection, Side

from targets import calculations as calc
from targets.models import Target

COL_NO = "STT"
COL_CODE = "Mã"
COL_LABEL = "Chỉ tiêu"
COL_UNIT = "Đơn vị"
COL_PLAN = "Kế hoạch"
COL_VALUE = "Giá trị quý"
COL_NUMERATOR = "Tử số"
COL_DENOMINATOR = "Mẫu số"
COL_NOTE = "Ghi chú"
COL_TO_DATE = "Lũy kế đến nay"
COL_ATTAINMENT = "Tỷ lệ đạt"
COL_VERDICT = "Đánh giá"
COLUMNS = (
    *(COL_NO, COL_CODE, COL_LABEL, COL_UNIT, COL_PLAN, COL_VALUE),
    *(COL_NUMERATOR, COL_DENOMINATOR, COL_NOTE, COL_TO_DATE, COL_ATTAINMENT),
    COL_VERDICT,
)
_WIDTHS = (6, 7, 48, 10, 16, 14, 12, 12, 30, 16, 11, 18)
_NUMBER_COLUMNS = (COL_VALUE, COL_NUMERATOR, COL_DENOMINATOR)
#: Columns read back on upload (the others are for reading only).
_READ_COLUMNS = (COL_CODE, *_NUMBER_COLUMNS, COL_NOTE)

INFO_SHEET = "Thông tin"
_INFO_ORG = "Mã tổ chức"
_INFO_NAME = "Tổ chức"
_INFO_YEAR = "Năm"
_INFO_QUARTER = "Quý"
_INFO_VERSION = "Phiên bản"
_INFO_AT = "Tải về lúc"

AUTO = "tự động"
HEADER_ROW = 7
#: Rows searched for the header when the user added or removed title lines.
_HEADER_SEARCH_ROWS = 30
#: Data rows read; a plan has a few dozen targets.
MAX_ROWS = 2_000
NOTE_MAX_LENGTH = 500  # Result.note

_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
_GROUP_FILL = PatternFill("solid", fgColor="E0E0E0")
_READ_ONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="BDBDBD")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)


# --- text that cannot turn into a formula ----------------------------------------

#: What spreadsheet programs read as the start of a formula (OWASP "CSV
#: injection"): = + - @, and a tab or carriage return that may precede them.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """Text for a CSV field (or any cell written as plain text) that a
    spreadsheet must not evaluate: a leading =, +, -, @ gets an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_text(cell: Any, text: str) -> None:
    """Put `text` into an openpyxl cell as a string, never as a formula.

    openpyxl turns a string starting with "=" into a formula; the cell is
    forced back to a string, and a text starting like a formula gets Excel's
    quote prefix (the apostrophe Excel shows but does not store), so editing
    the cell in Excel keeps it text. Characters XML cannot carry are dropped.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True


def sheet_title(*, year: int, quarter: int) -> str:
    return f"Kết quả quý {quarter}-{year}"


def _input_columns(target: Target) -> list[str]:
    """The figure cells the web form offers for this target."""
    columns = [COL_NUMERATOR, COL_DENOMINATOR] if target.uses_ratio else []
    if not target.uses_ratio or target.kind == calc.Kind.RATE:
        columns.append(COL_VALUE)
    return columns


def _number_format(places: int) -> str:
    # Excel shows "." and "," as the reader's locale says: 20.360 and 4,05 in
    # Vietnamese.
    return "#,##0" + ("." + "0" * places if places else "")
