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

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

# The import of organisations already knows how to refuse a file that is too
# big, not a zip, or a zip bomb, and which exceptions a broken file raises.
from organizations.imports import (
    INVALID_FILE,
    XLSX_CONTENT_TYPE,
    BrokenFile,
    file_problem_of,
    open_workbook,
    quoted,
    quoted_list,
)
from organizations.models import Organization
from partyreports.formatting import (
    NumberParseError,
    fold_accents,
    format_number,
    nfc,
    round_display,
)
from targets import calculations as calc
from targets import selectors, services
from targets.calculations import CHANGE_KINDS, PERCENT_KINDS
from targets.forms import parse_figure
from targets.models import SheetStatus, Target

__all__ = [
    "COLUMNS",
    "INFO_SHEET",
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


# --- download ---------------------------------------------------------------------


def sheet_title(*, year: int, quarter: int) -> str:
    return f"Kết quả quý {quarter}-{year}"


def export_filename(view: selectors.SheetView) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", view.organization.name).strip()
    return f"{sheet_title(year=view.year, quarter=view.quarter)} - {name}.xlsx"


def sheet_export(*, view: selectors.SheetView, editable: bool) -> bytes:
    """The quarter's sheet as .xlsx, pre-filled with the stored figures and the
    app's own cumulative, attainment and verdict. Input cells are unlocked only
    when `editable` (the user may write and the sheet is not locked)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(year=view.year, quarter=view.quarter)
    _title_block(sheet, view, editable)
    for index, (title, width) in enumerate(zip(COLUMNS, _WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index)
        # The year-to-date column says which months it covers ("Lũy kế 9 tháng").
        write_text(cell, view.to_date_label if title == COL_TO_DATE else title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(index)].width = width
    row_number = HEADER_ROW
    number = 0
    for group in view.groups:
        row_number += 1
        heading = sheet.cell(row=row_number, column=COLUMNS.index(COL_LABEL) + 1)
        write_text(heading, group.name)
        heading.font = Font(bold=True)
        for column in range(1, len(COLUMNS) + 1):
            sheet.cell(row=row_number, column=column).fill = _GROUP_FILL
        for row in group.rows:
            row_number += 1
            if not row.is_sub:
                number += 1
            _target_row(
                sheet, row_number, row, None if row.is_sub else number, editable
            )
    sheet.freeze_panes = sheet.cell(
        row=HEADER_ROW + 1, column=COLUMNS.index(COL_LABEL) + 1
    )
    # Without a password: a guard against typing over codes and computed
    # figures, not a security boundary (the upload checks everything anyway).
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False
    # Printed on A4 landscape, one page wide, the header repeated on each page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _info_sheet(workbook.create_sheet(INFO_SHEET), view)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title_block(sheet: Any, view: selectors.SheetView, editable: bool) -> None:
    plan = view.plan
    status = SheetStatus(view.status).label if view.sheet else "Chưa nhập"
    at = timezone.localtime()
    lines = [
        f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU QUÝ {view.quarter}/{view.year}",
        f"Tổ chức: {view.organization.name}",
        f"Kế hoạch: {plan.title}"
        + (f" ({plan.resolution})" if plan.resolution else ""),
        f"Trạng thái: {status}. Tải về lúc {at:%H:%M} ngày {at:%d/%m/%Y}.",
        (
            f"Nhập vào các ô nền trắng (cột “{COL_VALUE}”, “{COL_NUMERATOR}”, "
            f"“{COL_DENOMINATOR}”, “{COL_NOTE}”), rồi tải tệp lên ở trang báo cáo. "
            f"Không sửa cột “{COL_CODE}”. Số gõ dạng 20.360 hoặc 4,05. Chỉ tiêu "
            f"“{AUTO}” lấy từ sổ đảng viên, xếp loại hoặc tổng hợp từ tổ chức trực "
            "thuộc: không nhập."
            if editable
            else "Tệp chỉ để xem: báo cáo không thể sửa, hoặc bạn không có quyền nhập."
        ),
    ]
    last = get_column_letter(len(COLUMNS))
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1)
        write_text(cell, line)
        cell.alignment = Alignment(wrap_text=number == len(lines), vertical="top")
        sheet.merge_cells(f"A{number}:{last}{number}")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"].font = Font(bold=True)
    sheet.row_dimensions[len(lines)].height = 32


def _target_row(
    sheet: Any,
    number: int,
    row: selectors.SheetRow,
    position: int | None,
    editable: bool,
) -> None:
    target = row.target
    cells = {
        title: sheet.cell(row=number, column=i) for i, title in enumerate(COLUMNS, 1)
    }
    for cell in cells.values():
        cell.border = _BORDER
        cell.fill = _READ_ONLY_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    if position is not None:
        cells[COL_NO].value = position
    cells[COL_CODE].value = target.id
    cells[COL_CODE].number_format = "0"
    label = f"trong đó: {target.label}" if row.is_sub else target.label
    write_text(cells[COL_LABEL], label)
    if row.is_sub:
        cells[COL_LABEL].alignment = Alignment(vertical="top", wrap_text=True, indent=2)
    write_text(cells[COL_UNIT], target.unit)
    write_text(cells[COL_PLAN], row.plan_text)
    if row.read_only:  # from the registry, or summed from subordinates
        figures = row.current or calc.Figures()
        write_text(
            cells[COL_NOTE], f"{AUTO}: {row.explanation}" if row.explanation else AUTO
        )
        cells[COL_NOTE].font = Font(italic=True)
    else:
        result = row.result
        figures = calc.Figures(
            value=result.value if result else None,
            numerator=result.numerator if result else None,
            denominator=result.denominator if result else None,
        )
        write_text(cells[COL_NOTE], result.note if result else "")
    open_columns = [] if row.read_only else [COL_NOTE, *_input_columns(target)]
    for column, value in zip(
        _NUMBER_COLUMNS,
        (figures.value, figures.numerator, figures.denominator),
        strict=True,
    ):
        if value is not None:
            cells[column].value = _excel_number(Decimal(value))
        cells[column].number_format = _number_format(_input_places(target, value))
    if editable:
        for column in open_columns:
            cells[column].fill = PatternFill(fill_type=None)
            cells[column].protection = _UNLOCKED
    _computed_cells(cells, row)


def _computed_cells(cells: dict[str, Any], row: selectors.SheetRow) -> None:
    """Cumulative and attainment as numbers rounded exactly as the app prints
    them, so Excel shows the same digits; the verdict as the app words it."""
    evaluation = row.evaluation
    places = evaluation.spec.display_places
    kind = calc.Kind(evaluation.spec.kind)
    if evaluation.measure is not None:
        shown = round_display(evaluation.measure, places)
        if kind in PERCENT_KINDS:
            cells[COL_TO_DATE].value = _excel_number(shown.scaleb(-2))
            percent = _percent_format(places)
            signed = f"+{percent};-{percent};{percent}"
            cells[COL_TO_DATE].number_format = (
                signed if kind in CHANGE_KINDS else percent
            )
        else:
            cells[COL_TO_DATE].value = _excel_number(shown)
            cells[COL_TO_DATE].number_format = _number_format(places)
    if evaluation.attainment is not None:
        shown = round_display(evaluation.attainment, calc.ATTAINMENT_PLACES)
        cells[COL_ATTAINMENT].value = _excel_number(shown.scaleb(-2))
        cells[COL_ATTAINMENT].number_format = _percent_format(calc.ATTAINMENT_PLACES)
    note = evaluation.note
    write_text(
        cells[COL_VERDICT], f"{row.verdict_text} ({note})" if note else row.verdict_text
    )


def _input_columns(target: Target) -> list[str]:
    """The figure cells the web form offers for this target."""
    columns = [COL_NUMERATOR, COL_DENOMINATOR] if target.uses_ratio else []
    if not target.uses_ratio or target.kind == calc.Kind.RATE:
        columns.append(COL_VALUE)
    return columns


def _input_places(target: Target, value: Decimal | int | None) -> int:
    """Decimals shown: the target's, or enough for the stored figure."""
    default = (
        target.places
        if target.places is not None
        else (0 if calc.takes_whole_numbers(target.kind, None) else 2)
    )
    if value is None:
        return default
    exponent = Decimal(value).normalize().as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(own, target.places or 0)


def _number_format(places: int) -> str:
    # Excel shows "." and "," as the reader's locale says: 20.360 and 4,05 in
    # Vietnamese.
    return "#,##0" + ("." + "0" * places if places else "")


def _percent_format(places: int) -> str:
    return "0" + ("." + "0" * places if places else "") + "%"


def _excel_number(value: Decimal) -> int | Decimal:
    """An exact number in plain notation (never 2.036E+4)."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def _info_sheet(sheet: Any, view: selectors.SheetView) -> None:
    rows = [
        (_INFO_ORG, str(view.organization.public_id)),
        (_INFO_NAME, view.organization.name),
        (_INFO_YEAR, view.year),
        (_INFO_QUARTER, view.quarter),
        (_INFO_VERSION, view.version),
        (_INFO_AT, timezone.localtime().strftime("%H:%M %d/%m/%Y")),
    ]
    for number, (key, value) in enumerate(rows, start=1):
        write_text(sheet.cell(row=number, column=1), key)
        if isinstance(value, str):
            write_text(sheet.cell(row=number, column=2), value)
        else:
            sheet.cell(row=number, column=2, value=value)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 40
    sheet.protection.sheet = True
    sheet.sheet_state = "hidden"


# --- upload -----------------------------------------------------------------------


@dataclass(frozen=True)
class UploadProblem:
    """One problem of the file; row is None for the file as a whole."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        where = f"Dòng {self.row}" + (f", cột “{self.column}”" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class UploadResult:
    errors: list[UploadProblem] = field(default_factory=list)
    #: Figures far from the previous quarter's or last year's, listed by row
    #: when the upload was not confirmed (nothing was saved then).
    warnings: list[UploadProblem] = field(default_factory=list)
    changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


def _refused(message: str) -> UploadResult:
    return UploadResult(errors=[UploadProblem(None, "", message)])


def sheet_import(
    *,
    file: IO[bytes],
    organization: Organization,
    year: int,
    quarter: int,
    user: AbstractBaseUser | None,
    confirmed: bool = False,
) -> UploadResult:
    """Check the whole uploaded file, then save every manual row in one
    services.sheet_save call. User errors come back in `errors`, never raised;
    nothing is saved unless there are none. Changed figures far from the
    previous quarter's or last year's (services.entry_warning, as on the web
    form) come back in `warnings`, and nothing is saved, unless `confirmed`."""
    if problem := file_problem_of(file):
        return _refused(problem)
    view = selectors.sheet_view(organization=organization, year=year, quarter=quarter)
    if view is None:
        return _refused(f"Chưa có kế hoạch chỉ tiêu năm {year}.")
    try:
        with open_workbook(file) as workbook:
            identity = _read_identity(workbook)
            if isinstance(identity, str):
                return _refused(identity)
            if problem := _identity_problem(identity, view):
                return _refused(problem)
            reading = _Reading(view)
            reading.read(workbook)
    except BrokenFile:
        return _refused(INVALID_FILE)
    if reading.problems:
        return UploadResult(errors=sorted(reading.problems, key=_problem_order))
    changed = _changed_count(view, reading.entries)
    if not changed:
        return UploadResult()
    if not confirmed and (warnings := reading.warnings()):
        return UploadResult(warnings=warnings)
    try:
        services.sheet_save(
            organization=organization,
            year=year,
            quarter=quarter,
            version=identity.version,
            entries=reading.entries,
            user=user,
            via="excel",
        )
    except services.SheetConflict as conflict:
        return _refused(
            _conflict_message(conflict.sheet.updated_by if conflict.sheet else None)
        )
    except ValidationError as error:
        return UploadResult(errors=[UploadProblem(None, "", m) for m in error.messages])
    return UploadResult(changed=changed)


@dataclass(frozen=True)
class _Identity:
    public_id: str
    name: str
    year: int
    quarter: int
    version: int


_NOT_OURS = (
    f"Tệp không có thông tin nhận dạng báo cáo (sheet “{INFO_SHEET}”). Hãy bấm "
    "“Tải Excel” ở trang báo cáo, điền số liệu vào tệp đó rồi tải lên."
)


def _read_identity(workbook: Any) -> _Identity | str:
    """The hidden sheet written at download, or why the file is not ours."""
    names = {fold_accents(name): name for name in workbook.sheetnames}
    if fold_accents(INFO_SHEET) not in names:
        return _NOT_OURS
    info: dict[str, Any] = {}
    sheet = workbook[names[fold_accents(INFO_SHEET)]]
    for number, values in enumerate(sheet.iter_rows(max_col=2, values_only=True), 1):
        if number > 20:
            break
        if len(values) == 2 and isinstance(values[0], str):
            info[fold_accents(values[0])] = values[1]
    try:
        return _Identity(
            public_id=str(info[fold_accents(_INFO_ORG)]).strip().lower(),
            name=str(info.get(fold_accents(_INFO_NAME)) or ""),
            year=_whole(info[fold_accents(_INFO_YEAR)]),
            quarter=_whole(info[fold_accents(_INFO_QUARTER)]),
            version=_whole(info[fold_accents(_INFO_VERSION)]),
        )
    except (KeyError, ValueError, TypeError):
        return _NOT_OURS


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(value)


def _identity_problem(identity: _Identity, view: selectors.SheetView) -> str:
    organization = view.organization
    if identity.public_id == str(organization.public_id) and (
        (identity.year, identity.quarter) == (view.year, view.quarter)
    ):
        if view.sheet is not None and view.sheet.is_locked:
            return (
                f"Báo cáo đang ở trạng thái “{view.sheet.get_status_display()}”, "
                "không thể sửa: không có số liệu nào được nhập."
            )
        if identity.version != view.version:
            return _conflict_message(view.sheet.updated_by if view.sheet else None)
        return ""
    whose = quoted(identity.name) if identity.name else "một tổ chức khác"
    if identity.public_id == str(organization.public_id):
        whose = f"“{organization.name}”"
    return (
        f"Tệp này là báo cáo quý {identity.quarter}/{identity.year} của {whose}, "
        f"không phải báo cáo quý {view.quarter}/{view.year} của “{organization.name}”. "
        "Không có số liệu nào được nhập. Hãy tải lên đúng tệp, hoặc tải tệp Excel của "
        "báo cáo này về để điền."
    )


def _conflict_message(who: AbstractBaseUser | None) -> str:
    name = (
        (who.get_full_name() or who.get_username()) if who is not None else "người khác"
    )
    return (
        f"Không nhập được: {name} đã cập nhật báo cáo này sau khi bạn tải tệp Excel "
        "về, nên tệp đã cũ. Không có số liệu nào được nhập. Hãy tải tệp Excel mới, "
        "điền lại số liệu rồi tải lên."
    )


def _changed_count(
    view: selectors.SheetView, entries: dict[int, services.Entry]
) -> int:
    stored = {row.target.id: row.result for row in view.rows}
    changed = 0
    for target_id, entry in entries.items():
        result = stored.get(target_id)
        old = (
            (None, None, None, "")
            if result is None
            else (result.value, result.numerator, result.denominator, result.note)
        )
        new = (entry.value, entry.numerator, entry.denominator, entry.note)
        changed += old != new  # Decimal("5.0000") == Decimal(5); None == None
    return changed


def _problem_order(problem: UploadProblem) -> tuple[int, int]:
    column = COLUMNS.index(problem.column) if problem.column in COLUMNS else -1
    return problem.row or 0, column


class _Reading:
    """The data sheet read row by row; every problem recorded, none raised."""

    def __init__(self, view: selectors.SheetView) -> None:
        self.view = view
        self.targets = {row.target.id: row for row in view.rows}
        self.entries: dict[int, services.Entry] = {}
        self.problems: list[UploadProblem] = []
        self.seen: dict[int, int] = {}  # target id → row it was read from

    def fail(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(UploadProblem(row, column, message))

    def warnings(self) -> list[UploadProblem]:
        """Outliers among the changed rows, in the order of the file."""
        found = []
        for target_id, entry in self.entries.items():
            row = self.targets[target_id]
            if not services.figures_change(row.result, entry):
                continue
            warning = services.entry_warning(
                entry, last_quarter=row.last_quarter, last_year=row.last_year
            )
            if warning is not None:
                column = _FIELD_COLUMNS[warning.field]
                found.append(
                    UploadProblem(self.seen[target_id], column, warning.message)
                )
        return sorted(found, key=_problem_order)

    def read(self, workbook: Any) -> None:
        sheet = self._data_sheet(workbook)
        if sheet is None:
            return
        sheet.reset_dimensions()  # some writers record a wrong size; read every row
        rows = _cells(sheet, len(COLUMNS) + 10)
        columns = self._header(rows)
        if columns is None:
            return
        read = 0
        for number, cells in rows:
            values = {title: cells[index] for title, index in columns.items()}
            if all(_is_blank(cell.value) for cell in values.values()):
                continue
            read += 1
            if read > MAX_ROWS:
                self.fail(
                    None, "", f"Tệp có hơn {format_number(MAX_ROWS)} dòng dữ liệu."
                )
                return
            self._row(number, values)

    def _data_sheet(self, workbook: Any) -> Any:
        expected = sheet_title(year=self.view.year, quarter=self.view.quarter)
        names = [
            n
            for n in workbook.sheetnames
            if fold_accents(n) != fold_accents(INFO_SHEET)
        ]
        chosen = next(
            (n for n in names if fold_accents(n) == fold_accents(expected)), None
        )
        if chosen is None and len(names) == 1:
            chosen = names[0]
        if chosen is None:
            found = quoted_list(names) or "không có"
            self.fail(
                None, "", f"Không tìm thấy sheet “{expected}” (tệp đang có: {found})."
            )
            return None
        return workbook[chosen]

    def _header(
        self, rows: Iterator[tuple[int, Sequence[Any]]]
    ) -> dict[str, int] | None:
        """Each read column's index, from the first row that names them all."""
        wanted = {fold_accents(title): title for title in _READ_COLUMNS}
        for number, cells in rows:
            found = {}
            for index, cell in enumerate(cells):
                if isinstance(cell.value, str):
                    title = wanted.get(fold_accents(cell.value))
                    if title is not None and title not in found:
                        found[title] = index
            if len(found) == len(wanted):
                return found
            if number >= _HEADER_SEARCH_ROWS:
                break
        names = ", ".join(f"“{title}”" for title in _READ_COLUMNS)
        self.fail(
            None,
            "",
            f"Không tìm thấy dòng tiêu đề có các cột {names}. Đừng xóa hay đổi "
            "tên cột; hãy tải tệp Excel mới từ trang báo cáo.",
        )
        return None

    def _row(self, number: int, cells: dict[str, Any]) -> None:
        target = self._target(number, cells[COL_CODE].value)
        if target is None or self.targets[target.id].read_only:
            # Figures read from the registry or summed from subordinates are
            # never taken from the file, whatever was typed over them.
            return
        applicable = _input_columns(target)
        figures: dict[str, Decimal | None] = {}
        ok = True
        for column in _NUMBER_COLUMNS:
            cell = cells[column]
            if column not in applicable:
                if not _is_blank(cell.value):
                    self.fail(
                        number,
                        column,
                        f"chỉ tiêu “{target.label}” không nhập ở cột này.",
                    )
                    ok = False
                figures[column] = None
                continue
            try:
                figures[column] = _number(cell)
            except NumberParseError as error:
                self.fail(number, column, error.message)
                ok = False
        raw_note = cells[COL_NOTE].value
        # A note keeps its own spacing and line breaks, as the web form does.
        note = raw_note.strip() if isinstance(raw_note, str) else _text(raw_note)
        if len(note) > NOTE_MAX_LENGTH:
            self.fail(number, COL_NOTE, f"dài quá {NOTE_MAX_LENGTH} ký tự.")
            ok = False
        if not ok:
            return
        entry = services.Entry(
            value=figures[COL_VALUE],
            numerator=figures[COL_NUMERATOR],
            denominator=figures[COL_DENOMINATOR],
            note=note,
        )
        column = _rule_column(entry)
        typed = cells[COL_VALUE].value
        for problem in services.entry_problems(
            target, entry, typed=typed if isinstance(typed, str) else ""
        ):
            self.fail(number, column, problem)
        self.entries[target.id] = entry

    def _target(self, number: int, code: Any) -> Target | None:
        if _is_blank(code):
            self.fail(
                number,
                COL_CODE,
                "thiếu mã chỉ tiêu, không biết số liệu thuộc chỉ tiêu nào. Đừng "
                "thêm dòng hay xóa mã; điền vào dòng có sẵn của chỉ tiêu.",
            )
            return None
        try:
            target_id = _whole(code)
        except ValueError:
            target_id = None
        row = self.targets.get(target_id) if target_id is not None else None
        if row is None:
            self.fail(
                number,
                COL_CODE,
                f"mã {quoted(_text(code))} không phải chỉ tiêu của kế hoạch "
                f"“{self.view.plan.title}”.",
            )
            return None
        if row.target.id in self.seen:
            first = self.seen[row.target.id]
            self.fail(
                number, COL_CODE, f"chỉ tiêu “{row.target.label}” đã có ở dòng {first}."
            )
            return None
        self.seen[row.target.id] = number
        return row.target


_FIELD_COLUMNS = {
    "value": COL_VALUE,
    "numerator": COL_NUMERATOR,
    "denominator": COL_DENOMINATOR,
}


def _cells(sheet: Any, width: int) -> Iterator[tuple[int, Sequence[Any]]]:
    # Read-only sheets yield one (possibly empty) row per row from row 1, so
    # the count is the row number Excel shows.
    for number, cells in enumerate(sheet.iter_rows(max_col=width), start=1):
        padded = list(cells)[:width]
        yield number, padded + [EMPTY_CELL] * (width - len(padded))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = f"{value:%d/%m/%Y}"
    return " ".join(nfc(str(value)).split())


def _number(cell: Any) -> Decimal | None:
    """A figure from a real number cell or from text typed the Vietnamese way.

    A number cell formatted as a percentage holds a hundredth of what it shows
    (68,9% is 0.689); the figure is what the user sees, 68,9.
    """
    value = cell.value
    if _is_blank(value):
        return None
    if isinstance(value, str):
        return parse_figure(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        shown = _text(value)
        raise NumberParseError(
            f"Số không hợp lệ: {quoted(shown)}. Ô này phải là một số."
        )
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if "%" in (cell.number_format or ""):
        number = number.scaleb(2)
    return number


def _rule_column(entry: services.Entry) -> str:
    """The column a rule problem of the row is reported against."""
    if (entry.numerator is None) != (entry.denominator is None):
        return COL_NUMERATOR if entry.numerator is None else COL_DENOMINATOR
    if entry.numerator is not None:
        return COL_NUMERATOR
    return COL_VALUE
