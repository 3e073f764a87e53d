"""The committee's dashboard: one read of everything the page and its Excel copy show.

:func:`dashboard_view` returns a :class:`Dashboard` in a fixed number of queries
whatever the number of organisations: the committee's targets, its Rollup row,
every subordinate's Rollup row, plan copy and sheet (one query each), the
members of the subtree on two dates (placements and one GROUP BY each),
ratings, admissions and kinds (one GROUP BY each). The page and the workbook
are both written from the Dashboard's own texts (:meth:`Dashboard.cards`,
:meth:`Dashboard.target_cells`, :attr:`ChildRow.cells`), so the export holds
exactly the figures on the page.

Three modes:

* ``committee`` — targets given down from this organisation (or from above it
  into its subtree): figures are the subtree sums of the roll-ups, the table
  lists the subordinates with their verdict counts and their quarter's sheet;
* ``own`` — an organisation that only reports its own sheet (a grassroots
  organisation): its sheet's rows, counted on the chosen basis, and its chi bộ
  with membership and ratings;
* ``none`` — no targets for the year: membership and ratings only.

Comparisons with last year are either restated to today's scope (the stored
subtree sums, computed on today's tree) or as the tree stood on 31 December of
last year (the ``own`` figures of the organisations placed under this one on
that day); :attr:`Dashboard.scope_sentence` says which.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import enum
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from organizations import selectors as org_selectors
from organizations.models import (
    PATH_STEP,
    EventKind,
    Grade,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationKind,
    OrganizationRating,
)
from partyreports.formatting import (
    fold_accents,
    format_date,
    format_number,
    format_percent,
    round_display,
)
from targets import calculations as calc
from targets import rollups, selectors
from targets.models import (
    Plan,
    Result,
    Rollup,
    RollupBasis,
    RollupState,
    Sheet,
    SheetStatus,
    Source,
    Target,
)


class ScopeMode(enum.StrEnum):
    """Which tree a comparison with an earlier period is computed on."""

    CURRENT = "current"  # restated: today's organisations, their figures back then
    THEN = "then"  # the organisations that were in the subtree at the time


SCOPE_SENTENCES = {
    ScopeMode.CURRENT: "Số liệu so sánh tính theo phạm vi hiện nay",
    ScopeMode.THEN: "Số liệu so sánh tính theo cây tổ chức tại thời điểm đó",
}
BASIS_TEXTS = {
    RollupBasis.APPROVED: "Chỉ tính báo cáo đã duyệt",
    RollupBasis.SUBMITTED: "Tính cả báo cáo đã gửi, chưa duyệt",
}
NOT_STARTED = "not_started"
#: Sheet states in the order a quarter goes through them, with the page's words.
COMPLETENESS_LABELS = {
    NOT_STARTED: "Chưa nhập",
    SheetStatus.DRAFT: "Đang nhập",
    SheetStatus.SUBMITTED: "Đã gửi",
    SheetStatus.RETURNED: "Bị trả lại",
    SheetStatus.APPROVED: "Đã duyệt",
}
QUARTER_NAMES = ("Quý I", "Quý II", "Quý III", "Quý IV")
#: Kinds whose plans add up over the organisations they were given to.
ADDITIVE_KINDS = frozenset(
    {calc.Kind.COUNT, calc.Kind.DONE_OF_PLANNED, calc.Kind.PER_YEAR}
)
RATING_SOURCES = frozenset(
    {
        Source.MEMBERS_GOOD,
        Source.MEMBERS_EXCELLENT,
        Source.CELLS_GOOD,
        Source.CELLS_EXCELLENT,
    }
)
DASH = "–"


# --- what the page shows --------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, the key the sortable table sorts by, and the
    whole number behind it (written to Excel as a number)."""

    text: str
    sort: str | int | float | None = None
    number: int | None = None

    @property
    def sort_key(self) -> str | int | float:
        return self.text if self.sort is None else self.sort


def _count_cell(n: int | None) -> Cell:
    if n is None:
        return Cell(DASH, sort=-1)
    return Cell(format_number(n), sort=n, number=n)


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    value: str
    detail: str = ""


@dataclass
class TargetRow:
    target: Target  # with the plan value that applies here (a copy's, or a sum)
    to_date: calc.Figures
    evaluation: calc.Evaluation
    is_sub: bool = False
    counted: bool = True  # in the "04/06 chỉ tiêu đạt" count (sub-targets are not)
    explanation: str = ""

    @property
    def label(self) -> str:
        return f"trong đó: {self.target.label}" if self.is_sub else self.target.label

    @property
    def plan_text(self) -> str:
        return selectors.plan_text(self.target)

    @property
    def done_text(self) -> str:
        """The year-to-date figure, with its numerator and denominator for ratios."""
        text = self.evaluation.measure_text
        figures = self.to_date
        if not text:
            return DASH
        if (
            self.target.uses_ratio
            and figures.numerator is not None
            and figures.denominator is not None
        ):
            return f"{text} ({_plain(figures.numerator)}/{_plain(figures.denominator)})"
        if self.target.kind == calc.Kind.BASE_SHARE and self.evaluation.spec.base:
            return (
                f"{text} ({_plain(figures.value)}/{_plain(self.evaluation.spec.base)})"
            )
        return text

    @property
    def attainment_text(self) -> str:
        return self.evaluation.attainment_text or DASH

    @property
    def verdict_text(self) -> str:
        return selectors.verdict_text(self.evaluation.verdict)


@dataclass
class ChildRow:
    organization: Organization
    cells: list[Cell]
    reports: bool = False  # was given targets: has a quarterly sheet to fill
    status: str | None = None  # the quarter's sheet status; NOT_STARTED if none


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


@dataclass
class Dashboard:
    organization: Organization
    year: int
    quarter: int
    basis: str
    scope_mode: str
    day: dt.date  # membership "as of": the quarter's end, or today
    mode: str  # committee / own / none
    plan: Plan | None
    rows: list[TargetRow]
    verdicts: calc.VerdictCounts | None
    reporting: int | None  # organisations whose sheet counts in the quarter (committee)
    child_headers: list[str]
    children: list[ChildRow]
    members: org_selectors.MemberCounts
    members_start: int
    admissions: int
    admissions_row: TargetRow | None  # the committee's admissions target, if any
    admissions_evaluation: calc.Evaluation | None
    completeness: dict[str, int]
    own_status: str | None
    ratings: org_selectors.RatingCounts
    kinds: list[tuple[str, int]]
    trend: list[TrendSeries]
    state: RollupState | None

    # -- header -----------------------------------------------------------------------

    @property
    def period_text(self) -> str:
        return f"Quý {self.quarter}/{self.year}"

    @property
    def basis_text(self) -> str:
        return BASIS_TEXTS[RollupBasis(self.basis)]

    @property
    def scope_sentence(self) -> str:
        return SCOPE_SENTENCES[ScopeMode(self.scope_mode)]

    @property
    def scope_detail(self) -> str:
        if self.scope_mode == ScopeMode.THEN:
            return (
                f"Năm {self.year - 1}: các tổ chức trực thuộc ngày "
                f"31/12/{self.year - 1}; "
                f"đảng viên đầu năm: theo cây tổ chức ngày 01/01/{self.year}."
            )
        return (
            f"Năm {self.year - 1} và ngày 01/01/{self.year}: số liệu của các tổ chức "
            "hiện trực thuộc, kể cả tổ chức mới chuyển đến."
        )

    @property
    def updated_text(self) -> str:
        if self.mode != "committee":
            return "Số liệu đọc trực tiếp từ báo cáo quý của tổ chức."
        state = self.state
        moments = (
            [m for m in (state.last_update_at, state.last_full_at) if m]
            if state
            else []
        )
        if not moments:
            return f"Chưa tổng hợp số liệu năm {self.year}."
        at = timezone.localtime(max(moments))
        return f"Số liệu cập nhật lúc {at:%H:%M} {format_date(at.date())}"

    @property
    def pending_text(self) -> str:
        if self.mode == "committee" and self.state and self.state.pending > 0:
            pending = format_number(self.state.pending)
            return f"Đang cập nhật ({pending} thay đổi chờ xử lý)"
        return ""

    @property
    def reporting_text(self) -> str:
        if self.reporting is None:
            return ""
        which = (
            "đã duyệt" if self.basis == RollupBasis.APPROVED else "đã gửi hoặc đã duyệt"
        )
        return (
            f"Tổng hợp từ báo cáo {which} của {format_number(self.reporting)} tổ chức "
            f"(quý {self.quarter}/{self.year})."
        )

    # -- cards ------------------------------------------------------------------------

    def cards(self) -> list[Card]:
        change = self.members.total - self.members_start
        sign = "+" if change > 0 else ""
        cards = [
            Card(
                "members",
                f"Đảng viên ngày {format_date(self.day)}",
                format_number(self.members.total),
                f"{sign}{format_number(change)} so với 01/01/{self.year}",
            ),
            Card(
                "admissions",
                f"Kết nạp từ 01/01/{self.year}",
                format_number(self.admissions),
                self._admissions_detail(),
            ),
        ]
        if self.verdicts is not None:
            cards.append(
                Card(
                    "verdicts",
                    "Chỉ tiêu đạt",
                    self.verdicts.summary_text,
                    self.verdicts.detail_text,
                )
            )
        if self.mode == "committee":
            total = sum(self.completeness.values())
            done = self.completeness.get(
                SheetStatus.SUBMITTED, 0
            ) + self.completeness.get(SheetStatus.APPROVED, 0)
            share = calc.rate_of(done, total)
            cards.append(
                Card(
                    "completeness",
                    f"Báo cáo quý {self.quarter}/{self.year}",
                    f"{format_number(done)}/{format_number(total)}",
                    f"{format_percent(share, 1) if share is not None else DASH} "
                    "tổ chức đã gửi hoặc đã duyệt",
                )
            )
        elif self.mode == "own":
            cards.append(
                Card(
                    "completeness",
                    f"Báo cáo quý {self.quarter}/{self.year}",
                    COMPLETENESS_LABELS[self.own_status or NOT_STARTED],
                )
            )
        return cards

    def _admissions_detail(self) -> str:
        row, evaluation = self.admissions_row, self.admissions_evaluation
        if row is None or evaluation is None:
            return "Từ sổ đảng viên."
        attained = evaluation.attainment_text or DASH
        if row.target.kind == calc.Kind.BASE_SHARE:
            base = evaluation.spec.base
            return (
                f"Bằng {evaluation.measure_text or DASH} số đảng viên đầu năm "
                f"({format_number(base) if base else DASH}); "
                f"kế hoạch {row.plan_text}, đạt {attained}"
            )
        return f"Kế hoạch {row.plan_text}, đạt {attained}"

    # -- tables -----------------------------------------------------------------------

    TARGET_HEADERS = (
        "Chỉ tiêu",
        "Đơn vị",
        "Kế hoạch",
        "Thực hiện (lũy kế)",
        "Tỷ lệ đạt",
        "Đánh giá",
    )

    @staticmethod
    def target_cells(row: TargetRow) -> list[str]:
        return [
            row.label,
            row.target.unit,
            row.plan_text,
            row.done_text,
            row.attainment_text,
            row.verdict_text,
        ]

    @property
    def trend_headers(self) -> tuple[str, str, str]:
        return ("Quý", f"Năm {self.year}", f"Năm {self.year - 1}")

    @property
    def completeness_rows(self) -> list[tuple[str, str, int]]:
        return [
            (key, COMPLETENESS_LABELS[key], n) for key, n in self.completeness.items()
        ]

    @property
    def rating_rows(self) -> list[tuple[str, int, int]]:
        return [
            (
                f"{grade.label} ({grade.value})",
                self.ratings.organizations.get(grade.value, 0),
                self.ratings.members.get(grade.value, 0),
            )
            for grade in Grade
        ]

    # -- charts -----------------------------------------------------------------------

    def chart_data(self, *, trend_target: int | None = None) -> dict:
        """What static/js/dashboard.js draws (read from a json_script block)."""
        ids = [s.target_id for s in self.trend]
        selected = trend_target if trend_target in ids else (ids[0] if ids else None)
        return {
            "attainment": {
                "labels": [r.label for r in self.rows],
                "values": [_float(r.evaluation.attainment) for r in self.rows],
                "texts": [r.attainment_text for r in self.rows],
                "verdicts": [r.evaluation.verdict.value for r in self.rows],
            },
            "trend": {
                "quarters": list(QUARTER_NAMES),
                "years": [self.year, self.year - 1],
                "selected": selected,
                "series": [
                    {
                        "id": s.target_id,
                        "label": s.label,
                        "this": [_float(v) for v in s.this_year],
                        "last": [_float(v) for v in s.last_year],
                    }
                    for s in self.trend
                ],
            },
            "ratings": {
                "year": self.ratings.year,
                "labels": [g.value for g in Grade],
                "names": [g.label for g in Grade],
                "cells": [self.ratings.organizations.get(g.value, 0) for g in Grade],
                "members": [self.ratings.members.get(g.value, 0) for g in Grade],
            },
            "kinds": {
                "labels": [k for k, _ in self.kinds],
                "values": [n for _, n in self.kinds],
            },
        }


def _plain(value: Decimal | int | None) -> str:
    if value is None:
        return DASH
    return (
        format_number(value, 0)
        if Decimal(value) == int(value)
        else format_number(value, 2)
    )


def _att(value: Decimal | None) -> str:
    return calc.format_attainment(value) or DASH


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(round_display(value, 1))


# --- the period -----------------------------------------------------------------------


def default_quarter(year: int, today: dt.date) -> int:
    """The last quarter that has ended (quarter I while the first is running)."""
    if year < today.year:
        return 4
    return max(1, (today.month - 1) // 3)


def default_period(*, organization: Organization, today: dt.date) -> tuple[int, int]:
    """The last ended quarter, or the last quarter of the latest year the
    organisation has a plan or roll-ups for (two small queries)."""
    year = today.year if today.month > 3 else today.year - 1
    years: set[int] = set()
    for start, end in Plan.objects.filter(organization=organization).values_list(
        "start_year", "end_year"
    ):
        years.update(range(start, end + 1))
    years.update(
        Rollup.objects.filter(organization=organization).values_list("year", flat=True)
    )
    if years and year not in years:
        earlier = [y for y in years if y <= year]
        if earlier:
            return max(earlier), 4
    return year, default_quarter(year, today)


# --- reading it -----------------------------------------------------------------------


def dashboard_view(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    basis: str = RollupBasis.APPROVED,
    scope_mode: str = ScopeMode.CURRENT,
) -> Dashboard:
    basis, scope_mode = RollupBasis(basis), ScopeMode(scope_mode)
    if not 1 <= quarter <= 4:
        raise ValueError(f"Quý phải từ 1 đến 4, không phải {quarter}.")
    reader = _Reader(
        organization=organization,
        year=year,
        quarter=quarter,
        basis=basis,
        scope_mode=scope_mode,
    )
    return reader.read()


class _Reader:
    def __init__(
        self,
        *,
        organization: Organization,
        year: int,
        quarter: int,
        basis: RollupBasis,
        scope_mode: ScopeMode,
    ) -> None:
        self.org, self.year, self.quarter = organization, year, quarter
        self.basis, self.scope_mode = basis, scope_mode
        self.start = dt.date(year, 1, 1)
        self.quarter_end = selectors.quarter_bounds(year, quarter)[1]
        self.day = max(self.start, min(timezone.localdate(), self.quarter_end))
        self._counts: dict[dt.date, _Counts] = {}
        self._ratings: dict[
            tuple[int, bool],
            tuple[org_selectors.RatingCounts, dict[int, org_selectors.RatingCounts]],
        ] = {}

    def counts_on(self, day: dt.date) -> _Counts:
        if day not in self._counts:
            self._counts[day] = _counts_on(root=self.org, day=day)
        return self._counts[day]

    def cached_counts(self, day: dt.date) -> _Counts | None:
        return self._counts.get(day)

    def ratings_of(
        self, year: int, *, by_child: bool = False
    ) -> tuple[org_selectors.RatingCounts, dict[int, org_selectors.RatingCounts]]:
        if (year, True) in self._ratings:
            return self._ratings[(year, True)]
        if (year, by_child) not in self._ratings:
            self._ratings[(year, by_child)] = _ratings_of(
                reader=self, year=year, by_child=by_child
            )
        return self._ratings[(year, by_child)]

    def read(self) -> Dashboard:
        org = self.org
        counts_day, counts_start = self.counts_on(self.day), self.counts_on(self.start)
        members = counts_day.total
        if self.scope_mode == ScopeMode.THEN:
            members_start = counts_start.total.total
        else:
            members_start = MemberPlacement.objects.filter(
                org_selectors.valid_on(self.start),
                organization__path__startswith=org.path,
            ).count()
        admissions = org_selectors.event_counts(
            root=org, start=self.start, end=self.quarter_end
        )[EventKind.ADMISSION]
        ratings = self.ratings_of(self.year)[0]
        self.registry = _RegistryInputs(
            base=counts_start.total.total,
            admissions=admissions,
            members=members.total,
            ratings=ratings,
        )
        if not ratings.organizations_rated and not ratings.members_rated:
            # Ratings are made at year end: until then the chart shows last year's.
            last = self.ratings_of(self.year - 1)[0]
            ratings = (
                last if last.organizations_rated or last.members_rated else ratings
            )
        dashboard = Dashboard(
            organization=org,
            year=self.year,
            quarter=self.quarter,
            basis=self.basis,
            scope_mode=self.scope_mode,
            day=self.day,
            mode="none",
            plan=None,
            rows=[],
            verdicts=None,
            reporting=None,
            child_headers=[],
            children=[],
            members=members,
            members_start=members_start,
            admissions=admissions,
            admissions_row=None,
            admissions_evaluation=None,
            completeness={},
            own_status=None,
            ratings=ratings,
            kinds=self._kinds(),
            trend=[],
            state=None,
        )
        committee_targets = _committee_targets(organization=org, year=self.year)
        if committee_targets:
            self._committee(dashboard, committee_targets)
        else:
            plan = selectors.plan_for(organization=org, year=self.year)
            if plan is not None:
                self._own(dashboard, plan)
        if dashboard.mode != "committee":
            self._member_children(dashboard)
        row = dashboard.admissions_row = self._admissions_row(dashboard.rows)
        if row is not None:
            # The card counts admissions in the registry; a typed "Kết nạp" count
            # target is measured against the same figure.
            dashboard.admissions_evaluation = (
                row.evaluation
                if row.target.is_computed
                else calc.evaluate(
                    selectors.spec_of(row.target), calc.Figures.of(admissions)
                )
            )
        return dashboard

    # -- committee mode ----------------------------------------------------------------

    def _committee(self, dashboard: Dashboard, targets: list[Target]) -> None:
        org, year, quarter, basis = self.org, self.year, self.quarter, self.basis
        dashboard.mode, dashboard.plan = "committee", targets[0].plan
        ids = {t.id for t in targets}
        plans = _Plans(organization=org, targets=targets)
        row = (
            Rollup.objects.filter(organization=org, year=year, basis=basis)
            .defer("own")
            .first()
        )
        dashboard.reporting = row.reporting.get(str(quarter), 0) if row else 0
        dashboard.state = RollupState.objects.filter(
            organization__path=org.path[:PATH_STEP], year=year
        ).first()
        last_year = self._last_year(targets)
        for target in targets:
            shown = plans.target_for(target, org.path)
            counted = target.parent_id is None or target.parent_id not in ids
            if target.is_computed:
                figures, base, explanation = _registry_figures(
                    target, self.registry, year, quarter
                )
            else:
                quarters = rollups.figures_of(row, target.id)
                ly = last_year.get(target.label)
                figures = _to_date(target, quarters, quarter, ly[1] if ly else None)
                base, explanation = None, ""
                dashboard.trend.extend(_trend(shown, quarters, quarter, ly))
            evaluation = calc.evaluate(selectors.spec_of(shown, base=base), figures)
            dashboard.rows.append(
                TargetRow(
                    target=shown,
                    to_date=figures,
                    evaluation=evaluation,
                    is_sub=target.parent_id in ids,
                    counted=counted,
                    explanation=explanation,
                )
            )
        dashboard.verdicts = calc.count_verdicts(
            r.evaluation.verdict for r in dashboard.rows if r.counted
        )
        self._reporting_children(dashboard, targets, plans)

    def _last_year(
        self, targets: list[Target]
    ) -> dict[str, tuple[Target, list[calc.Figures | None]]]:
        """Last year's committee targets by label, with their four quarters on the
        chosen scope: today's subtree, or the subtree as it stood on 31 December."""
        year = self.year - 1
        found = _committee_targets(organization=self.org, year=year)
        labels = {t.label for t in targets}
        found = [t for t in found if t.label in labels]
        if not found:
            return {}
        plans = _Plans(organization=self.org, targets=found)
        if self.scope_mode == ScopeMode.CURRENT:
            row = (
                Rollup.objects.filter(
                    organization=self.org, year=year, basis=self.basis
                )
                .defer("own")
                .first()
            )
            quarters = {t.id: rollups.figures_of(row, t.id) for t in found}
        else:
            placed = org_selectors.subtree_placements_on(
                root=self.org, day=dt.date(year, 12, 31)
            )
            owns = list(
                Rollup.objects.filter(
                    organization_id__in=placed.values("organization_id"),
                    year=year,
                    basis=self.basis,
                ).values_list("own", flat=True)
            )
            quarters = {
                t.id: _sum_quarters(
                    rollups.quarter_figures(own.get(str(t.id))) for own in owns
                )
                for t in found
            }
        return {
            t.label: (plans.target_for(t, self.org.path), quarters[t.id]) for t in found
        }

    def _reporting_children(
        self, dashboard: Dashboard, targets: list[Target], plans: _Plans
    ) -> None:
        org, year, quarter = self.org, self.year, self.quarter
        children = _children(org, self.day)
        # Only the subtree sums: each JSON column decoded is time at bloc scale.
        sums = dict(
            Rollup.objects.filter(
                organization__parent=org, year=year, basis=self.basis
            ).values_list("organization_id", "subtree")
        )
        statuses = dict(
            Sheet.objects.filter(
                organization__parent=org, year=year, quarter=quarter
            ).values_list("organization_id", "status")
        )
        ids = {t.id for t in targets}
        counted = [t for t in targets if t.parent_id is None or t.parent_id not in ids]
        registry = _ChildRegistry(reader=self, children=children, targets=counted)
        day_counts = self.counts_on(self.day).children
        completeness = {key: 0 for key in COMPLETENESS_LABELS}
        q = f"quý {quarter}"
        dashboard.child_headers = [
            "Tổ chức",
            "Đảng viên",
            "Đạt",
            "Chưa đạt",
            "Chưa có số liệu",
            "Tỷ lệ chỉ tiêu đạt",
            f"Báo cáo {q}",
        ]
        # 120 subordinates × 30 targets at bloc scale: the loop does only the
        # arithmetic (calculations.year_to_date and verdict), nothing per row twice.
        keyed = [(target, str(target.id), target.is_computed) for target in counted]
        for child in children:
            verdicts = []
            child_sums = sums.get(child.id) or {}
            for target, key, computed in keyed:
                if computed:
                    figures, base, _ = _registry_figures(
                        target, registry.inputs(child), year, quarter
                    )
                else:
                    quarters = rollups.quarter_figures(child_sums.get(key))
                    figures = _to_date(target, quarters, quarter)
                    base = None
                verdicts.append(
                    calc.verdict(plans.spec_of(target, child.path, base), figures)
                )
            counts = calc.count_verdicts(verdicts)
            share = calc.rate_of(counts.met, counts.assessed)
            reports = plans.has_own_copy(child.path)
            status = (statuses.get(child.id) or NOT_STARTED) if reports else None
            if status is not None:
                completeness[status] += 1
            members = day_counts.get(child.id)
            dashboard.children.append(
                ChildRow(
                    organization=child,
                    reports=reports,
                    status=status,
                    cells=[
                        Cell(child.name),
                        _count_cell(members.total if members else None),
                        _count_cell(counts.met),
                        _count_cell(counts.not_met),
                        _count_cell(counts.no_data),
                        Cell(format_percent(share, 1), sort=float(share))
                        if share is not None
                        else Cell(DASH, sort=-1),
                        Cell(
                            COMPLETENESS_LABELS[status],
                            sort=list(COMPLETENESS_LABELS).index(status),
                        )
                        if status
                        else Cell(DASH, sort=-1),
                    ],
                )
            )
        dashboard.completeness = completeness

    # -- own mode ----------------------------------------------------------------------

    def _own(self, dashboard: Dashboard, plan: Plan) -> None:
        org, year, quarter = self.org, self.year, self.quarter
        allowed = rollups.BASIS_STATUSES[self.basis]
        data = selectors.sheet_data(organization=org, year=year, quarter=quarter)
        assert data is not None  # the plan exists
        statuses = dict(
            Sheet.objects.filter(organization=org, year=year).values_list(
                "quarter", "status"
            )
        )
        data.this_year = {
            tid: [
                f if statuses.get(q + 1) in allowed else None
                for q, f in enumerate(quarters)
            ]
            for tid, quarters in data.this_year.items()
        }
        view = selectors.build_sheet_view(data)
        dashboard.mode, dashboard.plan = "own", plan
        dashboard.own_status = statuses.get(quarter) or NOT_STARTED
        dashboard.verdicts = view.verdicts
        last_year = self._own_last_year(allowed)
        for sheet_row in view.rows:
            target = sheet_row.target
            dashboard.rows.append(
                TargetRow(
                    target=target,
                    to_date=sheet_row.to_date,
                    evaluation=sheet_row.evaluation,
                    is_sub=sheet_row.is_sub,
                    counted=not sheet_row.is_sub,
                    explanation=sheet_row.explanation,
                )
            )
            if not target.is_computed:
                quarters = data.this_year.get(target.id, [None] * 4)
                dashboard.trend.extend(
                    _trend(target, quarters, quarter, last_year.get(target.label))
                )

    def _own_last_year(
        self, allowed: set[str]
    ) -> dict[str, tuple[Target, list[calc.Figures | None]]]:
        plan = selectors.plan_for(organization=self.org, year=self.year - 1)
        if plan is None:
            return {}
        targets = {t.label: t for t in plan.targets.all()}
        quarters: dict[str, list[calc.Figures | None]] = {}
        for label, q, value, num, den in Result.objects.filter(
            sheet__organization=self.org,
            sheet__year=self.year - 1,
            sheet__status__in=allowed,
        ).values_list(
            "target__label", "sheet__quarter", "value", "numerator", "denominator"
        ):
            quarters.setdefault(label, [None] * 4)[q - 1] = calc.Figures(
                value=value, numerator=num, denominator=den
            )
        return {
            label: (t, quarters.get(label, [None] * 4)) for label, t in targets.items()
        }

    # -- membership rows (own and none modes) ------------------------------------------

    def _member_children(self, dashboard: Dashboard) -> None:
        children = _children(self.org, self.day)
        counts = self.counts_on(self.day).children
        year = dashboard.ratings.year
        grades = dict(
            OrganizationRating.objects.filter(
                organization__parent=self.org, year=year
            ).values_list("organization_id", "grade")
        )
        order = list(Grade.values)
        dashboard.child_headers = [
            "Tổ chức",
            "Đảng viên",
            "Chính thức",
            "Dự bị",
            "Nữ",
            f"Xếp loại năm {year}",
        ]
        for child in children:
            c = counts.get(child.id)
            grade = grades.get(child.id)
            dashboard.children.append(
                ChildRow(
                    organization=child,
                    cells=[
                        Cell(child.name),
                        _count_cell(c.total if c else None),
                        _count_cell(c.full if c else None),
                        _count_cell(c.probationary if c else None),
                        _count_cell(c.female if c else None),
                        Cell(grade, sort=order.index(grade))
                        if grade
                        else Cell(DASH, sort=len(order)),
                    ],
                )
            )

    # -- the rest ----------------------------------------------------------------------

    def _kinds(self) -> list[tuple[str, int]]:
        """Grassroots organisations in the subtree by kind (a grassroots
        organisation: its own subordinate organisations), one GROUP BY."""
        orgs = Organization.objects.filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=self.day),
            path__startswith=self.org.path,
        ).exclude(pk=self.org.pk)
        if self.org.level.is_grassroots:
            orgs = orgs.filter(parent=self.org)
        else:
            orgs = orgs.filter(level__is_grassroots=True)
        counts = dict(orgs.values_list("kind").annotate(n=Count("id")).order_by())
        return [
            (kind.label, counts[kind.value])
            for kind in OrganizationKind
            if counts.get(kind.value)
        ]

    @staticmethod
    def _admissions_row(rows: list[TargetRow]) -> TargetRow | None:
        for row in rows:
            if row.target.source == Source.ADMISSIONS_SHARE:
                return row
        for row in rows:
            if (
                "kết nạp" in row.target.label.lower()
                and row.target.kind == calc.Kind.COUNT
            ):
                return row
        return None


# --- pieces ---------------------------------------------------------------------------


def _committee_targets(*, organization: Organization, year: int) -> list[Target]:
    """Targets of the organisation's plan, or of a plan above it, that were given
    to organisations under it for `year` (one query)."""
    return list(
        Target.objects.filter(
            plan__organization__path__in=org_selectors.ancestor_paths(
                organization.path
            ),
            plan__start_year__lte=year,
            plan__end_year__gte=year,
            assigned__plan__organization__path__startswith=organization.path,
            assigned__plan__organization__depth__gt=organization.depth,
        )
        .distinct()
        .select_related("plan__organization", "group")
        .order_by(
            "plan__organization__depth", "group__order", "group_id", "order", "id"
        )
    )


@dataclass
class _Copies:
    own: dict[tuple[int, str], tuple[Decimal | None, Decimal | None]] = field(
        default_factory=dict
    )  # (committee target id, path) → a copy's plan and upper bound
    below: dict[tuple[int, str], list[Decimal | None]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (committee target id, path) → plans of the copies under that path
    paths: set[str] = field(default_factory=set)  # organisations holding a copy


class _Plans:
    """The plan value of each committee target for the organisation itself and
    for any organisation under it: its own copy's, the committee's own, or (for
    a committee in between) the sum of the copies under it where plans add up."""

    def __init__(
        self, *, organization: Organization, targets: Sequence[Target]
    ) -> None:
        self.org = organization
        self.width = len(organization.path) + PATH_STEP
        self.targets = {t.id: t for t in targets}
        self._copies: _Copies | None = None
        self._specs: dict[tuple, calc.TargetSpec] = {}

    @property
    def copies(self) -> _Copies:
        """Every copy under the organisation, read on first need (one query): the
        committee's own plan values need none."""
        if self._copies is None:
            copies = self._copies = _Copies()
            for target_id, path, value, high in Target.objects.filter(
                derived_from_id__in=list(self.targets),
                plan__organization__path__startswith=self.org.path,
            ).values_list(
                "derived_from_id", "plan__organization__path", "plan_value", "plan_high"
            ):
                copies.own[(target_id, path)] = (value, high)
                copies.paths.add(path)
                copies.below[(target_id, self.org.path)].append(value)
                if len(path) >= self.width:
                    copies.below[(target_id, path[: self.width])].append(value)
        return self._copies

    def has_own_copy(self, path: str) -> bool:
        return path in self.copies.paths

    def plan_of(
        self, target: Target, path: str
    ) -> tuple[Decimal | None, Decimal | None]:
        """(plan value, upper bound) of the target at `path`."""
        if target.plan.organization.path == path:
            return target.plan_value, target.plan_high
        copies = self.copies
        if (target.id, path) in copies.own:
            return copies.own[(target.id, path)]
        if calc.Kind(target.kind) in ADDITIVE_KINDS:
            return calc.total(copies.below.get((target.id, path), [])), target.plan_high
        return target.plan_value, target.plan_high

    def target_for(self, target: Target, path: str) -> Target:
        """The target with the plan that applies at `path` (an unsaved copy)."""
        plan = self.plan_of(target, path)
        if plan == (target.plan_value, target.plan_high):
            return target
        shown = copy.copy(target)
        shown.plan_value, shown.plan_high = plan
        return shown

    def spec_of(
        self, target: Target, path: str, base: int | None = None
    ) -> calc.TargetSpec:
        """The target's arithmetic at `path`; one TargetSpec per distinct plan."""
        found = self._specs.get((target.id, path, base))
        if found is not None:
            return found
        plan, high = self.plan_of(target, path)
        share_base = base if target.kind == calc.Kind.BASE_SHARE else None
        key = (target.id, plan, high, share_base)
        if key not in self._specs:
            self._specs[key] = dataclasses.replace(
                selectors.spec_of(target), plan=plan, plan_high=high, base=share_base
            )
        self._specs[(target.id, path, base)] = self._specs[key]
        return self._specs[key]


def _children(organization: Organization, day: dt.date) -> list[Organization]:
    children = Organization.objects.filter(parent=organization).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    )
    # Accent- and case-insensitive, so "Đảng bộ …" and "Chi bộ các …" sit where
    # a reader looks for them (the table sorts by Vietnamese collation in the browser).
    return sorted(
        children.select_related("level"),
        key=lambda o: (fold_accents(o.name), o.name, o.id),
    )


@dataclass
class _Counts:
    total: org_selectors.MemberCounts
    children: dict[int, org_selectors.MemberCounts]  # by direct subordinate's id
    child_of: dict[
        int, int | None
    ]  # organisation id → its direct subordinate of the root


def _counts_on(*, root: Organization, day: dt.date) -> _Counts:
    """Members of the root's subtree on `day`, in total and under each direct
    subordinate of that day: organizations.selectors.organization_tree_on's
    counts, read as plain rows (two queries, no model instances, which at bloc
    scale is a third of the time)."""
    placements = list(
        org_selectors.subtree_placements_on(root=root, day=day).values_list(
            "organization_id", "path"
        )
    )
    total = org_selectors.MemberCounts()
    if not placements:
        return _Counts(total, {}, {})
    width = min(len(path) for _, path in placements) + PATH_STEP
    child_at = {path: org_id for org_id, path in placements if len(path) == width}
    child_of = {org_id: child_at.get(path[:width]) for org_id, path in placements}
    full = Q(member__full_member_on__isnull=False, member__full_member_on__lte=day)
    rows = (
        MemberPlacement.objects.filter(
            org_selectors.valid_on(day),
            organization_id__in=org_selectors.subtree_placements_on(
                root=root, day=day
            ).values("organization_id"),
        )
        .values_list("organization_id")
        .annotate(
            total=Count("id"),
            full=Count("id", filter=full),
            female=Count("id", filter=Q(member__sex="F")),
        )
        .order_by()
    )
    children: dict[int, org_selectors.MemberCounts] = {
        org_id: org_selectors.MemberCounts() for org_id in child_at.values()
    }
    for org_id, n, n_full, n_female in rows:
        own = org_selectors.MemberCounts(
            total=n, full=n_full, probationary=n - n_full, female=n_female
        )
        total.add(own)
        child = child_of.get(org_id)
        if child is not None:
            children[child].add(own)
    return _Counts(total, children, child_of)


def _ratings_of(
    *, reader: _Reader, year: int, by_child: bool
) -> tuple[org_selectors.RatingCounts, dict[int, org_selectors.RatingCounts]]:
    """organizations.selectors.rating_counts for the root (and, `by_child`, the
    same per direct subordinate): one GROUP BY each over the organisations placed
    in the subtree on 31 December. The base (full members that day) comes from
    _counts_on when it is read anyway, else from one COUNT."""
    year_end = dt.date(year, 12, 31)
    counts = reader.counts_on(year_end) if by_child else reader.cached_counts(year_end)
    org_ids = org_selectors.subtree_placements_on(root=reader.org, day=year_end).values(
        "organization_id"
    )
    org_rows = (
        OrganizationRating.objects.filter(
            year=year,
            organization_id__in=org_ids,
            organization__level__holds_members=True,
        )
        .exclude(organization__level__is_grassroots=True)
        .values_list("organization_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    member_rows = (
        MemberRating.objects.filter(year=year, organization_id__in=org_ids)
        .values_list("organization_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    child_of = counts.child_of if counts is not None else {}
    empty = {g.value: 0 for g in Grade}
    cells: dict[int | None, dict[str, int]] = defaultdict(lambda: dict(empty))
    members: dict[int | None, dict[str, int]] = defaultdict(lambda: dict(empty))
    for rows, into in ((org_rows, cells), (member_rows, members)):
        for org_id, grade, n in rows:
            into[None][grade] += n  # None: the whole subtree
            child = child_of.get(org_id)
            if child is not None:
                into[child][grade] += n

    def of(key: int | None, base: int) -> org_selectors.RatingCounts:
        c, m = cells.get(key, empty), members.get(key, empty)
        return org_selectors.RatingCounts(
            year=year,
            organizations=dict(c),
            organizations_rated=sum(c.values()),
            members=dict(m),
            members_rated=sum(m.values()),
            member_base=base,
        )

    if counts is None:
        base = MemberPlacement.objects.filter(
            org_selectors.valid_on(year_end),
            organization_id__in=org_ids,
            member__full_member_on__isnull=False,
            member__full_member_on__lte=year_end,
        ).count()
        return of(None, base), {}
    by_child_counts = {child: of(child, c.full) for child, c in counts.children.items()}
    return of(None, counts.total.full), by_child_counts if by_child else {}


def _to_date(
    target: Target,
    quarters: Sequence[calc.Figures | None],
    quarter: int,
    previous: Sequence[calc.Figures | None] | None = None,
) -> calc.Figures:
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


def _trend(
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
        calc.attainment(spec, _to_date(target, quarters, q)) if q <= quarter else None
        for q in range(1, 5)
    ]
    before: list[Decimal | None] = [None] * 4
    if last_year is not None:
        old_target, old_quarters = last_year
        old_spec = selectors.spec_of(old_target)
        before = [
            calc.attainment(old_spec, _to_date(old_target, old_quarters, q))
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


def _sum_quarters(
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


# --- figures read from the registry ---------------------------------------------------


@dataclass
class _RegistryInputs:
    """What registry-computed targets read, for one organisation's subtree."""

    base: int | None  # members on 1 January
    admissions: int  # admitted from 1 January to the quarter's end
    members: int  # members on the dashboard's day
    ratings: org_selectors.RatingCounts | None  # the year's ratings


def _registry_figures(
    target: Target, inputs: _RegistryInputs, year: int, quarter: int
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


class _ChildRegistry:
    """Registry inputs of every direct subordinate at once: one GROUP BY per
    source, bucketed by the subordinate's path (today's tree)."""

    def __init__(
        self, *, reader: _Reader, children: list[Organization], targets: list[Target]
    ) -> None:
        self.reader = reader
        self.width = len(reader.org.path) + PATH_STEP
        self.by_path = {child.path: child.id for child in children}
        sources = {t.source for t in targets if t.is_computed}
        self.base = {
            k: c.total for k, c in reader.counts_on(reader.start).children.items()
        }
        self.members = {
            k: c.total for k, c in reader.counts_on(reader.day).children.items()
        }
        self.admissions: dict[int, int] = defaultdict(int)
        self.ratings: dict[int, org_selectors.RatingCounts] = {}
        if Source.ADMISSIONS_SHARE in sources:
            self._read_admissions()
        if sources & RATING_SOURCES and reader.quarter == 4:
            self.ratings = reader.ratings_of(reader.year, by_child=True)[1]

    def _child(self, path: str) -> int | None:
        return self.by_path.get(path[: self.width])

    def _read_admissions(self) -> None:
        r = self.reader
        for path, n in (
            MemberEvent.objects.filter(
                kind=EventKind.ADMISSION,
                occurred_on__gte=r.start,
                occurred_on__lte=r.quarter_end,
                organization__path__startswith=r.org.path,
            )
            .values_list("organization__path")
            .annotate(n=Count("id"))
            .order_by()
        ):
            child = self._child(path)
            if child is not None:
                self.admissions[child] += n

    def inputs(self, child: Organization) -> _RegistryInputs:
        return _RegistryInputs(
            base=self.base.get(child.id),
            admissions=self.admissions.get(child.id, 0),
            members=self.members.get(child.id, 0),
            ratings=self.ratings.get(child.id),
        )


# --- the Excel copy -------------------------------------------------------------------


def export_filename(dashboard: Dashboard) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", dashboard.organization.name).strip()
    return f"Bảng điều khiển quý {dashboard.quarter}-{dashboard.year} - {name}.xlsx"


def dashboard_export(dashboard: Dashboard) -> bytes:
    """The dashboard as .xlsx: the cards, the targets, the subordinates, the trend
    and the ratings, each with the texts the page shows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from targets.workbook import write_text

    bold = Font(bold=True)
    book = Workbook()

    def put(
        sheet, row: int, values: Sequence[str | Cell | int], header: bool = False
    ) -> None:  # noqa: ANN001
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col)
            if isinstance(value, Cell) and value.number is not None:
                value = value.number
            if isinstance(value, int):
                cell.value = value
                cell.number_format = "#,##0"
            else:
                write_text(cell, value.text if isinstance(value, Cell) else str(value))
            if header:
                cell.font = bold

    def widths(sheet, sizes: Sequence[int]) -> None:  # noqa: ANN001
        from openpyxl.utils import get_column_letter

        for col, size in enumerate(sizes, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = size

    summary = book.active
    summary.title = "Tổng quan"
    put(summary, 1, [f"Bảng điều khiển – {dashboard.organization.name}"], header=True)
    put(summary, 2, [f"{dashboard.period_text} · {dashboard.basis_text}"])
    put(summary, 3, [f"{dashboard.scope_sentence}. {dashboard.scope_detail}"])
    put(
        summary,
        4,
        [" ".join(t for t in (dashboard.updated_text, dashboard.pending_text) if t)],
    )
    put(summary, 6, ["Chỉ số", "Số liệu", "Ghi chú"], header=True)
    for i, card in enumerate(dashboard.cards(), start=7):
        put(summary, i, [card.title, card.value, card.detail])
    widths(summary, (34, 22, 90))

    targets = book.create_sheet("Chỉ tiêu")
    put(
        targets,
        1,
        [f"Kết quả thực hiện chỉ tiêu lũy kế đến hết {dashboard.period_text}"],
        header=True,
    )
    if dashboard.reporting_text:
        put(targets, 2, [dashboard.reporting_text])
    put(targets, 3, ["STT", *Dashboard.TARGET_HEADERS], header=True)
    for i, row in enumerate(dashboard.rows, start=1):
        put(targets, 3 + i, [i, *Dashboard.target_cells(row)])
    widths(targets, (6, 50, 12, 16, 26, 12, 18))

    children = book.create_sheet("Tổ chức trực thuộc")
    put(children, 1, ["STT", *dashboard.child_headers], header=True)
    for i, child in enumerate(dashboard.children, start=1):
        put(children, 1 + i, [i, *child.cells])
    widths(children, (6, 50, *[14] * (len(dashboard.child_headers) - 1)))

    trend = book.create_sheet("Xu hướng")
    put(trend, 1, ["Chỉ tiêu", *dashboard.trend_headers], header=True)
    line = 2
    for series in dashboard.trend:
        for quarter, this_year, last_year in series.rows:
            put(trend, line, [series.label, quarter, this_year, last_year])
            line += 1
    widths(trend, (50, 10, 14, 14))

    ratings = book.create_sheet("Xếp loại")
    put(ratings, 1, [f"Xếp loại chất lượng năm {dashboard.ratings.year}"], header=True)
    put(ratings, 2, ["Xếp loại", "Chi bộ", "Đảng viên"], header=True)
    for i, (label, cells, members) in enumerate(dashboard.rating_rows, start=3):
        put(ratings, i, [label, cells, members])
    line = len(dashboard.rating_rows) + 4
    put(ratings, line, ["Loại hình tổ chức", "Số tổ chức"], header=True)
    for i, (label, n) in enumerate(dashboard.kinds, start=line + 1):
        put(ratings, i, [label, n])
    widths(ratings, (50, 12, 12))

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
