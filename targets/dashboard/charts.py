"""What the dashboard's charts draw (static/js/dashboard.js reads it from a
json_script block): attainment by target, the trend by quarter against last
year, ratings and kinds of organisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from organizations.models import Grade
from partyreports.formatting import round_display
from targets import calculations as calc
from targets import selectors
from targets.dashboard.figures import to_date
from targets.dashboard.labels import DASH, QUARTER_NAMES
from targets.models import Target

if TYPE_CHECKING:
    from targets.dashboard.page import Dashboard


@dataclass
class TrendSeries:
    """Attainment of one target from 1 January to the end of each quarter."""

    target_id: int
    label: str
    this_year: list[Decimal | None]
    last_year: list[Decimal | None]

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        return [
            (QUARTER_NAMES[q], _att(self.this_year[q]), _att(self.last_year[q]))
            for q in range(4)
        ]


def chart_data(dashboard: Dashboard, *, trend_target: int | None = None) -> dict:
    ids = [s.target_id for s in dashboard.trend]
    selected = trend_target if trend_target in ids else (ids[0] if ids else None)
    ratings = dashboard.ratings
    return {
        "attainment": {
            "labels": [r.label for r in dashboard.rows],
            "values": [_float(r.evaluation.attainment) for r in dashboard.rows],
            "texts": [r.attainment_text for r in dashboard.rows],
            "verdicts": [r.evaluation.verdict.value for r in dashboard.rows],
        },
        "trend": {
            "quarters": list(QUARTER_NAMES),
            "years": [dashboard.year, dashboard.year - 1],
            "selected": selected,
            "series": [
                {
                    "id": s.target_id,
                    "label": s.label,
                    "this": [_float(v) for v in s.this_year],
                    "last": [_float(v) for v in s.last_year],
                }
                for s in dashboard.trend
            ],
        },
        "ratings": {
            "year": ratings.year,
            "labels": [g.value for g in Grade],
            "names": [g.label for g in Grade],
            "cells": [ratings.organizations.get(g.value, 0) for g in Grade],
            "members": [ratings.members.get(g.value, 0) for g in Grade],
        },
        "kinds": {
            "labels": [k for k, _ in dashboard.kinds],
            "values": [n for _, n in dashboard.kinds],
        },
    }


def _att(value: Decimal | None) -> str:
    return calc.format_attainment(value) or DASH


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(round_display(value, 1))


def trend_series(
    target: Target,
    quarters: Sequence[calc.Figures | None],
    quarter: int,
    last_year: tuple[Target, list[calc.Figures | None]] | None,
) -> list[TrendSeries]:
    """Attainment at the end of each quarter, this year and last; none for
    targets without an attainment (ceilings, ranges, changes on last year)."""
    spec = selectors.spec_of(target)
    if target.kind == calc.Kind.YOY or spec.cmp in (
        calc.Comparator.LT,
        calc.Comparator.LTE,
        calc.Comparator.RANGE,
    ):
        return []
    this_year = [
        calc.attainment(spec, to_date(target, quarters, q)) if q <= quarter else None
        for q in range(1, 5)
    ]
    before: list[Decimal | None] = [None] * 4
    if last_year is not None:
        old_target, old_quarters = last_year
        old_spec = selectors.spec_of(old_target)
        before = [
            calc.attainment(old_spec, to_date(old_target, old_quarters, q))
            for q in range(1, 5)
        ]
    return [
        TrendSeries(
            target_id=target.id,
            label=target.label,
            this_year=this_year,
            last_year=before,
        )
    ]
