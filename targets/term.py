"""A congress term's targets, year by year, judged so far and forecast to its end.

Seed 004, the mid-term review: "có 9/10 chỉ tiêu Nghị quyết Đại hội đề ra hoàn
thành và hoàn thành vượt mức (Phụ lục 1)", "chỉ tiêu nghị quyết kết nạp 300/năm;
bình quân kết nạp 693 đảng viên/năm", and "Dự báo khả năng thực hiện các chỉ
tiêu". This module reads the figures (selectors) and does the term's arithmetic
(pure functions on exact values, calling targets.calculations for measures and
verdicts).

The term plan
-------------
An organisation's Plan with ``end_year > start_year`` (nhiệm kỳ 2020-2025). The
page is read *as of* a year of the term and a quarter of it ("đến quý II/2023"):
the years before are whole, that year counts up to the quarter.

Where a year's figure comes from
--------------------------------
1. A computed target (``source`` other than manual) is read from the registry for
   each year, at the year's quarter (RegistryFigures): ADMISSIONS_SHARE gives the
   admissions (kết nạp) — a count for a per_year or count target, a share of the
   members on 1 January for a base_share target; ratings only at quarter IV.
2. Otherwise, the target with the same short label (tên ngắn) in that year's own
   plan: its year-to-date figure at the year's quarter, exactly as the entry
   sheet shows it (the organisation's own results, or the roll-up sums of a
   target the committee gave down). A year without a year plan reads the term
   plan itself. One sheet read per year of the term, whatever the number of
   targets or organisations.

Judged so far (đánh giá) — by the target's kind
-----------------------------------------------
=====================  ==============================================================
per_year               bình quân/năm: the years' total ÷ the years with figures, a
                       year counted up to quarter q being q/4 of a year. 2.078 over
                       2020–2022 → 692,67/năm against 300/năm → 230,9%.
count, done_of_planned lũy kế: the years' total against the term's plan.
rate, all_or_nothing,  the latest year's figure against the plan (a rate at a date).
pp_change
base_share             the term's admissions ÷ the members on 1 January summed over
                       the same years (a ratio of sums, never a mean of percents).
yoy                    the latest year against the year before; no forecast.
=====================  ==============================================================

Verdicts are calculations.verdict's (vượt / đạt / chưa đạt ...); the summary
counts top-level targets ("trong đó" rows belong to their parent).

Forecast (dự báo)
-----------------
* **To year end** (dự báo cuối năm): a flow counted up to quarter q is scaled to
  the whole year, × 4/q (6 tháng × 2); a stock stays at its latest figure. The
  year-end figures are then judged as above.
* **To term end** (dự báo cuối nhiệm kỳ): the least-squares line through the
  yearly figures so far (the current year at its year-end projection); each
  remaining year of the term takes the line's value — never below 0 for a flow,
  within 0–100% for a share of units. One year of figures gives a flat line.
  Then judged as above over the whole term: per_year the average of all its
  years, count the term's total, stocks the line's value in the term's last
  year, base_share the ratio of the projected sums.
* **Nhận định**: the term-end projection against the plan with the same verdict
  rule: met → "dự báo đạt", not met → "khó đạt"; nothing to project → "chưa đủ
  số liệu".

Exact arithmetic throughout (Fractions, Decimals of 40 digits); rounding only
for display, through partyreports.formatting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction

from django.db.models import F, Max
from django.utils import timezone

from organizations.models import Organization
from partyreports.formatting import format_number, format_percent, format_plain, pad2
from targets import calculations as calc
from targets import rollups
from targets.models import Plan, Rollup, RollupBasis, Sheet, Source, Target
from targets.selectors import (
    RegistryFigures,
    SheetRow,
    build_sheet_view,
    plan_text,
    sheet_data,
    spec_of,
)

Kind = calc.Kind

# --- the arithmetic (pure) ---------------------------------------------------------


class Nature(enum.StrEnum):
    """How a kind of target adds up over the years of a term."""

    PER_YEAR = "per_year"
    CUMULATIVE = "cumulative"
    STOCK = "stock"
    SHARE = "share"
    CHANGE = "change"


_NATURES = {
    Kind.PER_YEAR: Nature.PER_YEAR,
    Kind.COUNT: Nature.CUMULATIVE,
    Kind.DONE_OF_PLANNED: Nature.CUMULATIVE,
    Kind.RATE: Nature.STOCK,
    Kind.ALL_OR_NOTHING: Nature.STOCK,
    Kind.PP_CHANGE: Nature.STOCK,
    Kind.BASE_SHARE: Nature.SHARE,
    Kind.YOY: Nature.CHANGE,
}
FLOWS = frozenset({Nature.PER_YEAR, Nature.CUMULATIVE, Nature.SHARE})
_BOUNDED = frozenset({Kind.RATE, Kind.ALL_OR_NOTHING})  # shares of units: 0–100%


def nature_of(kind: Kind | str) -> Nature:
    return _NATURES[Kind(kind)]


def measure_text(spec: calc.TargetSpec, value: Decimal | None) -> str:
    """A measure written the way the sheet writes it (counts, %, signed points)."""
    return calc.Evaluation(spec, value, None, calc.Verdict.NO_DATA).measure_text


class Outlook(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    NO_DATA = "no_data"
    NOT_ASSESSED = "not_assessed"

    @property
    def label(self) -> str:
        return _OUTLOOK_LABELS[self]


_OUTLOOK_LABELS = {
    Outlook.ON_TRACK: "dự báo đạt",
    Outlook.AT_RISK: "khó đạt",
    Outlook.NO_DATA: "chưa đủ số liệu",
    Outlook.NOT_ASSESSED: "không đánh giá",
}


def outlook_of(verdict: calc.Verdict | None) -> Outlook:
    if verdict is None or verdict is calc.Verdict.NO_DATA:
        return Outlook.NO_DATA
    if verdict is calc.Verdict.NOT_ASSESSED:
        return Outlook.NOT_ASSESSED
    return Outlook.ON_TRACK if verdict.is_met else Outlook.AT_RISK


@dataclass(frozen=True)
class YearPoint:
    """One year's figure of a term target.

    ``value``: a flow's total for the year (so far), a stock's measure (a
    percentage, points), the admissions of a base_share. ``base``: a base_share's
    members on 1 January. ``quarters``: how much of the year the figure covers.
    """

    year: int
    value: Decimal | None
    base: Decimal | None = None
    quarters: int = 4


def _fr(value: Decimal | int | Fraction) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def _dec(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(value.numerator) / Decimal(value.denominator)


def scale_to_year(value: Decimal | int | None, quarters: int) -> Decimal | None:
    """A flow counted up to quarter q, scaled to the whole year (× 4/q)."""
    if value is None or not 1 <= quarters <= 4:
        return None
    return _dec(_fr(value) * 4 / quarters)


def least_squares(
    points: Sequence[tuple[int, Decimal | int]],
) -> tuple[Fraction, Fraction]:
    """(slope, intercept) of the least-squares line through (year, value), exact.

    One point gives a flat line through it.
    """
    if not points:
        raise ValueError("Cần ít nhất một năm có số liệu.")
    xs = [Fraction(x) for x, _ in points]
    ys = [_fr(y) for _, y in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return Fraction(0), mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x


def trend_at(points: Sequence[tuple[int, Decimal | int]], year: int) -> Decimal:
    slope, intercept = least_squares(points)
    return _dec(slope * year + intercept)


@dataclass(frozen=True)
class Assessment:
    """A term target judged so far, at the year's end and at the term's end."""

    nature: Nature
    so_far: calc.Evaluation
    year_end: calc.Evaluation
    term_end: calc.Evaluation | None
    #: yearly values the forecast uses where none is reported yet: the current
    #: year's year-end scale and the line's value for each remaining year
    projected: dict[int, Decimal] = field(default_factory=dict)
    years: Decimal | None = None  # per_year: the years the average is over

    @property
    def outlook(self) -> Outlook:
        if self.nature is Nature.CHANGE:
            return Outlook.NOT_ASSESSED
        return outlook_of(self.term_end.verdict if self.term_end else None)


def _measured(
    spec: calc.TargetSpec, nature: Nature, points: Sequence[YearPoint]
) -> tuple[calc.TargetSpec, calc.Figures, Decimal | None]:
    """The figures a term is judged on (module table), and the years counted."""
    known = [p for p in points if p.value is not None]
    if not known:
        return spec, calc.Figures(), None
    values = [p.value for p in known]
    if nature is Nature.PER_YEAR:
        years = _dec(Fraction(sum(p.quarters for p in known), 4))
        return spec, calc.Figures.over_years(calc.total(values), years), years
    if nature is Nature.CUMULATIVE:
        return spec, calc.Figures.of(calc.total(values)), None
    if nature is Nature.SHARE:
        based = [p for p in known if p.base is not None]
        base = calc.total(p.base for p in based)
        spec = dataclasses.replace(spec, base=base)
        return spec, calc.Figures.of(calc.total(p.value for p in based)), None
    if nature is Nature.CHANGE:
        previous = known[-2].value if len(known) > 1 else None
        return spec, calc.Figures.against_previous(known[-1].value, previous), None
    return spec, calc.Figures.of(known[-1].value), None


def _evaluate(
    spec: calc.TargetSpec, nature: Nature, points: Sequence[YearPoint]
) -> tuple[calc.Evaluation, Decimal | None]:
    spec, figures, years = _measured(spec, nature, points)
    return calc.evaluate(spec, figures), years


def _bound(kind: Kind, nature: Nature, value: Decimal) -> Decimal:
    if nature in FLOWS:
        return max(value, Decimal(0))
    if kind in _BOUNDED:
        return min(max(value, Decimal(0)), Decimal(100))
    return value


def assess(
    spec: calc.TargetSpec,
    points: Sequence[YearPoint],
    *,
    as_of_year: int,
    last_year: int,
    nature: Nature | None = None,
) -> Assessment:
    """Judge a term target so far and forecast it (rules in the module docstring).

    ``points``: the yearly figures up to ``as_of_year`` (any order; a year may be
    missing). ``last_year``: the term's last year. ``nature``: the kind's unless
    given (a member total is a stock whatever its kind).
    """
    nature = nature or nature_of(spec.kind)
    known = sorted(
        (p for p in points if p.value is not None and p.year <= as_of_year),
        key=lambda p: p.year,
    )
    so_far, years = _evaluate(spec, nature, known)
    projected: dict[int, Decimal] = {}
    whole = []  # every year scaled to a whole year: what the forecast stands on
    for p in known:
        if nature in FLOWS and p.quarters < 4:
            p = dataclasses.replace(
                p, value=scale_to_year(p.value, p.quarters), quarters=4
            )
            projected[p.year] = p.value
        whole.append(p)
    year_end, _ = _evaluate(spec, nature, whole)
    term_end: calc.Evaluation | None = None
    if nature is not Nature.CHANGE and whole:
        future = []
        line = [(p.year, p.value) for p in whole]
        bases = [(p.year, p.base) for p in whole if p.base is not None]
        for year in range(as_of_year + 1, last_year + 1):
            value = _bound(spec.kind, nature, trend_at(line, year))
            base = max(trend_at(bases, year), Decimal(0)) if bases else None
            future.append(YearPoint(year, value, base))
            projected[year] = value
        term_end, _ = _evaluate(spec, nature, whole + future)
    return Assessment(nature, so_far, year_end, term_end, projected, years)


# --- reading the figures -----------------------------------------------------------


@dataclass(frozen=True)
class YearCell:
    """One year's column of a row: reported, counted to a quarter, or forecast."""

    year: int
    text: str = ""
    detail: str = ""
    note: str = ""
    projected: bool = False


@dataclass
class TermRow:
    target: Target
    assessment: Assessment
    cells: list[YearCell]
    is_sub: bool = False
    number: int = 0  # STT of a top-level target; 0 for a "trong đó" row

    @property
    def nature(self) -> Nature:
        return self.assessment.nature

    @property
    def plan_text(self) -> str:
        text = plan_text(self.target)
        return f"{text}/năm" if self.nature is Nature.PER_YEAR and text else text

    @property
    def basis_label(self) -> str:
        return _BASIS_LABELS[self.nature]

    @property
    def verdict_text(self) -> str:
        verdict = self.assessment.so_far.verdict
        return "vượt" if verdict is calc.Verdict.VUOT else verdict.label

    @property
    def years_text(self) -> str:
        years = self.assessment.years
        return f"{format_plain(years)} năm" if years is not None else ""


_BASIS_LABELS = {
    Nature.PER_YEAR: "bình quân/năm",
    Nature.CUMULATIVE: "lũy kế nhiệm kỳ",
    Nature.STOCK: "năm gần nhất",
    Nature.SHARE: "cả nhiệm kỳ",
    Nature.CHANGE: "so với năm trước",
}


@dataclass
class TermGroup:
    name: str
    rows: list[TermRow] = field(default_factory=list)


@dataclass
class TermView:
    organization: Organization
    plan: Plan
    plans: list[Plan]
    year: int
    quarter: int
    years: list[int]
    groups: list[TermGroup]
    verdicts: calc.VerdictCounts
    outlooks: dict[Outlook, int]
    at_risk: list[Target]

    @property
    def rows(self) -> list[TermRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def summary_text(self) -> str:
        """Seed 004's "9/10 chỉ tiêu ... hoàn thành và hoàn thành vượt mức"."""
        v = self.verdicts
        return (
            f"{pad2(v.met)}/{pad2(v.assessed)} chỉ tiêu Nghị quyết Đại hội đề ra "
            "hoàn thành và hoàn thành vượt mức"
        )

    @property
    def outlook_text(self) -> str:
        """Seed 004's "sẽ hoàn thành, hoàn thành vượt mức 9/10 chỉ tiêu"."""
        counted = [o for o in self.outlooks if o is not Outlook.NOT_ASSESSED]
        total = sum(self.outlooks[o] for o in counted)
        on_track = self.outlooks[Outlook.ON_TRACK]
        term = f"{self.plan.start_year}-{self.plan.end_year}"
        text = (
            f"Dự báo đến cuối nhiệm kỳ {term}: hoàn thành, hoàn thành vượt mức "
            f"{pad2(on_track)}/{pad2(total)} chỉ tiêu"
        )
        if self.at_risk:
            names = "; ".join(t.label for t in self.at_risk)
            text += (
                f"; {pad2(len(self.at_risk))} chỉ tiêu khó đạt, "
                f"cần nỗ lực phấn đấu: {names}"
            )
        if self.outlooks[Outlook.NO_DATA]:
            missing = pad2(self.outlooks[Outlook.NO_DATA])
            text += f"; {missing} chỉ tiêu chưa đủ số liệu để dự báo"
        return text + "."


def term_plans(*, organization: Organization) -> list[Plan]:
    """The organisation's term plans (nhiệm kỳ), latest first."""
    return list(
        Plan.objects.filter(
            organization=organization, end_year__gt=F("start_year")
        ).order_by("-start_year")
    )


def reported_quarters(*, organization: Organization, plan: Plan) -> dict[int, int]:
    """year → the last quarter with figures: the organisation's own sheets or the
    approved roll-up of its subordinates (two queries for the whole term)."""
    span = {"year__gte": plan.start_year, "year__lte": plan.end_year}
    last = {
        row["year"]: row["last"]
        for row in Sheet.objects.filter(organization=organization, **span)
        .values("year")
        .annotate(last=Max("quarter"))
    }
    for year, reporting in Rollup.objects.filter(
        organization=organization, basis=RollupBasis.APPROVED, **span
    ).values_list("year", "reporting"):
        quarters = [int(q) for q, n in (reporting or {}).items() if n]
        if quarters:
            last[year] = max(last.get(year, 0), *quarters)
    return last


def default_as_of(
    plan: Plan, reported: dict[int, int], today: dt.date
) -> tuple[int, int]:
    """The latest year (up to this year) with figures, at its last quarter; else
    this year (kept within the term) at the last quarter ended."""
    latest = min(plan.end_year, today.year)
    years = [y for y in reported if plan.start_year <= y <= latest]
    if years:
        year = max(years)
        return year, reported[year]
    year = min(plan.end_year, max(plan.start_year, today.year))
    if year < today.year:
        return year, 4
    return year, max(1, (today.month - 1) // 3)


def term_view(
    *,
    organization: Organization,
    plan_id: object = None,
    year: int | None = None,
    quarter: int | None = None,
    today: dt.date | None = None,
) -> TermView | None:
    """The term page; None when the organisation has no term plan.

    ``plan_id``: a term plan's public id (default: the one covering this year,
    else the latest); ``year``/``quarter``: the as-of point (default: the latest
    reported). Raises LookupError for a plan id that is not one of its terms.
    """
    today = today or timezone.localdate()
    plans = term_plans(organization=organization)
    if not plans:
        return None
    if plan_id:
        try:
            wanted = uuid.UUID(str(plan_id))
        except ValueError as exc:
            raise LookupError("Không tìm thấy kế hoạch nhiệm kỳ.") from exc
        plan = next((p for p in plans if p.public_id == wanted), None)
        if plan is None:
            raise LookupError("Không tìm thấy kế hoạch nhiệm kỳ.")
    else:
        plan = next((p for p in plans if p.covers(today.year)), plans[0])
    reported = reported_quarters(organization=organization, plan=plan)
    default_year, default_quarter = default_as_of(plan, reported, today)
    if year is None or not plan.covers(year):
        year = default_year
    if quarter is None or not 1 <= quarter <= 4:
        quarter = default_quarter if year == default_year else reported.get(year, 4)
    targets = list(
        plan.targets.select_related("group").order_by(
            "group__order", "group_id", "order", "id"
        )
    )
    reads = _read_years(
        organization,
        targets,
        {y: 4 if y < year else quarter for y in range(plan.start_year, year + 1)},
    )
    years = list(range(plan.start_year, plan.end_year + 1))
    groups: dict[int, TermGroup] = {}
    top: list[TermRow] = []
    for target in targets:
        spec = spec_of(target)
        points = [
            _point(target, spec, y, reads.get((target.id, y)))
            for y in range(plan.start_year, year + 1)
        ]
        assessment = assess(
            spec,
            [p for p in points if p],
            as_of_year=year,
            last_year=plan.end_year,
            nature=target_nature(target),
        )
        row = TermRow(
            target=target,
            assessment=assessment,
            cells=[
                _cell(target, spec, y, reads.get((target.id, y)), assessment)
                for y in years
            ],
            is_sub=target.parent_id is not None,
        )
        if not row.is_sub:
            row.number = len(top) + 1
        groups.setdefault(
            target.group_id, TermGroup(name=target.group.name)
        ).rows.append(row)
        if not row.is_sub:
            top.append(row)
    outlooks = {o: 0 for o in Outlook}
    for row in top:
        outlooks[row.assessment.outlook] += 1
    return TermView(
        organization=organization,
        plan=plan,
        plans=plans,
        year=year,
        quarter=quarter,
        years=years,
        groups=list(groups.values()),
        verdicts=calc.count_verdicts(r.assessment.so_far.verdict for r in top),
        outlooks=outlooks,
        at_risk=[r.target for r in top if r.assessment.outlook is Outlook.AT_RISK],
    )


@dataclass(frozen=True)
class _Read:
    figures: calc.Figures
    base: Decimal | None
    quarters: int
    note: str


def _has(figures: calc.Figures | None) -> bool:
    return figures is not None and any(
        v is not None for v in (figures.value, figures.numerator, figures.denominator)
    )


def _last_quarter(quarters: Sequence[calc.Figures | None], upto: int) -> int:
    for q in range(upto, 0, -1):
        if q <= len(quarters) and _has(quarters[q - 1]):
            return q
    return 0


def _read_years(
    organization: Organization, targets: list[Target], years: dict[int, int]
) -> dict[tuple[int, int], _Read]:
    """(target id, year) → the year's figures, for each year at its quarter.

    Per year: one registry reader (its sources cached) and one sheet read, so the
    queries grow with the term's length, not with targets or organisations.
    """
    computed = [t for t in targets if t.is_computed]
    typed = [t for t in targets if not t.is_computed]
    out: dict[tuple[int, int], _Read] = {}
    for year, quarter in years.items():
        if computed:
            registry = RegistryFigures(
                organization=organization, year=year, quarter=quarter
            )
            for target in computed:
                _, figures, base, note = registry.figures(target)
                if _has(figures):
                    out[(target.id, year)] = _Read(figures, _base(base), quarter, note)
        if not typed:
            continue
        data = sheet_data(organization=organization, year=year, quarter=quarter)
        if data is None:
            continue
        by_label: dict[str, SheetRow] = {}
        for sheet_row in build_sheet_view(data).rows:
            by_label.setdefault(sheet_row.target.label, sheet_row)
        for target in typed:
            row = by_label.get(target.label)
            if row is None or not _has(row.to_date):
                continue
            if row.target.is_computed:
                covered = quarter
            elif row.is_rollup:
                covered = _last_quarter(
                    rollups.figures_of(data.rollup, row.target), quarter
                )
            else:
                covered = _last_quarter(data.this_year.get(row.target.id, []), quarter)
            note = row.explanation or (
                f"Từ kết quả {_span(covered)} {year} theo {data.plan.title}."
            )
            out[(target.id, year)] = _Read(
                row.to_date, _base(row.evaluation.spec.base), covered or quarter, note
            )
    return out


def _span(quarter: int) -> str:
    return "cả năm" if quarter == 4 else f"đến quý {quarter}"


def _base(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def target_nature(target: Target) -> Nature:
    """A member total is a stock (members on a date) whatever its kind says."""
    return (
        Nature.STOCK if target.source == Source.MEMBER_TOTAL else nature_of(target.kind)
    )


def _point(
    target: Target, spec: calc.TargetSpec, year: int, read: _Read | None
) -> YearPoint | None:
    if read is None:
        return None
    nature = target_nature(target)
    if nature is Nature.STOCK:
        value = calc.measure(spec, read.figures)
    else:
        value = read.figures.value
    return YearPoint(
        year, None if value is None else Decimal(value), read.base, read.quarters
    )


def _cell(
    target: Target,
    spec: calc.TargetSpec,
    year: int,
    read: _Read | None,
    assessment: Assessment,
) -> YearCell:
    nature = assessment.nature
    places = spec.display_places
    if read is None:
        value = assessment.projected.get(year)
        if value is None:
            return YearCell(year)
        text = (
            measure_text(spec, value)
            if nature is Nature.STOCK
            else format_number(value, places)
        )
        return YearCell(
            year, text, note="Dự báo theo xu hướng các năm.", projected=True
        )
    point = _point(target, spec, year, read)
    if point is None or point.value is None:
        return YearCell(year, note=read.note)
    if nature is Nature.STOCK:
        text = measure_text(spec, point.value)
        f = read.figures
        detail = (
            f"{format_plain(f.numerator)}/{format_plain(f.denominator)}"
            if _has_ratio(f)
            else ""
        )
    else:
        text = format_number(point.value, places)
        detail = ""
        if nature is Nature.SHARE and point.base:
            detail = format_percent(calc.rate_of(point.value, point.base), 2)
    if read.quarters < 4:
        detail = " · ".join(d for d in (detail, f"đến quý {read.quarters}") if d)
    return YearCell(year, text, detail, read.note)


def _has_ratio(figures: calc.Figures) -> bool:
    return figures.numerator is not None and figures.denominator is not None
