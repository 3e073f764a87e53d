"""The dashboard as an Excel workbook: the cards, the targets, the subordinates,
the trend and the ratings, each with the texts the page shows."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from targets.dashboard.page import Cell, Dashboard


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
                value = value.number
            if isinstance(value, int):
                cell.value = value
                cell.number_format = "#,##0"
            else:
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
        put(summary, i, [card.title, card.value, card.detail])
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
    put(targets, 3, ["STT", *Dashboard.TARGET_HEADERS], header=True)
    for i, row in enumerate(dashboard.rows, start=1):
        put(targets, 3 + i, [i, *Dashboard.target_cells(row)])
    widths(targets, (6, 50, 12, 16, 26, 12, 18))

    children = book.create_sheet("Tổ chức trực thuộc")
    put(children, 1, ["STT", *dashboard.child_headers], header=True)
    for i, child in enumerate(dashboard.children, start=1):
        put(children, 1 + i, [i, *child.cells])
    widths(children, (6, 50, *[14] * (len(dashboard.child_headers) - 1)))

    trend = book.create_sheet("Xu hướng")
    put(trend, 1, ["Chỉ tiêu", *dashboard.trend_headers], header=True)
    line = 2
    for series in dashboard.trend:
        for quarter, this_year, last_year in series.rows:
            put(trend, line, [series.label, quarter, this_year, last_year])
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
