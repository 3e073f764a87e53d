"""Target arithmetic, one test per row of domain §5, with the seeds' own numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from partyreports.formatting import format_percent, round_display
from targets.calculations import (
    Comparator,
    Figures,
    Kind,
    TargetSpec,
    Verdict,
    VerdictCounts,
    attainment,
    change_vs_last_year,
    count_verdicts,
    evaluate,
    format_attainment,
    measure,
    per_year_average,
    rate_of,
    rollup_rate,
    spec_problems,
    verdict,
    year_to_date,
)

D = Decimal


def count(plan: int | str) -> TargetSpec:
    return TargetSpec(Kind.COUNT, plan=D(plan))


def two_places(value: Decimal | None) -> Decimal:
    assert value is not None
    return round_display(value, 2)


# --- the rows of domain §5 --------------------------------------------------------


def test_count_jobs_20360_of_18500_is_110_05_percent_dat() -> None:
    result = evaluate(count(18500), Figures.of(D(20360)))
    assert two_places(result.attainment) == D("110.05")
    assert result.attainment_text == "110,1%"
    assert result.measure_text == "20.360"
    # Above a level to reach is "vượt", which counts as met ("đạt").
    assert result.verdict is Verdict.VUOT
    assert result.verdict.is_met


def test_subtarget_workers_abroad_6042_of_3700_is_163_3() -> None:
    result = evaluate(count(3700), Figures.of(D(6042)))
    assert two_places(result.attainment) == D("163.30")
    assert result.attainment_text == "163,3%"
    assert result.verdict is Verdict.VUOT


def test_count_enrolment_17250_of_17000_is_101_47() -> None:
    result = evaluate(count(17000), Figures.of(D(17250)))
    assert two_places(result.attainment) == D("101.47")
    assert result.attainment_text == "101,5%"  # the seed truncates to 101,4%


def test_subtarget_cao_dang_269_of_250_is_107_6_not_107_4() -> None:
    result = evaluate(count(250), Figures.of(D(269)))
    assert two_places(result.attainment) == D("107.60")
    assert result.attainment_text == "107,6%"
    assert result.attainment_text != "107,4%"  # what seed 001 printed


def test_subtarget_trung_cap_2108_of_1750_is_120_46() -> None:
    result = evaluate(count(1750), Figures.of(D(2108)))
    assert two_places(result.attainment) == D("120.46")
    assert result.attainment_text == "120,5%"


def test_subtarget_so_cap_14873_of_14950_is_99_48_chua_dat() -> None:
    result = evaluate(count(14950), Figures.of(D(14873)))
    assert two_places(result.attainment) == D("99.48")
    assert result.attainment_text == "99,5%"
    assert result.verdict is Verdict.CHUA_DAT


def test_rate_68_9_of_68_7_is_100_29() -> None:
    spec = TargetSpec(Kind.RATE, plan=D("68.7"))
    result = evaluate(spec, Figures.of(D("68.9")))
    assert two_places(result.attainment) == D("100.29")
    assert result.attainment_text == "100,3%"
    assert result.verdict is Verdict.VUOT


def test_rate_from_numerator_and_denominator_is_computed_not_typed() -> None:
    spec = TargetSpec(Kind.RATE, plan=D("0.4"))
    figures = Figures.ratio(D(271), D(66228))  # seed 001: "0,4% (271/66.228)"
    assert two_places(measure(spec, figures)) == D("0.41")
    assert evaluate(spec, figures).measure_text == "0,41%"


def test_reduction_poor_households_0_95_of_0_8_pp_is_118_75() -> None:
    spec = TargetSpec(Kind.PP_CHANGE, plan=D("-0.8"))
    result = evaluate(spec, Figures.of(D("-0.95")))
    assert two_places(result.attainment) == D("118.75")
    assert result.attainment_text == "118,8%"  # the seed truncates to 118,7%
    assert result.measure_text == "-0,95%"
    assert result.verdict is Verdict.VUOT


def test_reduction_near_poor_0_75_of_0_5_pp_is_150() -> None:
    spec = TargetSpec(Kind.PP_CHANGE, plan=D("-0.5"))
    result = evaluate(spec, Figures.of(D("-0.75")))
    assert two_places(result.attainment) == D("150.00")
    assert result.attainment_text == "150,0%"


def test_reduction_smaller_than_planned_or_a_rise_is_chua_dat() -> None:
    spec = TargetSpec(Kind.PP_CHANGE, plan=D("-0.8"))
    assert verdict(spec, Figures.of(D("-0.5"))) is Verdict.CHUA_DAT
    assert verdict(spec, Figures.of(D("-0.8"))) is Verdict.DAT
    rise = evaluate(spec, Figures.of(D("0.2")))
    assert rise.verdict is Verdict.CHUA_DAT
    assert two_places(rise.attainment) == D("-25.00")


def test_base_share_admissions_4_of_154_is_2_6_percent_chua_dat() -> None:
    spec = TargetSpec(Kind.BASE_SHARE, plan=D(4), base=D(154))
    result = evaluate(spec, Figures.of(D(4)))
    assert two_places(result.measure) == D("2.60")
    assert result.measure_text == "2,60%"
    assert format_percent(result.measure, 1) == "2,6%"  # as the footnote prints it
    assert two_places(result.attainment) == D("64.94")
    assert result.verdict is Verdict.CHUA_DAT


def test_base_share_without_a_base_has_no_data() -> None:
    spec = TargetSpec(Kind.BASE_SHARE, plan=D(4))
    assert verdict(spec, Figures.of(D(4))) is Verdict.NO_DATA
    assert attainment(spec, Figures.of(D(4))) is None


def test_floor_tren_95_percent() -> None:
    spec = TargetSpec(Kind.RATE, Comparator.GT, plan=D(95))
    # 001: 27 HTXSNV + 124 HTTNV of 154 members rated → 98,05%.
    assert verdict(spec, Figures.ratio(D(151), D(154))) is Verdict.DAT
    # "trên" is strict: exactly 95% is not above 95%.
    assert verdict(spec, Figures.ratio(D(95), D(100))) is Verdict.CHUA_DAT
    # A threshold is met or not: never "vượt".
    assert verdict(spec, Figures.ratio(D(100), D(100))) is Verdict.DAT


def test_floor_tu_95_percent_tro_len_includes_95() -> None:
    spec = TargetSpec(Kind.RATE, Comparator.GTE, plan=D(95))
    assert verdict(spec, Figures.ratio(D(95), D(100))) is Verdict.DAT
    assert verdict(spec, Figures.ratio(D(94), D(100))) is Verdict.CHUA_DAT


def test_all_or_nothing_9_of_10_chi_bo_chua_dat() -> None:
    spec = TargetSpec(Kind.ALL_OR_NOTHING)
    result = evaluate(spec, Figures.ratio(D(9), D(10)))
    assert result.verdict is Verdict.CHUA_DAT
    assert two_places(result.attainment) == D("90.00")
    assert result.attainment_text == "90,0%"
    assert verdict(spec, Figures.ratio(D(10), D(10))) is Verdict.DAT
    assert verdict(spec, Figures.ratio(D(0), D(0))) is Verdict.NO_DATA


def test_ceiling_duoi_2_5_percent() -> None:
    spec = TargetSpec(Kind.RATE, Comparator.LT, plan=D("2.5"))
    assert verdict(spec, Figures.of(D("2.1"))) is Verdict.DAT
    assert verdict(spec, Figures.of(D("2.5"))) is Verdict.CHUA_DAT  # "dưới" is strict
    assert verdict(spec, Figures.of(D("2.6"))) is Verdict.CHUA_DAT
    # A percent of a ceiling means nothing, so none is given.
    assert attainment(spec, Figures.of(D("2.1"))) is None
    assert evaluate(spec, Figures.of(D("2.1"))).attainment_text == ""


def test_ceiling_khong_qua_includes_the_bound() -> None:
    spec = TargetSpec(Kind.RATE, Comparator.LTE, plan=D("2.5"))
    assert verdict(spec, Figures.of(D("2.5"))) is Verdict.DAT
    assert verdict(spec, Figures.of(D("2.51"))) is Verdict.CHUA_DAT


def test_range_33_35_percent() -> None:
    spec = TargetSpec(Kind.RATE, Comparator.RANGE, plan=D(33), plan_high=D(35))
    for inside in ("33", "34", "35"):
        assert verdict(spec, Figures.of(D(inside))) is Verdict.DAT
    for outside in ("32.99", "35.01"):
        assert verdict(spec, Figures.of(D(outside))) is Verdict.CHUA_DAT
    assert attainment(spec, Figures.of(D(34))) is None


def test_range_giam_tu_1_den_1_5_percent_in_either_order() -> None:
    spec = TargetSpec(Kind.PP_CHANGE, Comparator.RANGE, plan=D(-1), plan_high=D("-1.5"))
    assert verdict(spec, Figures.of(D("-1.2"))) is Verdict.DAT
    assert verdict(spec, Figures.of(D("-1.5"))) is Verdict.DAT
    assert verdict(spec, Figures.of(D("-0.9"))) is Verdict.CHUA_DAT


def test_cumulative_261_of_250_is_104_4() -> None:
    # 002: 88 admitted in Q3, "nâng tổng số từ đầu năm đến nay là 261" — the
    # year to date as the entry sheet and the documents compute it.
    quarters = [Figures.of(D(80)), Figures.of(D(93)), Figures.of(D(88)), None]
    so_far = year_to_date(Kind.COUNT, quarters, 3)
    assert so_far.value == D(261)
    result = evaluate(count(250), so_far)
    assert two_places(result.attainment) == D("104.40")
    assert result.attainment_text == "104,4%"
    assert result.verdict is Verdict.VUOT


def test_year_on_year_1621_plus_16_3() -> None:
    # 002 prints only 1.621 and +16,3%; 1.621 / 1,163 ≈ 1.393,8 last year.
    change = change_vs_last_year(D(1621), D("1393.8"))
    assert two_places(change) == D("16.30")
    assert format_percent(change) == "16,3%"
    result = evaluate(
        TargetSpec(Kind.YOY), Figures.against_previous(D(1621), D("1393.8"))
    )
    assert result.measure_text == "+16,3%"
    assert result.attainment is None  # the change itself is the headline
    assert result.verdict is Verdict.NOT_ASSESSED  # no growth target was set


def test_year_on_year_in_general() -> None:
    assert change_vs_last_year(D(110), D(100)) == D(10)
    assert change_vs_last_year(D(90), D(100)) == D(-10)
    assert change_vs_last_year(D(100), D(100)) == D(0)
    assert change_vs_last_year(D(-50), D(-100)) == D(50)  # a loss halved is a rise
    assert change_vs_last_year(D(5), D(0)) is None
    assert change_vs_last_year(D(5), None) is None
    assert change_vs_last_year(None, D(5)) is None


def test_year_on_year_against_a_last_year_of_zero_is_not_assessed() -> None:
    for spec in (TargetSpec(Kind.YOY), TargetSpec(Kind.YOY, plan=D(10))):
        result = evaluate(spec, Figures.against_previous(D(12), D(0)))
        assert result.verdict is Verdict.NOT_ASSESSED
        assert result.note == "cùng kỳ năm trước bằng 0, không tính được mức tăng, giảm"
        assert (
            verdict(spec, Figures.against_previous(D(12), D(0))) is Verdict.NOT_ASSESSED
        )
        missing = evaluate(spec, Figures.against_previous(D(12), None))
        assert (missing.verdict, missing.note) == (
            Verdict.NOT_ASSESSED,
            "chưa có số liệu cùng kỳ năm trước",
        )
        # Nothing reported this year is still missing data.
        assert verdict(spec, Figures.against_previous(None, D(0))) is Verdict.NO_DATA
    counts = count_verdicts(
        [
            Verdict.DAT,
            verdict(TargetSpec(Kind.YOY), Figures.against_previous(D(1), D(0))),
        ]
    )
    assert counts.summary_text == "01/01 chỉ tiêu đạt"


def test_year_on_year_against_a_growth_target() -> None:
    grow = TargetSpec(Kind.YOY, plan=D(10))
    assert verdict(grow, Figures.against_previous(D(1621), D("1393.8"))) is Verdict.VUOT
    assert verdict(grow, Figures.against_previous(D(105), D(100))) is Verdict.CHUA_DAT
    shrink = TargetSpec(Kind.YOY, plan=D(-5))  # "giảm ít nhất 5% so với cùng kỳ"
    assert verdict(shrink, Figures.against_previous(D(90), D(100))) is Verdict.VUOT
    assert verdict(shrink, Figures.against_previous(D(98), D(100))) is Verdict.CHUA_DAT


def test_per_year_over_term_693_of_300_is_231() -> None:
    # 004: 2.078 admitted over the three years to mid-term; plan 300 a year.
    average = per_year_average(D(2078), D(3))
    assert two_places(average) == D("692.67")
    spec = TargetSpec(Kind.PER_YEAR, plan=D(300))
    result = evaluate(spec, Figures.over_years(D(2078), D(3)))
    assert result.measure_text == "693"  # "bình quân kết nạp 693 đảng viên/năm"
    # Exact arithmetic gives 230,89%; the seed's 231% divides the rounded 693.
    assert two_places(result.attainment) == D("230.89")
    assert result.attainment_text == "230,9%"
    assert format_percent(result.attainment, 0) == "231%"
    assert result.verdict is Verdict.VUOT


def test_done_of_planned_5_of_7_is_71_4() -> None:
    spec = TargetSpec(Kind.DONE_OF_PLANNED, plan=D(7))
    result = evaluate(spec, Figures.of(D(5)))
    assert two_places(result.attainment) == D("71.43")
    assert result.attainment_text == "71,4%"
    assert result.verdict is Verdict.CHUA_DAT
    assert verdict(spec, Figures.of(D(7))) is Verdict.DAT


def test_verdict_counts_04_of_06_party_work_targets_of_seed_000() -> None:
    # 000's footnotes: the six party-work targets of 2023 and how each came out.
    party_work = [
        # 100% chi bộ học tập, quán triệt nghị quyết: 10 of 10
        (TargetSpec(Kind.ALL_OR_NOTHING), Figures.ratio(D(10), D(10))),
        # 100% chi bộ học tập và làm theo tư tưởng Hồ Chí Minh: 10 of 10
        (TargetSpec(Kind.ALL_OR_NOTHING), Figures.ratio(D(10), D(10))),
        # trên 95% đảng viên HTTNV: 151 of 154
        (
            TargetSpec(Kind.RATE, Comparator.GT, plan=D(95)),
            Figures.ratio(D(151), D(154)),
        ),
        # đoàn thể vững mạnh: all of them (4 assumed; the seed gives no count)
        (TargetSpec(Kind.ALL_OR_NOTHING), Figures.ratio(D(4), D(4))),
        # 100% chi bộ HTTNV trở lên: 02 HTXSNV + 07 HTTNV of 10
        (TargetSpec(Kind.ALL_OR_NOTHING), Figures.ratio(D(9), D(10))),
        # kết nạp từ 4% trở lên of 154 members on 1 January: 04 admitted
        (TargetSpec(Kind.BASE_SHARE, plan=D(4), base=D(154)), Figures.of(D(4))),
    ]
    counts = count_verdicts(verdict(spec, figures) for spec, figures in party_work)
    assert counts == VerdictCounts(total=6, met=4, not_met=2, no_data=0)
    assert counts.summary_text == "04/06 chỉ tiêu đạt"
    assert counts.detail_text == "04 chỉ tiêu đạt và 02 chỉ tiêu chưa đạt"


def test_verdict_counts_9_of_10_congress_targets_with_exceeded() -> None:
    verdicts = [Verdict.VUOT] * 6 + [Verdict.DAT] * 3 + [Verdict.CHUA_DAT]
    counts = count_verdicts(verdicts)
    assert (counts.met, counts.exceeded, counts.not_met) == (9, 6, 1)
    assert counts.summary_text == "09/10 chỉ tiêu đạt"


def test_verdict_counts_mention_missing_data_and_skip_unassessed() -> None:
    counts = count_verdicts(
        [Verdict.DAT, Verdict.CHUA_DAT, Verdict.NO_DATA, Verdict.NOT_ASSESSED]
    )
    assert counts.total == 4
    assert counts.summary_text == "01/03 chỉ tiêu đạt"
    assert counts.detail_text == (
        "01 chỉ tiêu đạt, 01 chỉ tiêu chưa đạt và 01 chỉ tiêu chưa có số liệu"
    )


# --- the verdict rule on exact values -----------------------------------------------


def test_verdict_is_decided_on_exact_values_not_on_the_printed_percentage() -> None:
    result = evaluate(count(25000), Figures.of(D(24999)))
    assert result.attainment_text == "100,0%"
    assert result.verdict is Verdict.CHUA_DAT


def test_just_above_a_floor_is_met_though_it_prints_as_the_floor() -> None:
    spec = TargetSpec(Kind.RATE, Comparator.GT, plan=D(95))
    result = evaluate(spec, Figures.ratio(D(1901), D(2001)))
    assert format_percent(result.measure) == "95,0%"
    assert result.verdict is Verdict.DAT


def test_exactly_the_plan_is_dat_and_above_is_vuot() -> None:
    assert verdict(count(250), Figures.of(D(250))) is Verdict.DAT
    assert verdict(count(250), Figures.of(D(251))) is Verdict.VUOT
    assert verdict(count(250), Figures.of(D(249))) is Verdict.CHUA_DAT


# --- missing data and plans -------------------------------------------------------


def test_no_figures_is_no_data() -> None:
    for spec in (count(10), TargetSpec(Kind.ALL_OR_NOTHING), TargetSpec(Kind.YOY)):
        result = evaluate(spec, Figures())
        assert result.verdict is Verdict.NO_DATA
        assert result.attainment is None
        assert result.attainment_text == result.measure_text == ""


def test_no_plan_is_not_assessed_and_zero_plan_has_no_attainment() -> None:
    assert verdict(TargetSpec(Kind.COUNT), Figures.of(D(5))) is Verdict.NOT_ASSESSED
    assert attainment(count(0), Figures.of(D(5))) is None
    assert verdict(count(0), Figures.of(D(0))) is Verdict.DAT


def test_nan_and_infinity_count_as_missing() -> None:
    assert verdict(count(10), Figures.of(D("NaN"))) is Verdict.NO_DATA
    assert rate_of(D("Infinity"), D(1)) is None


# --- periods, cumulation, roll-ups ------------------------------------------------


def _quarters(*values: int | str | None) -> list[Figures | None]:
    return [None if v is None else Figures.of(D(v)) for v in values]


def test_year_to_date_adds_a_flows_quarters_6_9_months_and_the_year() -> None:
    quarters = _quarters(80, 93, 88, 40)
    assert [year_to_date(Kind.COUNT, quarters, q).value for q in (1, 2, 3, 4)] == [
        D(80),
        D(173),  # 6 tháng
        D(261),  # 9 tháng
        D(301),  # cả năm
    ]
    # The quarters after the one asked for are not counted.
    assert year_to_date(Kind.DONE_OF_PLANNED, quarters, 2).value == D(173)


def test_year_to_date_skips_missing_quarters_and_is_none_when_nothing_entered() -> None:
    assert year_to_date(Kind.COUNT, _quarters(5, None, 7), 3).value == D(12)
    assert year_to_date(Kind.COUNT, _quarters(None, None), 4) == Figures()
    assert year_to_date(Kind.COUNT, [], 1) == Figures()
    assert year_to_date(Kind.COUNT, _quarters(None, 0), 2).value == D(0)  # 0 is data


def test_year_to_date_refuses_a_quarter_outside_1_to_4() -> None:
    for quarter in (0, 5):
        with pytest.raises(ValueError):
            year_to_date(Kind.COUNT, _quarters(1), quarter)


def test_year_to_date_of_a_stock_is_the_last_quarter_entered() -> None:
    # A rate at a date: 68,5% at the end of Q2 stands for the year so far.
    quarters = _quarters("68.1", "68.5", None, None)
    assert year_to_date(Kind.RATE, quarters, 4).value == D("68.5")
    assert year_to_date(Kind.PP_CHANGE, _quarters("-0.2", "-0.45"), 2).value == D(
        "-0.45"
    )
    ratio = [Figures.ratio(D(9), D(10)), Figures.ratio(D(10), D(10)), None]
    assert year_to_date(Kind.ALL_OR_NOTHING, ratio, 3) == Figures.ratio(D(10), D(10))
    assert year_to_date(Kind.RATE, [None], 1) == Figures()


def test_year_to_date_adds_numerators_and_denominators_of_a_flow() -> None:
    quarters = [Figures.ratio(D(1), D(2)), Figures.ratio(D(99), D(100)), None]
    so_far = year_to_date(Kind.COUNT, quarters, 3)
    assert (so_far.numerator, so_far.denominator) == (D(100), D(102))


def test_year_to_date_of_a_per_year_target_is_one_years_total() -> None:
    # "Trên 600/năm": 800 by the end of Q2 is this year's 800 over one year.
    quarters = _quarters(300, 500)
    so_far = year_to_date(Kind.PER_YEAR, quarters, 2)
    assert so_far == Figures.over_years(D(800), 1)
    result = evaluate(TargetSpec(Kind.PER_YEAR, Comparator.GT, plan=D(600)), so_far)
    assert (result.measure_text, result.attainment_text, result.verdict) == (
        "800",
        "133,3%",
        Verdict.DAT,
    )


def test_rollup_rate_never_averages_percentages() -> None:
    pairs = [(D(1), D(2)), (D(99), D(100))]
    rolled = rollup_rate(pairs)
    assert two_places(rolled) == D("98.04")
    mean_of_percentages = (D(50) + D(99)) / 2
    assert rolled != mean_of_percentages


def test_rollup_rate_leaves_out_incomplete_pairs() -> None:
    assert rollup_rate([(D(1), D(2)), (None, D(10)), (D(3), None)]) == D(50)
    assert rollup_rate([]) is None
    assert rollup_rate([(D(0), D(0))]) is None


def test_rate_of() -> None:
    assert rate_of(D(1), D(4)) == D(25)
    assert rate_of(D(1), D(0)) is None
    assert rate_of(None, D(4)) is None
    assert format_attainment(rate_of(D(2), D(3))) == "66,7%"


# --- describing targets -----------------------------------------------------------


def test_codes_are_stable() -> None:
    assert [k.value for k in Kind] == [
        "count",
        "done_of_planned",
        "rate",
        "pp_change",
        "base_share",
        "all_or_nothing",
        "per_year",
        "yoy",
    ]
    assert [c.value for c in Comparator] == [
        "gte",
        "gt",
        "lt",
        "lte",
        "range",
        "eq_all",
    ]
    assert Verdict.CHUA_DAT.label == "chưa đạt"
    assert Verdict.NO_DATA.label == "chưa có số liệu"


def test_default_comparators() -> None:
    assert TargetSpec(Kind.COUNT).comparator is Comparator.GTE
    assert TargetSpec(Kind.ALL_OR_NOTHING).comparator is Comparator.EQ_ALL


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": Kind.RATE, "comparator": Comparator.EQ_ALL},
        {"kind": Kind.ALL_OR_NOTHING, "comparator": Comparator.GTE},
        {"kind": Kind.RATE, "comparator": Comparator.RANGE, "plan": D(33)},
        {"kind": Kind.RATE, "plan": D(33), "plan_high": D(35)},
        {"kind": Kind.COUNT, "plan": D(-1)},
        {"kind": Kind.COUNT, "plan": D(1), "base": D(154)},
        {"kind": Kind.BASE_SHARE, "plan": D(4), "base": D(-1)},
        {"kind": Kind.COUNT, "plan": D("NaN")},
    ],
)
def test_invalid_specs_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        TargetSpec(**kwargs)


def test_spec_problems_explain_in_vietnamese() -> None:
    assert spec_problems(Kind.RATE, Comparator.RANGE, D(33)) == [
        "Chỉ tiêu trong khoảng cần cả cận dưới và cận trên."
    ]
    assert spec_problems(Kind.ALL_OR_NOTHING, Comparator.EQ_ALL, None) == []


def test_stored_codes_are_accepted() -> None:
    spec = TargetSpec("rate", "gt", plan=D(95))  # type: ignore[arg-type]
    assert spec.kind is Kind.RATE
    assert spec.comparator is Comparator.GT
    assert spec_problems("all_or_nothing", "eq_all", None) == []
    with pytest.raises(ValueError):
        TargetSpec("bogus")  # type: ignore[arg-type]


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        verdict(count(10), Figures.of(9.5))  # type: ignore[arg-type]
