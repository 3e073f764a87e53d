"""Data blocks: "[[chi_tieu nhom=…]]" in a section's text, written out from data.

A block expands into the same light markup the office types (one paragraph per
line, "- "/"+ " items, "[^…]" footnotes, "| … |" table rows), so a draft shows
current figures and issuing a document freezes the expanded text. Numbers are
formatted by partyreports.formatting and computed by targets.calculations; this
module only words them the way the seeds do.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import string
from dataclasses import dataclass, field
from decimal import Decimal

from organizations import phrases
from organizations import selectors as org_selectors
from organizations.models import Grade
from partyreports.formatting import (
    format_number,
    format_percent,
    format_signed_percent,
    pad2,
)
from reports.models import Document, DocumentType
from targets import calculations as calc
from targets import selectors as target_selectors
from targets import term as term_selectors
from targets.models import RollupBasis, Target

TOKEN_RE = re.compile(r"\[\[(?P<body>[^\[\]]+)\]\]")

BLOCK_HELP = {
    "chi_tieu": (
        'Kết quả chỉ tiêu: [[chi_tieu nhom="Chỉ tiêu về công tác chuyên môn"]] hoặc '
        "[[chi_tieu id=12]]; "
        "ghi chú của cán bộ về chỉ tiêu ({ghi_chu} trong câu báo cáo) được đưa vào "
        "sau số liệu"
    ),
    "ke_hoach": 'Chỉ tiêu kế hoạch như nghị quyết: [[ke_hoach nhom="…" nam=2024]]',
    "danh_gia": (
        'Số chỉ tiêu đạt/chưa đạt kèm chú thích: [[danh_gia nhom="Chỉ tiêu về công '
        'tác Đảng"]]'
    ),
    "dang_vien": "Số chi bộ, đảng viên: [[dang_vien]]",
    "xep_loai": "Kết quả xếp loại chất lượng: [[xep_loai nam=2023]]",
    "phu_luc": "Bảng phụ lục chỉ tiêu: [[phu_luc]]",
    "du_bao": "Dự báo khả năng thực hiện các chỉ tiêu nhiệm kỳ: [[du_bao]]",
}


class BlockError(ValueError):
    """A block that cannot be written out; the message is Vietnamese."""


@dataclass
class Block:
    name: str
    params: dict[str, str] = field(default_factory=dict)


def parse_block(body: str) -> Block:
    try:
        words = shlex.split(body)
    except ValueError as exc:
        raise BlockError(f"Khối dữ liệu viết sai: [[{body}]]") from exc
    if not words:
        raise BlockError("Khối dữ liệu rỗng.")
    params = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep:
            raise BlockError(
                f"Khối dữ liệu viết sai: [[{body}]] (cần dạng khoa=giatri)."
            )
        params[key] = value
    return Block(name=words[0], params=params)


def _int(params: dict[str, str], key: str, default: int | None) -> int | None:
    raw = params.get(key)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BlockError(f"“{key}={raw}” phải là số.")
    return int(raw)


#: co_so=…: the subordinates' sheets a sum counts (as on the dashboard).
BASIS_PARAMS = {"da_duyet": RollupBasis.APPROVED, "da_gui": RollupBasis.SUBMITTED}


def _basis(params: dict[str, str]) -> str:
    raw = params.get("co_so", "da_duyet")
    if raw not in BASIS_PARAMS:
        raise BlockError(
            f"“co_so={raw}” phải là da_duyet (báo cáo đã duyệt) hoặc da_gui (kể cả "
            "đã gửi)."
        )
    return BASIS_PARAMS[raw]


class BlockContext:
    """The data a document's blocks read, fetched once per (year, quarter)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.organization = document.organization
        self._sheets: dict[tuple[int, int, str], target_selectors.SheetView | None] = {}
        # What the blocks could not fill (see structure.build_layout): numbers
        # printed "…" (issuance refuses them) and appendix rows without data
        # (the office confirms them).
        self.gaps: list[str] = []
        self.notices: list[str] = []
        self._term: term_selectors.TermView | None = None

    @property
    def default_year(self) -> int:
        if self.document.doc_type == DocumentType.RESOLUTION:
            return self.document.year - 1  # its part I reviews the past year
        return self.document.year

    @property
    def default_quarter(self) -> int:
        """The document's quarter; else the last quarter of the default year
        ended by the document's date (a review dated 06/7/2023 reads quarter II,
        one dated in 2024 about 2023 reads quarter IV)."""
        if self.document.quarter:
            return self.document.quarter
        dated = self.document.dated
        if dated.year != self.default_year:
            return 4 if dated.year > self.default_year else 1
        return max(1, (dated.month - 1) // 3)

    def period_end(self, year: int, quarter: int) -> dt.date:
        return target_selectors.quarter_bounds(year, quarter)[1]

    def capped(self, day: dt.date) -> dt.date:
        """A date figures are counted at, never after the document's own date."""
        return min(day, self.document.dated)

    def uses_term(self, params: dict[str, str]) -> bool:
        """Whether a block reads the term plan (the congress resolution) rather
        than the year's: "ke_hoach=nhiem_ky" / "ke_hoach=nam", by default the
        term for a mid-term review."""
        basis = params.get("ke_hoach")
        if basis is None:
            return self.document.doc_type == DocumentType.MIDTERM
        if basis not in ("nam", "nhiem_ky"):
            raise BlockError(
                f"“ke_hoach={basis}”: ghi ke_hoach=nam hoặc ke_hoach=nhiem_ky."
            )
        return basis == "nhiem_ky"

    def term(self) -> term_selectors.TermView:
        """The congress term's targets judged as of the document's quarter."""
        if self._term is None:
            view = term_selectors.term_view(
                organization=self.organization,
                year=self.default_year,
                quarter=self.default_quarter,
                today=self.document.dated,
            )
            if view is None:
                raise BlockError(
                    f"{self.organization.name} chưa có kế hoạch chỉ tiêu nhiệm kỳ "
                    "(Nghị quyết Đại hội)."
                )
            self._term = view
        return self._term

    def sheet(
        self, year: int, quarter: int, basis: str = RollupBasis.APPROVED
    ) -> target_selectors.SheetView:
        key = (year, quarter, basis)
        if key not in self._sheets:
            self._sheets[key] = target_selectors.sheet_view(
                organization=self.organization, year=year, quarter=quarter, basis=basis
            )
        view = self._sheets[key]
        if view is None:
            raise BlockError(
                f"{self.organization.name} chưa có kế hoạch chỉ tiêu năm {year}."
            )
        return view

    def rows_of_group(
        self, params: dict[str, str]
    ) -> tuple[list[target_selectors.SheetRow], target_selectors.SheetView]:
        year = _int(params, "nam", self.default_year)
        quarter = _int(params, "quy", self.default_quarter)
        view = self.sheet(year, quarter, _basis(params))
        if "id" in params:
            target_id = _int(params, "id", None)
            rows = [
                r
                for r in view.rows
                if r.target.id == target_id or r.target.parent_id == target_id
            ]
            if not rows:
                raise BlockError(
                    f"Không có chỉ tiêu số {target_id} trong kế hoạch năm {year}."
                )
            return rows, view
        group = params.get("nhom")
        rows = [
            r for g in view.groups if group is None or g.name == group for r in g.rows
        ]
        if not rows:
            raise BlockError(
                f"Không có nhóm chỉ tiêu “{group}” trong kế hoạch năm {year}."
            )
        return rows, view


# --- wording ------------------------------------------------------------------------

_DEFAULT_PHRASES = {
    calc.Kind.COUNT: (
        "{nhan}: {thuc_hien}/{ke_hoach} {don_vi}, đạt {ty_le} so với kế hoạch"
    ),
    calc.Kind.DONE_OF_PLANNED: (
        "{nhan}: hoàn thành {thuc_hien}/{ke_hoach} {don_vi} theo kế hoạch, đạt {ty_le}"
    ),
    calc.Kind.RATE: (
        "{nhan}: {thuc_hien}% (kế hoạch {ke_hoach}%), đạt {ty_le} so với kế hoạch"
    ),
    calc.Kind.PP_CHANGE: (
        "{nhan}: {giam_tang} {thuc_hien}/{ke_hoach} điểm % so với năm {nam_truoc}, "
        "đạt {ty_le}"
    ),
    calc.Kind.BASE_SHARE: (
        "{nhan}: {so_luong} đồng chí, đạt {thuc_hien}% so với tổng số đảng viên đầu "
        "năm (chỉ tiêu {ke_hoach}%)"
    ),
    calc.Kind.ALL_OR_NOTHING: "{nhan}: {tu_so}/{mau_so}, {danh_gia}",
    calc.Kind.PER_YEAR: (
        "{nhan}: bình quân {thuc_hien} {don_vi}/năm (chỉ tiêu {ke_hoach}/năm), đạt "
        "{ty_le}"
    ),
    calc.Kind.YOY: "{nhan}: {thuc_hien}% so với cùng kỳ",
}
_QUARTER_COUNT_PHRASE = (
    "{nhan}: quý này {quy_nay} {don_vi} (nâng tổng số từ đầu năm đến nay là "
    "{luy_ke}, đạt {ty_le} nghị quyết năm)"
)
_SUB_PHRASES = {
    calc.Kind.RATE: "{nhan}: {thuc_hien}% (đạt {ty_le} so với kế hoạch)",
    calc.Kind.BASE_SHARE: "{nhan}: {thuc_hien}% (chỉ tiêu {ke_hoach}%)",
    calc.Kind.PP_CHANGE: (
        "{nhan} {giam_tang} {thuc_hien}/{ke_hoach} điểm % (đạt {ty_le})"
    ),
    calc.Kind.ALL_OR_NOTHING: "{nhan} {tu_so}/{mau_so}",
}
_SUB_PHRASE = "{nhan} {thuc_hien}/{ke_hoach} {don_vi} (đạt {ty_le})"


MISSING = "…"

#: The verdict words of tables (the seeds' "Đạt", "Vượt", "Chưa đạt").
TABLE_VERDICT = {
    calc.Verdict.VUOT: "Vượt",
    calc.Verdict.DAT: "Đạt",
    calc.Verdict.CHUA_DAT: "Chưa đạt",
    calc.Verdict.NO_DATA: "Chưa có số liệu",
    calc.Verdict.NOT_ASSESSED: "Không đánh giá",
}

_TRAILING_ZEROS_RE = re.compile(r"(?<=\d),0+(?=\s*%)")


def prose_percent(text: str) -> str:
    """Percentages in prose drop a trailing ",0": "đạt 150%", "đạt 110,1%" (§7)."""
    return _TRAILING_ZEROS_RE.sub("", text)


def _num(value: Decimal | int | None, places: int = 0) -> str:
    return MISSING if value is None else format_number(value, places)


def _places(row: target_selectors.SheetRow) -> int:
    return row.evaluation.spec.display_places


def row_values(row: target_selectors.SheetRow, *, year: int) -> dict[str, str]:
    """The placeholders a target's phrase may use, formatted the Vietnamese way."""
    target, ev = row.target, row.evaluation
    places = _places(row)
    plan = target.plan_value
    measure = ev.measure
    is_change = target.kind in (calc.Kind.PP_CHANGE,)
    attainment = ev.attainment_text or (
        "100%" if ev.verdict.is_met and target.kind == calc.Kind.ALL_OR_NOTHING else "…"
    )
    current = row.current.value if row.current else None
    to_date = row.to_date
    return {
        "nhan": target.label,
        "don_vi": target.unit,
        "ke_hoach": _num(
            abs(plan) if (plan is not None and is_change) else plan,
            target_selectors._plan_places(plan)
            if target.places is None
            else target.places,
        ),
        "thuc_hien": _num(
            abs(measure) if (measure is not None and is_change) else measure, places
        ),
        "ty_le": attainment,
        "quy_nay": _num(current, places),
        "luy_ke": _num(to_date.value if to_date.value is not None else measure, places),
        "so_luong": _num(to_date.value, 0),
        "tu_so": _num(to_date.numerator, 0),
        "mau_so": _num(to_date.denominator, 0),
        "danh_gia": ev.verdict.label,
        "giam_tang": "giảm" if (plan is not None and plan < 0) else "tăng",
        "nam": str(year),
        "nam_truoc": str(year - 1),
        "ghi_chu": note_of(row),
    }


def note_of(row: target_selectors.SheetRow) -> str:
    """The cadre's note on the target for the quarter ("chủ yếu nhờ các phiên
    giao dịch việc làm"), as a clause: no final stop."""
    note = row.result.note if row.result is not None else ""
    return " ".join(note.split()).rstrip(".;, ")


def _with_note(phrase: str, text: str, values: dict[str, str]) -> str:
    """A phrase that does not place {ghi_chu} gets the note after its figures,
    in brackets; one that places it and has none loses the empty brackets."""
    if "{ghi_chu}" in phrase:
        return re.sub(r"\s*\(\s*\)", "", text)
    return f"{text} ({values['ghi_chu']})" if values["ghi_chu"] else text


def _phrase(row: target_selectors.SheetRow, *, quarterly: bool, sub: bool) -> str:
    target = row.target
    if target.report_phrase:
        return target.report_phrase
    if sub:
        return _SUB_PHRASES.get(calc.Kind(target.kind), _SUB_PHRASE)
    if (
        quarterly
        and not calc.is_stock(target.kind)
        and target.kind in (calc.Kind.COUNT, calc.Kind.DONE_OF_PLANNED)
    ):
        return _QUARTER_COUNT_PHRASE
    return _DEFAULT_PHRASES[calc.Kind(target.kind)]


def _fill(phrase: str, values: dict[str, str], gaps: list[str] | None = None) -> str:
    """The phrase with its placeholders filled; the label of a target whose
    phrase uses a figure it has not got goes to `gaps`."""
    try:
        text = phrase.format(**values)
        used = {name for _, name, _, _ in string.Formatter().parse(phrase) if name}
    except (KeyError, IndexError, ValueError) as exc:
        raise BlockError(f"Câu báo cáo có chỗ điền không hợp lệ: “{phrase}”.") from exc
    if gaps is not None and any(values.get(name) == MISSING for name in used):
        gaps.append(
            f"chỉ tiêu “{values['nhan']}” chưa có số liệu, câu còn “{MISSING}”: nhập "
            "kết quả hoặc viết lại câu (khối [[chi_tieu id=…]] chỉ viết các chỉ "
            "tiêu đã chọn)."
        )
    return " ".join(text.split())


def target_sentence(
    row: target_selectors.SheetRow,
    children: list[target_selectors.SheetRow],
    *,
    year: int,
    quarterly: bool = False,
    gaps: list[str] | None = None,
) -> str:
    """ "Có 20.360/18.500 lao động …, đạt 110,1% so với kế hoạch; trong đó có
    6.042/3.700 …"."""

    def clause(of: target_selectors.SheetRow, sub: bool) -> str:
        phrase, values = (
            _phrase(of, quarterly=quarterly, sub=sub),
            row_values(of, year=year),
        )
        return _with_note(phrase, _fill(phrase, values, gaps).rstrip(".;, "), values)

    text = clause(row, sub=False)
    parts = [clause(c, sub=True) for c in children]
    if parts:
        joined = ", ".join(parts)
        lead = "" if parts[0].lower().startswith("trong đó") else "trong đó: "
        text = f"{text}; {lead}{joined}"
    return prose_percent(text.rstrip(".;, ") + ".")


def _with_children(
    rows: list[target_selectors.SheetRow],
) -> list[tuple[target_selectors.SheetRow, list[target_selectors.SheetRow]]]:
    tops = [r for r in rows if not r.is_sub]
    return [
        (top, [r for r in rows if r.target.parent_id == top.target.id]) for top in tops
    ]


def render_chi_tieu(ctx: BlockContext, params: dict[str, str]) -> str:
    if ctx.uses_term(params):
        from reports import blocks_term

        return blocks_term.render_chi_tieu(ctx, params)
    rows, view = ctx.rows_of_group(params)
    quarterly = ctx.document.doc_type == DocumentType.QUARTERLY
    return "\n".join(
        "- "
        + target_sentence(
            top, children, year=view.year, quarterly=quarterly, gaps=ctx.gaps
        )
        for top, children in _with_children(rows)
    )


def render_ke_hoach(ctx: BlockContext, params: dict[str, str]) -> str:
    if ctx.uses_term(params):
        from reports import blocks_term

        return blocks_term.render_ke_hoach(ctx, params)
    params = {**params, "nam": params.get("nam", str(ctx.document.year))}
    rows, _view = ctx.rows_of_group(params)
    lines = []
    for top, children in _with_children(rows):
        wording = top.target.wording.rstrip(".; ")
        if children:
            wording += "; " + ", ".join(
                c.target.wording.rstrip(".; ") for c in children
            )
        lines.append(f"- {wording}.")
    return "\n".join(lines)


def render_danh_gia(ctx: BlockContext, params: dict[str, str]) -> str:
    """ "06 chỉ tiêu; kết quả: có 04 chỉ tiêu đạt[^…] và 02 chỉ tiêu chưa đạt[^…]":
    a footnote on each count naming its targets, as seed 000 has them."""
    if ctx.uses_term(params):
        from reports import blocks_term

        return blocks_term.render_danh_gia(ctx, params)
    rows, view = ctx.rows_of_group(params)
    tops = [r for r in rows if not r.is_sub]
    counts = calc.count_verdicts(r.evaluation.verdict for r in tops)
    met = [r for r in tops if r.evaluation.verdict.is_met]
    not_met = [r for r in tops if r.evaluation.verdict is calc.Verdict.CHUA_DAT]
    met_note = not_met_note = ""
    if met:
        met_note = prose_percent(
            f"[^{pad2(len(met))} chỉ tiêu đạt kế hoạch, gồm: "
            + "; ".join(r.target.wording.rstrip(".; ") for r in met)
            + ".]"
        )
    if not_met:
        not_met_note = prose_percent(
            f"[^{pad2(len(not_met))} chỉ tiêu chưa đạt kế hoạch, gồm: "
            + "; ".join(
                f"{_shortfall(r, view.year)} (chỉ tiêu: "
                f"{r.target.wording.rstrip('.; ')})"
                for r in not_met
            )
            + ".]"
        )
    parts = [
        f"{pad2(counts.met)} chỉ tiêu đạt{met_note}",
        f"{pad2(counts.not_met)} chỉ tiêu chưa đạt{not_met_note}",
    ]
    if counts.no_data:
        parts.append(f"{pad2(counts.no_data)} chỉ tiêu chưa có số liệu")
    # Targets not assessed yet (ratings are judged at quarter IV, a plan of
    # zero…) stay in the resolution's count and are named apart.
    total = f"{pad2(counts.total)} chỉ tiêu"
    if counts.not_assessed:
        total += f" ({pad2(counts.not_assessed)} chỉ tiêu chưa đánh giá ở kỳ này)"
    return f"{total}; kết quả: có " + ", ".join(parts[:-1]) + " và " + parts[-1]


def _shortfall(row: target_selectors.SheetRow, year: int) -> str:
    """What a target not met reached (seed 000's second footnote)."""
    ev = row.evaluation
    if row.to_date.numerator is not None and row.to_date.denominator is not None:
        return (
            f"{row.target.label}: đạt "
            f"{_num(row.to_date.numerator)}/{_num(row.to_date.denominator)}"
        )
    if row.target.kind == calc.Kind.BASE_SHARE:
        return (
            f"{row.target.label}: được {pad2(int(row.to_date.value or 0))} đồng chí, "
            f"đạt {format_percent(ev.measure, 1)} tổng số đảng viên đầu năm {year}"
        )
    return f"{row.target.label}: đạt {ev.measure_text}"


def render_dang_vien(ctx: BlockContext, params: dict[str, str]) -> str:
    day = ctx.period_end(ctx.default_year, ctx.default_quarter)
    if "ngay" in params:
        try:
            day = dt.date.fromisoformat(params["ngay"])
        except ValueError as exc:
            raise BlockError(
                f"Ngày “{params['ngay']}” không hợp lệ (yyyy-mm-dd)."
            ) from exc
    # Members are counted as the document's date knows them, never later.
    day = ctx.capped(day)
    counts = org_selectors.subtree_counts_on(root=ctx.organization, day=day)
    return phrases.membership_sentence(counts)


def render_xep_loai(ctx: BlockContext, params: dict[str, str]) -> str:
    year = _int(params, "nam", ctx.default_year)
    ratings = org_selectors.rating_counts(root=ctx.organization, year=year)
    return ratings_sentence(ratings) or f"chưa có kết quả xếp loại năm {year}"


def ratings_sentence(ratings: org_selectors.RatingCounts) -> str:
    """Seed 001's wording: "02 chi bộ được đánh giá “Hoàn thành xuất sắc nhiệm
    vụ”, 07 chi bộ “Hoàn thành tốt nhiệm vụ”, …; 27 đảng viên (chiếm 17,53%)
    Hoàn thành xuất sắc nhiệm vụ; 124 đảng viên (chiếm 80,52%) …" — grades with
    no one left out."""
    labels = dict(Grade.choices)
    cells = [
        f"{pad2(n)} chi bộ “{labels[grade]}”"
        for grade in Grade.values
        if (n := ratings.organizations.get(grade, 0))
    ]
    if cells:
        cells[0] = cells[0].replace(" chi bộ “", " chi bộ được đánh giá “", 1)
    members = []
    for grade in Grade.values:
        if not (n := ratings.members.get(grade, 0)):
            continue
        share = ratings.member_share(grade)
        share_text = (
            f" (chiếm {prose_percent(format_percent(share, 2))})"
            if share is not None
            else ""
        )
        members.append(f"{pad2(n)} đảng viên{share_text} {labels[grade]}")
    return "; ".join(part for part in (", ".join(cells), "; ".join(members)) if part)


APPENDIX_HEADER = [
    "STT",
    "Chỉ tiêu",
    "Đơn vị",
    "Kế hoạch",
    "Thực hiện",
    "Tỷ lệ",
    "Đánh giá",
]


def render_phu_luc(ctx: BlockContext, params: dict[str, str]) -> str:
    if ctx.uses_term(params):
        from reports import blocks_term

        return blocks_term.render_phu_luc(ctx, params)
    rows, view = ctx.rows_of_group(params)
    lines = ["| " + " | ".join(APPENDIX_HEADER) + " |"]
    number = 0
    for row in rows:
        if not row.is_sub:
            number += 1
        label = ("- " if row.is_sub else "") + row.target.label
        if row.evaluation.verdict is calc.Verdict.NO_DATA:
            ctx.notices.append(
                f"chỉ tiêu “{row.target.label}” chưa có số liệu trong bảng phụ lục"
            )
        plan, done = table_figures(row.target, row.evaluation)
        cells = [
            "" if row.is_sub else str(number),
            label,
            row.target.unit,
            plan,
            done,
            row.evaluation.attainment_text,
            TABLE_VERDICT[row.evaluation.verdict],
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


_PREFIXES = {
    calc.Comparator.GT: "trên ",
    calc.Comparator.LT: "dưới ",
    calc.Comparator.LTE: "không quá ",
}


def table_figures(target: Target, evaluation: calc.Evaluation) -> tuple[str, str]:
    """A target's plan and result as a table row prints them: both at the
    target's display precision, in the same form ("68,7%" beside "68,6%",
    "-0,80%" beside "-0,70%", "18.500" beside "14.721"); "–" for no figure."""
    spec = evaluation.spec
    places = spec.display_places

    def figure(value: Decimal | int | None) -> str:
        if value is None:
            return ""
        if spec.kind in calc.CHANGE_KINDS:
            return format_signed_percent(value, places)
        if spec.kind in calc.PERCENT_KINDS:
            return format_percent(value, places)
        return format_number(value, places)

    if spec.kind == calc.Kind.ALL_OR_NOTHING:
        plan = figure(100)
    elif spec.cmp is calc.Comparator.RANGE:
        plan = f"{figure(spec.plan)} – {figure(spec.plan_high)}"
    else:
        plan = (
            _PREFIXES.get(spec.cmp, "") + figure(spec.plan)
            if spec.plan is not None
            else ""
        )
    return plan or "–", evaluation.measure_text or "–"


def render_du_bao(ctx: BlockContext, params: dict[str, str]) -> str:
    from reports import blocks_term

    return blocks_term.render_du_bao(ctx, params)


RENDERERS = {
    "chi_tieu": render_chi_tieu,
    "ke_hoach": render_ke_hoach,
    "danh_gia": render_danh_gia,
    "dang_vien": render_dang_vien,
    "xep_loai": render_xep_loai,
    "phu_luc": render_phu_luc,
    "du_bao": render_du_bao,
}


def expand(text: str, ctx: BlockContext) -> tuple[str, list[str]]:
    """The text with every block written out, and the problems met (Vietnamese).

    A block that cannot be written out stays visible as "[[…]]" with its problem
    listed, so a draft shows where data is missing; issuance refuses it.
    """
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        try:
            block = parse_block(match.group("body"))
            renderer = RENDERERS.get(block.name)
            if renderer is None:
                raise BlockError(f"Không có khối dữ liệu “{block.name}”.")
            return renderer(ctx, block.params)
        except BlockError as exc:
            problems.append(str(exc))
            return match.group(0)

    return TOKEN_RE.sub(replace, text), problems
