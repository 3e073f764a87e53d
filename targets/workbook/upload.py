"""An uploaded workbook read and checked whole, then applied in one
services.sheet_save call, or refused with every problem by row and column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from openpyxl.cell.read_only import EMPTY_CELL

# The import of organisations already knows how to refuse a file that is too
# big, not a zip, or a zip bomb, and which exceptions a broken file raises.
from organizations.imports import (
    INVALID_FILE,
    BrokenFile,
    file_problem_of,
    open_workbook,
    quoted,
    quoted_list,
)
from organizations.models import Organization
from partyreports.formatting import NumberParseError, fold_accents, format_number, nfc
from targets import selectors, services
from targets.forms import parse_figure
from targets.models import Target
from targets.workbook.layout import (
    _HEADER_SEARCH_ROWS,
    _INFO_NAME,
    _INFO_ORG,
    _INFO_QUARTER,
    _INFO_VERSION,
    _INFO_YEAR,
    _NUMBER_COLUMNS,
    _READ_COLUMNS,
    COL_CODE,
    COL_DENOMINATOR,
    COL_NOTE,
    COL_NUMERATOR,
    COL_VALUE,
    COLUMNS,
    INFO_SHEET,
    MAX_ROWS,
    NOTE_MAX_LENGTH,
    _input_columns,
    sheet_title,
)


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
