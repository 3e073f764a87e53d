"""Where a target's year-to-date figures come from: its stored quarters (a
roll-up's sums, a sheet's results) or, for a computed target, the member
registry and the ratings, read in bulk for the organisation and for each of
its direct subordinates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from organizations import selectors as org_selectors
from organizations.models import EventKind, Grade, Organization
from partyreports.formatting import format_number
from targets import calculations as calc
from targets.dashboard.labels import RATING_SOURCES
from targets.models import Source, Target

if TYPE_CHECKING:
    from targets.dashboard.reading import Reader


# --- from stored quarters -------------------------------------------------------------


def to_date(
    target: Target,
    quarters: Sequence[calc.Figures | None],
    quarter: int,
    previous: Sequence[calc.Figures | None] | None = None,
) -> calc.Figures:
    """The target's figures from 1 January to the end of `quarter`; `previous`:
    last year's quarters (a change on last year compares with the same period)."""
    figures = calc.year_to_date(target.kind, quarters, quarter)
    if target.kind == calc.Kind.YOY:
        before = (
            calc.year_to_date(calc.Kind.COUNT, previous, quarter).value
            if previous
            else None
        )
        return calc.Figures(value=figures.value, previous=before)
    if target.kind == calc.Kind.PER_YEAR:
        return calc.Figures(value=figures.value, years=1)  # this year's own total
    return figures


def sum_quarters(
    items: Iterable[list[calc.Figures | None]],
) -> list[calc.Figures | None]:
    """Quarter figures of several organisations added up (numerators and
    denominators separately); None for a quarter nobody reported."""
    sums: list[list[calc.Figures]] = [[], [], [], []]
    for quarters in items:
        for q, figures in enumerate(quarters):
            if figures is not None:
                sums[q].append(figures)
    return [
        calc.Figures(
            value=calc.total(f.value for f in present),
            numerator=calc.total(f.numerator for f in present),
            denominator=calc.total(f.denominator for f in present),
        )
        if present
        else None
        for present in sums
    ]


# --- from the registry ----------------------------------------------------------------


@dataclass
class RegistryInputs:
    """What registry-computed targets read, for one organisation's subtree."""

    base: int | None  # members on 1 January
    admissions: int  # admitted from 1 January to the quarter's end
    members: int  # members on the dashboard's day
    ratings: org_selectors.RatingCounts | None  # the year's ratings


def registry_figures(
    target: Target, inputs: RegistryInputs, year: int, quarter: int
) -> tuple[calc.Figures, int | None, str]:
    """The year-to-date figures of a computed target, the way the entry sheet
    reads them (targets.selectors.RegistryFigures), from inputs read in bulk."""
    source = target.source
    if source == Source.ADMISSIONS_SHARE:
        return (
            calc.Figures.of(inputs.admissions),
            inputs.base,
            (
                f"Từ sổ đảng viên: kết nạp {format_number(inputs.admissions)} "
                "từ đầu năm / "
                f"{format_number(inputs.base or 0)} đảng viên ngày 01/01/{year}."
            ),
        )
    if source == Source.MEMBER_TOTAL:
        return (
            calc.Figures.of(inputs.members),
            None,
            (f"Từ sổ đảng viên: {format_number(inputs.members)} đảng viên."),
        )
    ratings = inputs.ratings
    if quarter < 4 or ratings is None:
        return calc.Figures(), None, "Xếp loại chất lượng được tổng hợp vào quý IV."
    excellent = source in (Source.MEMBERS_EXCELLENT, Source.CELLS_EXCELLENT)
    grades = [Grade.EXCELLENT] if excellent else [Grade.EXCELLENT, Grade.GOOD]
    if source in (Source.MEMBERS_GOOD, Source.MEMBERS_EXCELLENT):
        if not ratings.members_rated:
            return calc.Figures(), None, f"Chưa có xếp loại đảng viên năm {year}."
        count = sum(ratings.members.get(g, 0) for g in grades)
        return (
            calc.Figures.ratio(count, ratings.member_base),
            None,
            (
                f"Từ xếp loại năm {year}: {format_number(count)}/"
                f"{format_number(ratings.member_base)} "
                "đảng viên chính thức."
            ),
        )
    if not ratings.organizations_rated:
        return calc.Figures(), None, f"Chưa có xếp loại chi bộ năm {year}."
    count = sum(ratings.organizations.get(g, 0) for g in grades)
    return (
        calc.Figures.ratio(count, ratings.organizations_rated),
        None,
        (
            f"Từ xếp loại năm {year}: {format_number(count)}/"
            f"{format_number(ratings.organizations_rated)} chi bộ."
        ),
    )


class ChildRegistry:
    """Registry inputs of every direct subordinate at once (none without a
    computed target): the reader's member counts per subordinate, one GROUP BY
    of admissions and the reader's ratings per subordinate, each read only if a
    target needs it."""

    def __init__(
        self, *, reader: Reader, children: list[Organization], targets: list[Target]
    ) -> None:
        self.inputs: dict[int, RegistryInputs] = {}
        sources = {t.source for t in targets if t.is_computed}
        if not sources:
            return
        base = reader.counts_on(reader.start).children
        members = reader.counts_on(reader.day).children
        admissions: dict[int, int] = {}
        ratings: dict[int, org_selectors.RatingCounts] = {}
        if Source.ADMISSIONS_SHARE in sources:
            admissions = org_selectors.event_counts_by_child(
                root=reader.org,
                children=children,
                kind=EventKind.ADMISSION,
                start=reader.start,
                end=reader.quarter_end,
            )
        if sources & RATING_SOURCES and reader.quarter == 4:
            ratings = reader.child_ratings(reader.year)
        self.inputs = {
            child.id: RegistryInputs(
                base=base[child.id].total if child.id in base else None,
                admissions=admissions.get(child.id, 0),
                members=members[child.id].total if child.id in members else 0,
                ratings=ratings.get(child.id),
            )
            for child in children
        }
