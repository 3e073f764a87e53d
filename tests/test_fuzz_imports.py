"""Bad input, fuzzed: both Excel importers under random, broken and huge files.

The organisation/member import (organizations.imports) and the entry sheet's
round trip (targets.workbook) are fed random bytes, damaged copies of a good
file, zips that are not workbooks, workbooks with the wrong sheets, headers,
merged cells and cell values of every type, and a 100.000-row file. Every case
must come back as a list of short Vietnamese problems, never an exception or a
500, and must leave the database as it was; a file that is still clean after
the damage must import exactly what it holds.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell

from organizations import imports
from organizations.imports import COLUMNS as ORG_IMPORT_COLUMNS
from organizations.imports import (
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORG_COLUMNS,
    ORG_SHEET,
    SHEETS,
)
from organizations.models import Organization
from targets import selectors, workbook
from tests.conftest import PlanWorld, World
from tests.fuzzing import FUZZ, changed_tables, is_vietnamese, rolled_back, snapshot

pytestmark = pytest.mark.django_db

#: A problem is read on a page: it names the place and says what is wrong,
#: without quoting a whole 40.000-character cell back.
MAX_MESSAGE = 400
BIG_ROWS = 100_000
#: The Sở's public id in the 100.000-row entry sheet built once per session.
BIG_SHEET_ORG = uuid.UUID("00000000-0000-4000-8000-00000000f022")

# --- building files -------------------------------------------------------------------

GOOD_ORGS = [
    ["CB-F1", "Chi bộ Thử nghiệm", "", "Chi bộ trực thuộc", "", "", "01/03/2021"],
]
GOOD_MEMBERS = [
    [
        "Lê Văn An",
        "Nam",
        "12/04/1985",
        "Kinh",
        "CB-F1",
        "03/02/2010",
        "03/02/2011",
        "1",
    ],
    # A date typed as a date (not text), no full-membership date, no card.
    [
        "Phạm Thị Bình",
        "Nữ",
        dt.datetime(1990, 7, 1),
        "Tày",
        "CB-F1",
        "19/05/2015",
        None,
        "",
    ],
]


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, name: str = "nhap.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=imports.XLSX_CONTENT_TYPE)


def _org_book(orgs: list[list[Any]], members: list[list[Any]]) -> Workbook:
    book = Workbook()
    book.active.title = ORG_SHEET
    book.active.append(list(ORG_COLUMNS))
    for row in orgs:
        book.active.append(row)
    sheet = book.create_sheet(MEMBER_SHEET)
    sheet.append(list(MEMBER_COLUMNS))
    for row in members:
        sheet.append(row)
    return book


def _good_org_file() -> bytes:
    return _bytes(_org_book(GOOD_ORGS, GOOD_MEMBERS))


def _row_of(sheet: Any, target_id: int) -> int:
    code = workbook.COLUMNS.index(workbook.COL_CODE) + 1
    for (cell,) in sheet.iter_rows(min_col=code, max_col=code):
        if cell.value == target_id:
            return cell.row
    raise AssertionError(f"no row for target {target_id}")


def _sheet_book(world: World, plan_world: PlanWorld) -> Workbook:
    """The Sở's Q3 download with new figures typed in: a clean upload."""
    view = selectors.sheet_view(organization=world.grassroots_a, year=2023, quarter=3)
    assert view is not None
    book = load_workbook(io.BytesIO(workbook.sheet_export(view=view, editable=True)))
    sheet = book.worksheets[0]
    value = workbook.COLUMNS.index(workbook.COL_VALUE) + 1
    note = workbook.COLUMNS.index(workbook.COL_NOTE) + 1
    sheet.cell(row=_row_of(sheet, plan_world.jobs.id), column=value, value=12000)
    sheet.cell(row=_row_of(sheet, plan_world.trained.id), column=value, value="68,9")
    sheet.cell(row=_row_of(sheet, plan_world.poor.id), column=note, value="Ghi chú")
    return book


# --- running the importers and checking what they say ---------------------------------


def _import_orgs(world: World, data: bytes, name: str = "nhap.xlsx") -> Any:
    return imports.import_workbook(
        file=_upload(data, name), root=world.grassroots_a, user=None
    )


def _import_sheet(world: World, data: bytes, name: str = "ket-qua.xlsx") -> Any:
    return workbook.sheet_import(
        file=_upload(data, name),
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        user=None,
    )


def _assert_clear(problem: Any, *, columns: tuple[str, ...]) -> None:
    text = str(problem)
    assert is_vietnamese(text), text
    assert len(text) <= MAX_MESSAGE, text[:MAX_MESSAGE]
    if problem.row is not None:
        assert f"òng {problem.row}" in text, text
        assert problem.column in columns, text


def _check_org_import(result: Any, before: dict[str, object]) -> str:
    """Refused and unchanged, or imported exactly what was counted; says which
    (and tells Hypothesis, whose statistics show how often each happened)."""
    after = snapshot()
    outcome = "refused" if not result.ok else "imported"
    if currently_in_test_context():
        event(f"import {outcome}")
    if not result.ok:
        assert after == before, changed_tables(before, after)
        for problem in result.errors:
            sheet_columns = ORG_IMPORT_COLUMNS.get(problem.sheet, ())
            if problem.row is not None:
                assert problem.sheet in SHEETS, str(problem)
            _assert_clear(problem, columns=sheet_columns)
        return outcome
    assert changed_tables(before, after) <= {
        *("organizations", "organization placements", "organization fields"),
        *("members", "member placements", "member events", "audit events"),
    }
    assert after["organizations"] == before["organizations"] + (  # type: ignore[operator]
        result.organizations_created
    )
    assert len(after["members"]) == len(before["members"]) + (  # type: ignore[arg-type]
        result.members_created
    )
    # One event for the import, one for each organisation and member it made.
    assert after["audit events"] == before["audit events"] + 1 + (  # type: ignore[operator]
        result.organizations_created + result.members_created
    )
    return outcome


def _check_sheet_import(result: Any, before: dict[str, object]) -> None:
    after = snapshot()
    if not result.ok or not result.changed:
        assert after == before, changed_tables(before, after)
        for problem in result.errors:
            _assert_clear(problem, columns=workbook.COLUMNS)
        return
    assert changed_tables(before, after) <= {
        "sheets",
        "results",
        "result changes",
        "audit events",
    }
    assert after["result changes"] == before["result changes"] + (  # type: ignore[operator]
        result.changed
    )


# --- strategies -----------------------------------------------------------------------

_LEGAL_TEXT = st.text(max_size=40).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
_VIETNAMESE_TEXT = st.sampled_from(
    ["Nguyễn Thị Hoà", "Đảng bộ", "Chi bộ trực thuộc", "Nữ", "nam", "Kinh", "Tày"]
)
_HUGE_TEXT = st.tuples(
    st.sampled_from(["Ư", "9", "a ", "=", "1.000,5 "]), st.integers(300, 40_000)
).map(lambda pair: pair[0] * pair[1])
_FORMULAS = st.sampled_from(
    ["=1+1", "=A1", "=SUM(1,2)", "=1/0", "=NOW()", '="x"&"y"', "=", "+1", "-1", "@A1"]
)
_NUMBER_TEXT = st.sampled_from(
    ["20.360", "4,05", "20,360,5", "1e9", "NaN", "-0", "٣", "1.23", "  7 ", "100%"]
)
_DATE_TEXT = st.sampled_from(
    ["17/05/1980", "31/02/2020", "2020-13-01", "1.1.1979", "01/01/1800", "01/01/2999"]
)
_NUMBER_FORMATS = st.sampled_from(
    [None, "General", "0", "0.00%", "DD/MM/YYYY", "@", "[h]:mm:ss", "#,##0.00"]
)
_VALUES = st.one_of(
    st.none(),
    _LEGAL_TEXT,
    _VIETNAMESE_TEXT,
    _HUGE_TEXT,
    _FORMULAS,
    _NUMBER_TEXT,
    _DATE_TEXT,
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals().filter(lambda number: not number.is_snan()),  # unwritable
    st.dates(min_value=dt.date(1800, 1, 1)),
    st.datetimes(min_value=dt.datetime(1800, 1, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3000)),
)
#: (value, number format): a date format on a huge number is a date Excel
#: cannot show, a percent format scales the figure.
CELLS = st.tuples(_VALUES, _NUMBER_FORMATS)


def _write(sheet: Any, row: int, column: int, cell: tuple[Any, str | None]) -> None:
    target = sheet.cell(row=row, column=column)
    if isinstance(target, MergedCell):
        return
    value, number_format = cell
    target.value = value
    if number_format is not None:
        target.number_format = number_format


def _flip(data: bytes, at: int, patch: bytes, mode: str) -> bytes:
    at %= len(data)
    chunk = data[at : at + len(patch)]
    if mode == "xor":
        patch = bytes(a ^ b for a, b in zip(chunk, patch, strict=False))
    elif mode == "zero":
        patch = bytes(len(chunk))
    else:
        patch = patch[: len(chunk)]
    return data[:at] + patch + data[at + len(patch) :]


_MEMBER_CONTENTS = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"<?xml version='1.0'?>",
            b"<?xml version='1.0'?><worksheet><sheetData><row><c",
            b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/"
            b"main'><sheetData><row r='1'><c r='A1' t='s'><v>99</v></c></row>"
            b"</sheetData></worksheet>",
            b"<sst><si><t>_x0000_</t></si></sst>",
            b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
            b"<x>&b;</x>",
            "<x>Tệp hỏng</x>".encode("utf-16"),
        ]
    ),
)


def _rezip(data: bytes, edit: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    edit(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """A good workbook, truncated, overwritten in places, or with a zip member
    dropped, renamed or replaced by garbage."""
    how = draw(st.sampled_from(["truncate", "flip", "drop", "replace", "rename"]))
    if how == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "flip":
        for _ in range(draw(st.integers(1, 3))):
            data = _flip(
                data,
                draw(st.integers(0, len(data) - 1)),
                draw(st.binary(min_size=1, max_size=64)),
                draw(st.sampled_from(["xor", "zero", "overwrite"])),
            )
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    name = draw(st.sampled_from(names))
    content = draw(_MEMBER_CONTENTS)
    new_name = draw(st.sampled_from(["xl/x.xml", name.upper(), name + ".bak"]))

    def edit(members: dict[str, bytes]) -> None:
        if how == "drop":
            del members[name]
        elif how == "replace":
            members[name] = content
        else:
            members[new_name] = members.pop(name)

    return _rezip(data, edit)


_ZIP_NAMES = st.one_of(
    st.sampled_from(
        [
            "[Content_Types].xml",
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
            "xl/_rels/workbook.xml.rels",
            "_rels/.rels",
            "word/document.xml",
            "mimetype",
        ]
    ),
    st.text("abcxyz/._-", min_size=1, max_size=20),
)


@st.composite
def foreign_zips(draw: st.DrawFn) -> bytes:
    """A zip that is not a workbook: random parts, maybe with workbook names."""
    members = draw(
        st.dictionaries(_ZIP_NAMES, _MEMBER_CONTENTS, min_size=0, max_size=5)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


_SHEET_NAMES = st.one_of(
    st.sampled_from(
        [ORG_SHEET, MEMBER_SHEET, "To chuc", "dang_vien", "ĐẢNG VIÊN", "Sheet1"]
        + [imports.GUIDE_SHEET, "Tổ chức ", " Đảng viên", "Tổ  chức", "Dang vien 2"]
    ),
    st.text(min_size=1, max_size=31).filter(
        lambda name: (
            not set(name) & set("\\/?*[]:'")
            and not ILLEGAL_CHARACTERS_RE.search(name)
            and name.strip()
        )
    ),
)


@st.composite
def headers(draw: st.DrawFn, columns: tuple[str, ...]) -> list[Any]:
    """The right titles, then some dropped, swapped, renamed or added."""
    header: list[Any] = list(columns)
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["keep", "drop", "swap", "rename", "add", "case"]))
        at = draw(st.integers(0, max(len(header) - 1, 0)))
        if not header or how == "add":
            header.append(draw(st.one_of(_VIETNAMESE_TEXT, _LEGAL_TEXT)))
        elif how == "drop":
            del header[at]
        elif how == "swap":
            other = draw(st.integers(0, len(header) - 1))
            header[at], header[other] = header[other], header[at]
        elif how == "rename":
            header[at] = draw(_VALUES)
        elif how == "case" and isinstance(header[at], str):
            header[at] = f" {header[at].upper()} "
    return header


_PLAUSIBLE = st.one_of(
    _VIETNAMESE_TEXT,
    _DATE_TEXT,
    st.sampled_from(["CB-F1", "CB-A1", "", "Chi bộ trực thuộc", "Đảng bộ bộ phận"]),
    st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2100, 1, 1)),
)


@st.composite
def org_files(draw: st.DrawFn) -> bytes:
    """An import workbook with random sheets, headers, rows and merges."""
    book = Workbook()
    book.remove(book.active)
    names = draw(st.lists(_SHEET_NAMES, min_size=1, max_size=3, unique_by=str.casefold))
    for name in names:
        sheet = book.create_sheet(name)
        columns = draw(st.sampled_from([ORG_COLUMNS, MEMBER_COLUMNS]))
        for column, title in enumerate(draw(headers(columns)), start=1):
            _write(sheet, 1, column, (title, None))
        rows = draw(st.integers(0, 5))
        for row in range(2, rows + 2):
            for column in range(1, len(columns) + 2):
                cell = draw(st.one_of(CELLS, st.tuples(_PLAUSIBLE, st.none())))
                _write(sheet, row, column, cell)
        _merge(draw, sheet, rows + 2, len(columns) + 1)
    return _bytes(book)


def _merge(draw: st.DrawFn, sheet: Any, rows: int, columns: int) -> None:
    """Merged ranges anywhere, over the header too; never overlapping (Excel
    refuses a file whose merged ranges overlap)."""
    taken = {cell for merged in sheet.merged_cells.ranges for cell in merged.cells}
    for _ in range(draw(st.integers(0, 3))):
        top = draw(st.integers(1, rows))
        left = draw(st.integers(1, columns))
        bottom = draw(st.integers(top, min(top + 3, rows + 1)))
        right = draw(st.integers(left, min(left + 3, columns + 1)))
        cells = {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}
        if len(cells) > 1 and not cells & taken:
            sheet.merge_cells(
                start_row=top, start_column=left, end_row=bottom, end_column=right
            )
            taken |= cells


_SHEET_EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(1, 20), st.integers(1, 14), CELLS),
        st.tuples(st.just("info"), st.integers(1, 8), st.integers(1, 3), CELLS),
        st.tuples(st.just("rename"), st.integers(0, 1), _SHEET_NAMES),
        st.tuples(st.just("drop"), st.integers(0, 1)),
        st.tuples(st.just("rows"), st.integers(1, 20), st.integers(1, 3)),
        st.tuples(st.just("merge")),
    ),
    max_size=8,
)


@st.composite
def sheet_files(draw: st.DrawFn, base: bytes) -> bytes:
    """The downloaded entry sheet after random edits: cells of every type in
    the data and the identity sheet, renamed or dropped sheets, inserted rows,
    merged ranges."""
    book = load_workbook(io.BytesIO(base))
    for edit in draw(_SHEET_EDITS):
        how, *args = edit
        if how == "set":
            _write(book.worksheets[0], *args)
        elif how == "info" and len(book.worksheets) > 1:
            _write(book.worksheets[-1], *args)
        elif how == "rename" and args[0] < len(book.worksheets):
            if args[1].casefold() not in {n.casefold() for n in book.sheetnames}:
                book.worksheets[args[0]].title = args[1]
        elif how == "drop" and len(book.worksheets) > 1:
            book.remove(book.worksheets[args[0]])
            book.worksheets[0].sheet_state = "visible"  # one sheet cannot hide
        elif how == "rows":
            book.worksheets[0].insert_rows(args[0], args[1])
        elif how == "merge":
            _merge(draw, book.worksheets[0], 20, 13)
    return _bytes(book)


# --- (a) random bytes, damaged workbooks, zips that are not workbooks -----------------


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_are_refused_by_both_importers(world, data):
    before = snapshot()
    org_result, sheet_result = _import_orgs(world, data), _import_sheet(world, data)
    assert not org_result.ok and not sheet_result.ok
    _check_org_import(org_result, before)
    _check_sheet_import(sheet_result, before)


class _File(bytes):
    """A file's bytes that a failing example prints as its size only."""

    def __repr__(self) -> str:
        return f"<{len(self)} bytes>"


@pytest.fixture
def good_org_file() -> bytes:
    """Built once per test: Hypothesis needs the same base for every example."""
    return _File(_good_org_file())


@pytest.fixture
def good_sheet_file(world: World, plan_world: PlanWorld) -> bytes:
    return _File(_bytes(_sheet_book(world, plan_world)))


def test_the_good_import_file_imports_whole(world):
    """The base the damage starts from is a file the importer takes: one chi bộ
    and two members, each recorded."""
    before = snapshot()
    result = _import_orgs(world, _good_org_file())
    assert result.ok, [str(problem) for problem in result.errors]
    assert (result.organizations_created, result.members_created) == (1, 2)
    assert _check_org_import(result, before) == "imported"
    cell = Organization.objects.get(code="CB-F1")
    assert cell.parent == world.grassroots_a
    assert sorted(cell.members.values_list("full_name", flat=True)) == [
        "Lê Văn An",
        "Phạm Thị Bình",
    ]


def test_a_damaged_import_file_is_refused_or_imported_whole(world, good_org_file):
    outcomes: Counter[str] = Counter()

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        file = data.draw(damaged(good_org_file))
        with rolled_back():
            before = snapshot()
            outcomes[_check_org_import(_import_orgs(world, file), before)] += 1

    run()
    # Both branches ran: some damage (a part renamed, a byte in an unused
    # part) leaves a file that still imports whole.
    assert outcomes["refused"] and outcomes["imported"], outcomes


@FUZZ
@given(data=st.data())
def test_a_damaged_entry_sheet_is_refused_or_saved_whole(world, good_sheet_file, data):
    file = data.draw(damaged(good_sheet_file))
    with rolled_back():
        before = snapshot()
        _check_sheet_import(_import_sheet(world, file), before)


@FUZZ
@given(data=foreign_zips())
def test_a_zip_that_is_not_a_workbook_is_refused(world, data):
    before = snapshot()
    org_result, sheet_result = _import_orgs(world, data), _import_sheet(world, data)
    assert not org_result.ok and not sheet_result.ok
    _check_org_import(org_result, before)
    _check_sheet_import(sheet_result, before)


# --- (b) sheets, headers, merged cells and cell values --------------------------------


@FUZZ
@given(file=org_files())
def test_any_import_workbook_is_refused_with_its_problems_or_imported_whole(
    world, file
):
    with rolled_back():
        before = snapshot()
        _check_org_import(_import_orgs(world, file), before)


@FUZZ
@given(data=st.data())
def test_any_edit_of_the_entry_sheet_is_refused_with_its_problems_or_saved_whole(
    world, good_sheet_file, data
):
    file = data.draw(sheet_files(good_sheet_file))
    with rolled_back():
        before = snapshot()
        _check_sheet_import(_import_sheet(world, file), before)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=8, max_size=8), min_size=1, max_size=6))
def test_member_rows_of_any_values_are_refused_row_by_row(world, rows):
    """Right sheets and headers, random values: each problem names its row and
    column, and the good rows are not imported alone."""
    book = _org_book([], [])
    sheet = book[MEMBER_SHEET]
    for number, row in enumerate(rows, start=2):
        for column, cell in enumerate(row, start=1):
            _write(sheet, number, column, cell)
    with rolled_back():
        before = snapshot()
        result = _import_orgs(world, _bytes(book))
        _check_org_import(result, before)
        for problem in result.errors:
            if problem.row is None:  # a file of blank rows has no data
                assert problem.message == imports.NO_DATA
            else:
                assert problem.sheet == MEMBER_SHEET
                assert 2 <= problem.row <= len(rows) + 1


# --- the known cases, once each, through the upload views -----------------------------


def _org_url(world: World) -> str:
    return reverse(
        "organizations:import", kwargs={"public_id": world.grassroots_a.public_id}
    )


def _sheet_url(world: World, name: str) -> str:
    kwargs = {"public_id": world.grassroots_a.public_id, "year": 2023, "quarter": 3}
    return reverse(name, kwargs=kwargs)


def _merged_header() -> bytes:
    book = _org_book(GOOD_ORGS, GOOD_MEMBERS)
    book[ORG_SHEET].merge_cells("A1:C2")
    return _bytes(book)


def _wrong_sheet_names() -> bytes:
    book = _org_book(GOOD_ORGS, GOOD_MEMBERS)
    book[ORG_SHEET].title = "Sheet1"
    return _bytes(book)


def _truncated() -> bytes:
    data = _good_org_file()
    return data[: len(data) // 2]


def _flipped() -> bytes:
    data = _good_org_file()
    return _flip(data, len(data) // 3, b"\xff" * 32, "xor")


def _foreign_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


SAMPLES: dict[str, Callable[[], bytes]] = {
    "random bytes": lambda: bytes(range(256)) * 4,
    "truncated": _truncated,
    "flipped": _flipped,
    "a zip that is not xlsx": _foreign_zip,
    "wrong sheet names": _wrong_sheet_names,
    "merged header": _merged_header,
}


@pytest.mark.parametrize("case", list(SAMPLES))
def test_the_import_page_lists_the_problems_of_a_bad_file(client, world, office, case):
    client.force_login(office)
    before = snapshot()

    response = client.post(_org_url(world), {"file": _upload(SAMPLES[case]())})

    assert response.status_code == 200
    assert snapshot() == before
    errors = response.context["errors"]
    assert errors
    body = response.content.decode()
    for problem in errors:
        _assert_clear(problem, columns=ORG_IMPORT_COLUMNS.get(problem.sheet, ()))
        assert problem.message.split("“")[0] in body


@pytest.mark.parametrize("case", list(SAMPLES))
def test_the_entry_sheet_upload_reports_a_bad_file(
    client, world, plan_world, cadre, case
):
    client.force_login(cadre)
    before = snapshot()

    response = client.post(
        _sheet_url(world, "targets:upload"), {"file": _upload(SAMPLES[case]())}
    )

    assert response.status_code == 302
    assert response.url == _sheet_url(world, "targets:sheet")
    assert snapshot() == before
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown
    assert all(is_vietnamese(message) for message in shown), shown


# --- (c) 100.000 rows -----------------------------------------------------------------


class _CountingFile(io.BytesIO):
    """An upload that counts the bytes read from it: the importer must stop
    reading the sheet at its row limit, not inflate all of it."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name, self.size, self.read_bytes = name, len(data), 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def _add_dimension(path: Path, part: str, ref: str) -> None:
    """Write the sheet's size at its top, as Excel does. openpyxl's write-only
    mode cannot know it in advance, and a read-only reader missing it scans the
    whole sheet once at load to look for it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[part] = parts[part].replace(
        b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1
    )
    assert b"<dimension " in parts[part]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


@pytest.fixture(scope="session")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 100.000-member import file and a 100.000-row entry sheet, written once
    (openpyxl's write-only mode streams the rows to disk)."""
    folder = tmp_path_factory.mktemp("big")
    members = Workbook(write_only=True)
    members.create_sheet(ORG_SHEET).append(list(ORG_COLUMNS))
    sheet = members.create_sheet(MEMBER_SHEET)
    sheet.append(list(MEMBER_COLUMNS))
    for number in range(BIG_ROWS):
        # Two cells a row keep the file quick to write; the limit counts any
        # non-blank row, and rows past it are never checked.
        sheet.append([f"Người {number % 97}", "Nam"])
    members.save(folder / "members.xlsx")
    _add_dimension(folder / "members.xlsx", "xl/worksheets/sheet2.xml", "A1:H100001")

    entries = Workbook(write_only=True)
    data = entries.create_sheet(workbook.sheet_title(year=2023, quarter=3))
    for _ in range(workbook.HEADER_ROW - 1):
        data.append([])
    data.append(list(workbook.COLUMNS))
    for number in range(BIG_ROWS):
        data.append([None, 900_000 + number % 50, None, None, None, 5])
    info = entries.create_sheet(workbook.INFO_SHEET)
    for row in (
        ("Mã tổ chức", str(BIG_SHEET_ORG)),
        ("Năm", 2023),
        ("Quý", 3),
        ("Phiên bản", 0),
    ):
        info.append(row)
    entries.save(folder / "entries.xlsx")
    _add_dimension(folder / "entries.xlsx", "xl/worksheets/sheet1.xml", "A7:L100007")
    return {"members": folder / "members.xlsx", "entries": folder / "entries.xlsx"}


def test_a_100000_row_import_stops_at_the_row_limit(world, big_files):
    data = big_files["members"].read_bytes()
    file = _CountingFile(data, "nhap.xlsx")
    before = snapshot()
    started = time.monotonic()

    result = imports.import_workbook(file=file, root=world.grassroots_a, user=None)

    assert time.monotonic() - started < 30
    assert [(p.sheet, p.row) for p in result.errors] == [(MEMBER_SHEET, None)]
    assert "hơn 20.000 dòng dữ liệu" in result.errors[0].message
    _check_org_import(result, before)
    # Stopped after a fifth of the rows (a few zip blocks of look-ahead).
    assert file.read_bytes < 0.5 * len(data), (file.read_bytes, len(data))


def test_a_100000_row_entry_sheet_stops_at_the_row_limit(
    client, world, plan_world, cadre, big_files
):
    Organization.objects.filter(pk=world.grassroots_a.pk).update(
        public_id=BIG_SHEET_ORG
    )
    world.grassroots_a.refresh_from_db()
    data = big_files["entries"].read_bytes()
    file = _CountingFile(data, "ket-qua.xlsx")
    before = snapshot()
    started = time.monotonic()

    result = workbook.sheet_import(
        file=file, organization=world.grassroots_a, year=2023, quarter=3, user=None
    )

    assert time.monotonic() - started < 30
    assert str(result.errors[0]) == "Tệp có hơn 2.000 dòng dữ liệu."
    assert len(result.errors) == workbook.MAX_ROWS + 1
    _check_sheet_import(result, before)
    assert file.read_bytes < 0.5 * len(data), (file.read_bytes, len(data))

    client.force_login(cadre)
    response = client.post(
        _sheet_url(world, "targets:upload"), {"file": _upload(data, "ket-qua.xlsx")}
    )
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown[0].startswith("Chưa nhập tệp Excel: có 2.001 lỗi")
    assert shown[-1] == "… và 1.951 lỗi khác."
    assert snapshot() == before


def test_the_import_page_refuses_a_100000_row_file(client, world, office, big_files):
    client.force_login(office)
    before = snapshot()

    response = client.post(
        _org_url(world), {"file": _upload(big_files["members"].read_bytes())}
    )

    assert response.status_code == 200
    assert snapshot() == before
    [problem] = response.context["errors"]
    assert "hơn 20.000 dòng dữ liệu" in problem.message
    assert "hơn 20.000 dòng dữ liệu" in response.content.decode()


# --- what the fuzzing found, one test each --------------------------------------------


def _inflate_error(data: bytes, part: str) -> bytes:
    """`data` with the compressed bytes of `part` damaged so that inflating it
    fails in zlib (not at the CRC check after it)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + info.compress_size - 8):
        damaged = _flip(data, offset, b"\xff" * 8, "xor")
        with zipfile.ZipFile(io.BytesIO(damaged)) as archive:
            try:
                archive.read(part)
            except zlib.error:
                return damaged
            except zipfile.BadZipFile:
                continue
    raise AssertionError(f"no offset in {part} breaks zlib")


def test_a_part_that_cannot_be_inflated_is_an_invalid_file(world, plan_world):
    """zlib.error used to escape both importers (a 500)."""
    org_file = _inflate_error(_good_org_file(), "xl/worksheets/sheet2.xml")
    sheet_file = _inflate_error(
        _bytes(_sheet_book(world, plan_world)), "xl/worksheets/sheet1.xml"
    )
    before = snapshot()

    org_result = _import_orgs(world, org_file)
    sheet_result = _import_sheet(world, sheet_file)

    assert [str(e) for e in org_result.errors] == [imports.INVALID_FILE]
    assert [str(e) for e in sheet_result.errors] == [imports.INVALID_FILE]
    assert snapshot() == before


def test_an_error_of_our_own_reading_code_is_not_called_a_broken_file(caplog):
    """Only what the reader raises on a damaged file is "not a valid .xlsx"; a
    KeyError of the code reading the rows is a bug, logged and raised."""
    with caplog.at_level(logging.INFO, logger="organizations.imports"):
        with (
            pytest.raises(KeyError),
            imports.open_workbook(io.BytesIO(_good_org_file())),
        ):
            {}["Mã chi bộ"]  # noqa: B018 - what a wrong column lookup would do
        [record] = caplog.records
        assert record.levelno == logging.ERROR and record.exc_info
        assert "not the file's fault" in record.getMessage()
        caplog.clear()
        with (
            pytest.raises(imports.BrokenFile),
            imports.open_workbook(io.BytesIO(_truncated())),
        ):
            pass
        [record] = caplog.records
        assert record.levelno == logging.INFO
        assert record.getMessage().startswith(
            "Refused an unreadable workbook: BadZipFile"
        )


def test_a_part_that_is_not_xml_is_an_invalid_file(world):
    """openpyxl parses some parts with lxml, whose XMLSyntaxError used to escape."""
    data = _rezip(
        _good_org_file(), lambda parts: parts.update({"xl/workbook.xml": b""})
    )
    before = snapshot()

    org_result = _import_orgs(world, data)
    sheet_result = _import_sheet(world, data)

    assert [str(e) for e in org_result.errors] == [imports.INVALID_FILE]
    assert [str(e) for e in sheet_result.errors] == [imports.INVALID_FILE]
    assert snapshot() == before


def test_a_date_excel_cannot_show_is_reported_not_warned_about(world):
    """openpyxl warns about a date-formatted number out of Excel's range and
    reads it as #VALUE!; the warning (an error under this test configuration)
    is openpyxl's business, the problem is the row's."""
    book = _org_book([], [["Lê Văn An", "Nam", None, "Kinh", "CB-A1", "03/02/2010"]])
    cell = book[MEMBER_SHEET]["C2"]
    cell.value, cell.number_format = 10**10, "DD/MM/YYYY"

    result = _import_orgs(world, _bytes(book))

    assert [(p.row, p.column, p.message) for p in result.errors] == [
        (2, "Ngày sinh", "ngày không hợp lệ “#VALUE!”."),
        (
            2,
            "Mã chi bộ",
            "không tìm thấy tổ chức mã “CB-A1” trong tệp hoặc trong “Đảng bộ Sở A”.",
        ),
    ]


def test_a_huge_cell_is_quoted_back_cut_short(world, plan_world):
    book = _org_book(
        [], [["Lê Văn An", "Ư" * 200, "12/04/1985", "Kinh", "", "03/02/2010"]]
    )
    problems = _import_orgs(world, _bytes(book)).errors
    assert [p.message for p in problems if p.column == "Giới tính"] == [
        f"giới tính “{'Ư' * 49}…” không hợp lệ (Nam hoặc Nữ)."
    ]

    sheet = _sheet_book(world, plan_world)
    data = sheet.worksheets[0]
    value = workbook.COLUMNS.index(workbook.COL_VALUE) + 1
    data.cell(row=_row_of(data, plan_world.jobs.id), column=value, value="9" * 5000)
    [problem] = _import_sheet(world, _bytes(sheet)).errors
    assert problem.message == (
        "Số không hợp lệ: dài 5.000 ký tự (một số có nhiều nhất 40 ký tự)."
    )
