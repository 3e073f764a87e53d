"""Data blocks read against the congress term's plan (seed 004, the mid-term
review): "[[chi_tieu ke_hoach=nhiem_ky]]", "[[danh_gia …]]", "[[phu_luc …]]",
"[[ke_hoach …]]" and "[[du_bao]]".

The figures and the arithmetic are targets.term's (results per year, per-year
averages against per-year targets, the forecast to the term's end), as of the
document's quarter; this module only words them the way seed 004 does.
"""

from __future__ import annotations

from partyreports.formatting import pad2
from reports.blocks import (
    MISSING,
    TABLE_VERDICT,
    BlockContext,
    BlockError,
    _fill,
    prose_percent,
    table_figures,
)
from targets import calculations as calc
from targets.term import Nature, Outlook, TermRow, TermView

QUARTER_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_PHRASES = {
    Nature.PER_YEAR: (
        "{nhan}: bình quân {thuc_hien} {don_vi}/năm (chỉ tiêu Nghị quyết {ke_hoach}), "
        "đạt {ty_le}"
    ),
    Nature.CUMULATIVE: "{nhan}: lũy kế {thuc_hien}/{ke_hoach} {don_vi}, đạt {ty_le}",
    Nature.STOCK: "{nhan}: {thuc_hien} (chỉ tiêu Nghị quyết {ke_hoach}), {danh_gia}",
    Nature.SHARE: "{nhan}: {thuc_hien} (chỉ tiêu Nghị quyết {ke_hoach}), {danh_gia}",
    Nature.CHANGE: "{nhan}: {thuc_hien} so với năm trước",
}
_SUB_PHRASES = {
    Nature.PER_YEAR: "{nhan} bình quân {thuc_hien} {don_vi}/năm (chỉ tiêu {ke_hoach})",
    Nature.CUMULATIVE: "{nhan} {thuc_hien}/{ke_hoach} {don_vi}",
}
_SUB_PHRASE = "{nhan} {thuc_hien} (chỉ tiêu {ke_hoach})"
_VERDICT_WORDS = {
    calc.Verdict.VUOT: "vượt chỉ tiêu",
    calc.Verdict.DAT: "đạt",
    calc.Verdict.CHUA_DAT: "chưa đạt",
    calc.Verdict.NO_DATA: "chưa có số liệu",
    calc.Verdict.NOT_ASSESSED: "không đánh giá",
}
_OUTLOOK_CELLS = {
    Outlook.ON_TRACK: "Đạt",
    Outlook.AT_RISK: "Khó đạt",
    Outlook.NO_DATA: "Chưa đủ số liệu",
    Outlook.NOT_ASSESSED: "",
}


def as_of_text(view: TermView) -> str:
    """ "quý II/2023", or "năm 2022" for a whole year."""
    if view.quarter == 4:
        return f"năm {view.year}"
    return f"quý {QUARTER_ROMAN[view.quarter]}/{view.year}"


def term_values(row: TermRow) -> dict[str, str]:
    """The placeholders of a term target's sentence."""
    so_far = row.assessment.so_far
    measure = so_far.measure_text
    plan = row.plan_text
    return {
        "nhan": row.target.label,
        "don_vi": row.target.unit,
        "ke_hoach": plan or MISSING,
        "thuc_hien": measure or MISSING,
        "ty_le": prose_percent(so_far.attainment_text) or MISSING,
        "danh_gia": _VERDICT_WORDS[so_far.verdict],
        "du_bao": row.assessment.outlook.label,
        "co_so": row.basis_label,
    }


def term_sentence(row: TermRow, children: list[TermRow], gaps: list[str]) -> str:
    text = _fill(_PHRASES[row.nature], term_values(row), gaps)
    parts = [
        _fill(_SUB_PHRASES.get(child.nature, _SUB_PHRASE), term_values(child), gaps)
        for child in children
    ]
    if parts:
        text += "; trong đó: " + ", ".join(parts)
    if row.assessment.outlook in (Outlook.ON_TRACK, Outlook.AT_RISK):
        text += f"; {row.assessment.outlook.label} đến cuối nhiệm kỳ"
    return text.rstrip(".;, ") + "."


def _with_children(view: TermView) -> list[tuple[TermRow, list[TermRow]]]:
    rows = view.rows
    tops = [r for r in rows if not r.is_sub]
    return [
        (top, [r for r in rows if r.target.parent_id == top.target.id]) for top in tops
    ]


def _rows(ctx: BlockContext, params: dict[str, str]) -> tuple[TermView, list[TermRow]]:
    view = ctx.term()
    group = params.get("nhom")
    rows = [r for g in view.groups if group is None or g.name == group for r in g.rows]
    if not rows:
        raise BlockError(f"Không có nhóm chỉ tiêu “{group}” trong kế hoạch nhiệm kỳ.")
    return view, rows


def render_chi_tieu(ctx: BlockContext, params: dict[str, str]) -> str:
    """One sentence per congress target, judged as of the document's quarter."""
    view, rows = _rows(ctx, params)
    wanted = {r.target.id for r in rows}
    return "\n".join(
        "- " + term_sentence(top, children, ctx.gaps)
        for top, children in _with_children(view)
        if top.target.id in wanted
    )


def render_ke_hoach(ctx: BlockContext, params: dict[str, str]) -> str:
    """The congress targets as adopted, numbered as seed 004 lists them."""
    view, rows = _rows(ctx, params)
    wanted = {r.target.id for r in rows}
    lines = []
    for top, children in _with_children(view):
        if top.target.id not in wanted:
            continue
        wording = top.target.wording.rstrip(".; ")
        if children:
            wording += ", " + ", ".join(
                c.target.wording.rstrip(".; ") for c in children
            )
        lines.append(f"{len(lines) + 1}. {wording}.")
    return "\n".join(lines)


def render_danh_gia(ctx: BlockContext, params: dict[str, str]) -> str:
    """ "09/10 chỉ tiêu Nghị quyết Đại hội đề ra hoàn thành và hoàn thành vượt
    mức", with a footnote naming those not met (seed 004)."""
    view, rows = _rows(ctx, params)
    tops = [r for r in rows if not r.is_sub]
    counts = calc.count_verdicts(r.assessment.so_far.verdict for r in tops)
    text = (
        f"{pad2(counts.met)}/{pad2(counts.assessed)} chỉ tiêu Nghị quyết Đại hội đề ra "
        "hoàn thành và hoàn thành vượt mức"
    )
    not_met = [r for r in tops if r.assessment.so_far.verdict is calc.Verdict.CHUA_DAT]
    if not_met:
        names = "; ".join(
            f"{r.target.wording.rstrip('.; ')} (đạt {r.assessment.so_far.measure_text})"
            for r in not_met
        )
        text += (
            f"[^Còn {pad2(len(not_met))} chỉ tiêu chưa đạt: {prose_percent(names)}.]"
        )
    return text


def render_du_bao(ctx: BlockContext, params: dict[str, str]) -> str:
    """Seed 004's "Dự báo khả năng thực hiện các chỉ tiêu": how many targets the
    trend carries to the term's end, and those that need an effort."""
    view, rows = _rows(ctx, params)
    tops = [r for r in rows if not r.is_sub]
    outlooks = [r.assessment.outlook for r in tops]
    counted = [o for o in outlooks if o is not Outlook.NOT_ASSESSED]
    on_track = outlooks.count(Outlook.ON_TRACK)
    term = f"{view.plan.start_year}-{view.plan.end_year}"
    lines = [
        f"- Phát huy những kết quả đạt được đến {as_of_text(view)}, dự báo đến cuối "
        f"nhiệm kỳ {term}, {ctx.organization.name} sẽ hoàn thành, hoàn thành vượt mức "
        f"{pad2(on_track)}/{pad2(len(counted))} chỉ tiêu Nghị quyết Đại hội đề ra."
    ]
    at_risk = [r for r in tops if r.assessment.outlook is Outlook.AT_RISK]
    if at_risk:
        lines.append(
            "- Chỉ tiêu cần nỗ lực phấn đấu: "
            + "; ".join(r.target.wording.rstrip(".; ") for r in at_risk)
            + "."
        )
    missing = [r for r in tops if r.assessment.outlook is Outlook.NO_DATA]
    if missing:
        lines.append(
            "- Chưa đủ số liệu để dự báo: "
            + "; ".join(r.target.label for r in missing)
            + "."
        )
    return "\n".join(lines)


def render_phu_luc(ctx: BlockContext, params: dict[str, str]) -> str:
    """Phụ lục 1 of seed 004: the congress targets with their results so far
    and the forecast."""
    view, rows = _rows(ctx, params)
    # No unit column: the figures carry "%" or "/năm", the labels name the rest
    # (eight columns leave the targets' names no room).
    header = [
        "STT",
        "Chỉ tiêu",
        "Chỉ tiêu NQ",
        f"Thực hiện đến {as_of_text(view)}",
        "Tỷ lệ",
        "Đánh giá",
        "Dự báo cuối nhiệm kỳ",
    ]
    lines = ["| " + " | ".join(header) + " |"]
    for row in rows:
        so_far = row.assessment.so_far
        plan, measure = table_figures(row.target, so_far)
        if row.nature is Nature.PER_YEAR:
            plan, measure = (
                f"{text}/năm" if text != "–" else text for text in (plan, measure)
            )
        if so_far.verdict is calc.Verdict.NO_DATA:
            ctx.notices.append(
                f"chỉ tiêu “{row.target.label}” chưa có số liệu trong bảng phụ lục"
            )
        cells = [
            str(row.number) if not row.is_sub else "",
            ("- " if row.is_sub else "") + row.target.label,
            plan,
            measure,
            so_far.attainment_text,
            TABLE_VERDICT[so_far.verdict],
            _OUTLOOK_CELLS[row.assessment.outlook],
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)
