"""Where a target's year-to-date figures come from: its stored quarters (a
roll-up's sums, a sheet's results) or, for a computed target, the member
registry and the ratings, read in bulk for the organisation and for each of
its direct subordinates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from organizations import selectors as org_selectors
from organizations.models import EventKind, Organization
from targets import calculations as calc
from targets.models import Source, Target
from targets.registry import RegistryInputs

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
        if sources & calc.RATING_SOURCES and reader.quarter == 4:
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
