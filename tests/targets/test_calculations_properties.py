"""Properties of the target arithmetic that must hold for any numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from targets.calculations import (
    Comparator,
    Figures,
    Kind,
    TargetSpec,
    Verdict,
    attainment,
    count_verdicts,
    evaluate,
    rate_of,
    rollup_rate,
    verdict,
    year_to_date,
)

# Realistic magnitudes: up to a million billion, six decimals.
amounts = st.decimals(
    min_value=0,
    max_value=Decimal(10**15),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
signed = st.decimals(
    min_value=-(10**15),
    max_value=10**15,
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
positive = amounts.filter(lambda d: d > 0)
maybe = st.one_of(
    st.none(),
    signed,
    st.just(Decimal(0)),
    st.sampled_from(
        [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("-0")]
    ),
)
higher_is_better = st.sampled_from(
    [Kind.COUNT, Kind.DONE_OF_PLANNED, Kind.RATE, Kind.PER_YEAR]
)


@given(higher_is_better, positive, amounts, amounts)
def test_attainment_is_monotone_in_the_actual(
    kind: Kind, plan: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    spec = TargetSpec(kind, plan=plan)
    years = {"years": Decimal(1)} if kind is Kind.PER_YEAR else {}
    att_low = attainment(spec, Figures(value=low, **years))
    att_high = attainment(spec, Figures(value=high, **years))
    assert att_low is not None and att_high is not None
    assert att_low <= att_high


@given(st.sampled_from([Kind.COUNT, Kind.RATE, Kind.PP_CHANGE]), signed, signed)
def test_verdict_agrees_with_attainment_for_levels_to_reach(
    kind: Kind, plan: Decimal, actual: Decimal
) -> None:
    assume(plan != 0)
    if kind is not Kind.PP_CHANGE:
        plan, actual = abs(plan), abs(actual)
    spec = TargetSpec(kind, Comparator.GTE, plan=plan)
    figures = Figures.of(actual)
    att = attainment(spec, figures)
    assert att is not None
    expected = (
        Verdict.VUOT if att > 100 else Verdict.DAT if att == 100 else Verdict.CHUA_DAT
    )
    assert verdict(spec, figures) is expected


@given(
    st.sampled_from([Comparator.GT, Comparator.LT, Comparator.LTE, Comparator.RANGE]),
    amounts,
    amounts,
    amounts,
)
def test_thresholds_are_met_or_not_never_exceeded(
    comparator: Comparator, plan: Decimal, high: Decimal, actual: Decimal
) -> None:
    plan_high = high if comparator is Comparator.RANGE else None
    spec = TargetSpec(Kind.RATE, comparator, plan=plan, plan_high=plan_high)
    result = verdict(spec, Figures.of(actual))
    assert result in (Verdict.DAT, Verdict.CHUA_DAT)
    if comparator is Comparator.GT:
        assert (result is Verdict.DAT) == (actual > plan)
    elif comparator is Comparator.LT:
        assert (result is Verdict.DAT) == (actual < plan)
    elif comparator is Comparator.LTE:
        assert (result is Verdict.DAT) == (actual <= plan)
    else:
        assert (result is Verdict.DAT) == (min(plan, high) <= actual <= max(plan, high))


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_all_or_nothing_is_met_only_when_every_unit_is(done: int, units: int) -> None:
    assume(done <= units)
    result = verdict(TargetSpec(Kind.ALL_OR_NOTHING), Figures.ratio(done, units))
    if units == 0:
        assert result is Verdict.NO_DATA
    else:
        assert (result is Verdict.DAT) == (done == units)


@given(st.lists(st.tuples(amounts, positive), min_size=1, max_size=20))
def test_rollup_is_sum_over_sum(pairs: list[tuple[Decimal, Decimal]]) -> None:
    expected = rate_of(sum(n for n, _ in pairs), sum(d for _, d in pairs))
    assert rollup_rate(pairs) == expected


@given(
    st.integers(1, 1000),
    st.integers(1, 1000),
    st.integers(1, 1000),
    st.integers(1, 1000),
)
def test_rollup_differs_from_the_mean_of_percentages_when_sizes_differ(
    n1: int, d1: int, n2: int, d2: int
) -> None:
    assume(d1 != d2 and n1 * d2 != n2 * d1)  # different sizes and different rates
    rolled = rollup_rate([(n1, d1), (n2, d2)])
    mean = (rate_of(n1, d1) + rate_of(n2, d2)) / 2  # type: ignore[operator]
    assert rolled is not None
    assert abs(rolled - mean) > Decimal("1e-20")


quarter_figures = st.one_of(
    st.none(),
    st.builds(Figures, value=st.one_of(st.none(), amounts)),
    st.builds(Figures.ratio, amounts, amounts),
)


@given(st.lists(st.one_of(st.none(), amounts), min_size=4, max_size=4))
def test_year_to_date_of_the_quarters_is_the_year_figure(
    quarters: list[Decimal | None],
) -> None:
    figures = [None if q is None else Figures.of(q) for q in quarters]
    entered = [q for q in quarters if q is not None]
    expected = sum(entered, Decimal(0)) if entered else None
    assert year_to_date(Kind.COUNT, figures, 4).value == expected
    # 6 months, then quarters III and IV, add up to the year.
    h1, m9 = (year_to_date(Kind.COUNT, figures, q).value for q in (2, 3))
    parts = [p for p in (h1, quarters[2], quarters[3]) if p is not None]
    assert (sum(parts, Decimal(0)) if parts else None) == expected
    assert m9 == year_to_date(Kind.COUNT, figures[:3], 4).value


@given(
    st.sampled_from(list(Kind)),
    st.lists(quarter_figures, max_size=4),
    st.integers(1, 4),
)
def test_year_to_date_looks_only_at_quarters_up_to_the_one_asked(
    kind: Kind, quarters: list[Figures | None], upto: int
) -> None:
    padded = quarters[:upto] + [None] * (upto - len(quarters[:upto]))
    later = [Figures.of(Decimal(10**9))] * (4 - upto)  # typed for later quarters
    assert year_to_date(kind, padded + later, upto) == year_to_date(
        kind, quarters, upto
    )


@given(st.lists(quarter_figures, min_size=1, max_size=4), st.integers(1, 4))
def test_a_stock_is_its_last_quarter_entered(
    quarters: list[Figures | None], upto: int
) -> None:
    so_far = year_to_date(Kind.RATE, quarters, upto)
    seen = [
        f
        for f in quarters[:upto]
        if f is not None
        and (
            f.value is not None or f.numerator is not None or f.denominator is not None
        )
    ]
    assert so_far == (seen[-1] if seen else Figures())


@given(
    st.lists(st.one_of(st.none(), amounts), min_size=1, max_size=4), st.integers(1, 4)
)
def test_a_per_year_target_is_measured_on_one_year(
    values: list[Decimal | None], upto: int
) -> None:
    figures = [None if v is None else Figures.of(v) for v in values]
    so_far = year_to_date(Kind.PER_YEAR, figures, upto)
    assert so_far.years == 1
    assert so_far.value == year_to_date(Kind.COUNT, figures, upto).value
    spec = TargetSpec(Kind.PER_YEAR, plan=Decimal(600))
    assert evaluate(spec, so_far).measure == so_far.value


@given(st.lists(st.sampled_from(list(Verdict)), max_size=50))
def test_verdict_counts_add_up(verdicts: list[Verdict]) -> None:
    counts = count_verdicts(verdicts)
    assert counts.total == len(verdicts)
    assert counts.met + counts.not_met + counts.no_data + counts.not_assessed == len(
        verdicts
    )
    assert counts.exceeded <= counts.met
    assert counts.summary_text.endswith(" chỉ tiêu đạt")


finite_or_none = st.one_of(st.none(), signed)


@st.composite
def specs(draw: st.DrawFn) -> TargetSpec:
    """Any valid target definition, plans of either sign where the kind allows."""
    kind = draw(st.sampled_from(list(Kind)))
    if kind is Kind.ALL_OR_NOTHING:
        return TargetSpec(kind)
    comparator = draw(st.sampled_from(list(Comparator)[:-1]))  # all but eq_all
    changes = kind in (Kind.PP_CHANGE, Kind.YOY)
    bound = finite_or_none if changes else st.one_of(st.none(), amounts)
    plan = draw(bound)
    plan_high = None
    if comparator is Comparator.RANGE:
        plan, plan_high = (
            draw(signed if changes else amounts),
            draw(signed if changes else amounts),
        )
    base = draw(st.one_of(st.none(), amounts)) if kind is Kind.BASE_SHARE else None
    return TargetSpec(kind, comparator, plan=plan, plan_high=plan_high, base=base)


@given(specs(), maybe, maybe, maybe, maybe, maybe)
def test_no_exception_for_any_figures(
    spec: TargetSpec,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    previous: Decimal | None,
    years: Decimal | None,
) -> None:
    figures = Figures(value, numerator, denominator, previous, years)
    result = evaluate(spec, figures)
    assert isinstance(result.verdict, Verdict)
    assert isinstance(result.attainment_text, str)
    assert isinstance(result.measure_text, str)
    if result.measure is None:
        # Nothing to judge: no figures, or reported ones that cannot be judged
        # (a change on a last year of 0), said so in the note.
        assert result.verdict is Verdict.NO_DATA or (
            result.verdict is Verdict.NOT_ASSESSED and result.note
        )
    assert verdict(spec, figures) is result.verdict
