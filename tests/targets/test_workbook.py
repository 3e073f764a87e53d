"""The quarter's sheet as Excel: download pre-filled, upload back, all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from targets import services, workbook
from targets.models import Result, ResultChange, Sheet

pytestmark = pytest.mark.django_db

XLSX = workbook.XLSX_CONTENT_TYPE


def _url(world, name: str = "targets:download", quarter: int = 3, org=None) -> str:  # noqa: ANN001
    organization = org or world.grassroots_a
    return reverse(
        name,
        kwargs={"public_id": organization.public_id, "year": 2023, "quarter": quarter},
    )


def _download(client, world, quarter: int = 3, org=None) -> Workbook:  # noqa: ANN001
    response = client.get(_url(world, quarter=quarter, org=org))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def _data(book: Workbook):  # noqa: ANN202
    return book[book.sheetnames[0]]


def _column(title: str) -> int:
    return workbook.COLUMNS.index(title) + 1


def _row_of(sheet, target) -> int:  # noqa: ANN001
    for (cell,) in sheet.iter_rows(min_col=_column("Mã"), max_col=_column("Mã")):
        if cell.value == target.id:
            return cell.row
    raise AssertionError(f"no row for {target}")


def _cell(sheet, target, title: str):  # noqa: ANN001, ANN202
    return sheet.cell(row=_row_of(sheet, target), column=_column(title))


def _set(book: Workbook, target, title: str, value: object) -> int:  # noqa: ANN001
    cell = _cell(_data(book), target, title)
    cell.value = value
    return cell.row


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(
    client,
    world,
    content: bytes | Workbook,
    *,
    quarter: int = 3,
    name: str = "ket-qua.xlsx",
    confirmed: bool = False,
) -> list[str]:  # noqa: ANN001, E501
    if isinstance(content, Workbook):
        content = _bytes(content)
    upload = SimpleUploadedFile(name, content, content_type=XLSX)
    data = {"file": upload, **({"da_kiem_tra": "1"} if confirmed else {})}
    response = client.post(_url(world, "targets:upload", quarter=quarter), data)
    assert response.status_code == 302
    assert response.url == _url(world, "targets:sheet", quarter=quarter)
    return [str(message) for message in get_messages(response.wsgi_request)]


def _save(world, plan_world, version: int = 0, **values: str) -> None:  # noqa: ANN001
    services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=version,
        entries={
            getattr(plan_world, k).id: services.Entry(value=Decimal(v))
            for k, v in values.items()
        },
        user=None,
    )


# --- download ----------------------------------------------------------------


def test_it_downloads_the_quarter_prefilled_with_the_apps_own_figures(
    client, world, plan_world, cadre
):
    _save(world, plan_world, jobs="20360", trained="68.9", poor="-0.95")
    client.force_login(cadre)
    response = client.get(_url(world))
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Kết quả quý 3-2023", "Thông tin"]
    sheet = _data(book)
    title_block = [sheet.cell(row=r, column=1).value for r in range(1, 6)]
    assert title_block[0] == "KẾT QUẢ THỰC HIỆN CHỈ TIÊU QUÝ 3/2023"
    assert "Đảng bộ Sở A" in title_block[1] and "Kế hoạch 2023" in title_block[2]
    header = [c.value for c in sheet[workbook.HEADER_ROW]]
    assert header == [
        "Lũy kế 9 tháng" if title == "Lũy kế đến nay" else title
        for title in workbook.COLUMNS
    ]
    assert header[:3] == ["STT", "Mã", "Chỉ tiêu"] and "Lũy kế 9 tháng" in header
    jobs = _cell(sheet, plan_world.jobs, "Giá trị quý")
    assert jobs.value == 20360 and jobs.number_format == "#,##0"
    assert _cell(sheet, plan_world.jobs, "Chỉ tiêu").value == "Giải quyết việc làm"
    assert _cell(sheet, plan_world.jobs, "Kế hoạch").value == "18.500"
    assert _cell(sheet, plan_world.jobs, "Lũy kế đến nay").value == 20360
    attainment = _cell(sheet, plan_world.jobs, "Tỷ lệ đạt")
    assert (
        attainment.value == pytest.approx(1.101) and attainment.number_format == "0.0%"
    )
    assert _cell(sheet, plan_world.jobs, "Đánh giá").value == "đạt, vượt kế hoạch"
    assert (
        _cell(sheet, plan_world.overseas, "Chỉ tiêu").value
        == "trong đó: Đi làm việc ở nước ngoài"
    )
    assert _cell(sheet, plan_world.overseas, "Đánh giá").value == "chưa có số liệu"
    assert _cell(sheet, plan_world.trained, "Giá trị quý").value == pytest.approx(68.9)
    assert _cell(sheet, plan_world.trained, "Giá trị quý").number_format == "#,##0.0"
    poor_to_date = _cell(sheet, plan_world.poor, "Lũy kế đến nay")
    assert poor_to_date.value == pytest.approx(
        -0.0095
    ) and poor_to_date.number_format.startswith("+")
    assert _cell(sheet, plan_world.admissions, "Ghi chú").value.startswith("tự động")
    # Group headings, and the input cells open for a cadre.
    assert any(c.value == "Chỉ tiêu về công tác Đảng" for c in sheet["C"])
    assert jobs.protection.locked is False and sheet.protection.sheet is True
    assert _cell(sheet, plan_world.jobs, "Mã").protection.locked is True
    assert _cell(sheet, plan_world.admissions, "Giá trị quý").protection.locked is True
    info = book["Thông tin"]
    assert info.sheet_state == "hidden"
    values = {row[0]: row[1] for row in info.iter_rows(values_only=True)}
    assert values["Mã tổ chức"] == str(world.grassroots_a.public_id)
    assert (values["Năm"], values["Quý"], values["Phiên bản"]) == (2023, 3, 1)


def test_it_gives_a_read_only_file_to_a_leader(client, world, plan_world, leader):
    client.force_login(leader)
    sheet = _data(_download(client, world))
    assert _cell(sheet, plan_world.jobs, "Giá trị quý").protection.locked is True
    assert "chỉ để xem" in sheet["A5"].value


def test_it_downloads_in_a_fixed_number_of_queries(client, world, plan_world, cadre):
    client.force_login(cadre)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(world)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        services.target_create(
            plan=plan_world.plan,
            group="Nhóm thêm",
            wording=f"CT {i}",
            label=f"CT {i}",
            kind="count",
            plan_value=10,
        )
    assert count() == few


# --- upload ------------------------------------------------------------------


def test_it_stores_the_uploaded_values_with_excel_as_the_source(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = _download(client, world)
    _set(book, plan_world.jobs, "Giá trị quý", 20360)
    _set(
        book, plan_world.overseas, "Giá trị quý", "6.042"
    )  # text typed the Vietnamese way
    _set(book, plan_world.trained, "Giá trị quý", "68,9")
    _set(book, plan_world.poor, "Giá trị quý", -0.95)
    _set(book, plan_world.inspections, "Ghi chú", "  Đã kiểm tra 05 chi bộ  ")
    messages = _upload(client, world, book)
    assert messages == ["Đã nhập số liệu từ tệp Excel: 5 chỉ tiêu được cập nhật."]
    values = {r.target_id: r for r in Result.objects.filter(sheet__quarter=3)}
    assert values[plan_world.jobs.id].value == Decimal("20360")
    assert values[plan_world.overseas.id].value == Decimal("6042")
    assert values[plan_world.trained.id].value == Decimal("68.9")
    assert values[plan_world.poor.id].value == Decimal("-0.95")
    assert values[plan_world.inspections.id].note == "Đã kiểm tra 05 chi bộ"
    assert values[plan_world.jobs.id].entered_by == cadre
    change = ResultChange.objects.get(result=values[plan_world.jobs.id])
    assert (
        change.via == "excel"
        and change.new_value == Decimal("20360")
        and change.changed_by == cadre
    )
    assert Sheet.objects.get(organization=world.grassroots_a, quarter=3).version == 1
    body = client.get(_url(world, "targets:sheet")).content.decode()
    assert "110,1%" in body and 'value="20.360"' in body


def test_an_unchanged_download_uploads_as_no_change(client, world, plan_world, cadre):
    _save(world, plan_world, jobs="20360", trained="68.9", poor="-0.95")
    client.force_login(cadre)
    messages = _upload(client, world, _download(client, world))
    assert messages == ["Tệp Excel không có số liệu nào khác với số liệu đã lưu."]
    assert ResultChange.objects.filter(via="excel").count() == 0
    assert Sheet.objects.get(quarter=3).version == 1


def test_a_wrong_number_in_one_row_changes_nothing_and_names_the_row_and_column(
    client, world, plan_world, cadre
):
    _save(world, plan_world, jobs="18000", overseas="3000", inspections="4")
    stored = {
        r.target_id: (r.value, r.note) for r in Result.objects.filter(sheet__quarter=3)
    }
    client.force_login(cadre)
    book = _download(client, world)
    _set(book, plan_world.jobs, "Giá trị quý", 20360)
    _set(book, plan_world.jobs, "Ghi chú", "Cập nhật")
    _set(book, plan_world.inspections, "Giá trị quý", 5)
    _set(book, plan_world.trained, "Giá trị quý", "68,9")
    row = _set(book, plan_world.overseas, "Giá trị quý", "20,360,5")
    messages = _upload(client, world, book)
    assert messages[0].startswith(
        "Chưa nhập tệp Excel: có 1 lỗi, không có số liệu nào được lưu."
    )
    assert messages[1].startswith(
        f"Dòng {row}, cột “Giá trị quý”: Số không hợp lệ: “20,360,5”."
    )
    assert len(messages) == 2
    # The good rows of the file were not applied either: all or nothing.
    assert {
        r.target_id: (r.value, r.note) for r in Result.objects.filter(sheet__quarter=3)
    } == stored
    assert stored[plan_world.jobs.id] == (Decimal(18000), "")
    assert Sheet.objects.get(quarter=3).version == 1
    assert ResultChange.objects.filter(via="excel").count() == 0


def test_every_row_is_checked_and_each_problem_is_reported_where_it_is(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = _download(client, world)
    jobs = _set(book, plan_world.jobs, "Giá trị quý", -5)
    trained = _set(book, plan_world.trained, "Tử số", 120)
    _set(book, plan_world.trained, "Mẫu số", 100)
    inspections = _set(book, plan_world.inspections, "Tử số", 3)
    poor = _set(book, plan_world.poor, "Giá trị quý", "abc")
    messages = _upload(client, world, book)
    assert messages[0].startswith("Chưa nhập tệp Excel: có 4 lỗi")
    assert f"Dòng {jobs}, cột “Giá trị quý”: Số liệu không được âm." in messages
    assert f"Dòng {trained}, cột “Tử số”: Tử số không được lớn hơn mẫu số." in messages
    assert any(
        m.startswith(
            f"Dòng {inspections}, cột “Tử số”: chỉ tiêu “Kiểm tra, giám sát” không nhập"
        )
        for m in messages
    )
    assert any(
        m.startswith(f"Dòng {poor}, cột “Giá trị quý”: Số không hợp lệ: “abc”")
        for m in messages
    )
    # Listed in the order of the file.
    rows = [int(m.split(",")[0].removeprefix("Dòng ")) for m in messages[1:]]
    assert rows == sorted(rows)
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_a_ratio_needs_both_numerator_and_denominator(client, world, plan_world, cadre):
    client.force_login(cadre)
    book = _download(client, world)
    row = _set(book, plan_world.trained, "Tử số", 90)
    messages = _upload(client, world, book)
    assert f"Dòng {row}, cột “Mẫu số”: Cần nhập cả tử số và mẫu số." in messages
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_values_typed_for_computed_targets_are_ignored(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = _download(client, world)
    _set(book, plan_world.admissions, "Giá trị quý", 99)
    _set(book, plan_world.jobs, "Giá trị quý", 100)
    assert _upload(client, world, book) == [
        "Đã nhập số liệu từ tệp Excel: 1 chỉ tiêu được cập nhật."
    ]
    assert list(
        Result.objects.filter(sheet__quarter=3).values_list("target_id", flat=True)
    ) == [plan_world.jobs.id]


def test_a_target_handed_down_to_subordinates_is_locked_and_ignored_on_upload(
    client, world, plan_world, cadre
):
    given = services.target_create(
        plan=plan_world.plan,
        group="Chỉ tiêu giao chi bộ",
        wording="Kết nạp 10 đảng viên",
        label="Kết nạp đảng viên (chi bộ)",
        kind="count",
        plan_value=10,
    )
    services.target_assign(target=given, plan_values={world.cell_a1: 4})
    client.force_login(cadre)
    book = _download(client, world)
    value = _cell(_data(book), given, "Giá trị quý")
    note = _cell(_data(book), given, "Ghi chú")
    assert value.protection.locked is True and note.protection.locked is True
    assert note.value.startswith("tự động: Tổng hợp từ báo cáo đã duyệt")
    row = _set(book, given, "Giá trị quý", 7)  # typed over the locked cell anyway
    _set(book, given, "Ghi chú", "gõ đè")
    _set(book, plan_world.jobs, "Giá trị quý", 100)
    assert row and _upload(client, world, book) == [
        "Đã nhập số liệu từ tệp Excel: 1 chỉ tiêu được cập nhật."
    ]
    assert list(
        Result.objects.filter(sheet__quarter=3).values_list("target_id", "value")
    ) == [(plan_world.jobs.id, Decimal(100))]


def test_a_percent_formatted_cell_is_read_as_it_shows(client, world, plan_world, cadre):
    client.force_login(cadre)
    book = _download(client, world)
    cell = _cell(_data(book), plan_world.trained, "Giá trị quý")
    cell.value, cell.number_format = (
        0.689,
        "0.0%",
    )  # Excel turns a typed "68,9%" into this
    _upload(client, world, book)
    assert Result.objects.get(
        target=plan_world.trained, sheet__quarter=3
    ).value == Decimal("68.9")


def test_a_fraction_in_a_whole_number_cell_is_refused_as_a_misread_thousands_dot(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = _download(client, world)
    row = _set(
        book, plan_world.jobs, "Giá trị quý", 20.36
    )  # "20.360" typed in an English Excel
    messages = _upload(client, world, book)
    assert (
        f"Dòng {row}, cột “Giá trị quý”: Chỉ tiêu này nhận số nguyên; “20,36” có "
        "phần thập phân — nếu ý bạn là 20.360, hãy gõ 20360."
    ) in messages
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_a_fraction_typed_as_text_gets_the_web_forms_message(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = _download(client, world)
    row = _set(book, plan_world.jobs, "Giá trị quý", "20,360")
    _set(book, plan_world.trained, "Giá trị quý", "68,9")
    messages = _upload(client, world, book)
    # Word for word what the entry sheet says beside the field (test_sheet.py).
    assert (
        f"Dòng {row}, cột “Giá trị quý”: Chỉ tiêu này nhận số nguyên; “20,360” có "
        "phần thập phân — nếu ý bạn là 20.360, hãy gõ 20360."
    ) in messages
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_figures_far_from_last_quarter_are_listed_by_row_and_need_a_confirmation(
    client, world, plan_world, cadre
):
    services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=2,
        version=0,
        user=None,
        entries={
            plan_world.jobs.id: services.Entry(value=Decimal(5000)),
            plan_world.trained.id: services.Entry(
                numerator=Decimal(690), denominator=Decimal(1000)
            ),
        },
    )
    client.force_login(cadre)
    book = _download(client, world)
    jobs = _set(book, plan_world.jobs, "Giá trị quý", 50000)
    trained = _set(book, plan_world.trained, "Tử số", 6900)
    _set(book, plan_world.trained, "Mẫu số", 10000)
    _set(book, plan_world.inspections, "Giá trị quý", 3)
    messages = _upload(client, world, book)
    assert messages == [
        "Chưa nhập tệp Excel: có 2 số liệu khác nhiều so với quý trước hoặc cùng kỳ "
        "năm trước, không có số liệu nào được lưu. Kiểm tra lại các dòng dưới đây; "
        "nếu số liệu đúng, đánh dấu “Tôi đã kiểm tra các số liệu bất thường” rồi tải "
        "tệp lên lại.",
        f"Dòng {jobs}, cột “Giá trị quý”: Giá trị 50.000 khác nhiều so với quý trước "
        "(5.000). Kiểm tra lại hoặc xác nhận.",
        f"Dòng {trained}, cột “Tử số”: Tử số 6.900 khác nhiều so với quý trước (690). "
        "Kiểm tra lại hoặc xác nhận.",
    ]
    assert not Sheet.objects.filter(quarter=3).exists()
    # The checkbox of the upload form is the confirmation.
    body = client.get(_url(world, "targets:sheet")).content.decode()
    assert 'name="da_kiem_tra"' in body
    assert "Tôi đã kiểm tra các số liệu bất thường" in body
    assert _upload(client, world, book, confirmed=True) == [
        "Đã nhập số liệu từ tệp Excel: 3 chỉ tiêu được cập nhật."
    ]
    values = {
        r.target_id: (r.value, r.numerator)
        for r in Result.objects.filter(sheet__quarter=3)
    }
    assert values[plan_world.jobs.id] == (Decimal(50000), None)
    assert values[plan_world.trained.id] == (None, Decimal(6900))


def test_rows_that_are_not_targets_of_the_plan_are_refused(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = _download(client, world)
    sheet = _data(book)
    unknown = _row_of(sheet, plan_world.jobs)
    sheet.cell(row=unknown, column=_column("Mã")).value = 999999
    duplicate = _row_of(sheet, plan_world.inspections)
    sheet.cell(row=duplicate, column=_column("Mã")).value = plan_world.trained.id
    added = sheet.max_row + 1
    sheet.cell(row=added, column=_column("Giá trị quý")).value = 5
    messages = _upload(client, world, book)
    assert any(
        m.startswith(f"Dòng {unknown}, cột “Mã”: mã “999999” không phải chỉ tiêu")
        for m in messages
    )
    assert any(
        m.startswith(
            f"Dòng {duplicate}, cột “Mã”: chỉ tiêu “Tỷ lệ lao động qua đào tạo” "
            "đã có ở dòng"
        )
        for m in messages
    )
    assert any(
        m.startswith(f"Dòng {added}, cột “Mã”: thiếu mã chỉ tiêu") for m in messages
    )
    assert not Sheet.objects.filter(quarter=3).exists()


def test_a_long_list_of_problems_is_cut_short(client, world, plan_world, cadre):
    client.force_login(cadre)
    book = _download(client, world)
    sheet = _data(book)
    start = sheet.max_row + 1
    for offset in range(60):
        sheet.cell(row=start + offset, column=_column("Mã")).value = 900000 + offset
    messages = _upload(client, world, book)
    assert messages[0].startswith("Chưa nhập tệp Excel: có 60 lỗi")
    assert len(messages) == 1 + 50 + 1 and messages[-1] == "… và 10 lỗi khác."


def test_an_upload_based_on_an_outdated_download_is_refused(
    client, world, plan_world, cadre, office
):
    client.force_login(cadre)
    book = _download(client, world)  # version 0
    client.force_login(office)
    sheet_url = _url(world, "targets:sheet")
    assert (
        client.post(
            sheet_url,
            {"version": "0", "action": "save", f"v-{plan_world.jobs.id}": "100"},
        ).status_code
        == 302
    )
    client.force_login(cadre)
    _set(book, plan_world.jobs, "Giá trị quý", 20360)
    messages = _upload(client, world, book)[-1:]  # after the web save's "Đã lưu"
    assert "office_a đã cập nhật báo cáo này sau khi bạn tải tệp Excel" in messages[0]
    assert "Hãy tải tệp Excel mới" in messages[0]
    assert Result.objects.get(
        target=plan_world.jobs, sheet__quarter=3
    ).value == Decimal("100")
    assert not ResultChange.objects.filter(via="excel").exists()


def test_a_file_of_another_quarter_is_refused(client, world, plan_world, cadre):
    client.force_login(cadre)
    book = _download(client, world, quarter=2)
    _set(book, plan_world.jobs, "Giá trị quý", 20360)
    messages = _upload(client, world, book, quarter=3)
    assert messages == [
        "Tệp này là báo cáo quý 2/2023 của “Đảng bộ Sở A”, không phải báo cáo "
        "quý 3/2023 của “Đảng bộ Sở A”. Không có số liệu nào được nhập. Hãy tải "
        "lên đúng tệp, hoặc "
        "tải tệp Excel của báo cáo này về để điền."
    ]
    assert not Result.objects.filter(
        sheet__year=2023, sheet__quarter__in=[2, 3]
    ).exists()


def test_a_file_of_another_organisation_is_refused(client, world, plan_world, cadre):
    plan = services.plan_create(
        organization=world.cell_a1, title="Kế hoạch chi bộ", start_year=2023
    )
    target = services.target_create(
        plan=plan,
        group="Chung",
        wording="Việc làm",
        label="Việc làm",
        kind="count",
        plan_value=10,
    )
    client.force_login(cadre)
    book = _download(client, world, org=world.cell_a1)
    _set(book, target, "Giá trị quý", 7)
    messages = _upload(client, world, book)
    assert len(messages) == 1
    assert messages[0].startswith(
        "Tệp này là báo cáo quý 3/2023 của “Chi bộ Văn phòng A”"
    )
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_a_locked_sheet_is_refused(client, world, plan_world, cadre):
    # world's Q4 sheet is submitted.
    client.force_login(cadre)
    book = _download(client, world, quarter=4)
    assert _cell(_data(book), plan_world.jobs, "Giá trị quý").protection.locked is True
    _set(book, plan_world.jobs, "Giá trị quý", 1)
    messages = _upload(client, world, book, quarter=4)
    assert messages == [
        "Báo cáo đang ở trạng thái “Đã gửi”, không thể sửa: "
        "không có số liệu nào được nhập."
    ]
    assert not Result.objects.filter(target=plan_world.jobs).exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "ket-qua.xlsx",
            b"STT;Ma;Chi tieu\n1;2;3\n",
            "Tệp không phải Excel .xlsx hợp lệ.",
        ),
        ("ket-qua.csv", b"STT;Ma;Chi tieu\n", "không có đuôi .xlsx"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused(
    client, world, plan_world, cadre, name, content, expected
):
    client.force_login(cadre)
    messages = _upload(client, world, content, name=name)
    assert len(messages) == 1 and expected in messages[0]
    assert not Sheet.objects.filter(quarter=3).exists()


def test_an_xlsx_that_was_not_downloaded_from_the_sheet_is_refused(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    book = Workbook()
    book.active.append(list(workbook.COLUMNS))
    messages = _upload(client, world, book)
    assert len(messages) == 1 and "“Tải Excel”" in messages[0]


def test_a_file_without_its_header_row_is_refused(client, world, plan_world, cadre):
    client.force_login(cadre)
    book = _download(client, world)
    for cell in _data(book)[workbook.HEADER_ROW]:
        cell.value = None
    _set(book, plan_world.jobs, "Giá trị quý", 5)
    messages = _upload(client, world, book)
    assert len(messages) == 1 and messages[0].startswith("Không tìm thấy dòng tiêu đề")
    assert not Sheet.objects.filter(quarter=3).exists()


def test_a_file_over_the_size_limit_is_refused(
    client, world, plan_world, cadre, settings
):
    client.force_login(cadre)
    book = _download(client, world)
    settings.UPLOAD_MAX_BYTES = 1000
    messages = _upload(client, world, book)
    assert len(messages) == 1 and messages[0].startswith("Tệp quá lớn")


def test_posting_without_a_file_asks_for_one(client, world, plan_world, cadre):
    client.force_login(cadre)
    response = client.post(_url(world, "targets:upload"))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][0].startswith(
        "Chọn tệp Excel .xlsx"
    )


# --- access ------------------------------------------------------------------


def test_it_sends_anonymous_users_to_login(client, world, plan_world):
    for name in ("targets:download", "targets:upload"):
        response = (
            client.get(_url(world, name))
            if name.endswith("download")
            else client.post(_url(world, name))
        )
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_outsider_gets_404(client, world, plan_world, outsider):
    client.force_login(outsider)
    assert client.get(_url(world)).status_code == 404
    upload = SimpleUploadedFile("ket-qua.xlsx", b"x", content_type=XLSX)
    assert (
        client.post(_url(world, "targets:upload"), {"file": upload}).status_code == 404
    )


def test_a_leader_may_download_but_not_upload(client, world, plan_world, cadre, leader):
    client.force_login(cadre)
    book = _download(client, world)
    _set(book, plan_world.jobs, "Giá trị quý", 5)
    client.force_login(leader)
    assert client.get(_url(world)).status_code == 200
    upload = SimpleUploadedFile("ket-qua.xlsx", _bytes(book), content_type=XLSX)
    assert (
        client.post(_url(world, "targets:upload"), {"file": upload}).status_code == 403
    )
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_wrong_methods_are_405(client, world, plan_world, cadre):
    client.force_login(cadre)
    assert client.post(_url(world)).status_code == 405
    assert client.get(_url(world, "targets:upload")).status_code == 405


def test_a_quarter_without_a_plan_is_404(client, world, cadre):
    client.force_login(cadre)
    url = reverse(
        "targets:download",
        kwargs={"public_id": world.grassroots_a.public_id, "year": 2022, "quarter": 3},
    )
    assert client.get(url).status_code == 404


# --- formula injection -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-0,95", "'-0,95"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Đã kiểm tra = 5", "Đã kiểm tra = 5"),
        ("", ""),
    ],
)
def test_formula_safe_prefixes_text_that_starts_like_a_formula(text, safe):
    assert workbook.formula_safe(text) == safe


def test_write_text_never_writes_a_formula():
    book = Workbook()
    cell = book.active["A1"]
    workbook.write_text(cell, '=HYPERLINK("http://evil.example","bấm")')
    plain = book.active["A2"]
    workbook.write_text(plain, "Bình thường\x00")
    reread = load_workbook(io.BytesIO(_bytes(book)))
    assert (
        reread.active["A1"].data_type == "s" and reread.active["A1"].quotePrefix is True
    )
    assert reread.active["A1"].value == '=HYPERLINK("http://evil.example","bấm")'
    assert (
        reread.active["A2"].value == "Bình thường"
        and not reread.active["A2"].quotePrefix
    )


def test_text_from_the_database_is_written_as_text_and_round_trips(
    client, world, plan_world, cadre
):
    evil = '=HYPERLINK("http://evil.example","xem")'
    services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        entries={plan_world.jobs.id: services.Entry(value=Decimal(5), note=evil)},
        user=None,
    )
    label = services.target_create(
        plan=plan_world.plan,
        group="Khác",
        wording="x",
        label="@cmd",
        kind="count",
        plan_value=1,
    )
    client.force_login(cadre)
    book = _download(client, world)
    note = _cell(_data(book), plan_world.jobs, "Ghi chú")
    assert note.data_type == "s" and note.quotePrefix is True and note.value == evil
    assert _cell(_data(book), label, "Chỉ tiêu").quotePrefix is True
    assert _upload(client, world, book) == [
        "Tệp Excel không có số liệu nào khác với số liệu đã lưu."
    ]
