"""Excel import of organisations and members, all or nothing.

The whole workbook is read and checked first; every problem is reported as
(sheet, row as Excel numbers it, column title, Vietnamese message). Only a
clean file is applied, inside one transaction, through
services.organization_create and services.member_create, so the dated tree and
the member history are what the forms would have written. ValidationErrors
raised by the services while applying (rules of the dated tree that only the
services know, e.g. an existing parent that did not yet exist on the founding
date) are all collected, each against its row, and roll everything back.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from organizations import services
from organizations.models import (
    Member,
    Organization,
    OrganizationKind,
    OrganizationLevel,
    Sex,
)
from partyreports.audit import audit_record
from partyreports.formatting import (
    fold_accents,
    format_date,
    format_number,
    nfc,
    vietnamese_text_sort_key,
)

ORG_SHEET = "Tổ chức"
MEMBER_SHEET = "Đảng viên"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
SHEETS = (ORG_SHEET, MEMBER_SHEET)

ORG_CODE = "Mã tổ chức"
ORG_NAME = "Tên tổ chức"
ORG_SHORT_NAME = "Ký hiệu"
ORG_LEVEL = "Cấp"
ORG_KIND = "Loại hình"
ORG_PARENT = "Mã tổ chức cấp trên"
ORG_FOUNDED = "Ngày thành lập"
ORG_COLUMNS = (
    *(ORG_CODE, ORG_NAME, ORG_SHORT_NAME, ORG_LEVEL),
    *(ORG_KIND, ORG_PARENT, ORG_FOUNDED),
)

MEMBER_NAME = "Họ và tên"
MEMBER_SEX = "Giới tính"
MEMBER_BIRTH = "Ngày sinh"
MEMBER_ETHNICITY = "Dân tộc"
MEMBER_CELL = "Mã chi bộ"
MEMBER_ADMITTED = "Ngày vào Đảng"
MEMBER_FULL = "Ngày chính thức"
MEMBER_CARD = "Số thẻ"
MEMBER_COLUMNS = (
    *(MEMBER_NAME, MEMBER_SEX, MEMBER_BIRTH, MEMBER_ETHNICITY),
    *(MEMBER_CELL, MEMBER_ADMITTED, MEMBER_FULL, MEMBER_CARD),
)
COLUMNS = {ORG_SHEET: ORG_COLUMNS, MEMBER_SHEET: MEMBER_COLUMNS}

#: Data rows read per sheet; a bigger register is imported in several files.
MAX_ROWS = 20_000
#: A valid .xlsx is zip-compressed XML; refuse files that inflate beyond this
#: multiple of the upload limit (a zip bomb or a sheet of a million styled rows).
MAX_INFLATION = 20
INVALID_FILE = "Tệp không phải Excel .xlsx hợp lệ."
NO_DATA = "Tệp không có dòng dữ liệu nào (từ dòng 2)."
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What openpyxl raises on a damaged or foreign file, at load or while reading rows:
# zlib.error for a damaged compressed part, SyntaxError for lxml's XMLSyntaxError
# (the parts openpyxl reads with lxml), OverflowError for numbers out of range;
# KeyError, ValueError, TypeError and IndexError from its descriptors and readers
# on damaged XML. Only those raised inside the reader count (_raised_by_reader).
BROKEN_FILE_ERRORS = (
    *(zipfile.BadZipFile, InvalidFileException, ParseError, KeyError),
    *(ValueError, TypeError, IndexError, EOFError, OSError),
    *(zlib.error, struct.error, SyntaxError, OverflowError),
)


class BrokenFile(Exception):
    """The upload cannot be read as a workbook: damaged, foreign or hostile."""


logger = logging.getLogger(__name__)
#: Where a damaged file's errors are raised: the reader and what it calls. An
#: error raised anywhere else (our own row-reading code) is a bug, not a bad file.
_READER_MODULES = frozenset({"openpyxl", "zipfile", "xml", "lxml", "zlib", "struct"})


def _raised_by_reader(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    module = frame.tb_frame.f_globals.get("__name__", "") if frame else ""
    if module.split(".")[0] in _READER_MODULES:
        name = type(error).__name__
        logger.info("Refused an unreadable workbook: %s: %s", name, error)
        return True
    logger.exception("Reading a workbook failed in %s (not the file's fault)", module)
    return False


@contextmanager
def open_workbook(file: IO[bytes]) -> Iterator[Any]:
    """The upload as a read-only openpyxl workbook; any damage found while
    loading it or reading its rows (read lazily, inside the block) raises
    BrokenFile."""
    file.seek(0)
    with warnings.catch_warnings():
        # openpyxl warns about what it drops or cannot show (extensions, data
        # validation, a date out of range); the checks report what matters.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = load_workbook(file, read_only=True, data_only=True)
        except BROKEN_FILE_ERRORS as error:
            if not _raised_by_reader(error):
                raise
            raise BrokenFile from error
        try:
            yield workbook
        except BROKEN_FILE_ERRORS as error:
            if not _raised_by_reader(error):
                raise
            raise BrokenFile from error
        finally:
            workbook.close()


Rows = list[tuple[int, list[Any]]]  # (Excel row number, values) of one sheet


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the file; row is None for the file or a whole sheet."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [f"Sheet “{self.sheet}”"] if self.sheet else []
        where += [f"dòng {self.row}"] if self.row is not None else []
        where += [f"cột “{self.column}”"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    errors: list[ImportProblem] = field(default_factory=list)
    organizations_created: int = 0
    members_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _file_problem(message: str) -> ImportResult:
    return ImportResult(errors=[ImportProblem("", None, "", message)])


#: Characters of a cell or a name quoted back in a problem; the rest is cut, so
#: a 40.000-character cell does not fill the page.
QUOTE_LIMIT = 50


def quoted(value: object) -> str:
    """Text from the file quoted back to the user, cut short: “Nguyễn Văn…”."""
    text = str(value)
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    return f"“{text}”"


def quoted_list(values: Iterable[object], limit: int = 5) -> str:
    """A few quoted names and how many more: “A”, “B” và 7 sheet khác."""
    items = list(values)
    shown = ", ".join(quoted(value) for value in items[:limit])
    more = len(items) - limit
    return f"{shown} và {format_number(more)} sheet khác" if more > 0 else shown


# --- the template --------------------------------------------------------------------

_TEMPLATE_ROWS = 2000  # rows that carry the drop-down lists
_GUIDE = [
    "1. Nhập dữ liệu vào hai sheet “{org}” và “{member}”. Không đổi tên sheet, "
    "không đổi dòng tiêu đề (dòng 1); dữ liệu bắt đầu từ dòng 2.",
    "2. Ngày nhập dạng dd/mm/yyyy (ví dụ 17/05/1980) hoặc ô kiểu ngày của Excel.",
    "3. “{code}” là bắt buộc và không được trùng; dùng mã này để chỉ tổ chức cấp "
    "trên và chi bộ của đảng viên.",
    "4. “{parent}”: mã của một tổ chức trong tệp hoặc đã có trong hệ thống (thuộc "
    "tổ chức đang nhập). Để trống: trực thuộc tổ chức đang nhập.",
    "5. “{cell}”: mã của một chi bộ ({cells}) trong tệp, hoặc mã hay tên của một "
    "chi bộ đã có trong hệ thống, như ghi ở cột “{existing}” của sheet “{lists}”. "
    "Để trống: chi bộ là tổ chức đang nhập.",
    "6. “{level}”, “{kind}”, “{sex}”: chọn trong danh sách (sheet “{lists}”). "
    "Để trống “{kind}”: hệ thống chọn theo cấp.",
    "7. Không bắt buộc: “{short}”, “{ethnicity}” (mặc định Kinh), “{full}” (để "
    "trống nếu là đảng viên dự bị), “{card}”.",
    "8. Mỗi sheet tối đa {max_rows} dòng. Tệp có lỗi sẽ không được nhập dòng nào; "
    "sửa các lỗi được liệt kê rồi tải lên lại.",
]


#: The lists sheet's column of existing chi bộ (the template of an organisation).
EXISTING_CELLS = "Chi bộ đã có"


def template_workbook(*, root: Organization | None = None) -> bytes:
    """The blank import file: the two data sheets, a guide and the lists; with
    `root`, the lists name the chi bộ already under it, as a member row may
    write them in “Mã chi bộ”.

    Every text that comes from data (level names, chi bộ names) is written
    with the sheet export's formula-safe writer: a level named "=HYPERLINK(…)"
    stays text."""
    # Imported here: targets.workbook imports this module.
    from targets.workbook import write_text

    levels = list(OrganizationLevel.objects.order_by("order", "name"))
    workbook = Workbook()
    orgs = workbook.active
    orgs.title = ORG_SHEET
    members = workbook.create_sheet(MEMBER_SHEET)
    _header(orgs, ORG_COLUMNS, (16, 40, 10, 24, 40, 20, 16))
    _header(members, MEMBER_COLUMNS, (30, 10, 14, 12, 16, 16, 16, 14))
    # Codes typed as text keep their leading zeros; dates show as dd/mm/yyyy.
    for sheet, columns, column, style in [
        (orgs, ORG_COLUMNS, ORG_CODE, "@"),
        (orgs, ORG_COLUMNS, ORG_PARENT, "@"),
        (orgs, ORG_COLUMNS, ORG_FOUNDED, "DD/MM/YYYY"),
        (members, MEMBER_COLUMNS, MEMBER_CELL, "@"),
        (members, MEMBER_COLUMNS, MEMBER_CARD, "@"),
        (members, MEMBER_COLUMNS, MEMBER_BIRTH, "DD/MM/YYYY"),
        (members, MEMBER_COLUMNS, MEMBER_ADMITTED, "DD/MM/YYYY"),
        (members, MEMBER_COLUMNS, MEMBER_FULL, "DD/MM/YYYY"),
    ]:
        letter = get_column_letter(columns.index(column) + 1)
        sheet.column_dimensions[letter].number_format = style
    _write_guide(workbook.create_sheet(GUIDE_SHEET), levels, write_text)
    # The lists live in cells: kind labels contain commas, which an inline list
    # cannot hold. Existing chi bộ are offered, but a code of a chi bộ in the
    # file may be typed too (no error message for other values).
    lists = workbook.create_sheet(LISTS_SHEET)
    existing = [ref for ref, _ in existing_cell_refs(root)] if root is not None else []
    choices = [
        (orgs, ORG_COLUMNS, ORG_LEVEL, [level.name for level in levels], True),
        (orgs, ORG_COLUMNS, ORG_KIND, OrganizationKind.labels, True),
        (members, MEMBER_COLUMNS, MEMBER_SEX, Sex.labels, True),
        (members, MEMBER_COLUMNS, MEMBER_CELL, existing, False),
    ]
    for index, (sheet, columns, column, values, strict) in enumerate(choices, start=1):
        source = get_column_letter(index)
        title = EXISTING_CELLS if column == MEMBER_CELL else column
        for row, value in enumerate([title, *values], start=1):
            cell = lists.cell(row=row, column=index)
            write_text(cell, str(value))
            cell.font = Font(bold=row == 1)
        lists.column_dimensions[source].width = 48
        if not values:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${source}$2:${source}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle=column,
            error=f"Chọn một giá trị trong danh sách (sheet “{LISTS_SHEET}”).",
        )
        letter = get_column_letter(columns.index(column) + 1)
        validation.add(f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def existing_cell_refs(root: Organization) -> list[tuple[str, Organization]]:
    """(how a member row names it, chi bộ) for every active chi bộ in the root's
    subtree, in Vietnamese order: its code, else its name, else (a name other
    chi bộ share) its name with its parent's; chi bộ whose name and parent's
    name are both shared are named by nothing. One query."""
    cells = _active_cells(root)
    labels, _shared = _cell_labels(cells)
    label_of = {cell.id: label for label, cell in labels.values()}
    refs = []
    for cell in cells:
        if cell.code:
            refs.append((cell.code, cell))
        elif cell.id in label_of:
            refs.append((label_of[cell.id], cell))
    return sorted(refs, key=lambda ref: vietnamese_text_sort_key(ref[0]))


def _active_cells(root: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(
            path__startswith=root.path,
            level__holds_members=True,
            dissolved_on__isnull=True,
        )
        .select_related("level", "parent")
        .order_by("sort_key", "name", "id")
    )


def _cell_labels(
    cells: list[Organization],
) -> tuple[dict[str, tuple[str, Organization]], set[str]]:
    """The names (or "name (parent's name)" where names repeat) that pick out
    one chi bộ each, by _label_key: {key: (label, chi bộ)}; and the keys of
    names several chi bộ share."""
    by_name: dict[str, list[Organization]] = {}
    for cell in cells:
        by_name.setdefault(_label_key(cell.name), []).append(cell)
    labels: dict[str, tuple[str, Organization]] = {}
    shared: set[str] = set()
    for key, same in by_name.items():
        if len(same) == 1:
            labels[key] = (same[0].name, same[0])
            continue
        shared.add(key)
        with_parent: dict[str, list[Organization]] = {}
        for cell in same:
            parent = cell.parent.name if cell.parent else ""
            with_parent.setdefault(f"{cell.name} ({parent})", []).append(cell)
        for label, found in with_parent.items():
            if len(found) == 1:
                labels[_label_key(label)] = (label, found[0])
    return labels, shared


def _label_key(text: str) -> str:
    return " ".join(nfc(text).split()).casefold()


def _header(sheet: Any, columns: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for index, (title, width) in enumerate(zip(columns, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _write_guide(sheet: Any, levels: list[OrganizationLevel], write_text: Any) -> None:
    names = dict(org=ORG_SHEET, member=MEMBER_SHEET, lists=LISTS_SHEET)
    names |= dict(code=ORG_CODE, parent=ORG_PARENT, level=ORG_LEVEL, kind=ORG_KIND)
    names |= dict(short=ORG_SHORT_NAME, cell=MEMBER_CELL, sex=MEMBER_SEX)
    names |= dict(ethnicity=MEMBER_ETHNICITY, full=MEMBER_FULL, card=MEMBER_CARD)
    names |= dict(
        max_rows=format_number(MAX_ROWS),
        cells=", ".join(level.name for level in levels if level.holds_members),
        existing=EXISTING_CELLS,
    )
    committee = next(
        (lvl.name for lvl in reversed(levels) if not lvl.holds_members), ""
    )
    cell = next((lvl.name for lvl in levels if _is_cell(lvl)), "")
    lines: list[list[str]] = [["Hướng dẫn nhập tổ chức và đảng viên từ Excel"], []]
    lines += [[line.format(**names)] for line in _GUIDE]
    lines += [[], [f"Ví dụ sheet “{ORG_SHEET}”:"], list(ORG_COLUMNS)]
    lines.append(["DBP-1", "Đảng bộ bộ phận 1", "", committee, "", "", "03/02/2010"])
    lines.append(["CB-VP", "Chi bộ Văn phòng", "", cell, "", "DBP-1", "15/03/2010"])
    lines += [[], [f"Ví dụ sheet “{MEMBER_SHEET}”:"], list(MEMBER_COLUMNS)]
    lines.append(
        ["Nguyễn Thị Hoa", Sex.FEMALE.label, "17/05/1980", "Kinh", "CB-VP"]
        + ["19/05/2010", "19/05/2011", "123456"]
    )
    for number, line in enumerate(lines, start=1):
        for column, text in enumerate(line, start=1):
            if text:
                write_text(sheet.cell(row=number, column=column), text)
    sheet["A1"].font = Font(bold=True, size=13)
    for row in sheet.iter_rows():
        if row[0].value in (ORG_COLUMNS[0], MEMBER_COLUMNS[0]):
            for header in row:
                header.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 18


# --- reading the workbook ----------------------------------------------------------


def import_workbook(
    *,
    file: IO[bytes],
    root: Organization,
    user: AbstractBaseUser | AnonymousUser | None,
) -> ImportResult:
    """Check the uploaded workbook and, if it is clean, create its organisations
    and members under `root`. User errors come back in `errors`, never raised."""
    if problem := file_problem_of(file):
        return _file_problem(problem)
    if root.dissolved_on is not None:
        return _file_problem(f"“{root.name}” đã giải thể, không thể nhập thêm.")
    try:
        with open_workbook(file) as workbook:
            sheets, problems = _read(workbook)
    except BrokenFile:
        return _file_problem(INVALID_FILE)
    if problems:
        return ImportResult(errors=problems)
    if not any(sheets.values()):
        return _file_problem(NO_DATA)
    plan = _Plan(root=root)
    plan.check(sheets)
    if plan.problems:
        return ImportResult(errors=_sorted(plan.problems))
    return plan.apply(user=user)


def file_problem_of(file: IO[bytes]) -> str:
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if not isinstance(size, int):
        size = file.seek(0, io.SEEK_END)
    if size > limit:
        return (
            f"Tệp quá lớn ({_megabytes(size)} MB); chỉ nhận tệp đến "
            f"{_megabytes(limit)} MB. Hãy chia thành nhiều tệp."
        )
    name = getattr(file, "name", "") or ""
    if name and not name.lower().endswith(".xlsx"):
        return (
            f"{INVALID_FILE} Tệp “{name}” không có đuôi .xlsx; tệp .xls cũ hãy mở "
            "bằng Excel và lưu lại dạng .xlsx."
        )
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except BROKEN_FILE_ERRORS:
        return INVALID_FILE
    if inflated > limit * MAX_INFLATION:
        return "Tệp có quá nhiều dữ liệu khi giải nén; hãy chia thành nhiều tệp."
    return ""


def _megabytes(size: int) -> str:
    return format_number(Decimal(size) / 2**20, 1)


def _read(workbook: Any) -> tuple[dict[str, Rows], list[ImportProblem]]:
    """Data rows of both sheets, or the problems that stop the file being
    read at all: sheet names, headers, size."""
    by_key = {_sheet_key(name): name for name in workbook.sheetnames}
    expected = ", ".join(f"“{sheet}”" for sheet in SHEETS)
    found = quoted_list(workbook.sheetnames)
    problems = [
        ImportProblem(
            sheet,
            None,
            "",
            f"Không tìm thấy sheet “{sheet}”. Tệp cần các sheet {expected} "
            f"(tệp đang có: {found}). Hãy dùng tệp mẫu.",
        )
        for sheet in SHEETS
        if _sheet_key(sheet) not in by_key
    ]
    if problems:
        return {}, problems
    sheets: dict[str, Rows] = {}
    for sheet in SHEETS:
        columns = COLUMNS[sheet]
        rows = _rows(workbook[by_key[_sheet_key(sheet)]], len(columns))
        header = next(rows, (1, [None] * len(columns)))[1]
        problems += _header_problems(sheet, columns, header)
        data = sheets[sheet] = []
        for number, values in rows:
            if all(_is_blank(value) for value in values):
                continue
            if len(data) == MAX_ROWS:
                message = (
                    f"Sheet có hơn {format_number(MAX_ROWS)} dòng dữ liệu; "
                    "hãy chia thành nhiều tệp."
                )
                problems.append(ImportProblem(sheet, None, "", message))
                break
            data.append((number, values))
    return sheets, problems


def _sheet_key(name: str) -> str:
    # "Tổ chức", "to chuc" and "To_chuc" name the same sheet.
    return fold_accents(name.replace("_", " "))


def _rows(sheet: Any, width: int) -> Iterator[tuple[int, list[Any]]]:
    # Read-only sheets yield one (possibly empty) tuple per row from row 1, so
    # the count is the row number Excel shows.
    rows = sheet.iter_rows(max_col=width, values_only=True)
    for number, values in enumerate(rows, start=1):
        padded = list(values)[:width]
        yield number, padded + [None] * (width - len(padded))


def _header_problems(
    sheet: str, columns: tuple[str, ...], values: list[Any]
) -> list[ImportProblem]:
    problems = []
    for index, (expected, actual) in enumerate(zip(columns, values, strict=True)):
        text = "" if _is_blank(actual) else " ".join(nfc(str(actual)).split())
        if text.casefold() != expected.casefold():
            letter = get_column_letter(index + 1)
            shown = quoted(text) if text else "trống"
            message = (
                f"tiêu đề cột {letter} phải là “{expected}” (đang là {shown}). "
                "Hãy dùng tệp mẫu."
            )
            problems.append(ImportProblem(sheet, 1, expected, message))
    return problems


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sorted(problems: Iterable[ImportProblem]) -> list[ImportProblem]:
    def key(problem: ImportProblem) -> tuple[int, int, int]:
        columns = COLUMNS[problem.sheet]
        column = columns.index(problem.column) if problem.column in columns else -1
        return SHEETS.index(problem.sheet), problem.row or 0, column

    return sorted(problems, key=key)


# --- checking rows -------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# Excel serials below this are small numbers typed by mistake (a year, a day).
_MIN_SERIAL = 3000  # 1908-03-18
_SEXES = {"nam": Sex.MALE, "nu": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE}
_LISTS_HINT = f"(xem sheet “{LISTS_SHEET}” của tệp mẫu)"


class _Row:
    """One data row: typed reads of its cells, each failure recorded."""

    def __init__(
        self, sheet: str, number: int, values: list[Any], problems: list[ImportProblem]
    ) -> None:
        self.sheet = sheet
        self.number = number
        self.values = dict(zip(COLUMNS[sheet], values, strict=True))
        self.problems = problems

    def fail(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.sheet, self.number, column, message))

    def text(
        self, column: str, *, required: bool = False, max_length: int = 255
    ) -> str:
        value = self.values[column]
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code or card number typed into a number cell
        text = "" if _is_blank(value) else " ".join(nfc(str(value)).split())
        if required and not text:
            self.fail(column, "chưa nhập.")
        elif len(text) > max_length:
            self.fail(column, f"dài quá {max_length} ký tự.")
        return text

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.values[column]
        if _is_blank(value):
            if required:
                self.fail(column, "chưa nhập.")
            return None
        day = _to_date(value)
        if day is None:
            shown = value.strip() if isinstance(value, str) else str(value)
            self.fail(column, f"ngày không hợp lệ {quoted(shown)}.")
        elif day.year < 1900:
            self.fail(
                column, f"ngày “{format_date(day)}” không hợp lệ (trước năm 1900)."
            )
        elif day > timezone.localdate():
            self.fail(column, f"ngày “{format_date(day)}” ở tương lai.")
        else:
            return day
        return None


def _to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < _MIN_SERIAL:
            return None
        try:
            converted = from_excel(value)
        except (ValueError, OverflowError):
            return None
        return converted.date() if isinstance(converted, dt.datetime) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _is_cell(level: OrganizationLevel) -> bool:
    """A chi bộ trực thuộc: holds members and cannot have sub-organisations
    (the rule of services.organization_create)."""
    return level.holds_members and not level.is_grassroots


@dataclass
class _OrgRow:
    row: _Row
    code: str
    name: str
    short_name: str
    level: OrganizationLevel | None
    kind: str
    parent_code: str
    founded_on: dt.date | None


@dataclass
class _MemberRow:
    row: _Row
    full_name: str
    sex: str
    date_of_birth: dt.date | None
    ethnicity: str
    cell_code: str
    admitted_on: dt.date | None
    full_member_on: dt.date | None
    party_card_number: str


Problem = tuple[str, str] | None  # (column, message) found by a check


@dataclass
class _Plan:
    """The checked contents of a workbook, ready to apply."""

    root: Organization
    problems: list[ImportProblem] = field(default_factory=list)
    orgs: list[_OrgRow] = field(default_factory=list)
    members: list[_MemberRow] = field(default_factory=list)
    in_file: dict[str, _OrgRow] = field(default_factory=dict)
    existing: dict[str, Organization] = field(default_factory=dict)
    grassroots_top: int | None = None
    # Existing chi bộ a member row may name instead of a code (_cell_labels).
    cell_labels: dict[str, tuple[str, Organization]] = field(default_factory=dict)
    shared_cell_names: set[str] = field(default_factory=set)

    def check(self, sheets: dict[str, Rows]) -> None:
        all_levels = list(OrganizationLevel.objects.all())
        self.grassroots_top = min(
            (lvl.order for lvl in all_levels if lvl.is_grassroots), default=None
        )
        levels = _lookup((lvl, [lvl.name, lvl.code]) for lvl in all_levels)
        kinds = _lookup(
            (value, [label, value]) for value, label in OrganizationKind.choices
        )
        for number, values in sheets[ORG_SHEET]:
            row = _Row(ORG_SHEET, number, values, self.problems)
            self.orgs.append(_read_org(row, levels, kinds))
        for number, values in sheets[MEMBER_SHEET]:
            row = _Row(MEMBER_SHEET, number, values, self.problems)
            self.members.append(_read_member(row))
        self._check_references()

    def _check_references(self) -> None:
        """Unique codes, and every reference to a parent or a chi bộ."""
        for org in self.orgs:
            if org.code in self.in_file:
                first = self.in_file[org.code].row.number
                org.row.fail(ORG_CODE, f"mã {quoted(org.code)} trùng với dòng {first}.")
            elif org.code:
                self.in_file[org.code] = org
        referenced = {org.parent_code for org in self.orgs}
        referenced |= {member.cell_code for member in self.members}
        taken = _organizations_by_code((set(self.in_file) | referenced) - {""})
        for code, org in self.in_file.items():
            if code in taken:
                org.row.fail(ORG_CODE, f"mã {quoted(code)} đã có trong hệ thống.")
        self.existing = {
            code: org
            for code, org in taken.items()
            if code not in self.in_file and org.path.startswith(self.root.path)
        }
        for org in self.orgs:
            if problem := self._parent_problem(org) or self._level_problem(org):
                org.row.fail(*problem)
        if any(
            m.cell_code
            and m.cell_code not in self.in_file
            and m.cell_code not in self.existing
            for m in self.members
        ):
            self.cell_labels, self.shared_cell_names = _cell_labels(
                _active_cells(self.root)
            )
        cards: dict[str, int] = {}
        for member in self.members:
            if problem := self._cell_problem(member):
                member.row.fail(*problem)
            card = member.party_card_number
            if card and card in cards:
                member.row.fail(
                    MEMBER_CARD, f"số thẻ {quoted(card)} trùng với dòng {cards[card]}."
                )
            elif card:
                cards[card] = member.row.number
        taken_cards = _cards_in_use(set(cards))
        for member in self.members:
            if member.party_card_number in taken_cards:
                member.row.fail(
                    MEMBER_CARD,
                    f"số thẻ {quoted(member.party_card_number)} đã có trong hệ thống.",
                )

    def _not_found(self, code: str) -> str:
        # The same words for unknown and out-of-scope codes: other trees stay unseen.
        return (
            f"không tìm thấy tổ chức mã {quoted(code)} trong tệp hoặc trong "
            f"“{self.root.name}”."
        )

    def _parent_problem(self, org: _OrgRow) -> Problem:
        no_children = "là chi bộ, không thể có tổ chức trực thuộc"
        if not org.parent_code:
            if _is_cell(self.root.level):
                return (
                    ORG_PARENT,
                    f"“{self.root.name}” {no_children}; hãy nhập mã cấp trên.",
                )
            return None
        if org.parent_code == org.code:
            return ORG_PARENT, "mã cấp trên trùng với mã của chính tổ chức."
        parent_row = self.in_file.get(org.parent_code)
        if parent_row is not None:
            where = f"{quoted(parent_row.name)} (dòng {parent_row.row.number})"
            if parent_row.level is not None and _is_cell(parent_row.level):
                return ORG_PARENT, f"{where} {no_children}."
            if self._in_cycle(org):
                return ORG_PARENT, "các mã cấp trên tạo thành vòng lặp."
            founded, parent_founded = org.founded_on, parent_row.founded_on
            if founded and parent_founded and founded < parent_founded:
                return ORG_FOUNDED, (
                    f"không được trước ngày thành lập ({format_date(parent_founded)}) "
                    f"của tổ chức cấp trên {where}."
                )
            return None
        parent = self.existing.get(org.parent_code)
        if parent is None:
            return ORG_PARENT, self._not_found(org.parent_code)
        if parent.dissolved_on is not None:
            return ORG_PARENT, f"“{parent.name}” đã giải thể."
        if _is_cell(parent.level):
            return ORG_PARENT, f"“{parent.name}” {no_children}."
        return None

    def _level_problem(self, org: _OrgRow) -> Problem:
        """The level order (services.level_problem) against the parent's level."""
        if org.level is None:
            return None
        parent_row = self.in_file.get(org.parent_code)
        if parent_row is not None:
            if parent_row.level is None:
                return None
            parent_level, parent_name = parent_row.level, parent_row.name
        else:
            parent = self.existing.get(org.parent_code, self.root)
            parent_level, parent_name = parent.level, parent.name
        problem = services.level_problem(
            level=org.level,
            parent_level=parent_level,
            parent_name=parent_name,
            grassroots_top=self.grassroots_top,
        )
        return (ORG_LEVEL, problem) if problem else None

    def _in_cycle(self, org: _OrgRow) -> bool:
        seen: set[str] = set()
        current = self.in_file.get(org.parent_code)
        while current is not None and current.code not in seen:
            if current.code == org.code:
                return True
            seen.add(current.code)
            current = self.in_file.get(current.parent_code)
        return False

    def _cell_problem(self, member: _MemberRow) -> Problem:
        if not member.cell_code:
            if self.root.level.holds_members:
                return None
            return (
                MEMBER_CELL,
                f"chưa nhập (chỉ để trống khi “{self.root.name}” là chi bộ).",
            )
        row = self.in_file.get(member.cell_code)
        if row is not None:
            if row.level is not None and not row.level.holds_members:
                where = f"(sheet “{ORG_SHEET}”, dòng {row.row.number})"
                return MEMBER_CELL, f"{quoted(row.name)} {where} không phải chi bộ."
            return None
        cell = self.existing.get(member.cell_code)
        if cell is None:
            key = _label_key(member.cell_code)
            if key in self.cell_labels:
                cell = self.existing[member.cell_code] = self.cell_labels[key][1]
            elif key in self.shared_cell_names:
                return MEMBER_CELL, (
                    f"có nhiều chi bộ tên {quoted(member.cell_code)}; hãy ghi tên như "
                    f"ở cột “{EXISTING_CELLS}” (sheet “{LISTS_SHEET}” của tệp mẫu tải "
                    "từ trang nhập Excel của tổ chức) hoặc dùng mã chi bộ."
                )
            else:
                return MEMBER_CELL, self._not_found(member.cell_code)
        if not cell.level.holds_members:
            return MEMBER_CELL, f"“{cell.name}” không phải chi bộ."
        if cell.dissolved_on is not None:
            return MEMBER_CELL, f"“{cell.name}” đã giải thể."
        return None

    # --- applying ------------------------------------------------------------------

    def apply(self, *, user: AbstractBaseUser | AnonymousUser | None) -> ImportResult:
        """Write the rows through the services in one transaction. A row a
        service refuses is noted and the others are still tried (each service
        call is its own savepoint), so every such problem is reported at once;
        rows under a refused organisation are skipped. Any problem rolls the
        whole file back."""
        author = user if user is not None and user.is_authenticated else None
        failed: list[ImportProblem] = []
        try:
            with transaction.atomic():
                created, skipped = self._create_organizations(author, failed)
                for member in self.members:
                    if member.cell_code not in skipped:
                        self._create_member(member, created, author, failed)
                if failed:
                    raise _ApplyFailed(failed)
                audit_record(
                    action="import.organizations_members",
                    organization=self.root,
                    user=author,
                    summary=(
                        f"Nhập từ Excel vào “{self.root.name}”: {len(created)} tổ "
                        f"chức, {len(self.members)} đảng viên."
                    ),
                    changes={
                        "organizations_created": (None, len(created)),
                        "members_created": (None, len(self.members)),
                    },
                )
        except _ApplyFailed as refused:
            return ImportResult(errors=_sorted(refused.problems))
        return ImportResult(
            organizations_created=len(created), members_created=len(self.members)
        )

    def _create_organizations(
        self, author: Any, failed: list[ImportProblem]
    ) -> tuple[dict[str, Organization], set[str]]:
        """The organisations created by code, and the codes of rows refused or
        skipped (under a refused one)."""
        created: dict[str, Organization] = {}
        skipped: set[str] = set()
        for org in _parents_first(self.orgs):
            assert org.level is not None and org.founded_on is not None  # checked
            if org.parent_code in skipped:
                skipped.add(org.code)
                continue
            parent = created.get(org.parent_code) or self.existing.get(org.parent_code)
            try:
                created[org.code] = services.organization_create(
                    name=org.name,
                    short_name=org.short_name,
                    level=org.level,
                    kind=org.kind,
                    parent=parent or self.root,
                    founded_on=org.founded_on,
                    code=org.code,
                    user=author,
                )
            except ValidationError as error:
                failed.append(_service_problem(org.row, error))
                skipped.add(org.code)
            except IntegrityError:
                # The code was taken between the check and now.
                failed.append(
                    ImportProblem(
                        ORG_SHEET,
                        org.row.number,
                        ORG_CODE,
                        f"mã {quoted(org.code)} đã có trong hệ thống.",
                    )
                )
                skipped.add(org.code)
        return created, skipped

    def _create_member(
        self,
        member: _MemberRow,
        created: dict[str, Organization],
        author: Any,
        failed: list[ImportProblem],
    ) -> None:
        assert member.date_of_birth and member.admitted_on  # checked
        cell = created.get(member.cell_code) or self.existing.get(member.cell_code)
        try:
            services.member_create(
                full_name=member.full_name,
                sex=member.sex,
                date_of_birth=member.date_of_birth,
                organization=cell or self.root,
                admitted_on=member.admitted_on,
                full_member_on=member.full_member_on,
                ethnicity=member.ethnicity,
                party_card_number=member.party_card_number,
                user=author,
            )
        except ValidationError as error:
            failed.append(_service_problem(member.row, error))


def _read_org(row: _Row, levels: dict[str, Any], kinds: dict[str, Any]) -> _OrgRow:
    level_text = row.text(ORG_LEVEL, required=True)
    level = _find(levels, level_text)
    if level_text and level is None:
        row.fail(ORG_LEVEL, f"không có cấp {quoted(level_text)} {_LISTS_HINT}.")
    kind_text = row.text(ORG_KIND)
    kind = _find(kinds, kind_text)
    if kind_text and kind is None:
        row.fail(ORG_KIND, f"không có loại hình {quoted(kind_text)} {_LISTS_HINT}.")
    if kind is None and level is not None:
        kind = services.default_kind_for(level)
    return _OrgRow(
        row=row,
        code=row.text(ORG_CODE, required=True, max_length=40),
        name=row.text(ORG_NAME, required=True),
        short_name=row.text(ORG_SHORT_NAME, max_length=20),
        level=level,
        kind=kind or "",
        parent_code=row.text(ORG_PARENT, max_length=40),
        founded_on=row.date(ORG_FOUNDED, required=True),
    )


def _read_member(row: _Row) -> _MemberRow:
    full_name = row.text(MEMBER_NAME, required=True, max_length=120)
    sex_text = row.text(MEMBER_SEX, required=True)
    sex = _SEXES.get(fold_accents(sex_text), "")
    if sex_text and not sex:
        row.fail(
            MEMBER_SEX, f"giới tính {quoted(sex_text)} không hợp lệ (Nam hoặc Nữ)."
        )
    born = row.date(MEMBER_BIRTH, required=True)
    ethnicity = row.text(MEMBER_ETHNICITY, max_length=60)
    cell_code = row.text(MEMBER_CELL, max_length=40)
    admitted = row.date(MEMBER_ADMITTED, required=True)
    full = row.date(MEMBER_FULL)
    if born and admitted and admitted <= born:
        row.fail(MEMBER_ADMITTED, f"phải sau ngày sinh ({format_date(born)}).")
    if admitted and full and full < admitted:
        row.fail(
            MEMBER_FULL, f"không được trước ngày vào Đảng ({format_date(admitted)})."
        )
    return _MemberRow(
        row=row,
        full_name=full_name,
        sex=sex,
        date_of_birth=born,
        ethnicity=ethnicity,
        cell_code=cell_code,
        admitted_on=admitted,
        full_member_on=full,
        party_card_number=row.text(MEMBER_CARD, max_length=30),
    )


class _ApplyFailed(Exception):
    """Rows the services refused: the transaction rolls back."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


# A service error names a form field; this is the column it came from. Errors
# without a field are about the row's place in the dated tree.
_FIELD_COLUMNS = {
    "name": ORG_NAME,
    "short_name": ORG_SHORT_NAME,
    "level": ORG_LEVEL,
    "kind": ORG_KIND,
    "code": ORG_CODE,
    "parent": ORG_PARENT,
    "founded_on": ORG_FOUNDED,
    "full_name": MEMBER_NAME,
    "sex": MEMBER_SEX,
    "date_of_birth": MEMBER_BIRTH,
    "ethnicity": MEMBER_ETHNICITY,
    "organization": MEMBER_CELL,
    "admitted_on": MEMBER_ADMITTED,
    "joined_on": MEMBER_ADMITTED,
    "full_member_on": MEMBER_FULL,
    "party_card_number": MEMBER_CARD,
}
_DEFAULT_COLUMN = {ORG_SHEET: ORG_FOUNDED, MEMBER_SHEET: MEMBER_CELL}


def _service_problem(row: _Row, error: ValidationError) -> ImportProblem:
    column = _DEFAULT_COLUMN[row.sheet]
    for name in getattr(error, "error_dict", {}):
        if _FIELD_COLUMNS.get(name) in COLUMNS[row.sheet]:
            column = _FIELD_COLUMNS[name]
            break
    return ImportProblem(row.sheet, row.number, column, " ".join(error.messages))


def _parents_first(orgs: list[_OrgRow]) -> list[_OrgRow]:
    """Rows ordered so every in-file parent comes before its children
    (duplicates and cycles were refused by the checks)."""
    by_code = {org.code: org for org in orgs}
    depth: dict[str, int] = {}
    for org in orgs:
        chain: list[_OrgRow] = []
        current: _OrgRow | None = org
        while (
            current is not None and current.code not in depth and current not in chain
        ):
            chain.append(current)
            current = by_code.get(current.parent_code)
        base = depth[current.code] if current is not None else 0
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item.code] = base + offset
    return sorted(orgs, key=lambda org: (depth[org.code], org.row.number))


def _lookup(entries: Iterable[tuple[Any, list[str]]]) -> dict[str, Any]:
    """Names and codes → object, matched without case or accents; an exact
    (case-insensitive) spelling wins over an accent-folded one."""
    table: dict[str, Any] = {}
    for obj, names in entries:
        for name in names:
            table.setdefault("=" + nfc(name).casefold(), obj)
            table.setdefault("~" + fold_accents(name), obj)
    return table


def _find(table: dict[str, Any], text: str) -> Any:
    if not text:
        return None
    return table.get("=" + text.casefold()) or table.get("~" + fold_accents(text))


def _cards_in_use(cards: set[str]) -> set[str]:
    """The party card numbers among `cards` that a member already holds."""
    found: set[str] = set()
    ordered = sorted(cards)
    for start in range(0, len(ordered), 500):  # stay under SQLite's parameter limit
        chunk = ordered[start : start + 500]
        found.update(
            Member.objects.filter(party_card_number__in=chunk).values_list(
                "party_card_number", flat=True
            )
        )
    return found


def _organizations_by_code(codes: set[str]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):  # stay under SQLite's parameter limit
        chunk = ordered[start : start + 500]
        for org in Organization.objects.select_related("level").filter(code__in=chunk):
            found[org.code or ""] = org
    return found
