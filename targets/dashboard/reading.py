"""Reading a dashboard: the period it opens on, and :func:`dashboard_view`,
which reads everything the page shows in a fixed number of queries (committee
mode in :mod:`.committee`, the subordinates' table in :mod:`.children`)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db.models import Count, Q
from django.utils import timezone

from organizations import selectors as org_selectors
from organizations.models import (
    EventKind,
    MemberPlacement,
    Organization,
    OrganizationKind,
)
from targets import calculations as calc
from targets import selectors
from targets.dashboard import children, committee
from targets.dashboard.charts import trend_series
from targets.dashboard.labels import NOT_STARTED, ScopeMode
from targets.dashboard.page import Dashboard, TargetRow
from targets.models import (
    Plan,
    Result,
    Rollup,
    RollupBasis,
    Sheet,
    SheetStatus,
    Source,
    Target,
)
from targets.registry import RegistryInputs

# --- the period -----------------------------------------------------------------------


def default_quarter(year: int, today: dt.date) -> int:
    """The last quarter that has ended (quarter I while the first is running)."""
    if year < today.year:
        return 4
    return max(1, (today.month - 1) // 3)


def default_period(*, organization: Organization, today: dt.date) -> tuple[int, int]:
    """The latest quarter, up to the last ended one, in which organisations of
    the subtree reported (a sheet sent or approved: the roll-up's counts, or
    the organisation's own sheet); with none, the last ended quarter when the
    organisation has a plan for this year, else the last quarter of the
    latest earlier year with a plan. Two small queries (three without reports).

    Empty roll-up rows (a rebuild writes the committee's row for a year
    nobody reported in) and a term plan running to 2025 do not make an empty
    quarter the default."""
    year = today.year if today.month > 3 else today.year - 1
    last_ended = (year, default_quarter(year, today))
    reported: set[tuple[int, int]] = set()
    for row_year, reporting in Rollup.objects.filter(
        organization=organization, basis=RollupBasis.SUBMITTED
    ).values_list("year", "reporting"):
        reported.update((row_year, int(q)) for q, n in reporting.items() if n)
    reported.update(
        Sheet.objects.filter(
            organization=organization,
            status__in=[SheetStatus.SUBMITTED, SheetStatus.APPROVED],
        ).values_list("year", "quarter")
    )
    candidates = [period for period in reported if period <= last_ended]
    if candidates:
        return max(candidates)
    plan_years: set[int] = set()
    for start, end in Plan.objects.filter(organization=organization).values_list(
        "start_year", "end_year"
    ):
        plan_years.update(range(start, end + 1))
    if year not in plan_years:
        earlier = [y for y in plan_years if y <= year]
        if earlier:
            return max(earlier), 4
    return last_ended


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
    reader = Reader(
        organization=organization,
        year=year,
        quarter=quarter,
        basis=basis,
        scope_mode=scope_mode,
    )
    return reader.read()


class Reader:
    """One dashboard's read: the period, and the subtree's member counts and
    ratings, each read once however many parts of the page use them."""

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
        self.admissions = 0  # in the subtree from 1 January, set by read()
        self.last_year_targets: list[Target] = []  # committee targets, set by read()
        self._counts: dict[dt.date, org_selectors.ChildMemberCounts] = {}
        # The days whose member counts are read together at the first need: the
        # page's day and the ratings' bases (31 December, this year and last);
        # read() adds 1 January when something uses it.
        self._count_days = {self.day, dt.date(year, 12, 31), dt.date(year - 1, 12, 31)}
        # year → the subtree's ratings, and each direct subordinate's
        self._ratings: dict[
            int,
            tuple[org_selectors.RatingCounts, dict[int, org_selectors.RatingCounts]],
        ] = {}

    def counts_on(self, day: dt.date) -> org_selectors.ChildMemberCounts:
        """Members of the subtree on `day`; the page's days in one pass over
        the members (joined once for all days: most of a count's time)."""
        if day not in self._counts:
            days = {day} if self._counts else {day, *self._count_days}
            self._counts.update(
                org_selectors.member_counts_by_child(root=self.org, days=days)
            )
        return self._counts[day]

    def ratings(self, year: int) -> org_selectors.RatingCounts:
        """The subtree's ratings for `year`, with each direct subordinate's."""
        if year not in self._ratings:
            self._ratings[year] = org_selectors.rating_counts_by_child(
                root=self.org, year=year, counts=self.counts_on(dt.date(year, 12, 31))
            )
        return self._ratings[year][0]

    def child_ratings(self, year: int) -> dict[int, org_selectors.RatingCounts]:
        """Each direct subordinate's ratings for `year` (as placed on 31 December)."""
        self.ratings(year)
        return self._ratings[year][1]

    @cached_property
    def registry(self) -> RegistryInputs:
        """What the committee's computed targets read for the whole subtree."""
        return RegistryInputs(
            base=self.counts_on(self.start).total.total,
            admissions=self.admissions,
            members=self.counts_on(self.day).total.total,
            ratings=self.ratings(self.year),
            day=self.day,
        )

    def read(self) -> Dashboard:
        org = self.org
        by_year = committee.committee_targets_by_year(
            organization=org, years=(self.year, self.year - 1)
        )
        # Committee mode when the organisation gave targets down; then its own
        # typed targets are on the dashboard too (from its own sheet).
        targets = by_year[self.year] if any(t.given for t in by_year[self.year]) else []
        self.last_year_targets = by_year[self.year - 1]
        if self.scope_mode == ScopeMode.THEN or any(t.is_computed for t in targets):
            self._count_days.add(self.start)  # members on 1 January
        members = self.counts_on(self.day).total
        if self.scope_mode == ScopeMode.THEN:
            members_start = self.counts_on(self.start).total.total
        else:
            # Today's subtree as a list of ids: joined with the organisations
            # instead, SQLite matched the path of every member placement in the
            # database (70 ms for the bloc beside its 10× copy, 6 ms this way).
            members_start = MemberPlacement.objects.filter(
                org_selectors.valid_on(self.start),
                organization_id__in=Organization.objects.filter(
                    path__startswith=org.path
                ).values("id"),
            ).count()
        admissions = self.admissions = org_selectors.event_counts(
            root=org, start=self.start, end=self.quarter_end
        )[EventKind.ADMISSION]
        ratings = self.ratings(self.year)
        if not ratings.organizations_rated and not ratings.members_rated:
            # Ratings are made at year end: until then the chart shows last year's.
            last = self.ratings(self.year - 1)
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
        if targets:
            plans = committee.read_committee(self, dashboard, targets)
            given = [t for t in targets if t.given]
            children.reporting_children(self, dashboard, given, plans)
        else:
            plan = selectors.plan_for(organization=org, year=self.year)
            if plan is not None:
                self._own(dashboard, plan)
        if dashboard.mode != "committee":
            children.member_children(self, dashboard)
        row = dashboard.admissions_row = _admissions_row(dashboard.rows)
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

    # -- own mode ----------------------------------------------------------------------

    def _own(self, dashboard: Dashboard, plan: Plan) -> None:
        """An organisation that reports its own sheet: its rows on the chosen basis."""
        org, year, quarter = self.org, self.year, self.quarter
        allowed = committee.own_statuses(org, self.basis)
        data = selectors.sheet_data(
            organization=org, year=year, quarter=quarter, basis=self.basis
        )
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
                    trend_series(target, quarters, quarter, last_year.get(target.label))
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


def _admissions_row(rows: list[TargetRow]) -> TargetRow | None:
    for row in rows:
        if row.target.source == Source.ADMISSIONS_SHARE:
            return row
    for row in rows:
        if "kết nạp" in row.target.label.lower() and row.target.kind == calc.Kind.COUNT:
            return row
    return None
