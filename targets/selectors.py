"""Reads for the quarterly entry sheet: plan, results, derived figures.

A sheet is read in a fixed number of queries whatever the number of targets:
the plan's targets, this year's results (all quarters), last year's results and,
for computed targets, one set of registry reads per source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from organizations import selectors as org_selectors
from organizations.models import EventKind, Organization
from partyreports.formatting import format_number, format_percent
from targets import calculations as calc
from targets import registry
from targets.models import (
    Plan,
    Result,
    ResultChange,
    Rollup,
    RollupBasis,
    Sheet,
    SheetStatus,
    SheetTransition,
    Source,
    Target,
)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def plan_for(*, organization: Organization, year: int) -> Plan | None:
    """The plan a quarter reports against: the year's own plan, else the term's."""
    plans = list(
        Plan.objects.filter(
            organization=organization, start_year__lte=year, end_year__gte=year
        )
    )
    plans.sort(key=lambda p: (p.end_year - p.start_year, -p.start_year))
    return plans[0] if plans else None


def figures_of(result: Result | None) -> calc.Figures | None:
    if result is None:
        return None
    return calc.Figures(
        value=result.value, numerator=result.numerator, denominator=result.denominator
    )


def spec_of(target: Target, *, base: Decimal | int | None = None) -> calc.TargetSpec:
    return calc.TargetSpec(
        kind=target.kind,
        comparator=target.comparator,
        plan=target.plan_value,
        plan_high=target.plan_high,
        base=base if target.kind == calc.Kind.BASE_SHARE else None,
        places=target.places,
    )


def target_problems(target: Target) -> list[str]:
    """What is wrong with a stored target's definition (kind, comparator, plan,
    source), in Vietnamese; empty when the sheet can evaluate it. A target set up
    wrongly (e.g. in the admin) must not break its plan's sheets."""
    try:
        return calc.spec_problems(
            target.kind,
            target.comparator,
            target.plan_value,
            target.plan_high,
            source=target.source,
        )
    except ValueError:  # a kind or comparator code that does not exist
        return ["Loại chỉ tiêu hoặc điều kiện đạt không hợp lệ."]


def _unusable_spec(target: Target) -> calc.TargetSpec:
    """A spec to describe a wrongly set-up target with: its kind, no plan."""
    try:
        return calc.TargetSpec(kind=calc.Kind(target.kind))
    except ValueError:
        return calc.TargetSpec(kind=calc.Kind.COUNT)


INVALID_TARGET_NOTE = "chỉ tiêu khai báo chưa đúng"


@dataclass
class SheetRow:
    target: Target
    result: Result | None
    current: calc.Figures | None
    to_date: calc.Figures
    evaluation: calc.Evaluation
    last_quarter: calc.Figures | None = None
    last_year: calc.Figures | None = None
    explanation: str = ""
    is_sub: bool = False
    is_rollup: bool = False

    @property
    def read_only(self) -> bool:
        """Figures read from the registry or summed from subordinates: never typed."""
        return self.target.is_computed or self.is_rollup

    @property
    def verdict_text(self) -> str:
        return verdict_text(self.evaluation.verdict)

    @property
    def to_date_text(self) -> str:
        return self.evaluation.measure_text

    @property
    def plan_text(self) -> str:
        """The plan as the sheet shows it: "trên 600/năm" for a per-year target."""
        text = plan_text(self.target)
        return (
            f"{text}/năm" if text and self.target.kind == calc.Kind.PER_YEAR else text
        )


@dataclass
class GroupRows:
    name: str
    rows: list[SheetRow] = field(default_factory=list)
    group_id: int = 0  # the TargetGroup: the live preview updates its header by it

    @property
    def verdicts(self) -> calc.VerdictCounts:
        """Top-level targets of the group ("04/06 chỉ tiêu đạt"); sub-targets
        ("trong đó") are part of their parent and not counted on their own."""
        return calc.count_verdicts(
            r.evaluation.verdict for r in self.rows if not r.is_sub
        )


@dataclass
class SheetView:
    organization: Organization
    plan: Plan
    year: int
    quarter: int
    sheet: Sheet | None
    groups: list[GroupRows]
    verdicts: calc.VerdictCounts

    @property
    def status(self) -> str:
        return self.sheet.status if self.sheet else SheetStatus.DRAFT

    @property
    def version(self) -> int:
        return self.sheet.version if self.sheet else 0

    @property
    def rows(self) -> list[SheetRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def to_date_label(self) -> str:
        return to_date_label(self.quarter)


_TO_DATE_LABELS = {
    1: "Lũy kế quý I",
    2: "Lũy kế 6 tháng",
    3: "Lũy kế 9 tháng",
    4: "Cả năm",
}


def to_date_label(quarter: int) -> str:
    """What the year-to-date column holds at the end of `quarter`: the quarter,
    6 months, 9 months or the whole year (derived from the quarters)."""
    return _TO_DATE_LABELS[quarter]


def verdict_text(verdict: calc.Verdict) -> str:
    """On the sheet a target above plan reads "đạt, vượt kế hoạch": it is met."""
    if verdict is calc.Verdict.VUOT:
        return "đạt, vượt kế hoạch"
    return verdict.label


def _plan_places(value: Decimal | None) -> int:
    """As many decimals as the plan was adopted with: 95 → "95", 68,7 → "68,7"."""
    if value is None:
        return 0
    exponent = Decimal(value).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def plan_text(target: Target) -> str:
    places = (
        target.places if target.places is not None else _plan_places(target.plan_value)
    )
    percent = target.kind in ("rate", "base_share", "pp_change", "yoy")

    def fmt(v: Decimal | None) -> str:
        if v is None:
            return ""
        return format_percent(v, places) if percent else format_number(v, places)

    if target.kind == calc.Kind.ALL_OR_NOTHING:
        return "100%"
    if target.kind == calc.Kind.PP_CHANGE and target.plan_value is not None:
        word = "giảm" if target.plan_value < 0 else "tăng"
        return f"{word} {format_number(abs(target.plan_value), places)} điểm %"
    if target.comparator == calc.Comparator.RANGE:
        return f"{fmt(target.plan_value)} – {fmt(target.plan_high)}"
    prefix = {"gt": "trên ", "lt": "dưới ", "lte": "không quá "}.get(
        target.comparator, ""
    )
    return prefix + fmt(target.plan_value)


@dataclass
class SheetData:
    """Everything a sheet reads from the database, loaded once: the preview
    re-evaluates it with the typed figures without querying again."""

    organization: Organization
    plan: Plan
    year: int
    quarter: int
    targets: list[Target]
    sheet: Sheet | None
    this_year: dict[int, list[calc.Figures | None]]
    last_year: dict[str, list[calc.Figures | None]]
    current_results: dict[int, Result]
    registry: RegistryFigures
    # Targets given down to subordinates: their figures are the subtree's sums.
    rolled_up: set[int] = field(default_factory=set)
    rollup: object = None
    basis: str = RollupBasis.APPROVED  # which subordinates' sheets the sums count


def sheet_data(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    basis: str = RollupBasis.APPROVED,
) -> SheetData | None:
    """What a sheet reads; `basis`: whether the sums of targets given down count
    the subordinates' approved sheets only (the default) or submitted ones too."""
    plan = plan_for(organization=organization, year=year)
    if plan is None:
        return None
    targets = list(
        plan.targets.select_related("group").order_by(
            "group__order", "group_id", "order", "id"
        )
    )
    sheet = (
        Sheet.objects.filter(organization=organization, year=year, quarter=quarter)
        .select_related("updated_by")
        .first()
    )
    this_year: dict[int, list[calc.Figures | None]] = {}
    current_results: dict[int, Result] = {}
    for result in Result.objects.filter(
        sheet__organization=organization, sheet__year=year
    ).select_related("sheet"):
        q = result.sheet.quarter
        this_year.setdefault(result.target_id, [None] * 4)[q - 1] = figures_of(result)
        if q == quarter:
            current_results[result.target_id] = result
    # Last year's figures are matched by the target's label (last year's plan has
    # its own rows).
    last_year: dict[str, list[calc.Figures | None]] = {}
    for label, q, value, numerator, denominator in Result.objects.filter(
        sheet__organization=organization, sheet__year=year - 1
    ).values_list(
        "target__label", "sheet__quarter", "value", "numerator", "denominator"
    ):
        last_year.setdefault(label, [None] * 4)[q - 1] = calc.Figures(
            value=value, numerator=numerator, denominator=denominator
        )
    rolled_up = set(
        Target.objects.filter(derived_from__plan=plan)
        .values_list("derived_from_id", flat=True)
        .distinct()
    )
    rollup = None
    if rolled_up:
        rollup = Rollup.objects.filter(
            organization=organization, year=year, basis=basis
        ).first()
    return SheetData(
        organization=organization,
        plan=plan,
        year=year,
        quarter=quarter,
        targets=targets,
        sheet=sheet,
        this_year=this_year,
        last_year=last_year,
        current_results=current_results,
        registry=RegistryFigures(organization=organization, year=year, quarter=quarter),
        rolled_up=rolled_up,
        rollup=rollup,
        basis=basis,
    )


def sheet_view(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    typed: dict[int, calc.Figures] | None = None,
    basis: str = RollupBasis.APPROVED,
) -> SheetView | None:
    """The sheet as stored, or with `typed` figures in place of this quarter's
    (the live preview while the cadre types)."""
    data = sheet_data(
        organization=organization, year=year, quarter=quarter, basis=basis
    )
    return None if data is None else build_sheet_view(data, typed=typed)


def build_sheet_view(
    data: SheetData, *, typed: dict[int, calc.Figures] | None = None
) -> SheetView:
    quarter = data.quarter
    groups: dict[int, GroupRows] = {}
    top_verdicts = []
    for target in data.targets:
        quarters = list(data.this_year.get(target.id, [None] * 4))
        if typed is not None and target.id in typed:
            quarters[quarter - 1] = typed[target.id]
        last_year = data.last_year.get(target.label)
        # A registry-computed target reads the registry over the subtree, also
        # when the committee gave it down (its subordinates type nothing for it).
        is_rollup = target.id in data.rolled_up and not target.is_computed
        if problems := target_problems(target):
            # Shown, not evaluated: the office corrects the target in the plan.
            row = _unusable_row(target, data, quarters, problems, is_rollup=is_rollup)
            groups.setdefault(
                target.group_id,
                GroupRows(name=target.group.name, group_id=target.group_id),
            ).rows.append(row)
            if target.parent_id is None:
                top_verdicts.append(row.evaluation.verdict)
            continue
        if target.is_computed:
            current, to_date, base, explanation = data.registry.figures(target)
            spec = spec_of(target, base=base)
        elif is_rollup:
            from targets import rollups

            quarters = rollups.figures_of(data.rollup, target)
            current, to_date = (
                quarters[quarter - 1],
                calc.year_to_date(target.kind, quarters, quarter),
            )
            spec = spec_of(target)
            reporting = data.rollup.reporting.get(str(quarter), 0) if data.rollup else 0
            which = (
                "đã duyệt"
                if data.basis == RollupBasis.APPROVED
                else "đã gửi hoặc đã duyệt"
            )
            explanation = (
                f"Tổng hợp từ báo cáo {which} của {reporting} tổ chức trực thuộc "
                f"(quý {quarter})."
            )
        else:
            current, to_date = (
                quarters[quarter - 1],
                calc.year_to_date(target.kind, quarters, quarter),
            )
            spec, explanation = spec_of(target), ""
            if target.kind == calc.Kind.YOY and last_year:
                previous = calc.year_to_date(calc.Kind.COUNT, last_year, quarter).value
                to_date = calc.Figures(value=to_date.value, previous=previous)
        # A sheet is one year: a per-year target compares this year's total.
        to_date = calc.as_one_year(target.kind, to_date)
        evaluation = calc.evaluate(spec, to_date)
        if not is_rollup and (later := calc.assessed_later(target.source, quarter)):
            evaluation = calc.not_assessed(spec, later)
        row = SheetRow(
            target=target,
            result=data.current_results.get(target.id),
            current=current,
            to_date=to_date,
            evaluation=evaluation,
            last_quarter=quarters[quarter - 2]
            if quarter > 1
            else (last_year[3] if last_year else None),
            last_year=last_year[quarter - 1] if last_year else None,
            explanation=explanation,
            is_sub=target.parent_id is not None,
            is_rollup=is_rollup,
        )
        groups.setdefault(
            target.group_id, GroupRows(name=target.group.name, group_id=target.group_id)
        ).rows.append(row)
        if target.parent_id is None:
            top_verdicts.append(evaluation.verdict)
    return SheetView(
        organization=data.organization,
        plan=data.plan,
        year=data.year,
        quarter=quarter,
        sheet=data.sheet,
        groups=list(groups.values()),
        verdicts=calc.count_verdicts(top_verdicts),
    )


def _unusable_row(
    target: Target,
    data: SheetData,
    quarters: list[calc.Figures | None],
    problems: list[str],
    *,
    is_rollup: bool,
) -> SheetRow:
    """A wrongly set-up target's row: what was typed, no verdict, and why."""
    quarter = data.quarter
    return SheetRow(
        target=target,
        result=data.current_results.get(target.id),
        current=quarters[quarter - 1],
        to_date=calc.year_to_date(calc.Kind.COUNT, quarters, quarter),
        evaluation=calc.not_assessed(_unusable_spec(target), INVALID_TARGET_NOTE),
        explanation=(
            f"Chỉ tiêu khai báo chưa đúng, chưa đánh giá được: {' '.join(problems)} "
            "Văn phòng cấp ủy cần sửa chỉ tiêu trong kế hoạch."
        ),
        is_sub=target.parent_id is not None,
        is_rollup=is_rollup,
    )


class RegistryFigures:
    """Figures of computed targets, read from the member registry and ratings.

    Each source is read once per sheet (cached), so the number of queries does
    not grow with the number of targets.
    """

    def __init__(self, *, organization: Organization, year: int, quarter: int) -> None:
        self.organization, self.year, self.quarter = organization, year, quarter
        self.start, self.end = quarter_bounds(year, quarter)
        self._cache: dict[str, object] = {}

    def _get(self, key: str, fn):  # noqa: ANN001, ANN202
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def _members_at_new_year(self) -> int:
        return self._get(
            "base",
            lambda: (
                org_selectors.subtree_counts_on(
                    root=self.organization, day=dt.date(self.year, 1, 1)
                ).total
            ),
        )

    def _admissions(self, start: dt.date) -> int:
        return self._get(
            f"adm{start}",
            lambda: org_selectors.event_counts(
                root=self.organization, start=start, end=self.end
            )[EventKind.ADMISSION],
        )

    def _ratings(self) -> org_selectors.RatingCounts:
        return self._get(
            "ratings",
            lambda: org_selectors.rating_counts(root=self.organization, year=self.year),
        )

    # registry.Inputs, each read on first use.
    @property
    def base(self) -> int:
        return self._members_at_new_year()

    @property
    def admissions(self) -> int:
        return self._admissions(dt.date(self.year, 1, 1))

    @property
    def members(self) -> int:
        return self._get(
            "total",
            lambda: (
                org_selectors.subtree_counts_on(
                    root=self.organization, day=self.end
                ).total
            ),
        )

    @property
    def day(self) -> dt.date:
        return self.end

    @property
    def ratings(self) -> org_selectors.RatingCounts:
        return self._ratings()

    def figures(
        self, target: Target
    ) -> tuple[calc.Figures | None, calc.Figures, int | None, str]:
        """This quarter's figures (None when the quarter has none of its own),
        the year's to date, the base of a share, and how they were computed."""
        to_date, base, explanation = registry.year_to_date(
            target, self, self.year, self.quarter
        )
        if target.source == Source.ADMISSIONS_SHARE:
            current = calc.Figures.of(self._admissions(self.start))
        elif to_date.value is None and to_date.numerator is None:
            current = None
        else:
            current = to_date
        return current, to_date, base, explanation


# --- access ---------------------------------------------------------------------


def organization_for_sheet(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object, write: bool = False
) -> Organization:
    """The organisation whose sheet is asked for: 404 outside scope, 403 for a
    read-only role asked to write."""
    organization = org_selectors.organization_get_for_user(
        user=user, public_id=public_id
    )
    if write and not org_selectors.user_scope(user).can_write_members(organization):
        raise PermissionDenied("Bạn không có quyền nhập kết quả cho tổ chức này.")
    return organization


def organization_for_review(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object
) -> Organization:
    organization = org_selectors.organization_get_for_user(
        user=user, public_id=public_id
    )
    if not org_selectors.user_scope(user).can_review(organization):
        raise PermissionDenied("Chỉ văn phòng cấp ủy cấp trên được duyệt báo cáo này.")
    return organization


def sheet_for_review(
    *,
    user: AbstractBaseUser | AnonymousUser,
    public_id: object,
    year: int,
    quarter: int,
) -> Sheet:
    """A subordinate's sheet the user's office decides on: 404 outside scope or
    when nothing was saved yet, 403 unless the office is above it."""
    organization = organization_for_review(user=user, public_id=public_id)
    found = (
        Sheet.objects.filter(organization=organization, year=year, quarter=quarter)
        .select_related("organization")
        .first()
    )
    if found is None:
        raise Http404("Chưa có báo cáo.")
    return found


def sheets_of_year(*, organization: Organization, year: int) -> dict[int, Sheet]:
    """The organisation's own sheets of a year, by quarter."""
    return {
        s.quarter: s for s in Sheet.objects.filter(organization=organization, year=year)
    }


def sheet_transitions(*, sheet: Sheet | None) -> list[SheetTransition]:
    """The sheet's submissions, approvals and returns, oldest first."""
    if sheet is None:
        return []
    return list(sheet.transitions.select_related("by"))


def plan_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object, write: bool = False
) -> Plan:
    """A plan of an organisation in the user's scope: 404 otherwise (and for a
    malformed id), 403 when `write` and the user may only read."""
    try:
        plan = Plan.objects.select_related("organization").get(public_id=public_id)
    except (Plan.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("Không tìm thấy kế hoạch.") from exc
    org_selectors.organization_get_for_user(
        user=user, public_id=plan.organization.public_id, write=write
    )
    return plan


def plan_targets(*, plan: Plan) -> list[Target]:
    """A plan's targets in the resolution's order, with their group and parent."""
    return list(
        plan.targets.select_related("group", "parent").order_by(
            "group__order", "group_id", "order", "id"
        )
    )


def plan_target(*, plan: Plan, target_id: int) -> Target:
    try:
        return plan.targets.select_related("group").get(id=target_id)
    except Target.DoesNotExist as exc:
        raise Http404("Không tìm thấy chỉ tiêu.") from exc


def target_get_for_organization(
    *, organization: Organization, target_id: int
) -> Target:
    try:
        return Target.objects.select_related("plan").get(
            id=target_id, plan__organization=organization
        )
    except Target.DoesNotExist as exc:
        raise Http404("Không tìm thấy chỉ tiêu.") from exc


def target_history(*, organization: Organization, target: Target) -> list[ResultChange]:
    return list(
        ResultChange.objects.filter(
            result__target=target, result__sheet__organization=organization
        )
        .select_related("changed_by", "result__sheet")
        .order_by("-changed_at", "-id")
    )


def sheets_to_review(*, organization: Organization) -> list[Sheet]:
    """Submitted sheets of the organisation's direct and deeper subordinates."""
    return list(
        Sheet.objects.filter(
            Q(organization__path__startswith=organization.path)
            & ~Q(organization=organization),
            status=SheetStatus.SUBMITTED,
        )
        .select_related("organization")
        .order_by("submitted_at")
    )
