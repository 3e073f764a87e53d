"""Excel round trip of the quarterly sheet: download it pre-filled, upload it back.

The downloaded workbook has one data sheet ("Kết quả quý 3-2023": a title
block, then one row per target, matched back by the locked “Mã” column) and a
hidden sheet “Thông tin” that records the organisation, the quarter and the
sheet's version at download time.

An upload is read and checked whole first; every problem is reported by the
row number Excel shows and the column title. Only a clean file is applied, in
one services.sheet_save call (one transaction, via="excel"), with the version
the file was downloaded at: a file based on an outdated download is refused
exactly like an outdated web form. Read-only rows (computed from the registry,
or summed from subordinates for a target the committee handed down) are shown
locked for reference and ignored on upload.
"""

from __future__ import annotations

from organizations.imports import XLSX_CONTENT_TYPE
from targets.workbook.export import export_filename, sheet_export
from targets.workbook.layout import (
    COL_CODE,
    COL_NOTE,
    COL_TO_DATE,
    COL_VALUE,
    COLUMNS,
    HEADER_ROW,
    INFO_SHEET,
    MAX_ROWS,
    formula_safe,
    sheet_title,
    write_text,
)
from targets.workbook.upload import UploadProblem, UploadResult, sheet_import

__all__ = [
    "COLUMNS",
    "COL_CODE",
    "COL_NOTE",
    "COL_TO_DATE",
    "COL_VALUE",
    "HEADER_ROW",
    "INFO_SHEET",
    "MAX_ROWS",
    "XLSX_CONTENT_TYPE",
    "UploadProblem",
    "UploadResult",
    "export_filename",
    "formula_safe",
    "sheet_export",
    "sheet_import",
    "sheet_title",
    "write_text",
]
