"""Who reported a quarter, and on time: reads, and the deadlines' one write.

An organisation must report a quarter when it has a plan covering the year. Its
deadline is the one set by the nearest committee above it: a committee's date
applies to its whole subtree unless a committee lower down sets its own. The
organisation's own date is not used for its own sheet, which goes up to its
parent: the date a committee sets is for its subordinates.

Timeliness is judged on the first submission (a sheet returned and sent again
was still sent on time if its first sending was), on the local calendar day in
Vietnam. Every read here is a fixed number of queries whatever the size of the
tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Min, Q
from django.utils import timezone

from organizations.models import Organization
from organizations.selectors import ancestor_paths
from partyreports.audit import audit_record
from partyreports.formatting import format_date
from targets.models import Plan, ReportingDeadline, Sheet, SheetStatus
from targets.selectors import quarter_bounds

#: Deadlines are calendar days in Vietnam, whatever the server's clock says.
REPORTING_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

QUARTERS = (1, 2, 3, 4)


class Completeness(models.TextChoices):
    """Where an organisation's quarter stands (computed, never stored)."""

    NOT_STARTED = "not_started", "Chưa nhập"
    DRAFT = "draft", "Đang nhập"
    SUBMITTED = "submitted", "Đã gửi (chưa đặt hạn nộp)"
    ON_TIME = "on_time", "Gửi đúng hạn"
    LATE = "late", "Gửi muộn"
    RETURNED = "returned", "Bị trả lại"
    APPROVED = "approved", "Đã duyệt"


@dataclass(frozen=True)
class CompletenessRow:
    organization: Organization
    status: Completeness
    sheet: Sheet | None
    deadline: dt.date | None
    # The committee whose date applies (None when no committee above set one).
    deadline_set_by_id: int | None
    # Local date of the first submission, if the sheet was ever sent.
    submitted_on: dt.date | None
    is_late: bool
    days_late: int
    # Past the deadline with nothing awaiting approval: never sent, or returned
    # and not sent again (then it was not late if first sent in time).
    overdue: bool = False
    days_overdue: int = 0

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def submitted_late(self) -> bool:
        return self.submitted_on is not None and self.is_late

    @property
    def needs_reminder(self) -> bool:
        """Past its deadline and nothing sent (or sent, returned and not sent
        again): the cadres get reminded."""
        return self.overdue


@dataclass(frozen=True)
class CompletenessSummary:
    total: int
    counts: dict[str, int]  # Completeness value → organisations
    late: int
    submitted: int  # sent at least once (on time, late, returned or approved)

    @property
    def items(self) -> list[tuple[str, str, int]]:
        """(value, label, count) in the order of Completeness, for display."""
        return [(c.value, c.label, self.counts.get(c.value, 0)) for c in Completeness]


# --- reads --------------------------------------------------------------------


def local_today() -> dt.date:
    return timezone.now().astimezone(REPORTING_TZ).date()


def default_period(today: dt.date | None = None) -> tuple[int, int]:
    """The quarter being reported now: the last one that has ended."""
    today = today or local_today()
    quarter = (today.month - 1) // 3  # the current quarter minus one
    return (today.year - 1, 4) if quarter == 0 else (today.year, quarter)


def reporting_organizations(
    *, committee: Organization, year: int, quarter: int
) -> list[Organization]:
    """Organisations under the committee that must report the quarter: those
    with a plan covering the year, still existing at the quarter's end (one query)."""
    quarter_end = quarter_bounds(year, quarter)[1]
    plans = (
        Plan.objects.filter(
            organization__path__startswith=committee.path,
            start_year__lte=year,
            end_year__gte=year,
        )
        .exclude(organization=committee)
        .filter(
            Q(organization__dissolved_on__isnull=True)
            | Q(organization__dissolved_on__gt=quarter_end)
        )
        .select_related("organization")
    )
    organizations = {plan.organization_id: plan.organization for plan in plans}
    return sorted(organizations.values(), key=lambda o: (o.path, o.name))


def _deadlines_by_path(
    *, paths: Iterable[str] = (), under: str | None = None, year: int, quarter: int
) -> dict[str, ReportingDeadline]:
    """Deadlines set at `paths` or anywhere under the path `under`, by path."""
    where = Q(organization__path__in=set(paths))
    if under is not None:
        where |= Q(organization__path__startswith=under)
    rows = ReportingDeadline.objects.filter(
        where, year=year, quarter=quarter
    ).select_related("organization")
    return {row.organization.path: row for row in rows}


def _governing(
    path: str, deadlines: Mapping[str, ReportingDeadline]
) -> ReportingDeadline | None:
    """The nearest deadline strictly above the organisation at `path`."""
    for ancestor in reversed(ancestor_paths(path)[:-1]):
        if ancestor in deadlines:
            return deadlines[ancestor]
    return None


def _status(sheet: Sheet | None, *, late: bool, has_deadline: bool) -> Completeness:
    if sheet is None:
        return Completeness.NOT_STARTED
    if sheet.status == SheetStatus.APPROVED:
        return Completeness.APPROVED
    if sheet.status == SheetStatus.RETURNED:
        return Completeness.RETURNED
    if sheet.status == SheetStatus.SUBMITTED:
        if not has_deadline:
            return Completeness.SUBMITTED  # neither on time nor late: no date set
        return Completeness.LATE if late else Completeness.ON_TIME
    return Completeness.DRAFT


#: States in which nothing awaits the committee: past the deadline, a reminder.
OUTSTANDING = frozenset(
    {Completeness.NOT_STARTED, Completeness.DRAFT, Completeness.RETURNED}
)


def completeness_rows(
    *, committee: Organization, year: int, quarter: int, today: dt.date | None = None
) -> list[CompletenessRow]:
    """Every reporting organisation under the committee with its status for the
    quarter, in tree order. Three queries: plans, deadlines, sheets."""
    today = today or local_today()
    organizations = reporting_organizations(
        committee=committee, year=year, quarter=quarter
    )
    if not organizations:
        return []
    # By path prefix rather than long IN lists: the tree may be large.
    deadlines = _deadlines_by_path(
        paths=ancestor_paths(committee.path),
        under=committee.path,
        year=year,
        quarter=quarter,
    )
    sheets = {
        sheet.organization_id: sheet
        for sheet in Sheet.objects.filter(
            organization__path__startswith=committee.path,
            year=year,
            quarter=quarter,
        ).annotate(
            first_submitted_at=Min(
                "transitions__at",
                filter=Q(transitions__to_status=SheetStatus.SUBMITTED),
            )
        )
    }
    rows = []
    for organization in organizations:
        sheet = sheets.get(organization.id)
        deadline = _governing(organization.path, deadlines)
        due_on = deadline.due_on if deadline else None
        submitted_at = None
        if sheet is not None and sheet.status != SheetStatus.DRAFT:
            # Sheets written without the workflow (imports) have no transition.
            submitted_at = sheet.first_submitted_at or sheet.submitted_at
        submitted_on = (
            submitted_at.astimezone(REPORTING_TZ).date() if submitted_at else None
        )
        days_late = days_overdue = 0
        if due_on is not None:
            days_late = max(((submitted_on or today) - due_on).days, 0)
            days_overdue = max((today - due_on).days, 0)
        status = _status(sheet, late=days_late > 0, has_deadline=due_on is not None)
        overdue = days_overdue > 0 and status in OUTSTANDING
        rows.append(
            CompletenessRow(
                organization=organization,
                status=status,
                sheet=sheet,
                deadline=due_on,
                deadline_set_by_id=deadline.organization_id if deadline else None,
                submitted_on=submitted_on,
                is_late=days_late > 0,
                days_late=days_late,
                overdue=overdue,
                days_overdue=days_overdue if overdue else 0,
            )
        )
    return rows


def late_only(rows: Iterable[CompletenessRow]) -> list[CompletenessRow]:
    """The late rows, longest overdue first."""
    return sorted(
        (r for r in rows if r.is_late),
        key=lambda r: (-r.days_late, r.organization.path),
    )


def late_organizations(
    *, committee: Organization, year: int, quarter: int, today: dt.date | None = None
) -> list[CompletenessRow]:
    """Organisations late for the quarter: nothing sent by the deadline, or sent
    after it."""
    return late_only(
        completeness_rows(committee=committee, year=year, quarter=quarter, today=today)
    )


def completeness_summary(rows: Iterable[CompletenessRow]) -> CompletenessSummary:
    rows = list(rows)
    counts = {c.value: 0 for c in Completeness}
    for row in rows:
        counts[row.status.value] += 1
    return CompletenessSummary(
        total=len(rows),
        counts=counts,
        late=sum(1 for r in rows if r.is_late),
        submitted=sum(1 for r in rows if r.submitted_on is not None),
    )


def completeness_counts(
    *, committee: Organization, year: int, quarter: int, today: dt.date | None = None
) -> CompletenessSummary:
    """The counts alone, for a dashboard tile."""
    return completeness_summary(
        completeness_rows(committee=committee, year=year, quarter=quarter, today=today)
    )


def deadline_in_force(
    *, organization: Organization, year: int, quarter: int
) -> ReportingDeadline | None:
    """The date that applies to the organisation's subordinates: its own, else
    the nearest committee's above it (one query)."""
    deadlines = _deadlines_by_path(
        paths=ancestor_paths(organization.path), year=year, quarter=quarter
    )
    for path in reversed(ancestor_paths(organization.path)):
        if path in deadlines:
            return deadlines[path]
    return None


def deadlines_of_year(
    *, organization: Organization, year: int
) -> dict[int, ReportingDeadline]:
    """The dates the organisation itself set for the year, by quarter."""
    return {
        d.quarter: d
        for d in ReportingDeadline.objects.filter(organization=organization, year=year)
    }


def inherited_deadlines(
    *, organization: Organization, year: int
) -> dict[int, ReportingDeadline]:
    """By quarter, the date a committee above the organisation set (the nearest),
    which applies below it unless it sets its own (one query)."""
    above = ancestor_paths(organization.path)[:-1]
    rows = ReportingDeadline.objects.filter(
        organization__path__in=above, year=year
    ).select_related("organization")
    result: dict[int, ReportingDeadline] = {}
    for row in sorted(rows, key=lambda r: len(r.organization.path)):
        result[row.quarter] = row  # deeper committees come later and win
    return result


# --- writes -------------------------------------------------------------------


def deadline_problems(*, year: int, quarter: int, due_on: dt.date) -> list[str]:
    """Why a date cannot be a quarter's deadline, in Vietnamese."""
    quarter_end = quarter_bounds(year, quarter)[1]
    if due_on <= quarter_end:
        return [
            f"Hạn nộp quý {quarter} phải sau ngày kết thúc quý "
            f"({format_date(quarter_end)})."
        ]
    if due_on > quarter_end + dt.timedelta(days=366):
        return [f"Hạn nộp quý {quarter} không được quá một năm sau khi kết thúc quý."]
    return []


@transaction.atomic
def deadlines_save(
    *,
    organization: Organization,
    year: int,
    due_dates: Mapping[int, dt.date | None],
    user: AbstractBaseUser | None,
) -> dict[int, ReportingDeadline]:
    """Set (or, with None, clear) the committee's deadline for each quarter given.

    All or nothing: a bad date for one quarter saves none. Errors are keyed
    ``quy_<n>``.
    """
    errors: dict[str, list[str]] = {}
    for quarter, due_on in due_dates.items():
        if quarter not in QUARTERS:
            raise ValidationError(f"Quý không hợp lệ: {quarter}.")
        if due_on is not None:
            problems = deadline_problems(year=year, quarter=quarter, due_on=due_on)
            if problems:
                errors[f"quy_{quarter}"] = problems
    if errors:
        raise ValidationError(errors)
    existing = {
        d.quarter: d
        for d in ReportingDeadline.objects.select_for_update().filter(
            organization=organization, year=year
        )
    }
    for quarter, due_on in due_dates.items():
        current = existing.get(quarter)
        old_due_on = current.due_on if current is not None else None
        if due_on is None:
            if current is not None:
                current.delete()
                del existing[quarter]
        elif current is None:
            existing[quarter] = ReportingDeadline.objects.create(
                organization=organization,
                year=year,
                quarter=quarter,
                due_on=due_on,
                updated_by=user,
            )
        elif current.due_on != due_on:
            current.due_on, current.updated_by = due_on, user
            current.save(update_fields=["due_on", "updated_by", "updated_at"])
        if old_due_on != due_on:
            _audit_deadline(
                organization=organization,
                year=year,
                quarter=quarter,
                user=user,
                old=old_due_on,
                new=due_on,
                obj=existing.get(quarter),
            )
    return existing


def _audit_deadline(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    old: dt.date | None,
    new: dt.date | None,
    user: AbstractBaseUser | None,
    obj: ReportingDeadline | None,
) -> None:
    period = f"quý {quarter}/{year}"
    if new is None:
        action, summary = "deadline.clear", f"Bỏ hạn nộp báo cáo {period}."
    else:
        action = "deadline.set"
        summary = f"Hạn nộp báo cáo {period}: {format_date(new)}."
    audit_record(
        action=action,
        organization=organization,
        user=user,
        obj=obj,
        summary=summary,
        changes={"due_on": (old, new)},
    )
