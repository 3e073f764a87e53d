"""Committee mode: the targets given down from the organisation (or through it
from above), their plan at any organisation under it, and their figures read
from the stored roll-ups, this year's and last year's on the chosen scope."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from organizations import selectors as org_selectors
from organizations.models import PATH_STEP, Organization
from targets import calculations as calc
from targets import registry, rollups, selectors
from targets.dashboard.charts import trend_series
from targets.dashboard.figures import sum_quarters, to_date
from targets.dashboard.labels import ADDITIVE_KINDS, ScopeMode
from targets.dashboard.page import Dashboard, TargetRow
from targets.models import Result, Rollup, RollupBasis, RollupState, SheetStatus, Target

if TYPE_CHECKING:
    from targets.dashboard.reading import Reader


def committee_targets_by_year(
    *, organization: Organization, years: Sequence[int]
) -> dict[int, list[Target]]:
    """For each of `years` (consecutive): the targets of the organisation's plan,
    or of a plan above it, that were given to organisations under it (``given``
    set on each), and the targets of the organisation's own plan for the year
    that it reports itself (``given`` False). One query for all years; EXISTS
    rather than a join with every copy and DISTINCT, which at bloc scale read
    3.600 rows for 30. A year has committee targets when any is given."""
    given_below = Target.objects.filter(
        derived_from=OuterRef("pk"),
        plan__organization__path__startswith=organization.path,
        plan__organization__depth__gt=organization.depth,
    )
    # The plans of the organisation and those above it first, as a plain
    # condition: inside the OR, PostgreSQL ran the EXISTS for every target of
    # every plan (36.030 × 36.030 rows at 10× the bloc, minutes per page).
    found = list(
        Target.objects.filter(
            Exists(given_below) | Q(plan__organization=organization),
            plan__organization__path__in=org_selectors.ancestor_paths(
                organization.path
            ),
            plan__start_year__lte=max(years),
            plan__end_year__gte=min(years),
        )
        .annotate(given=Exists(given_below))
        .select_related("plan__organization", "group")
        .order_by(
            "plan__organization__depth", "group__order", "group_id", "order", "id"
        )
    )
    out = {}
    for year in years:
        covering = [t for t in found if t.plan.start_year <= year <= t.plan.end_year]
        # The organisation's own targets from the plan its sheet reports against
        # (selectors.plan_for): the year's own, else the term's.
        own_plans = [
            t.plan for t in covering if t.plan.organization_id == organization.id
        ]
        sheet_plan = (
            min(own_plans, key=lambda p: (p.end_year - p.start_year, -p.start_year))
            if own_plans
            else None
        )
        out[year] = [
            t
            for t in covering
            if t.given or (sheet_plan and t.plan_id == sheet_plan.id)
        ]
    return out


def read_committee(
    reader: Reader, dashboard: Dashboard, targets: list[Target]
) -> Plans:
    """The committee's rows: each target's plan here, its figures summed over the
    subtree, read from the registry, or (a target it reports itself, not given
    down) from its own sheet; its evaluation and its trend."""
    org, year, quarter = reader.org, reader.year, reader.quarter
    dashboard.mode, dashboard.plan = "committee", targets[0].plan
    ids = {t.id for t in targets}
    plans = Plans(organization=org, targets=targets)
    # This year's row, and last year's for comparisons on today's scope.
    years = [year, year - 1] if reader.scope_mode == ScopeMode.CURRENT else [year]
    rows = {
        r.year: r
        for r in Rollup.objects.filter(
            organization=org, year__in=years, basis=reader.basis
        ).defer("own")
    }
    row = rows.get(year)
    dashboard.reporting = row.reporting.get(str(quarter), 0) if row else 0
    dashboard.state = RollupState.objects.filter(
        organization__path=org.path[:PATH_STEP], year=year
    ).first()
    own = OwnSheet(
        reader, [t for t in (*targets, *reader.last_year_targets) if not t.given]
    )
    last_year = _last_year(reader, targets, rows.get(year - 1), own)
    for target in targets:
        shown = plans.target_for(target, org.path)
        counted = target.parent_id is None or target.parent_id not in ids
        if target.is_computed:
            figures, base, explanation = registry.year_to_date(
                target, reader.registry, year, quarter
            )
        else:
            if target.given:
                quarters, explanation = rollups.figures_of(row, target), ""
            else:
                quarters, explanation = own.quarters(target), own.explanation
            ly = last_year.get(target.label)
            figures = to_date(target, quarters, quarter, ly[1] if ly else None)
            base = None
            dashboard.trend.extend(trend_series(shown, quarters, quarter, ly))
        spec = selectors.spec_of(shown, base=base)
        if later := calc.assessed_later(target.source, quarter):
            evaluation = calc.not_assessed(spec, later)
        else:
            evaluation = calc.evaluate(spec, figures)
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
    return plans


def own_statuses(organization: Organization, basis: str) -> set[str]:
    """The states in which an organisation's own sheet counts on `basis`. The
    top of a tree has no committee above to approve its sheet: sent is final."""
    allowed = set(rollups.BASIS_STATUSES[RollupBasis(basis)])
    if organization.parent_id is None:
        allowed.add(SheetStatus.SUBMITTED)
    return allowed


class OwnSheet:
    """What the committee typed on its own quarterly sheets for the targets it
    reports itself (this year's by target, last year's by label): one query,
    only if there are such targets."""

    def __init__(self, reader: Reader, targets: list[Target]) -> None:
        self.org, self.year = reader.org, reader.year
        self._this: dict[int, list[calc.Figures | None]] = {}
        self._last: dict[str, list[calc.Figures | None]] = {}
        self.explanation = (
            f"Số liệu {reader.org.name} tự báo cáo (báo cáo quý của cấp ủy)."
        )
        if not targets:
            return
        results = Result.objects.filter(
            sheet__organization=reader.org,
            sheet__year__in=(reader.year, reader.year - 1),
            sheet__status__in=own_statuses(reader.org, reader.basis),
            target_id__in=[t.id for t in targets],
        ).values_list(
            "target_id",
            "target__label",
            "sheet__year",
            "sheet__quarter",
            "value",
            "numerator",
            "denominator",
        )
        for target_id, label, year, q, value, num, den in results:
            figures = calc.Figures(value=value, numerator=num, denominator=den)
            if year == reader.year:
                self._this.setdefault(target_id, [None] * 4)[q - 1] = figures
            else:
                self._last.setdefault(label, [None] * 4)[q - 1] = figures

    def quarters(self, target: Target) -> list[calc.Figures | None]:
        return list(self._this.get(target.id, [None] * 4))

    def last_year(self, label: str) -> list[calc.Figures | None]:
        return list(self._last.get(label, [None] * 4))


def _last_year(
    reader: Reader, targets: list[Target], row: Rollup | None, own: OwnSheet
) -> dict[str, tuple[Target, list[calc.Figures | None]]]:
    """Last year's committee targets by label, with their four quarters on the
    chosen scope: today's subtree (`row`: last year's roll-up, read with this
    year's), or the subtree as it stood on 31 December; a target the committee
    reported itself, from its own sheets. A target given down wins over one of
    the same label the committee kept."""
    org, year = reader.org, reader.year - 1
    labels = {t.label for t in targets}
    found = [t for t in reader.last_year_targets if t.label in labels]
    if not found:
        return {}
    plans = Plans(organization=org, targets=found)
    given = [t for t in found if t.given]
    quarters = {t.id: own.last_year(t.label) for t in found if not t.given}
    if given and reader.scope_mode == ScopeMode.CURRENT:
        quarters.update({t.id: rollups.figures_of(row, t) for t in given})
    elif given:
        placed = org_selectors.subtree_placements_on(
            root=org, day=dt.date(year, 12, 31)
        )
        owns = list(
            Rollup.objects.filter(
                organization_id__in=placed.values("organization_id"),
                year=year,
                basis=reader.basis,
            ).values_list("own", flat=True)
        )
        quarters.update(
            {
                t.id: sum_quarters(
                    rollups.quarter_figures(own_row.get(t.rollup_key))
                    for own_row in owns
                )
                for t in given
            }
        )
    out: dict[str, tuple[Target, list[calc.Figures | None]]] = {}
    for t in sorted(found, key=lambda t: not t.given):
        out.setdefault(t.label, (plans.target_for(t, org.path), quarters[t.id]))
    return out


# --- plans at each level --------------------------------------------------------------


class Copies:
    """Every copy of the committee's targets under the organisation."""

    def __init__(
        self,
        rows: list[tuple[int, str, Decimal | None, Decimal | None]],
        *,
        root: str,
        width: int,
    ) -> None:
        self._rows, self._root, self._width = rows, root, width
        # (committee target id, path) → a copy's plan and upper bound
        self.own = {(target_id, path): (v, h) for target_id, path, v, h in rows}
        self.paths = {path for _, path, _, _ in rows}  # organisations with a copy

    @cached_property
    def under(self) -> dict[str, str]:
        """Direct subordinate's path → its copies and those under it, spelled
        out in a stable order: all that plan_of reads at that path beside the
        committee's own targets."""
        rows: dict[str, list[tuple]] = defaultdict(list)
        width = self._width
        for row in self._rows:
            if len(row[1]) >= width:
                rows[row[1][:width]].append(row)
        return {
            path: repr(sorted(found, key=lambda r: (r[0], r[1], str(r[2]), str(r[3]))))
            for path, found in rows.items()
        }

    @cached_property
    def below(self) -> dict[tuple[int, str], list[Decimal | None]]:
        """(committee target id, path) → plans of the copies under that path, for
        the organisation and each direct subordinate: only an organisation
        without its own copy (a committee in between) needs them."""
        below: dict[tuple[int, str], list[Decimal | None]] = defaultdict(list)
        root, width = self._root, self._width
        for target_id, path, value, _ in self._rows:
            below[(target_id, root)].append(value)
            if len(path) >= width:
                below[(target_id, path[:width])].append(value)
        return below


class Plans:
    """The plan value of each committee target for the organisation itself and
    for any organisation under it: its own copy's, the committee's own, or (for
    a committee in between) the sum of the copies under it where plans add up."""

    def __init__(
        self, *, organization: Organization, targets: Sequence[Target]
    ) -> None:
        self.org = organization
        self.width = len(organization.path) + PATH_STEP
        self.targets = {t.id: t for t in targets}
        # Where each target's own plan sits (read once: plan_of runs per
        # subordinate and target).
        self._homes = {t.id: t.plan.organization.path for t in targets}
        self._copies: Copies | None = None
        self._specs: dict[tuple, calc.TargetSpec] = {}
        self._own_specs: dict[int, calc.TargetSpec] = {}  # by target, as saved

    @property
    def copies(self) -> Copies:
        """Every copy under the organisation, read on first need (one query): the
        committee's own plan values need none."""
        if self._copies is None:
            # Unordered: the targets' default order joins their groups and sorts
            # 3.600 rows at bloc scale, half of this read on PostgreSQL.
            rows = (
                Target.objects.filter(
                    derived_from_id__in=list(self.targets),
                    plan__organization__path__startswith=self.org.path,
                )
                .values_list(
                    "derived_from_id",
                    "plan__organization__path",
                    "plan_value",
                    "plan_high",
                )
                .order_by()
            )
            self._copies = Copies(list(rows), root=self.org.path, width=self.width)
        return self._copies

    def copies_text(self, path: str) -> str:
        """For a direct subordinate: every copy at and under it, as text. With
        the committee's targets as saved, it determines plan_of(t, path) for
        each of them (a memo key, .memo), at a fraction of their cost."""
        return self.copies.under.get(path, "")

    def has_own_copy(self, path: str) -> bool:
        return path in self.copies.paths

    def plan_of(
        self, target: Target, path: str
    ) -> tuple[Decimal | None, Decimal | None]:
        """(plan value, upper bound) of the target at `path`."""
        home = self._homes.get(target.id) or target.plan.organization.path
        if home == path:
            return target.plan_value, target.plan_high
        copies = self.copies
        found = copies.own.get((target.id, path))
        if found is not None:
            return found
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
        plan, high = self.plan_of(target, path)
        share_base = base if target.kind == calc.Kind.BASE_SHARE else None
        key = (target.id, plan, high, share_base)
        spec = self._specs.get(key)
        if spec is None:
            own = self._own_specs.get(target.id)
            if own is None:
                own = self._own_specs[target.id] = selectors.spec_of(target)
            spec = self._specs[key] = dataclasses.replace(
                own, plan=plan, plan_high=high, base=share_base
            )
        return spec
