"""The table of direct subordinates: in committee mode each one's verdict
counts on the committee's targets and its quarter's sheet; otherwise its
members and its rating."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from organizations.models import Grade, Organization, OrganizationRating
from partyreports.formatting import fold_accents, format_percent, round_display
from targets import calculations as calc
from targets import rollups, selectors
from targets.dashboard import memo
from targets.dashboard.committee import Plans
from targets.dashboard.figures import ChildRegistry, to_date
from targets.dashboard.labels import (
    COMPLETENESS_LABELS,
    COMPLETENESS_ORDER,
    DASH,
    NOT_STARTED,
)
from targets.dashboard.page import Cell, ChildRow, Dashboard, count_cell
from targets.models import Rollup, Sheet, Target
from targets.registry import year_to_date as registry_to_date

if TYPE_CHECKING:
    from targets.dashboard.reading import Reader


def list_children(organization: Organization, day: dt.date) -> list[Organization]:
    children = (
        Organization.objects.filter(parent=organization)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
        .order_by()
    )
    # Accent- and case-insensitive, so "Đảng bộ …" and "Chi bộ các …" sit where
    # a reader looks for them (the table sorts by Vietnamese collation in the browser).
    return sorted(children, key=lambda o: (fold_accents(o.name), o.name, o.id))


def reporting_children(
    reader: Reader, dashboard: Dashboard, targets: list[Target], plans: Plans
) -> None:
    """Committee mode: each subordinate's verdicts on the committee's targets
    (its subtree's sums against its own plan), and its quarter's sheet."""
    org, year, quarter = reader.org, reader.year, reader.quarter
    children = list_children(org, reader.day)
    statuses = dict(
        Sheet.objects.filter(organization__parent=org, year=year, quarter=quarter)
        .values_list("organization_id", "status")
        .order_by()
    )
    ids = {t.id for t in targets}
    counted = [t for t in targets if t.parent_id is None or t.parent_id not in ids]
    registry = ChildRegistry(reader=reader, children=children, targets=counted)
    day_counts = reader.counts_on(reader.day).children
    completeness = {key: 0 for key in COMPLETENESS_LABELS}
    dashboard.child_headers = [
        "Tổ chức",
        "Đảng viên",
        "Đạt",
        "Chưa đạt",
        "Chưa có số liệu",
        "Tỷ lệ chỉ tiêu đạt",
        f"Báo cáo quý {quarter}",
    ]
    # 120 subordinates × 30 targets at bloc scale: 3.600 evaluations, most of the
    # page's time when done on every read. Each subordinate's counts are kept
    # under a digest of all they are computed from (.memo): its subtree sums as
    # stored, the plan that applies to it for each target, the targets'
    # arithmetic, the quarter and its registry inputs. Only a subordinate whose
    # inputs changed since the last read is evaluated again.
    typed = [(t, t.rollup_key) for t in counted if not t.is_computed]
    computed = [t for t in counted if t.is_computed]
    verdict, quarter_figures = calc.verdict, rollups.quarter_figures
    sums_text = dict(
        Rollup.objects.filter(organization__parent=org, year=year, basis=reader.basis)
        .values_list("organization_id", Cast("subtree", output_field=TextField()))
        .order_by()
    )
    by_id = {child.id: child for child in children}

    def verdict_counts(child_id: int) -> calc.VerdictCounts:
        text = sums_text.get(child_id)
        sums = json.loads(text) if text else {}  # no roll-up yet: nothing reported
        path = by_id[child_id].path
        verdicts = [
            verdict(
                plans.spec_of(target, path),
                to_date(target, quarter_figures(sums.get(key)), quarter),
            )
            for target, key in typed
        ]
        if computed:
            inputs = registry.inputs[child_id]
            for target in computed:
                if calc.assessed_later(target.source, quarter):
                    verdicts.append(calc.Verdict.NOT_ASSESSED)
                    continue
                figures, base, _ = registry_to_date(target, inputs, year, quarter)
                verdicts.append(verdict(plans.spec_of(target, path, base), figures))
        return calc.count_verdicts(verdicts)

    # The targets as saved (their plans included): with each subordinate's
    # copies, what plans.plan_of gives at its path.
    arithmetic = repr(
        (
            year,
            quarter,
            [
                (
                    t.id,
                    t.kind,
                    t.source,
                    t.plan_value,
                    t.plan_high,
                    selectors.spec_of(t),
                )
                for t in counted
            ],
        )
    )
    inputs = {
        child.id: "\n".join(
            (
                arithmetic,
                plans.copies_text(child.path),
                repr(registry.inputs.get(child.id)),
                sums_text.get(child.id) or "",
            )
        )
        for child in children
    }
    counts_of = memo.memo_many("dashboard-child-verdicts", inputs, verdict_counts)
    reports = {child.id: plans.has_own_copy(child.path) for child in children}
    for child in children:
        counts = counts_of[child.id]
        share = calc.rate_of(counts.met, counts.assessed)
        status = (statuses.get(child.id) or NOT_STARTED) if reports[child.id] else None
        if status is not None:
            completeness[status] += 1
        members = day_counts.get(child.id)
        dashboard.children.append(
            ChildRow(
                organization=child,
                reports=reports[child.id],
                status=status,
                cells=[
                    Cell(child.name),
                    count_cell(members.total if members else None),
                    count_cell(counts.met),
                    count_cell(counts.not_met),
                    count_cell(counts.no_data),
                    Cell(
                        format_percent(share, 1),
                        sort=float(share),
                        number=round_display(share, 1) / 100,
                        number_format="0.0%",
                    )
                    if share is not None
                    else Cell(DASH, sort=-1),
                    Cell(COMPLETENESS_LABELS[status], sort=COMPLETENESS_ORDER[status])
                    if status
                    else Cell(DASH, sort=-1),
                ],
            )
        )
    dashboard.completeness = completeness


def member_children(reader: Reader, dashboard: Dashboard) -> None:
    """Own and none modes: each subordinate's members and its rating."""
    children = list_children(reader.org, reader.day)
    counts = reader.counts_on(reader.day).children
    year = dashboard.ratings.year
    grades = dict(
        OrganizationRating.objects.filter(
            organization__parent=reader.org, year=year
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
                    count_cell(c.total if c else None),
                    count_cell(c.full if c else None),
                    count_cell(c.probationary if c else None),
                    count_cell(c.female if c else None),
                    Cell(grade, sort=order.index(grade))
                    if grade
                    else Cell(DASH, sort=len(order)),
                ],
            )
        )
