"""Targets computed from the member registry and the ratings: their figures from
1 January to a quarter's end, worded the way the sheet and the dashboard show
them. The inputs are read elsewhere (lazily for one sheet, in bulk for a
dashboard's subordinates); this module only turns them into figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from organizations.models import Grade
from organizations.selectors import RatingCounts
from partyreports.formatting import format_number
from targets import calculations as calc
from targets.models import Source, Target


class Inputs(Protocol):
    """What computed targets read, for one organisation's subtree."""

    @property
    def base(self) -> int | None: ...  # members on 1 January

    @property
    def admissions(self) -> int: ...  # admitted from 1 January to the quarter's end

    @property
    def members(self) -> int: ...  # members on `day`

    @property
    def day(self) -> dt.date | None: ...

    @property
    def ratings(self) -> RatingCounts | None: ...  # the year's ratings


@dataclass
class RegistryInputs:
    """Inputs read in advance (a dashboard reads them in bulk)."""

    base: int | None
    admissions: int
    members: int
    ratings: RatingCounts | None
    day: dt.date | None = None


def year_to_date(
    target: Target, inputs: Inputs, year: int, quarter: int
) -> tuple[calc.Figures, int | None, str]:
    """A computed target's figures to the end of `quarter`, the base of a share
    of the members on 1 January, and how they were computed."""
    source = target.source
    if source == Source.ADMISSIONS_SHARE:
        admitted, base = inputs.admissions, inputs.base
        return (
            calc.Figures.of(admitted),
            base,
            f"Từ sổ đảng viên: kết nạp {format_number(admitted)} từ đầu năm / "
            f"{format_number(base or 0)} đảng viên ngày 01/01/{year}.",
        )
    if source == Source.MEMBER_TOTAL:
        members, day = inputs.members, inputs.day
        on = f" ngày {day:%d/%m/%Y}" if day else ""
        return (
            calc.Figures.of(members),
            None,
            f"Từ sổ đảng viên: {format_number(members)} đảng viên{on}.",
        )
    if calc.assessed_later(source, quarter):
        return calc.Figures(), None, "Xếp loại chất lượng được tổng hợp vào quý IV."
    ratings = inputs.ratings
    excellent = source in (Source.MEMBERS_EXCELLENT, Source.CELLS_EXCELLENT)
    grades = [Grade.EXCELLENT] if excellent else [Grade.EXCELLENT, Grade.GOOD]
    if source in (Source.MEMBERS_GOOD, Source.MEMBERS_EXCELLENT):
        if ratings is None or not ratings.members_rated:
            return calc.Figures(), None, f"Chưa có xếp loại đảng viên năm {year}."
        count = sum(ratings.members.get(g, 0) for g in grades)
        return (
            calc.Figures.ratio(count, ratings.member_base),
            None,
            f"Từ xếp loại năm {year}: {format_number(count)}/"
            f"{format_number(ratings.member_base)} đảng viên chính thức.",
        )
    if ratings is None or not ratings.organizations_rated:
        return calc.Figures(), None, f"Chưa có xếp loại chi bộ năm {year}."
    count = sum(ratings.organizations.get(g, 0) for g in grades)
    return (
        calc.Figures.ratio(count, ratings.organizations_rated),
        None,
        f"Từ xếp loại năm {year}: {format_number(count)}/"
        f"{format_number(ratings.organizations_rated)} chi bộ.",
    )
