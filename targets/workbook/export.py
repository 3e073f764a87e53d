"""The quarter's sheet as .xlsx, pre-filled with the stored figures and the
app's own year to date, attainment and verdict."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from partyreports.formatting import round_display
from targets import calculations as calc
from targets import selectors
from targets.calculations import CHANGE_KINDS, PERCENT_KINDS
from targets.models import SheetStatus, Target
from targets.workbook.layout import (
    _BORDER,
    _GROUP_FILL,
    _HEADER_FILL,
    _INFO_AT,
    _INFO_NAME,
    _INFO_ORG,
    _INFO_QUARTER,
    _INFO_VERSION,
    _INFO_YEAR,
    _NUMBER_COLUMNS,
    _READ_ONLY_FILL,
    _UNLOCKED,
    _WIDTHS,
    AUTO,
    COL_ATTAINMENT,
    COL_CODE,
    COL_DENOMINATOR,
    COL_LABEL,
    COL_NO,
    COL_NOTE,
    COL_NUMERATOR,
    COL_PLAN,
    COL_TO_DATE,
    COL_UNIT,
    COL_VALUE,
    COL_VERDICT,
    COLUMNS,
    HEADER_ROW,
    INFO_SHEET,
    _input_columns,
    _number_format,
    sheet_title,
    write_text,
)


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
