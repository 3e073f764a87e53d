"""Target arithmetic: the one home for attainment, verdicts, cumulation and roll-ups.

Pure functions on ``Decimal`` with no Django imports; the entry sheet, the
documents and the roll-ups all call this module. Formatting and the rounding rule
live in :mod:`partyreports.formatting`.

How a target is described
-------------------------
A :class:`TargetSpec` holds the *kind* (what the figure is and how it is
computed), the *comparator* (what counts as meeting the plan) and the plan.
A :class:`Figures` holds what was reported. From the two:

* :func:`measure` — the figure compared with the plan (a count, a percentage, a
  change, a yearly average);
* :func:`attainment` — percent of plan, ``measure ÷ plan × 100``;
* :func:`verdict` — vượt / đạt / chưa đạt / chưa có số liệu / không đánh giá.

=================  ====================================  =====================
kind (code)        figures                               measure
=================  ====================================  =====================
count              value (20.360 lao động)               value
done_of_planned    value (05 cuộc done; plan = 07)       value
rate               numerator/denominator, or a typed %   num ÷ den × 100
pp_change          value in points (-0,95)               value
base_share         value (04 admitted; spec.base = 154)  value ÷ base × 100
all_or_nothing     numerator/denominator (9 of 10)       num ÷ den × 100
per_year           value = term total, years elapsed     total ÷ years
yoy                value = current, previous             change in % vs previous
=================  ====================================  =====================

A sub-target ("trong đó") is a target of the same kind with a parent; the parentage
is data, the arithmetic is the same. "Cumulative against the year" (261 by Q3 of
250/year) is a count whose figure is :func:`year_to_date` of the quarters.

Comparators (code: wording)
---------------------------
``gte`` "đạt X", "từ X trở lên" · ``gt`` "trên X" · ``lt`` "dưới X" ·
``lte`` "không quá X" · ``range`` "X–Y", inclusive (``plan`` and ``plan_high``,
in either order) · ``eq_all`` "100%": every unit, only with ``all_or_nothing``.

For ``pp_change`` and ``yoy`` the sign of the plan gives the direction: a plan of
-0,8 means "giảm 0,8 điểm %", and ``gte`` then reads "giảm ít nhất 0,8" (the
comparison is on the size of the change in the plan's direction). ``range``
compares the signed values as they are.

Verdict rules
-------------
1. No figures (or a base/denominator/years of zero) → ``NO_DATA``.
2. No plan (a ``yoy`` without a growth target, or a plan not set yet), or a
   ``yoy`` whose same period last year is missing or 0 (:func:`unassessable`) →
   ``NOT_ASSESSED``, which the counts leave out ("04/06 chỉ tiêu đạt").
3. ``gte``: above the plan → ``VUOT``; equal → ``DAT``; below → ``CHUA_DAT``.
   Vượt exists only for ``gte``, because only there is the plan a level to reach.
   The thresholds (``gt``, ``lt``, ``lte``, ``range``, ``eq_all``) are met or not:
   ``DAT`` / ``CHUA_DAT``. So "trên 95%" at 99,3% is đạt, "100% chi bộ" at 9 of
   10 is chưa đạt (seed 000's footnote), and 14.873 of 14.950 is chưa đạt.
4. Verdicts are decided on **exact** values (rationals built from the reported
   decimals), never on rounded ones. 24.999 of 25.000 is chưa đạt even though its
   attainment 99,996% prints as "100,0%"; 1.901 of 2.001 members (95,002%) is
   "trên 95%" even though it prints as "95,0%". The reported figures are facts;
   the printed percentage is a rounded description of them. Documents print the
   figures next to the percentage ("24.999/25.000"), which shows why.

Attainment
----------
``measure ÷ plan × 100`` (for ``pp_change`` the ratio of the changes: 0,95 ÷ 0,8
= 118,75%; for ``all_or_nothing`` the share of units, 9 of 10 → 90%). ``None``
when there is no measure, no plan or a zero plan, for ceilings and ranges (a
percent of a ceiling means nothing) and for ``yoy`` (the change itself is the
headline). Values are returned as ``Decimal`` at 40 significant digits; round
only for display, with :func:`format_attainment` (one decimal, half away from
zero: 110,054 → "110,1%").

Roll-ups add numerators and denominators and divide once (:func:`rollup_rate`);
they never average percentages. Decimal NaN and infinities count as missing.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction

from partyreports.formatting import (
    format_number,
    format_percent,
    format_signed_percent,
    pad2,
)

_PRECISION = 40  # significant digits of returned Decimals; far beyond display

Number = Decimal | int  # never float: binary fractions would break exactness


class Kind(enum.StrEnum):
    COUNT = "count"
    DONE_OF_PLANNED = "done_of_planned"
    RATE = "rate"
    PP_CHANGE = "pp_change"
    BASE_SHARE = "base_share"
    ALL_OR_NOTHING = "all_or_nothing"
    PER_YEAR = "per_year"
    YOY = "yoy"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    Kind.COUNT: "Số lượng",
    Kind.DONE_OF_PLANNED: "Hoàn thành/kế hoạch",
    Kind.RATE: "Tỷ lệ",
    Kind.PP_CHANGE: "Tăng/giảm (điểm %)",
    Kind.BASE_SHARE: "Tỷ lệ so với đầu năm",
    Kind.ALL_OR_NOTHING: "100% đơn vị",
    Kind.PER_YEAR: "Bình quân/năm trong nhiệm kỳ",
    Kind.YOY: "So với cùng kỳ",
}


class Comparator(enum.StrEnum):
    GTE = "gte"
    GT = "gt"
    LT = "lt"
    LTE = "lte"
    RANGE = "range"
    EQ_ALL = "eq_all"

    @property
    def label(self) -> str:
        return _COMPARATOR_LABELS[self]


_COMPARATOR_LABELS = {
    Comparator.GTE: "đạt, từ … trở lên",
    Comparator.GT: "trên",
    Comparator.LT: "dưới",
    Comparator.LTE: "không quá",
    Comparator.RANGE: "trong khoảng",
    Comparator.EQ_ALL: "100%",
}


class Verdict(enum.StrEnum):
    VUOT = "exceeded"
    DAT = "met"
    CHUA_DAT = "not_met"
    NO_DATA = "no_data"
    NOT_ASSESSED = "not_assessed"

    @property
    def label(self) -> str:
        return _VERDICT_LABELS[self]

    @property
    def is_met(self) -> bool:
        return self in (Verdict.VUOT, Verdict.DAT)


_VERDICT_LABELS = {
    Verdict.VUOT: "vượt",
    Verdict.DAT: "đạt",
    Verdict.CHUA_DAT: "chưa đạt",
    Verdict.NO_DATA: "chưa có số liệu",
    Verdict.NOT_ASSESSED: "không đánh giá",
}

PERCENT_KINDS = frozenset(
    {Kind.RATE, Kind.PP_CHANGE, Kind.BASE_SHARE, Kind.ALL_OR_NOTHING, Kind.YOY}
)
CHANGE_KINDS = frozenset({Kind.PP_CHANGE, Kind.YOY})
_DEFAULT_PLACES = {  # display places of the measure; counts show 0
    Kind.RATE: 2,
    Kind.PP_CHANGE: 2,
    Kind.BASE_SHARE: 2,
    Kind.ALL_OR_NOTHING: 2,
    Kind.YOY: 1,
}
ATTAINMENT_PLACES = 1
#: Kinds whose typed figure counts things (people, households, inspections, members
#: admitted): a whole number unless the target is given decimal places.
WHOLE_KINDS = frozenset(
    {Kind.COUNT, Kind.DONE_OF_PLANNED, Kind.PER_YEAR, Kind.BASE_SHARE}
)


def takes_whole_numbers(kind: Kind | str, places: int | None) -> bool:
    """Whether a target's typed value must be a whole number ("20.360 người"):
    a counting kind without decimal places (places None or 0). "Ủng hộ 12,5
    triệu đồng" is a count with one decimal place, so it takes fractions."""
    return kind in _WHOLE_CODES and not places


_WHOLE_CODES = frozenset(k.value for k in WHOLE_KINDS)  # stored codes or Kinds


def default_comparator(kind: Kind) -> Comparator:
    return Comparator.EQ_ALL if kind is Kind.ALL_OR_NOTHING else Comparator.GTE


@dataclass(frozen=True)
class SourceUse:
    """What a figure source gives and the kinds of target that can read it."""

    gives: str
    kinds: frozenset[Kind]


_RATINGS_KINDS = frozenset({Kind.RATE, Kind.ALL_OR_NOTHING})

#: Where a target's figures come from (``targets.models.Source`` codes) and the
#: kinds that make sense of them. Admissions are a count of members admitted: a
#: share of the members on 1 January, a yearly average over a term, or a number
#: against the year's plan ("261 of 250"); ratings give a share of those rated.
#: A share of the base at 1 January has no base unless the registry gives it, so
#: ``base_share`` is read from the registry only.
SOURCE_KINDS: dict[str, SourceUse] = {
    "manual": SourceUse("số liệu nhập tay", frozenset(Kind) - {Kind.BASE_SHARE}),
    "admissions_share": SourceUse(
        "số đảng viên kết nạp (từ sổ đảng viên)",
        frozenset({Kind.BASE_SHARE, Kind.PER_YEAR, Kind.COUNT}),
    ),
    "member_total": SourceUse(
        "tổng số đảng viên (từ sổ đảng viên)", frozenset({Kind.COUNT})
    ),
    "members_good": SourceUse("tỷ lệ đảng viên theo xếp loại", _RATINGS_KINDS),
    "members_excellent": SourceUse("tỷ lệ đảng viên theo xếp loại", _RATINGS_KINDS),
    "cells_good": SourceUse("tỷ lệ chi bộ theo xếp loại", _RATINGS_KINDS),
    "cells_excellent": SourceUse("tỷ lệ chi bộ theo xếp loại", _RATINGS_KINDS),
}


#: Sources read from the year's quality ratings, which are made at year end.
RATING_SOURCES = frozenset(
    {"members_good", "members_excellent", "cells_good", "cells_excellent"}
)


def assessed_later(source: str, quarter: int) -> str:
    """Why a target read from the registry is not judged in this quarter ("" if
    it is): ratings are made at year end, so quarters I–III have none. Such a
    target is "không đánh giá" and stays out of "04/06 chỉ tiêu đạt"."""
    return "đánh giá vào quý IV" if source in RATING_SOURCES and quarter < 4 else ""


def _source_problem(source: str, kind: Kind) -> str:
    use = SOURCE_KINDS.get(source)
    if use is None:
        return "Nguồn số liệu không hợp lệ."
    if kind in use.kinds:
        return ""
    if kind is Kind.BASE_SHARE:
        return (
            "Chỉ tiêu “Tỷ lệ so với đầu năm” tính trên số đảng viên ngày 01/01 lấy "
            "từ sổ đảng viên: chọn nguồn kết nạp so với đảng viên đầu năm."
        )
    labels = [f"“{k.label}”" for k in Kind if k in use.kinds]
    allowed = labels[0]
    if len(labels) > 1:
        allowed = ", ".join(labels[:-1]) + " hoặc " + labels[-1]
    return (
        f"Nguồn số liệu này cho {use.gives}, không dùng được cho chỉ tiêu loại "
        f"“{kind.label}”: chọn loại {allowed}, hoặc nguồn nhập tay."
    )


def spec_problems(
    kind: Kind | str,
    comparator: Comparator | str,
    plan: Number | None,
    plan_high: Number | None = None,
    base: Number | None = None,
    *,
    source: str | None = None,
) -> list[str]:
    """What is wrong with a target's definition, in Vietnamese (empty when valid).

    Meant for a model's ``clean()`` as well as :class:`TargetSpec`; kind and
    comparator may be given as their codes. ``source`` (a Source code) is
    checked against :data:`SOURCE_KINDS` when given.
    """
    kind, comparator = Kind(kind), Comparator(comparator)
    problems = []
    if source is not None and (problem := _source_problem(str(source), kind)):
        problems.append(problem)
    numbers = [v for v in (plan, plan_high, base) if v is not None]
    if any(isinstance(v, Decimal) and not v.is_finite() for v in numbers):
        return [*problems, "Kế hoạch phải là một số."]
    if (kind is Kind.ALL_OR_NOTHING) != (comparator is Comparator.EQ_ALL):
        problems.append("Chỉ tiêu “100% đơn vị” đi với điều kiện “100%”, và ngược lại.")
    if comparator is Comparator.RANGE and (plan is None or plan_high is None):
        problems.append("Chỉ tiêu trong khoảng cần cả cận dưới và cận trên.")
    if comparator is not Comparator.RANGE and plan_high is not None:
        problems.append("Cận trên chỉ dùng cho chỉ tiêu trong khoảng.")
    if kind not in CHANGE_KINDS and any(
        v is not None and v < 0 for v in (plan, plan_high)
    ):
        problems.append("Kế hoạch không được âm.")
    if base is not None and kind is not Kind.BASE_SHARE:
        problems.append("Số gốc đầu năm chỉ dùng cho chỉ tiêu tỷ lệ so với đầu năm.")
    if base is not None and base < 0:
        problems.append("Số gốc đầu năm không được âm.")
    return problems


@dataclass(frozen=True)
class TargetSpec:
    """A target's arithmetic: kind, comparator, plan (``plan_high`` for ranges).

    ``plan`` is in the measure's unit: a count, a percentage (rate, base_share),
    points (pp_change), a count per year (per_year) or a change in % (yoy); it is
    ignored for all_or_nothing. ``base`` is the base of a base_share (members on 1
    January). ``places`` is the display precision of the measure (None: the kind's
    default, 0 for counts, 2 for percentages, 1 for yoy).
    """

    kind: Kind
    comparator: Comparator | None = None
    plan: Number | None = None
    plan_high: Number | None = None
    base: Number | None = None
    places: int | None = None

    def __post_init__(self) -> None:
        # Accept the stored codes ("count", "gte"), e.g. from a model's fields.
        object.__setattr__(self, "kind", Kind(self.kind))
        comparator = self.comparator or default_comparator(self.kind)
        object.__setattr__(self, "comparator", Comparator(comparator))
        problems = spec_problems(
            self.kind, self.cmp, self.plan, self.plan_high, self.base
        )
        if problems:
            raise ValueError(" ".join(problems))

    @property
    def cmp(self) -> Comparator:
        """The comparator, never None after construction."""
        return self.comparator or default_comparator(self.kind)

    @property
    def display_places(self) -> int:
        return (
            self.places
            if self.places is not None
            else _DEFAULT_PLACES.get(self.kind, 0)
        )


@dataclass(frozen=True)
class Figures:
    """What was reported; which fields matter depends on the kind (module table)."""

    value: Number | None = None
    numerator: Number | None = None
    denominator: Number | None = None
    previous: Number | None = None
    years: Number | None = None

    @classmethod
    def of(cls, value: Number | None) -> Figures:
        return cls(value=value)

    @classmethod
    def ratio(cls, numerator: Number | None, denominator: Number | None) -> Figures:
        return cls(numerator=numerator, denominator=denominator)

    @classmethod
    def over_years(cls, total: Number | None, years: Number | None) -> Figures:
        return cls(value=total, years=years)

    @classmethod
    def against_previous(
        cls, current: Number | None, previous: Number | None
    ) -> Figures:
        return cls(value=current, previous=previous)


# --- exact arithmetic ----------------------------------------------------------
#
# Exact values are rationals held as (numerator, denominator) pairs of ints with
# a positive denominator, not reduced: comparing two is one cross-multiplication.
# fractions.Fraction does the same with a gcd and a Python object per step, which
# at bloc scale (120 subordinates × 30 targets on a dashboard) was most of the
# time. A pair turns into a Decimal only at the end (_to_decimal), and the
# quotient is the same whichever pair of the same value it is given.

Rational = tuple[int, int]

#: The arithmetic of sums and of the Decimals returned: 40 significant digits.
#: One context object rather than a ``localcontext()`` per call, whose set-up
#: cost as much as a short sum.
_CONTEXT = Context(prec=_PRECISION)
_ZERO = Decimal(0)


def _exact(value: Number | None) -> Rational | None:
    """An exact rational, or None for missing, NaN and infinite values."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value.as_integer_ratio() if value.is_finite() else None
    if isinstance(value, float):
        raise TypeError("Use Decimal, not float, for target figures.")
    if isinstance(value, int):
        return int(value), 1
    exact = Fraction(value)  # any other rational a caller may hand over
    return exact.numerator, exact.denominator


def _ratio(num: Rational | None, den: Rational | None) -> Rational | None:
    if num is None or den is None or den[0] == 0:
        return None
    n, d = num[0] * den[1], num[1] * den[0]
    return (-n, -d) if d < 0 else (n, d)


def _percent(value: Rational | None) -> Rational | None:
    return None if value is None else (value[0] * 100, value[1])


def _compare(a: Rational, b: Rational) -> int:
    """-1, 0 or 1 as a is less than, equal to or greater than b."""
    left, right = a[0] * b[1], b[0] * a[1]
    return (left > right) - (left < right)


def _sum(values: Iterable[Rational]) -> Rational:
    n, d = 0, 1
    for vn, vd in values:
        if vd == d:
            n += vn
        else:
            common = math.lcm(d, vd)
            n, d = n * (common // d) + vn * (common // vd), common
    return n, d


def _to_decimal(value: Rational | None) -> Decimal | None:
    if value is None:
        return None
    return _CONTEXT.divide(Decimal(value[0]), Decimal(value[1]))


def rate_of(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """``numerator ÷ denominator × 100``; None when either is missing or den is 0."""
    return _to_decimal(_percent(_ratio(_exact(numerator), _exact(denominator))))


def change_vs_last_year(
    current: Number | None, previous: Number | None
) -> Decimal | None:
    """Percent change on the same period last year (1.621 vs 1.393,8 → 16,30...).

    None when either is missing or the previous value is 0 (no meaningful %).
    """
    return _to_decimal(_change(_exact(current), _exact(previous)))


def _change(current: Rational | None, previous: Rational | None) -> Rational | None:
    if current is None or previous is None or previous[0] == 0:
        return None
    # Divided by |previous| so that a loss shrinking (-100 → -50) reads as a rise:
    # (a/b − e/f) ÷ |e/f| × 100 = (a·f − e·b) × 100 ÷ (b·|e|).
    (a, b), (e, f) = current, previous
    return (a * f - e * b) * 100, b * abs(e)


# --- measure, attainment, verdict ---------------------------------------------


def _measure(spec: TargetSpec, figures: Figures) -> Rational | None:
    value = _exact(figures.value)
    kind = spec.kind
    if kind is Kind.RATE or kind is Kind.ALL_OR_NOTHING:
        share = _ratio(_exact(figures.numerator), _exact(figures.denominator))
        return value if share is None else _percent(share)  # a typed % as fallback
    if kind is Kind.BASE_SHARE:
        return _percent(_ratio(value, _exact(spec.base)))
    if kind is Kind.PER_YEAR:
        return _ratio(value, _exact(figures.years))
    if kind is Kind.YOY:
        return _change(value, _exact(figures.previous))
    return value


def measure(spec: TargetSpec, figures: Figures) -> Decimal | None:
    """The figure compared with the plan, exact (see the module table)."""
    return _to_decimal(_measure(spec, figures))


def _attainment(spec: TargetSpec, value: Rational | None) -> Rational | None:
    """Percent of plan of a measure (the measure is computed once per figures)."""
    if value is None or spec.kind is Kind.YOY:
        return None
    if spec.kind is Kind.ALL_OR_NOTHING:
        return value
    if spec.cmp in (Comparator.LT, Comparator.LTE, Comparator.RANGE):
        return None
    return _percent(_ratio(value, _exact(spec.plan)))


def attainment(spec: TargetSpec, figures: Figures) -> Decimal | None:
    """Percent of plan (module docstring, "Attainment"); None when meaningless."""
    return _to_decimal(_attainment(spec, _measure(spec, figures)))


def verdict(spec: TargetSpec, figures: Figures) -> Verdict:
    """Vượt / đạt / chưa đạt / chưa có số liệu / không đánh giá, on exact values."""
    if unassessable(spec, figures):
        return Verdict.NOT_ASSESSED
    return _verdict(spec, _measure(spec, figures))


def unassessable(spec: TargetSpec, figures: Figures) -> str:
    """Why figures that were reported cannot be judged against the plan ("" when
    they can): a change on last year needs last year's figure, and one that is
    not 0 (from 0 any rise is infinite). Such a target is "không đánh giá", not
    "chưa có số liệu": nothing is missing from this period's report."""
    if spec.kind is not Kind.YOY or _exact(figures.value) is None:
        return ""
    previous = _exact(figures.previous)
    if previous is None:
        return "chưa có số liệu cùng kỳ năm trước"
    if previous[0] == 0:
        return "cùng kỳ năm trước bằng 0, không tính được mức tăng, giảm"
    return ""


def _verdict(spec: TargetSpec, value: Rational | None) -> Verdict:
    if value is None:
        return Verdict.NO_DATA
    cmp = spec.cmp
    if cmp is Comparator.EQ_ALL:
        return Verdict.DAT if value[0] >= 100 * value[1] else Verdict.CHUA_DAT
    plan = _exact(spec.plan)
    if plan is None:
        return Verdict.NOT_ASSESSED
    if cmp is Comparator.RANGE:
        high = _exact(spec.plan_high)
        if high is None:
            return Verdict.NOT_ASSESSED
        low, high = (high, plan) if _compare(high, plan) < 0 else (plan, high)
        return _met(_compare(low, value) <= 0 <= _compare(high, value))
    if spec.kind in CHANGE_KINDS and plan[0] < 0:
        # Compare the size of a planned reduction.
        value, plan = (-value[0], value[1]), (-plan[0], plan[1])
    order = _compare(value, plan)
    if cmp is Comparator.GTE:
        if order > 0:
            return Verdict.VUOT
        return _met(order == 0)
    if cmp is Comparator.GT:
        return _met(order > 0)
    if cmp is Comparator.LT:
        return _met(order < 0)
    return _met(order <= 0)  # LTE


def _met(condition: bool) -> Verdict:
    return Verdict.DAT if condition else Verdict.CHUA_DAT


@dataclass(frozen=True)
class Evaluation:
    """Everything a sheet or a document shows for one target."""

    spec: TargetSpec
    measure: Decimal | None
    attainment: Decimal | None
    verdict: Verdict
    #: Why a target is not assessed ("đánh giá vào quý IV"); empty otherwise.
    note: str = ""

    @property
    def measure_text(self) -> str:
        places = self.spec.display_places
        if self.spec.kind in CHANGE_KINDS:
            return format_signed_percent(self.measure, places)
        if self.spec.kind in PERCENT_KINDS:
            return format_percent(self.measure, places)
        return format_number(self.measure, places)

    @property
    def attainment_text(self) -> str:
        return format_attainment(self.attainment)


def evaluate(spec: TargetSpec, figures: Figures) -> Evaluation:
    if reason := unassessable(spec, figures):
        return not_assessed(spec, reason)
    value = _measure(spec, figures)
    return Evaluation(
        spec=spec,
        measure=_to_decimal(value),
        attainment=_to_decimal(_attainment(spec, value)),
        verdict=_verdict(spec, value),
    )


def not_assessed(spec: TargetSpec, note: str) -> Evaluation:
    """A target left out of this period's assessment, and why: "không đánh giá"
    does not count against "04/06 chỉ tiêu đạt" (:class:`VerdictCounts`)."""
    return Evaluation(spec, None, None, Verdict.NOT_ASSESSED, note)


def format_attainment(value: Decimal | None) -> str:
    """``110,054…`` → ``"110,1%"`` (one decimal, half away from zero); None → ``""``."""
    return format_percent(value, ATTAINMENT_PLACES)


# --- sums, roll-ups -----------------------------------------------------------


def total(values: Iterable[Number | None]) -> Decimal | None:
    """Sum of the values entered; None when none was (missing is not zero).

    Decimal addition is exact here: the context carries 40 significant digits,
    far more than any stored figure (18 digits, 4 decimals) added a few times.
    """
    given = [v for v in values if v is not None]
    result = None
    for v in given:  # Decimals, as stored: added as they come
        if not isinstance(v, Decimal):
            return _total_of_numbers(given)
        if v.is_finite():
            result = _CONTEXT.add(_ZERO if result is None else result, v)
    return result


def _total_of_numbers(given: list[Number]) -> Decimal:
    """total() of values that are not all Decimals (ints; a float is refused)."""
    if any(isinstance(v, float) for v in given):
        raise TypeError("Use Decimal, not float, for target figures.")
    entered = [Decimal(v) for v in given if not isinstance(v, Decimal) or v.is_finite()]
    result = _ZERO
    for v in entered:
        result = _CONTEXT.add(result, v)
    return result


def _check_quarter(upto_quarter: int) -> None:
    if not 1 <= upto_quarter <= 4:
        raise ValueError(f"Quý phải từ 1 đến 4, không phải {upto_quarter}.")


Pair = tuple[Number | None, Number | None]


def rollup_rate(pairs: Iterable[Pair | None]) -> Decimal | None:
    """Σ numerators ÷ Σ denominators × 100, never a mean of percentages.

    Pairs with a missing part (or None) are left out: a unit that has not reported
    does not count. None when nothing is left or the denominators add up to 0.
    """
    nums: list[Rational] = []
    dens: list[Rational] = []
    for pair in pairs:
        if pair is None:
            continue
        num, den = _exact(pair[0]), _exact(pair[1])
        if num is not None and den is not None:
            nums.append(num)
            dens.append(den)
    share = _ratio(_sum(nums), _sum(dens) if dens else None)
    return _to_decimal(_percent(share))


def per_year_average(term_total: Number | None, years: Number | None) -> Decimal | None:
    """A term's total per year (2.078 over 3 years → 692,67); None for 0 years."""
    return _to_decimal(_ratio(_exact(term_total), _exact(years)))


# --- counting verdicts ---------------------------------------------------------


@dataclass(frozen=True)
class VerdictCounts:
    """How many targets met their plan ("04 chỉ tiêu đạt và 02 chỉ tiêu chưa đạt").

    ``met`` includes ``exceeded``. ``total`` counts every verdict; the summary's
    denominator leaves out targets that are not assessed (no plan).
    """

    total: int
    met: int
    not_met: int
    no_data: int
    not_assessed: int = 0
    exceeded: int = 0

    @property
    def assessed(self) -> int:
        return self.total - self.not_assessed

    @property
    def summary_text(self) -> str:
        """``"04/06 chỉ tiêu đạt"``."""
        return f"{pad2(self.met)}/{pad2(self.assessed)} chỉ tiêu đạt"

    @property
    def detail_text(self) -> str:
        """``"04 chỉ tiêu đạt và 02 chỉ tiêu chưa đạt"`` (+ those without data)."""
        parts = [
            f"{pad2(self.met)} chỉ tiêu đạt",
            f"{pad2(self.not_met)} chỉ tiêu chưa đạt",
        ]
        if self.no_data:
            parts.append(f"{pad2(self.no_data)} chỉ tiêu chưa có số liệu")
        return ", ".join(parts[:-1]) + " và " + parts[-1]


def count_verdicts(verdicts: Iterable[Verdict]) -> VerdictCounts:
    seen = list(verdicts)
    return VerdictCounts(
        total=len(seen),
        met=sum(v.is_met for v in seen),
        not_met=seen.count(Verdict.CHUA_DAT),
        no_data=seen.count(Verdict.NO_DATA),
        not_assessed=seen.count(Verdict.NOT_ASSESSED),
        exceeded=seen.count(Verdict.VUOT),
    )


# --- year to date ----------------------------------------------------------------

#: Kinds whose figure is a stock at a date (the last quarter entered stands for the
#: year so far); every other kind is a flow whose quarters add up.
STOCK_KINDS = frozenset({Kind.RATE, Kind.ALL_OR_NOTHING, Kind.PP_CHANGE})


_KIND_BY_CODE = {kind.value: kind for kind in Kind}


def _as_kind(kind: Kind | str) -> Kind:
    """Kind(kind), without the enum machinery for a stored code."""
    if isinstance(kind, Kind):
        return kind
    found = _KIND_BY_CODE.get(kind) if type(kind) is str else None
    return found if found is not None else Kind(kind)


def is_stock(kind: Kind | str) -> bool:
    return _as_kind(kind) in STOCK_KINDS


def year_to_date(
    kind: Kind | str, quarters: Sequence[Figures | None], upto_quarter: int
) -> Figures:
    """The figures of quarters 1..n taken together, by the kind's nature.

    Flows (counts, admissions, inspections done) add up: "nâng tổng số từ đầu năm
    đến nay là 261"; a per-year target's total is one year's (:func:`as_one_year`).
    Stocks (a rate, a share of units, a change in points) are
    read at the last quarter entered. Derived, never typed twice.
    """
    _check_quarter(upto_quarter)
    seen = [quarters[q] for q in range(min(upto_quarter, len(quarters)))]
    if _as_kind(kind) in STOCK_KINDS:
        for figures in reversed(seen):
            if figures is not None and (
                figures.value is not None
                or figures.numerator is not None
                or figures.denominator is not None
            ):
                return figures
        return Figures()
    values, numerators, denominators = [], [], []
    for figures in seen:
        if figures is not None:
            values.append(figures.value)
            numerators.append(figures.numerator)
            denominators.append(figures.denominator)
    return as_one_year(
        kind,
        Figures(
            value=total(values),
            numerator=total(numerators),
            denominator=total(denominators),
        ),
    )


def as_one_year(kind: Kind | str, figures: Figures) -> Figures:
    """A year's figures as the kind compares them with its plan.

    A per-year target ("600/năm" over a term) read on one year's sheet is that
    year's total over one year: 800 by quarter II against 600/năm is 133,3%.
    Other kinds are returned as they are.
    """
    if _as_kind(kind) is Kind.PER_YEAR and figures.years is None:
        return Figures(value=figures.value, years=1)
    return figures
