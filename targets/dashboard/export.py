"""The dashboard as an Excel workbook: the cards, the targets, the subordinates,
the trend and the ratings, as the page shows them. Figures are numeric cells,
rounded as the page rounds them, in a number format that shows them the same
way (a share as 0.7444 in "0.00%"; Excel writes the decimal comma of the
reader's locale), so they can be added up; words stay text."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal

from partyreports.formatting import round_display
from targets import calculations as calc
from targets import selectors
from targets.dashboard.labels import DASH
from targets.dashboard.page import Cell, Dashboard, TargetRow

#: The targets sheet: the page's columns, with the numerator and denominator of
#: a ratio ("74,44% (67/90)" on the page) in columns of their own.
TARGET_HEADERS = (
    "Chỉ tiêu",
    "Đơn vị",
    "Kế hoạch",
    "Thực hiện (lũy kế)",
    "Tử số",
    "Mẫu số",
    "Tỷ lệ đạt",
    "Đánh giá",
)
PREFIXES = {
    calc.Comparator.GT: "trên ",
    calc.Comparator.LT: "dưới ",
    calc.Comparator.LTE: "không quá ",
}


def number_format(
    places: int, *, percent: bool = False, prefix: str = "", signed: bool = False
) -> str:
    """An Excel number format with `places` decimals: "#,##0.0", "0.00%",
    '"trên "0%'."""
    digits = "0." + "0" * places if places else "0"
    code = f"{digits}%" if percent else f"#,##{digits}"
    if prefix:
        code = f'"{prefix}"{code}'
    if signed:
        code = f"+{code};-{code};{code}"
    return code


def number_cell(
    value: Decimal | int | None,
    text: str,
    *,
    places: int,
    percent: bool = False,
    **kwargs: object,
) -> Cell:
    """`value` rounded as the page rounds it; a percentage as a fraction."""
    if value is None:
        return Cell(text or DASH)
    shown = round_display(value, places)
    return Cell(
        text,
        number=shown / 100 if percent else shown,
        number_format=number_format(places, percent=percent, **kwargs),  # type: ignore[arg-type]
    )


def _count_places(value: Decimal | int | None) -> int:
    return 0 if value is None or Decimal(value) == int(value) else 2


def target_cells(row: TargetRow) -> list[str | Cell]:
    """One target's row of the targets sheet (TARGET_HEADERS)."""
    target, evaluation, figures = row.target, row.evaluation, row.to_date
    kind = calc.Kind(target.kind)
    percent = kind in calc.PERCENT_KINDS
    # The plan: a number unless it is a range or a change in points ("giảm 0,8 điểm %").
    plan = Cell(row.plan_text)
    if kind == calc.Kind.ALL_OR_NOTHING:
        plan = Cell(row.plan_text, number=Decimal(1), number_format="0%")
    elif (
        target.plan_value is not None
        and target.comparator != calc.Comparator.RANGE
        and kind != calc.Kind.PP_CHANGE
    ):
        places = (
            target.places
            if target.places is not None
            else selectors._plan_places(target.plan_value)
        )
        plan = number_cell(
            target.plan_value,
            row.plan_text,
            places=places,
            percent=percent,
            prefix=PREFIXES.get(calc.Comparator(target.comparator), ""),
        )
    measure = number_cell(
        evaluation.measure,
        evaluation.measure_text,
        places=evaluation.spec.display_places,
        percent=percent,
        signed=kind in calc.CHANGE_KINDS,
    )
    top: Decimal | int | None = None
    bottom: Decimal | int | None = None
    if evaluation.measure is not None and target.uses_ratio:
        top, bottom = figures.numerator, figures.denominator
    elif evaluation.measure is not None and kind == calc.Kind.BASE_SHARE:
        top, bottom = figures.value, evaluation.spec.base
    ratio = [
        number_cell(v, "", places=_count_places(v)) if v is not None else ""
        for v in (top, bottom)
    ]
    attainment = number_cell(
        evaluation.attainment,
        row.attainment_text,
        places=calc.ATTAINMENT_PLACES,
        percent=True,
    )
    return [row.label, target.unit, plan, measure, *ratio, attainment, row.verdict_text]


def _attainment_cell(value: Decimal | None) -> Cell:
    return number_cell(
        value,
        calc.format_attainment(value),
        places=calc.ATTAINMENT_PLACES,
        percent=True,
    )


def export_filename(dashboard: Dashboard) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", dashboard.organization.name).strip()
    return f"Bảng điều khiển quý {dashboard.quarter}-{dashboard.year} - {name}.xlsx"


def dashboard_export(dashboard: Dashboard) -> bytes:
    """The dashboard as .xlsx: the cards, the targets, the subordinates, the trend
    and the ratings, each with the texts the page shows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from targets.workbook import write_text

    bold = Font(bold=True)
    book = Workbook()

    def put(
        sheet, row: int, values: Sequence[str | Cell | int], header: bool = False
    ) -> None:  # noqa: ANN001
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col)
            if isinstance(value, Cell) and value.number is not None:
                cell.value = value.number
                cell.number_format = value.number_format
            elif isinstance(value, int):
                cell.value = value
                cell.number_format = "#,##0"
            elif value != "":
                write_text(cell, value.text if isinstance(value, Cell) else str(value))
            if header:
                cell.font = bold

    def widths(sheet, sizes: Sequence[int]) -> None:  # noqa: ANN001
        from openpyxl.utils import get_column_letter

        for col, size in enumerate(sizes, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = size

    summary = book.active
    summary.title = "Tổng quan"
    put(summary, 1, [f"Bảng điều khiển – {dashboard.organization.name}"], header=True)
    put(summary, 2, [f"{dashboard.period_text} · {dashboard.basis_text}"])
    put(summary, 3, [f"{dashboard.scope_sentence}. {dashboard.scope_detail}"])
    put(
        summary,
        4,
        [" ".join(t for t in (dashboard.updated_text, dashboard.pending_text) if t)],
    )
    put(summary, 6, ["Chỉ số", "Số liệu", "Ghi chú"], header=True)
    for i, card in enumerate(dashboard.cards(), start=7):
        value = card.value if card.number is None else card.number
        put(summary, i, [card.title, value, card.detail])
    widths(summary, (34, 22, 90))

    targets = book.create_sheet("Chỉ tiêu")
    put(
        targets,
        1,
        [f"Kết quả thực hiện chỉ tiêu lũy kế đến hết {dashboard.period_text}"],
        header=True,
    )
    if dashboard.reporting_text:
        put(targets, 2, [dashboard.reporting_text])
    put(targets, 3, ["STT", *TARGET_HEADERS], header=True)
    for i, row in enumerate(dashboard.rows, start=1):
        put(targets, 3 + i, [i, *target_cells(row)])
    widths(targets, (6, 50, 12, 16, 18, 12, 12, 12, 18))

    children = book.create_sheet("Tổ chức trực thuộc")
    put(children, 1, ["STT", *dashboard.child_headers], header=True)
    for i, child in enumerate(dashboard.children, start=1):
        put(children, 1 + i, [i, *child.cells])
    widths(children, (6, 50, *[14] * (len(dashboard.child_headers) - 1)))

    trend = book.create_sheet("Xu hướng")
    put(trend, 1, ["Chỉ tiêu", *dashboard.trend_headers], header=True)
    line = 2
    for series in dashboard.trend:
        for (quarter, _, _), this_year, last_year in zip(
            series.rows, series.this_year, series.last_year, strict=True
        ):
            put(
                trend,
                line,
                [
                    series.label,
                    quarter,
                    _attainment_cell(this_year),
                    _attainment_cell(last_year),
                ],
            )
            line += 1
    widths(trend, (50, 10, 14, 14))

    ratings = book.create_sheet("Xếp loại")
    put(ratings, 1, [f"Xếp loại chất lượng năm {dashboard.ratings.year}"], header=True)
    put(ratings, 2, ["Xếp loại", "Chi bộ", "Đảng viên"], header=True)
    for i, (label, cells, members) in enumerate(dashboard.rating_rows, start=3):
        put(ratings, i, [label, cells, members])
    line = len(dashboard.rating_rows) + 4
    put(ratings, line, ["Loại hình tổ chức", "Số tổ chức"], header=True)
    for i, (label, n) in enumerate(dashboard.kinds, start=line + 1):
        put(ratings, i, [label, n])
    widths(ratings, (50, 12, 12))

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
