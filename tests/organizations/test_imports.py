"""Excel import of organisations and members: checks, all-or-nothing, scope."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from organizations import imports, selectors
from organizations.imports import (
    INVALID_FILE,
    MEMBER_ADMITTED,
    MEMBER_BIRTH,
    MEMBER_CARD,
    MEMBER_CELL,
    MEMBER_COLUMNS,
    MEMBER_FULL,
    MEMBER_NAME,
    MEMBER_SEX,
    MEMBER_SHEET,
    ORG_CODE,
    ORG_COLUMNS,
    ORG_FOUNDED,
    ORG_KIND,
    ORG_LEVEL,
    ORG_PARENT,
    ORG_SHEET,
    ImportProblem,
)
from organizations.models import (
    Member,
    MemberEvent,
    MemberPlacement,
    MemberStatus,
    Organization,
    OrganizationPlacement,
)
from tests.conftest import World
from tests.factories import make_org, make_user

CELL = "Chi bộ trực thuộc"
SUB_COMMITTEE = "Đảng bộ bộ phận"
Row = Sequence[object]


def _workbook_bytes(
    orgs: Sequence[Row] = (),
    members: Sequence[Row] = (),
    *,
    names: tuple[str, str] = (ORG_SHEET, MEMBER_SHEET),
    org_header: Sequence[str] = ORG_COLUMNS,
    member_header: Sequence[str] = MEMBER_COLUMNS,
) -> bytes:
    workbook = Workbook()
    org_sheet = workbook.active
    org_sheet.title = names[0]
    member_sheet = workbook.create_sheet(names[1])
    for sheet, header, rows in (
        (org_sheet, org_header, orgs),
        (member_sheet, member_header, members),
    ):
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, name: str = "nhap.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=imports.XLSX_CONTENT_TYPE)


def _xlsx(
    orgs: Sequence[Row] = (), members: Sequence[Row] = (), **kwargs: object
) -> SimpleUploadedFile:
    return _upload(_workbook_bytes(orgs, members, **kwargs))  # type: ignore[arg-type]


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        Organization.objects.count(),
        OrganizationPlacement.objects.count(),
        Member.objects.count(),
        MemberPlacement.objects.count(),
        MemberEvent.objects.count(),
    )


def _url(world: World) -> str:
    return reverse(
        "organizations:import", kwargs={"public_id": world.grassroots_a.public_id}
    )


def _codes(world: World) -> None:
    """Give the fixture's organisations codes a file can refer to."""
    for org, code in (
        (world.bloc_a, "KHOI-A"),
        (world.grassroots_a, "DBS-A"),
        (world.cell_a1, "CB-A1"),
        (world.cell_a2, "CB-A2"),
        (world.grassroots_b, "DBS-B"),
        (world.cell_b, "CB-B"),
    ):
        Organization.objects.filter(pk=org.pk).update(code=code)
        org.refresh_from_db()


def _import(
    world: World, file: SimpleUploadedFile, user: object = None
) -> imports.ImportResult:
    return imports.import_workbook(file=file, root=world.grassroots_a, user=user)


def _where(result: imports.ImportResult) -> list[tuple[str, int | None, str]]:
    return [(e.sheet, e.row, e.column) for e in result.errors]


GOOD_ORGS = [
    # code, name, short name, level, kind, parent code, founded on
    [
        "CB-1",
        "Chi bộ Phòng 1",
        "",
        CELL,
        "",
        "DBBP-1",
        "01/03/2021",
    ],  # child before parent
    [
        "DBBP-1",
        "Đảng bộ bộ phận Khối 1",
        "ĐBBP",
        SUB_COMMITTEE,
        "",
        "",
        dt.datetime(2021, 1, 15),
    ],
    ["CB-2", "Chi bộ Phòng 2", "", "cell", "Chi bộ trực thuộc", "DBS-A", "2021-02-01"],
]
GOOD_MEMBERS = [
    # name, sex, born, ethnicity, cell, admitted, full member, card
    [
        "Lê Văn An",
        "Nam",
        "12/04/1985",
        "Kinh",
        "CB-1",
        "03/02/2010",
        "03/02/2011",
        "100001",
    ],
    [
        "Phạm Thị Bình",
        "Nữ",
        dt.datetime(1990, 7, 1),
        "Tày",
        "CB-2",
        dt.datetime(2015, 5, 19),
        None,
        100002,
    ],
    ["Hoàng Văn Cường", "nam", "1.1.1979", "", "CB-1", "19/05/2005", "19/05/2006", ""],
    [
        "Đỗ Thị Dung",
        "NỮ",
        "30/12/1982",
        "Kinh",
        "CB-A2",
        "02/09/2012",
        "02/09/2013",
        "",
    ],
]


# --- 1. a bad file changes nothing and lists its problems -------------------------


def test_it_changes_nothing_for_a_file_with_three_bad_rows_and_lists_the_three_problems(
    client, world, office
):
    _codes(world)
    members = [
        *GOOD_MEMBERS,
        [
            "Vũ Văn Em",
            "Nam",
            "31/02/1980",
            "Kinh",
            "CB-1",
            "01/06/2008",
            "",
            "",
        ],  # row 6
        [
            "Ngô Thị Gấm",
            "Nữ",
            "01/01/1981",
            "Kinh",
            "KHONG-CO",
            "01/06/2008",
            "",
            "",
        ],  # row 7
        ["", "Nam", "01/01/1982", "Kinh", "CB-2", "01/06/2008", "", ""],  # row 8
    ]
    file = _xlsx(GOOD_ORGS, members)
    before = _snapshot()
    client.force_login(office)

    response = client.post(_url(world), {"file": file})

    assert response.status_code == 200
    assert _snapshot() == before
    errors = response.context["errors"]
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        (MEMBER_SHEET, 6, MEMBER_BIRTH),
        (MEMBER_SHEET, 7, MEMBER_CELL),
        (MEMBER_SHEET, 8, MEMBER_NAME),
    ]
    assert (
        str(errors[0])
        == "Sheet “Đảng viên”, dòng 6, cột “Ngày sinh”: ngày không hợp lệ “31/02/1980”."
    )
    assert "KHONG-CO" in errors[1].message
    assert errors[2].message == "chưa nhập."
    body = response.content.decode()
    assert body.count('data-testid="import-error"') == 3
    assert "Tệp có 3 lỗi; chưa nhập dòng nào" in body


# --- 2. a good file -------------------------------------------------------------


def test_it_imports_a_good_file_parents_first_with_members_in_their_chi_bo(
    client, world, office
):
    _codes(world)
    today = timezone.localdate()
    before = selectors.subtree_counts_on(root=world.grassroots_a, day=today)
    client.force_login(office)

    response = client.post(
        _url(world), {"file": _xlsx(GOOD_ORGS, GOOD_MEMBERS)}, follow=True
    )

    assert response.redirect_chain == [
        (
            reverse(
                "organizations:detail",
                kwargs={"public_id": world.grassroots_a.public_id},
            ),
            302,
        )
    ]
    assert "Đã nhập 3 tổ chức và 4 đảng viên." in response.content.decode()
    sub = Organization.objects.get(code="DBBP-1")
    cell_1 = Organization.objects.get(code="CB-1")
    cell_2 = Organization.objects.get(code="CB-2")
    assert sub.parent == world.grassroots_a and sub.path.startswith(
        world.grassroots_a.path
    )
    assert (
        cell_1.parent == sub
        and cell_1.path.startswith(sub.path)
        and cell_1.depth == sub.depth + 1
    )
    assert cell_2.parent == world.grassroots_a
    assert (sub.short_name, sub.level.code, sub.kind) == (
        "ĐBBP",
        "sub_committee",
        "agency",
    )
    assert (cell_1.kind, cell_1.founded_on) == ("cell", dt.date(2021, 3, 1))
    assert sub.founded_on == dt.date(2021, 1, 15) and cell_2.founded_on == dt.date(
        2021, 2, 1
    )

    an = Member.objects.get(full_name="Lê Văn An")
    binh = Member.objects.get(full_name="Phạm Thị Bình")
    cuong = Member.objects.get(full_name="Hoàng Văn Cường")
    dung = Member.objects.get(full_name="Đỗ Thị Dung")
    assert (an.organization, an.status, an.party_card_number) == (
        cell_1,
        MemberStatus.FULL,
        "100001",
    )
    assert (binh.organization, binh.status, binh.sex, binh.ethnicity) == (
        cell_2,
        MemberStatus.PROBATIONARY,
        "F",
        "Tày",
    )
    assert binh.party_card_number == "100002" and binh.date_of_birth == dt.date(
        1990, 7, 1
    )
    assert (cuong.date_of_birth, cuong.ethnicity, cuong.sex) == (
        dt.date(1979, 1, 1),
        "Kinh",
        "M",
    )
    assert dung.organization == world.cell_a2 and dung.sex == "F"
    assert (
        MemberEvent.objects.filter(member=an, created_by=office).count() == 2
    )  # kết nạp, chính thức

    after = selectors.subtree_counts_on(root=world.grassroots_a, day=today)
    assert after.cells == before.cells + 2
    assert (after.total, after.full, after.probationary, after.female) == (
        before.total + 4,
        before.full + 3,
        before.probationary + 1,
        before.female + 2,
    )
    under_sub = selectors.subtree_counts_on(root=sub, day=today)
    assert (under_sub.cells, under_sub.total) == (1, 2)
    # Before the founding date the new organisations are not in the tree.
    assert selectors.subtree_counts_on(root=sub, day=dt.date(2020, 12, 31)).total == 0


def test_members_without_a_chi_bo_code_go_to_a_chi_bo_root(world):
    cell_root = world.cell_a1
    file = _xlsx(
        members=[["Trịnh Văn Hải", "Nam", "01/01/1990", "", "", "01/01/2015", "", ""]]
    )

    result = imports.import_workbook(file=file, root=cell_root, user=None)

    assert result.ok and (result.organizations_created, result.members_created) == (
        0,
        1,
    )
    assert Member.objects.get(full_name="Trịnh Văn Hải").organization == cell_root


# --- 3. files that are not what we expect ---------------------------------------------


def test_it_names_the_expected_sheets_when_they_are_missing(client, world, office):
    file = _xlsx(GOOD_ORGS, GOOD_MEMBERS, names=("Sheet1", "Sheet2"))
    before = _snapshot()
    client.force_login(office)

    response = client.post(_url(world), {"file": file})

    assert _snapshot() == before
    messages = [str(e) for e in response.context["errors"]]
    assert len(messages) == 2
    assert messages[0].startswith("Sheet “Tổ chức”: Không tìm thấy sheet “Tổ chức”.")
    assert (
        "Tệp cần các sheet “Tổ chức”, “Đảng viên” (tệp đang có: “Sheet1”, “Sheet2”)"
        in messages[0]
    )


def test_it_accepts_sheet_names_without_accents(world):
    _codes(world)
    file = _xlsx(GOOD_ORGS, GOOD_MEMBERS, names=("To_chuc", "dang vien"))
    assert imports.import_workbook(file=file, root=world.grassroots_a, user=None).ok


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Ho va ten;Gioi tinh\nAn;Nam\n", "danh-sach.xlsx"),
        (b"PK\x03\x04 broken zip", "hong.xlsx"),
        (b"\xd0\xcf\x11\xe0 old excel", "cu.xls"),
    ],
)
def test_it_refuses_a_file_that_is_not_xlsx(client, world, office, data, name):
    before = _snapshot()
    client.force_login(office)

    response = client.post(_url(world), {"file": _upload(data, name)})

    assert _snapshot() == before
    [error] = response.context["errors"]
    assert error.message.startswith(INVALID_FILE)


def test_it_refuses_a_zip_that_is_not_a_workbook(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    result = _import(world, _upload(buffer.getvalue()))
    assert [e.message for e in result.errors] == [INVALID_FILE]


def test_it_refuses_a_file_above_the_upload_limit(client, world, office, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    before = _snapshot()
    client.force_login(office)

    response = client.post(_url(world), {"file": _xlsx(GOOD_ORGS, GOOD_MEMBERS)})

    assert _snapshot() == before
    [error] = response.context["errors"]
    assert error.message.startswith("Tệp quá lớn")


def test_it_refuses_a_sheet_with_too_many_rows(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [
        [f"Người {i}", "Nam", "01/01/1980", "", "CB-A1", "01/01/2010", "", ""]
        for i in range(4)
    ]
    result = _import(world, _xlsx(members=rows))
    assert [(e.sheet, e.row) for e in result.errors] == [(MEMBER_SHEET, None)]
    assert "hơn 3 dòng" in result.errors[0].message


def test_it_reports_each_wrong_header(world):
    header = list(MEMBER_COLUMNS)
    header[2] = "Ngay sinh (dd/mm/yyyy)"
    header[7] = ""
    result = _import(world, _xlsx(members=[], member_header=header))
    assert _where(result) == [
        (MEMBER_SHEET, 1, MEMBER_BIRTH),
        (MEMBER_SHEET, 1, "Số thẻ"),
    ]
    assert (
        "tiêu đề cột C phải là “Ngày sinh” (đang là “Ngay sinh (dd/mm/yyyy)”)"
        in result.errors[0].message
    )
    assert "(đang là trống)" in result.errors[1].message


def test_it_refuses_a_file_without_data(world):
    result = _import(world, _xlsx())
    assert [e.message for e in result.errors] == [
        "Tệp không có dòng dữ liệu nào (từ dòng 2)."
    ]


def test_it_asks_for_a_file(client, world, office):
    client.force_login(office)
    response = client.post(_url(world), {})
    assert [e.message for e in response.context["errors"]] == [
        "Chọn tệp Excel .xlsx để nhập."
    ]


# --- checks of values ------------------------------------------------------------


def test_it_reports_every_bad_value_with_its_row_and_column(world):
    _codes(world)
    orgs = [
        ["X1", "Tổ chức X1", "", "Cấp không có", "", "", "01/01/2021"],  # 2 level
        ["X2", "Tổ chức X2", "", CELL, "Loại không có", "", "01/01/2021"],  # 3 kind
        ["X1", "Trùng mã", "", CELL, "", "", "01/01/2021"],  # 4 duplicate in file
        ["KHOI-A", "Trùng mã hệ thống", "", CELL, "", "", "01/01/2021"],  # 5 taken
        [
            "X5",
            "Dưới chi bộ trong tệp",
            "",
            CELL,
            "",
            "X2",
            "01/01/2021",
        ],  # 6 parent is cell
        [
            "X6",
            "Dưới chi bộ có sẵn",
            "",
            CELL,
            "",
            "CB-A1",
            "01/01/2021",
        ],  # 7 parent is cell
        [
            "X7",
            "Cấp trên ngoài phạm vi",
            "",
            CELL,
            "",
            "DBS-B",
            "01/01/2021",
        ],  # 8 scope
        ["X8", "Tự làm cấp trên", "", SUB_COMMITTEE, "", "X8", "01/01/2021"],  # 9 self
        ["X9", "Vòng 1", "", SUB_COMMITTEE, "", "X10", "01/01/2021"],  # 10 cycle
        ["X10", "Vòng 2", "", SUB_COMMITTEE, "", "X9", "01/01/2021"],  # 11 cycle
        ["X11", "Thành lập sớm", "", SUB_COMMITTEE, "", "", "01/01/2021"],  # 12 ok
        ["X12", "Con lập trước cha", "", CELL, "", "X11", "31/12/2020"],  # 13 date
        ["", "", "", "", "", "", ""],  # blank row: skipped
        ["X14", "Thiếu ngày", "", CELL, "", "", None],  # 15 founded missing
    ]
    members = [
        ["A", "Khác", "01/01/1980", "", "X2", "01/01/2010", "", ""],  # 2 sex
        [
            "B",
            "Nam",
            "01/01/1980",
            "",
            "X11",
            "01/01/2010",
            "",
            "",
        ],  # 3 not a cell (file)
        [
            "C",
            "Nam",
            "01/01/1980",
            "",
            "DBS-A",
            "01/01/2010",
            "",
            "",
        ],  # 4 not a cell (db)
        ["D", "Nam", "01/01/1980", "", "CB-B", "01/01/2010", "", ""],  # 5 other tree
        [
            "E",
            "Nam",
            "01/01/1990",
            "",
            "X2",
            "01/01/1989",
            "",
            "",
        ],  # 6 admitted before born
        [
            "F",
            "Nam",
            "01/01/1980",
            "",
            "X2",
            "01/01/2010",
            "01/01/2009",
            "",
        ],  # 7 full before
        ["G", "Nam", "01/01/1980", "", "", "01/01/2010", "", "55"],  # 8 no cell
        ["H", "Nam", 1980, "", "X2", "01/01/2099", "", "55"],  # 9 serial, future, card
    ]

    result = _import(world, _xlsx(orgs, members))

    assert _where(result) == [
        (ORG_SHEET, 2, ORG_LEVEL),
        (ORG_SHEET, 3, ORG_KIND),
        (ORG_SHEET, 4, ORG_CODE),
        (ORG_SHEET, 5, ORG_CODE),
        (ORG_SHEET, 6, ORG_PARENT),
        (ORG_SHEET, 7, ORG_PARENT),
        (ORG_SHEET, 8, ORG_PARENT),
        (ORG_SHEET, 9, ORG_PARENT),
        (ORG_SHEET, 10, ORG_PARENT),
        (ORG_SHEET, 11, ORG_PARENT),
        (ORG_SHEET, 13, ORG_FOUNDED),
        (ORG_SHEET, 15, ORG_FOUNDED),
        (MEMBER_SHEET, 2, MEMBER_SEX),
        (MEMBER_SHEET, 3, MEMBER_CELL),
        (MEMBER_SHEET, 4, MEMBER_CELL),
        (MEMBER_SHEET, 5, MEMBER_CELL),
        (MEMBER_SHEET, 6, MEMBER_ADMITTED),
        (MEMBER_SHEET, 7, MEMBER_FULL),
        (MEMBER_SHEET, 8, MEMBER_CELL),
        (MEMBER_SHEET, 9, MEMBER_BIRTH),
        (MEMBER_SHEET, 9, MEMBER_ADMITTED),
        (MEMBER_SHEET, 9, "Số thẻ"),
    ]
    text = [str(e) for e in result.errors]
    assert "trùng với dòng 2" in text[2]
    assert "đã có trong hệ thống" in text[3]
    assert (
        "là chi bộ, không thể có tổ chức trực thuộc" in text[4] and "dòng 3" in text[4]
    )
    # Unknown and out-of-scope codes read the same: another tree stays unseen.
    assert text[6].endswith(
        "không tìm thấy tổ chức mã “DBS-B” trong tệp hoặc trong “Đảng bộ Sở A”."
    )
    assert "vòng lặp" in text[8] and "vòng lặp" in text[9]
    assert "không phải chi bộ" in text[13] and "không phải chi bộ" in text[14]
    assert "không tìm thấy tổ chức mã “CB-B”" in text[15]
    assert "ngày không hợp lệ “1980”" in text[19]
    assert "ở tương lai" in text[20]


def test_it_reads_formulas_without_a_cached_value_and_merged_cells_as_empty(world):
    _codes(world)
    workbook = Workbook()
    orgs = workbook.active
    orgs.title = ORG_SHEET
    orgs.append(list(ORG_COLUMNS))
    orgs.append(["M1", "=B3", "", CELL, "", "", "01/01/2021"])
    orgs.append(["M2", "Chi bộ gộp ô", "", CELL, "", "", "01/01/2021"])
    orgs.append(["M3", "", "", CELL, "", "", "01/01/2021"])
    orgs.merge_cells("B3:B4")
    members = workbook.create_sheet(MEMBER_SHEET)
    members.append(list(MEMBER_COLUMNS))
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = _import(world, _upload(buffer.getvalue()))

    assert _where(result) == [
        (ORG_SHEET, 2, "Tên tổ chức"),
        (ORG_SHEET, 4, "Tên tổ chức"),
    ]


def test_it_reads_excel_serial_numbers_and_several_date_spellings(world):
    _codes(world)
    members = [
        ["Serial", "Nam", 29221, "", "CB-A1", "01-06-2010", "2011-06-01", ""],
        ["Chấm", "Nữ", "17.5.1980", "", "CB-A1", " 01/06/2010 ", None, ""],
    ]
    result = _import(world, _xlsx(members=members))
    assert result.ok, result.errors
    assert Member.objects.get(full_name="Serial").date_of_birth == dt.date(1980, 1, 1)
    assert Member.objects.get(full_name="Chấm").date_of_birth == dt.date(1980, 5, 17)


def test_it_checks_the_file_with_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    _codes(world)
    members = [
        [f"Người {i}", "Nam", "01/01/1980", "", "CB-A1", "01/01/2010", "", f"9{i:05d}"]
        for i in range(200)
    ]
    members.append(["Sai", "Nam", "01/01/1980", "", "CB-?", "01/01/2010", "", ""])
    # Levels, the root's level, codes, the existing chi bộ's names (CB-? is no
    # code) and card numbers: the same five for any number of rows.
    with django_assert_max_num_queries(5):
        result = _import(world, _xlsx(GOOD_ORGS, members))
    assert len(result.errors) == 1


# --- 4. scope -------------------------------------------------------------------------


def test_an_outsider_gets_404(client, world, outsider):
    client.force_login(outsider)
    assert client.get(_url(world)).status_code == 404
    assert (
        client.post(_url(world), {"file": _xlsx(GOOD_ORGS, GOOD_MEMBERS)}).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["cadre", "leader"])
def test_read_only_and_member_roles_get_403(client, world, persona, request):
    before = _snapshot()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(world)).status_code == 403
    assert (
        client.post(_url(world), {"file": _xlsx(GOOD_ORGS, GOOD_MEMBERS)}).status_code
        == 403
    )
    assert _snapshot() == before


def test_it_refuses_a_parent_code_from_the_other_tree(client, world, office):
    _codes(world)
    orgs = [["CB-9", "Chi bộ lạc cây", "", CELL, "", "DBS-B", "01/01/2021"]]
    before = _snapshot()
    client.force_login(office)

    response = client.post(_url(world), {"file": _xlsx(orgs)})

    assert _snapshot() == before
    [error] = response.context["errors"]
    assert (error.sheet, error.row, error.column) == (ORG_SHEET, 2, ORG_PARENT)
    assert "Đảng bộ Sở B" not in error.message


def test_the_upload_page_shows_the_form_and_refuses_other_methods(
    client, world, office
):
    client.force_login(office)
    response = client.get(_url(world))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert client.put(_url(world)).status_code == 405


# --- 5. the template ------------------------------------------------------------------


def test_the_template_has_the_sheets_headers_and_lists(client, world, cadre):
    client.force_login(cadre)

    response = client.get(reverse("organizations:import_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == [ORG_SHEET, MEMBER_SHEET]
    assert imports.GUIDE_SHEET in workbook.sheetnames
    assert [c.value for c in workbook[ORG_SHEET][1]] == list(ORG_COLUMNS)
    assert [c.value for c in workbook[MEMBER_SHEET][1]] == list(MEMBER_COLUMNS)
    validations = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in workbook[ORG_SHEET].data_validations.dataValidation
        + workbook[MEMBER_SHEET].data_validations.dataValidation
    }
    assert set(validations) == {"D2", "E2", "B2"}  # cấp, loại hình, giới tính
    lists = workbook[imports.LISTS_SHEET]
    assert [c.value for c in lists["C"] if c.value] == ["Giới tính", "Nam", "Nữ"]
    assert client.post(reverse("organizations:import_template")).status_code == 405


def test_the_template_filled_in_imports(world):
    workbook = load_workbook(io.BytesIO(imports.template_workbook()))
    workbook[ORG_SHEET].append(["T1", "Chi bộ mẫu", "", CELL, "", "", "01/01/2021"])
    workbook[MEMBER_SHEET].append(
        ["Mẫu Văn Một", "Nam", "01/01/1980", "", "T1", "01/01/2010", "", ""]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _import(world, _upload(buffer.getvalue()))
    assert result.ok, result.errors
    assert (result.organizations_created, result.members_created) == (1, 1)


def test_the_blank_template_is_refused_as_empty(world):
    result = _import(world, _upload(imports.template_workbook()))
    assert [e.message for e in result.errors] == [
        "Tệp không có dòng dữ liệu nào (từ dòng 2)."
    ]


def test_anonymous_users_are_sent_to_login(client, world):
    for url in (reverse("organizations:import_template"), _url(world)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# --- 6. a failure while applying rolls everything back -------------------------------


def test_a_service_error_while_applying_rolls_back_the_earlier_rows(
    client, world, office
):
    _codes(world)
    orgs = [
        ["CB-OK", "Chi bộ hợp lệ", "", CELL, "", "", "01/06/2021"],
        # The file cannot know that "DBS-A" (founded 01/01/2020) did not exist
        # yet; organization_create refuses it after CB-OK was written.
        ["CB-SOM", "Chi bộ lập trước cấp trên", "", CELL, "", "DBS-A", "01/01/2019"],
    ]
    members = [["Lê Thị Hồng", "Nữ", "01/01/1980", "", "CB-OK", "01/01/2010", "", ""]]
    before = _snapshot()
    client.force_login(office)

    response = client.post(_url(world), {"file": _xlsx(orgs, members)})

    assert _snapshot() == before
    assert not Organization.objects.filter(code="CB-OK").exists()
    [error] = response.context["errors"]
    assert (error.sheet, error.row, error.column) == (ORG_SHEET, 3, ORG_FOUNDED)
    assert error.message == "“Đảng bộ Sở A” không tồn tại vào ngày 01/01/2019."


def test_a_problem_without_a_place_reads_as_its_message():
    assert str(ImportProblem("", None, "", "Tệp quá lớn.")) == "Tệp quá lớn."
    assert str(ImportProblem(ORG_SHEET, None, "", "x")) == "Sheet “Tổ chức”: x"


# --- 7. every refusal found while applying, existing cards and chi bộ, safe lists ----


def test_every_refusal_found_while_applying_is_reported_and_nothing_is_written(world):
    _codes(world)  # DBS-A was founded on 01/01/2020
    orgs = [
        ["CB-SOM1", "Chi bộ lập năm 2019", "", CELL, "", "DBS-A", "01/01/2019"],
        ["CB-OK", "Chi bộ hợp lệ", "", CELL, "", "", "01/06/2021"],
        ["CB-SOM2", "Chi bộ lập năm 2018", "", CELL, "", "DBS-A", "01/01/2018"],
    ]
    members = [
        ["Lê Thị Hồng", "Nữ", "01/01/1980", "", "CB-OK", "01/01/2010", "", ""],
        ["Lê Văn Sớm", "Nam", "01/01/1980", "", "CB-SOM1", "01/01/2010", "", ""],
    ]
    before = _snapshot()
    result = _import(world, _xlsx(orgs, members))
    assert _snapshot() == before
    assert _where(result) == [(ORG_SHEET, 2, ORG_FOUNDED), (ORG_SHEET, 4, ORG_FOUNDED)]
    assert [e.message for e in result.errors] == [
        "“Đảng bộ Sở A” không tồn tại vào ngày 01/01/2019.",
        "“Đảng bộ Sở A” không tồn tại vào ngày 01/01/2018.",
    ]


def test_a_party_card_number_already_in_the_registry_is_refused_with_its_row(world):
    from organizations import services

    _codes(world)
    services.member_update(
        member=world.member_b,
        full_name=world.member_b.full_name,
        sex="M",
        date_of_birth=world.member_b.date_of_birth,
        ethnicity="Kinh",
        party_card_number="44000123",
    )
    members = [
        ["Lê Văn Một", "Nam", "01/01/1980", "", "CB-A1", "01/01/2010", "", "44000999"],
        ["Lê Văn Hai", "Nam", "01/01/1980", "", "CB-A1", "01/01/2010", "", "44000123"],
    ]
    before = _snapshot()
    result = _import(world, _xlsx(members=members))
    assert _snapshot() == before
    assert _where(result) == [(MEMBER_SHEET, 3, MEMBER_CARD)]
    assert result.errors[0].message == "số thẻ “44000123” đã có trong hệ thống."
    # The forms' service refuses it too.
    with pytest.raises(ValidationError, match="đã có trong hệ thống"):
        services.member_create(
            full_name="Lê Văn Ba",
            sex="M",
            date_of_birth=dt.date(1980, 1, 1),
            organization=world.cell_a1,
            admitted_on=dt.date(2010, 1, 1),
            party_card_number="44000123",
        )


def test_a_member_row_may_name_an_existing_chi_bo_without_a_code(client, world, office):
    # The fixture's chi bộ have no code (as the demo's have none).
    twin_parent = make_org(
        "Đảng bộ bộ phận X", parent=world.grassroots_a, level_code="sub_committee"
    )
    make_org("Chi bộ Văn phòng A", parent=twin_parent)  # a second "Chi bộ Văn phòng A"
    members = [
        [
            "Lê Văn Tên",
            "Nam",
            "01/01/1980",
            "",
            "chi bộ phòng kế hoạch a",
            "01/01/2010",
            "",
            "",
        ],
        [
            "Lê Văn Trùng",
            "Nam",
            "01/01/1980",
            "",
            "Chi bộ Văn phòng A",
            "01/01/2010",
            "",
            "",
        ],
    ]
    result = _import(world, _xlsx(members=members))
    assert _where(result) == [(MEMBER_SHEET, 3, MEMBER_CELL)]
    assert "có nhiều chi bộ tên “Chi bộ Văn phòng A”" in result.errors[0].message

    # The organisation's template lists what to write, and those names import.
    client.force_login(office)
    url = reverse(
        "organizations:import_template_for",
        kwargs={"public_id": world.grassroots_a.public_id},
    )
    response = client.get(url)
    assert response.status_code == 200
    lists = load_workbook(io.BytesIO(response.content))[imports.LISTS_SHEET]
    listed = [c.value for c in lists["D"] if c.value]
    assert listed == [
        "Chi bộ đã có",
        "Chi bộ Phòng Kế hoạch A",
        "Chi bộ Văn phòng A (Đảng bộ bộ phận X)",  # Vietnamese order: "bộ" < "Sở"
        "Chi bộ Văn phòng A (Đảng bộ Sở A)",
    ]
    members[1][4] = "Chi bộ Văn phòng A (Đảng bộ Sở A)"
    result = _import(world, _xlsx(members=members))
    assert result.ok, result.errors
    assert Member.objects.get(full_name="Lê Văn Tên").organization == world.cell_a2
    assert Member.objects.get(full_name="Lê Văn Trùng").organization == world.cell_a1
    # Outside the organisation: no template (the import page's rule).
    client.force_login(
        make_user("cadre_x", role="cadre", organization=world.grassroots_a)
    )
    assert client.get(url).status_code == 403


def test_the_template_writes_names_from_data_as_text_never_as_formulas(
    client, world, cadre
):
    from organizations.models import OrganizationLevel

    evil = '=HYPERLINK("http://evil.example","bấm")'
    OrganizationLevel.objects.create(
        code="evil", name=evil, order=50, holds_members=True
    )
    workbook = load_workbook(io.BytesIO(imports.template_workbook()))
    lists = workbook[imports.LISTS_SHEET]
    [cell] = [c for c in lists["A"] if c.value == evil]
    assert cell.data_type == "s" and cell.quotePrefix is True
    guide = [
        c for row in workbook[imports.GUIDE_SHEET].iter_rows() for c in row if c.value
    ]
    assert any(evil in c.value for c in guide)
    assert all(c.data_type == "s" for c in guide)


def test_levels_out_of_order_are_refused_before_anything_is_written(world):
    orgs = [
        ["DB-1", "Đảng bộ trong đảng bộ", "", "Đảng bộ cơ sở", "", "", "01/01/2021"],
        ["BP-1", "Đảng bộ bộ phận 1", "", SUB_COMMITTEE, "", "", "01/01/2021"],
        [
            "BP-2",
            "Đảng bộ bộ phận trong bộ phận",
            "",
            SUB_COMMITTEE,
            "",
            "BP-1",
            "01/01/2021",
        ],
    ]
    result = _import(world, _xlsx(orgs))
    assert _where(result) == [(ORG_SHEET, 2, ORG_LEVEL), (ORG_SHEET, 4, ORG_LEVEL)]
    assert result.errors[0].message == (
        "Đảng bộ cơ sở không thể trực thuộc đảng bộ cơ sở (“Đảng bộ Sở A”)."
    )
