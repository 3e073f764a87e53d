"""Writes: plans and targets, the quarter's figures, and the sheet's workflow."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from organizations.models import Organization
from partyreports.audit import (
    audit_diff,
    audit_record,
    decimal_text,
    display_value,
    json_safe,
)
from partyreports.formatting import format_number, format_plain
from targets import calculations as calc
from targets.models import (
    Plan,
    Result,
    ResultChange,
    Sheet,
    SheetStatus,
    SheetTransition,
    Source,
    Target,
    TargetGroup,
)
from targets.selectors import plan_for


@dataclass(frozen=True)
class Entry:
    """What was typed for one target this quarter (already parsed)."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""


class SheetConflict(Exception):
    """The sheet changed since the user loaded it; carries the saved sheet."""

    def __init__(self, sheet: Sheet | None) -> None:
        super().__init__("Báo cáo đã được người khác cập nhật.")
        self.sheet = sheet


# --- plans and targets -------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    organization: Organization,
    title: str,
    start_year: int,
    end_year: int | None = None,
    resolution: str = "",
    user: AbstractBaseUser | None = None,
) -> Plan:
    end_year = end_year or start_year
    if Plan.objects.filter(
        organization=organization, start_year=start_year, end_year=end_year
    ).exists():
        raise ValidationError("Tổ chức đã có kế hoạch cho giai đoạn này.")
    plan = Plan.objects.create(
        organization=organization,
        title=title,
        start_year=start_year,
        end_year=end_year,
        resolution=resolution,
    )
    audit_record(
        action="plan.create",
        organization=organization,
        user=user,
        obj=plan,
        summary=f"Tạo kế hoạch “{plan}” của “{organization.name}”.",
        changes={
            "title": (None, title),
            "start_year": (None, start_year),
            "end_year": (None, end_year),
            "resolution": (None, resolution or None),
        },
    )
    return plan


def _target_fields(target: Target) -> dict[str, object]:
    """A target as the audit trail records it (labels, not codes)."""
    return {
        "group": target.group.name,
        "wording": target.wording,
        "label": target.label,
        "unit": target.unit,
        "target_kind": target.get_kind_display(),
        "comparator": target.get_comparator_display(),
        "plan_value": target.plan_value,
        "plan_high": target.plan_high,
        "places": target.places,
        "source": target.get_source_display(),
        "parent_target": target.parent.label if target.parent else None,
        "report_phrase": target.report_phrase,
    }


def _audit_target(
    *, target: Target, before: Mapping[str, object], user: AbstractBaseUser | None
) -> None:
    """target.create, target.update, or target.assign for a committee's target
    given to a subordinate; nothing when nothing changed."""
    changes = audit_diff(before, _target_fields(target))
    if not changes:
        return
    organization = target.plan.organization
    if target.derived_from_id is not None:
        action = "target.assign"
        summary = (
            f"Giao chỉ tiêu “{target.label}” cho “{organization.name}”: kế hoạch "
            f"{display_value(json_safe(target.plan_value), number=True)}."
        )
        changes = {"plan_value": (before.get("plan_value"), target.plan_value)}
    elif before:
        action, summary = (
            "target.update",
            f"Sửa chỉ tiêu “{target.label}” ({target.plan}).",
        )
    else:
        action, summary = (
            "target.create",
            f"Thêm chỉ tiêu “{target.label}” ({target.plan}).",
        )
    audit_record(
        action=action,
        organization=organization,
        user=user,
        obj=target,
        summary=summary,
        changes=changes,
    )


@transaction.atomic
def target_create(
    *,
    plan: Plan,
    group: TargetGroup | str,
    wording: str,
    label: str,
    kind: str,
    plan_value: Decimal | int | str | None = None,
    comparator: str | None = None,
    plan_high: Decimal | int | str | None = None,
    unit: str = "",
    parent: Target | None = None,
    places: int | None = None,
    source: str = Source.MANUAL,
    order: int | None = None,
    derived_from: Target | None = None,
    report_phrase: str = "",
    user: AbstractBaseUser | None = None,
) -> Target:
    if isinstance(group, str):
        group, _ = TargetGroup.objects.get_or_create(
            plan=plan, name=group, defaults={"order": plan.groups.count() + 1}
        )
    comparator = comparator or calc.default_comparator(calc.Kind(kind))
    plan_value = Decimal(str(plan_value)) if plan_value is not None else None
    plan_high = Decimal(str(plan_high)) if plan_high is not None else None
    problems = calc.spec_problems(
        kind, comparator, plan_value, plan_high, source=source
    )
    if problems:
        raise ValidationError(" ".join(problems))
    if parent is not None and parent.plan_id != plan.id:
        raise ValidationError("Chỉ tiêu con phải thuộc cùng kế hoạch.")
    target = Target.objects.create(
        plan=plan,
        group=group,
        order=order if order is not None else plan.targets.count() + 1,
        parent=parent,
        wording=wording,
        label=label,
        unit=unit,
        kind=kind,
        comparator=comparator,
        plan_value=plan_value,
        plan_high=plan_high,
        places=places,
        source=source,
        derived_from=derived_from,
        origin_id=None
        if derived_from is None
        else (derived_from.origin_id or derived_from.id),
        report_phrase=report_phrase,
    )
    _audit_target(target=target, before={}, user=user)
    return target


@transaction.atomic
def target_save(
    *,
    plan: Plan,
    target: Target | None,
    group: str,
    wording: str,
    label: str,
    kind: str,
    comparator: str,
    plan_value: Decimal | None = None,
    plan_high: Decimal | None = None,
    unit: str = "",
    parent: Target | None = None,
    places: int | None = None,
    source: str = Source.MANUAL,
    order: int | None = None,
    report_phrase: str = "",
    user: AbstractBaseUser | None = None,
) -> Target:
    """Create a target, or change one: the office keys the resolution in."""
    if target is None:
        return target_create(
            plan=plan,
            group=group,
            wording=wording,
            label=label,
            kind=kind,
            comparator=comparator,
            plan_value=plan_value,
            plan_high=plan_high,
            unit=unit,
            parent=parent,
            places=places,
            source=source,
            order=order,
            report_phrase=report_phrase,
            user=user,
        )
    before = _target_fields(target)
    problems = calc.spec_problems(
        kind, comparator, plan_value, plan_high, source=source
    )
    if problems:
        raise ValidationError(" ".join(problems))
    if parent is not None and (parent.plan_id != plan.id or parent.pk == target.pk):
        raise ValidationError({"parent": "Chỉ tiêu cha không hợp lệ."})
    target.group, _ = TargetGroup.objects.get_or_create(
        plan=plan, name=group, defaults={"order": plan.groups.count() + 1}
    )
    target.wording, target.label, target.kind, target.comparator = (
        wording,
        label,
        kind,
        comparator,
    )
    target.plan_value, target.plan_high, target.unit, target.parent = (
        plan_value,
        plan_high,
        unit,
        parent,
    )
    target.places, target.source, target.report_phrase = places, source, report_phrase
    if order is not None:
        target.order = order
    target.save()
    _audit_target(target=target, before=before, user=user)
    return target


@transaction.atomic
def target_assign(
    *,
    target: Target,
    plan_values: Mapping[Organization, Decimal | int | None],
    title: str | None = None,
    user: AbstractBaseUser | None = None,
) -> list[Target]:
    """A committee's target given to each subordinate with its own plan value.

    Each organisation's plan for the same period receives a copy linked by
    ``derived_from`` (the target it was given from) and ``origin`` (the
    committee's original, however many times it was handed down), so roll-ups
    add every subordinate's results up under the original. A committee that
    hands its own copy on stops counting what it typed for it: from then on its
    figure is the sum of its subordinates'.
    """
    created = []
    source_plan = target.plan
    origin_id = target.origin_id or target.id
    handed_down_before = target.assigned.exists()
    for organization, value in plan_values.items():
        if (
            not organization.path.startswith(source_plan.organization.path)
            or organization == source_plan.organization
        ):
            raise ValidationError(
                f"“{organization.name}” không trực thuộc "
                f"“{source_plan.organization.name}”."
            )
        plan, _ = Plan.objects.get_or_create(
            organization=organization,
            start_year=source_plan.start_year,
            end_year=source_plan.end_year,
            defaults={"title": title or source_plan.title, "source_plan": source_plan},
        )
        existing = plan.targets.filter(derived_from=target).first()
        if existing:
            before = _target_fields(existing)
            existing.plan_value = Decimal(str(value)) if value is not None else None
            existing.save(update_fields=["plan_value"])
            _audit_target(target=existing, before=before, user=user)
            created.append(existing)
            continue
        # Two copies of one original in a plan would both be summed.
        other = (
            plan.targets.filter(origin_id=origin_id)
            .select_related("derived_from__plan__organization")
            .first()
        )
        if other is not None:
            giver = other.derived_from.plan.organization.name
            raise ValidationError(
                f"“{organization.name}” đã được giao chỉ tiêu “{target.label}” (từ "
                f"“{giver}”)."
            )
        created.append(
            target_create(
                plan=plan,
                group=target.group.name,
                wording=target.wording,
                label=target.label,
                kind=target.kind,
                comparator=target.comparator,
                plan_value=value,
                plan_high=target.plan_high,
                unit=target.unit,
                places=target.places,
                source=target.source,
                derived_from=target,
                user=user,
            )
        )
    if created and not handed_down_before and target.origin_id is not None:
        _enqueue_own_rollups(target=target)
    return created


def _enqueue_own_rollups(*, target: Target) -> None:
    """A copy handed on for the first time: what its committee typed for it no
    longer counts, so its roll-ups change for every year it reported."""
    from partyreports.queue import send_on_commit
    from targets import rollups, tasks

    organization = target.plan.organization
    years = sorted(
        set(
            Result.objects.filter(
                target=target, sheet__organization=organization
            ).values_list("sheet__year", flat=True)
        )
    )
    org_id = organization.id
    for year in years:
        rollups.rollup_mark_pending(organization=organization, year=year)
        send_on_commit(
            lambda year=year: tasks.rollup_update.delay(org_id, year),
            what=f"roll-up of {org_id}/{year}",
        )


# --- the quarter's figures ------------------------------------------------------------


def entry_problems(target: Target, entry: Entry, *, typed: str = "") -> list[str]:
    """Rule violations for one row, in Vietnamese (parsing is the form's job).

    `typed` is the value as the user wrote it ("20,360"), quoted back in the
    message; the stored figure is shown otherwise. The web form and the Excel
    upload both check rows here, so they accept and refuse the same figures.
    """
    problems = []
    numbers = [
        v for v in (entry.value, entry.numerator, entry.denominator) if v is not None
    ]
    if (
        entry.value is not None
        and entry.value.is_finite()
        and entry.value != entry.value.to_integral_value()
        and calc.takes_whole_numbers(target.kind, target.places)
    ):
        problems.append(whole_number_problem(entry.value, typed))
    if target.kind not in (calc.Kind.PP_CHANGE, calc.Kind.YOY) and any(
        v < 0 for v in numbers
    ):
        problems.append("Số liệu không được âm.")
    if entry.numerator is not None and entry.denominator is not None:
        if entry.numerator > entry.denominator:
            problems.append("Tử số không được lớn hơn mẫu số.")
    if (entry.numerator is None) != (entry.denominator is None):
        problems.append("Cần nhập cả tử số và mẫu số.")
    if any(abs(v) >= Decimal("1e13") for v in numbers):
        problems.append("Số quá lớn.")
    return problems


#: A quarter's figure this many times above (or below 1/x of) the previous
#: quarter's or the same quarter last year's asks for confirmation (the DHIS2
#: outlier check). Numerators and denominators are checked like values.
OUTLIER_FACTOR = Decimal(3)

_FIGURE_NAMES = {"value": "Giá trị", "numerator": "Tử số", "denominator": "Mẫu số"}


@dataclass(frozen=True)
class EntryWarning:
    """A plausible-looking mistake: the field ("value", "numerator",
    "denominator") and what to check, in Vietnamese."""

    field: str
    message: str


def entry_warning(
    entry: Entry, *, last_quarter: calc.Figures | None, last_year: calc.Figures | None
) -> EntryWarning | None:
    """The first figure of the row far from the previous quarter's, else from the
    same quarter last year's; None when nothing looks off. One check for the web
    form (its preview too) and the Excel upload."""
    for previous, what in (
        (last_quarter, "quý trước"),
        (last_year, "cùng kỳ năm trước"),
    ):
        if previous is None:
            continue
        for name, label in _FIGURE_NAMES.items():
            now, before = getattr(entry, name), getattr(previous, name)
            if now is None or before is None or not now.is_finite():
                continue
            before = Decimal(before)
            if before <= 0 or now <= 0:
                continue  # a first figure, or a change in points: no ratio to judge
            if now > before * OUTLIER_FACTOR or now * OUTLIER_FACTOR < before:
                return EntryWarning(
                    name,
                    f"{label} {format_plain(now)} khác nhiều so với {what} "
                    f"({format_plain(before)}). Kiểm tra lại hoặc xác nhận.",
                )
    return None


def figures_change(result: Result | None, entry: Entry) -> bool:
    """Whether saving `entry` would change the stored result's figures (not its
    note)."""
    old = (
        (None, None, None, "")
        if result is None
        else (result.value, result.numerator, result.denominator, "")
    )
    return not _same(old, (entry.value, entry.numerator, entry.denominator, ""))


def whole_number_problem(value: Decimal, typed: str = "") -> str:
    """A fraction given to a whole-number target. Mostly a thousands separator
    read as a decimal comma ("20,360" typed in the English way, or an Excel set to
    English reading "20.360" as 20,36): the message offers the likely figure."""
    shown = typed.strip() or format_plain(value)
    message = f"Chỉ tiêu này nhận số nguyên; “{shown}” có phần thập phân"
    thousands = value * 1000
    # Typed text shows the digits after the separator (a thousands group has
    # three); a number cell has lost its trailing zeros ("20.360" → 20,36).
    grouped = re.search(r"[.,]\d{3}$", shown) if typed.strip() else True
    # Only a number below a thousand can be a misread "20.360" (→ 20,36).
    if (
        grouped
        and thousands == thousands.to_integral_value()
        and 1 <= abs(value) < 1000
    ):
        whole = int(thousands)
        return f"{message} — nếu ý bạn là {format_number(whole)}, hãy gõ {whole}."
    return f"{message}: hãy gõ số nguyên."


@transaction.atomic
def sheet_save(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    version: int,
    entries: Mapping[int, Entry],
    user: AbstractBaseUser | None,
    via: str = "web",
) -> Sheet:
    """Save the quarter's figures if nobody saved since `version` was read.

    Raises SheetConflict (nothing saved) when the sheet moved on, and
    ValidationError when it is locked or a row breaks a rule.
    """
    plan = plan_for(organization=organization, year=year)
    if plan is None:
        raise ValidationError(f"Chưa có kế hoạch chỉ tiêu năm {year}.")
    sheet = _claim_sheet(
        organization=organization,
        plan=plan,
        year=year,
        quarter=quarter,
        version=version,
        user=user,
    )
    # Registry-computed targets and targets given down (summed from subordinates)
    # are never typed.
    given_down = Target.objects.filter(derived_from__plan=plan).values(
        "derived_from_id"
    )
    targets = {
        t.id: t
        for t in plan.targets.filter(source=Source.MANUAL).exclude(id__in=given_down)
    }
    unknown = set(entries) - set(targets)
    if unknown:
        raise ValidationError(
            "Có chỉ tiêu không thuộc kế hoạch hoặc được tính tự động."
        )
    for target_id, entry in entries.items():
        problems = entry_problems(targets[target_id], entry)
        if problems:
            raise ValidationError({str(target_id): problems})
    existing = {r.target_id: r for r in sheet.results.all()}
    now = timezone.now()
    for target_id, entry in entries.items():
        result = existing.get(target_id)
        old = (
            (None, None, None, "")
            if result is None
            else (result.value, result.numerator, result.denominator, result.note)
        )
        new = (entry.value, entry.numerator, entry.denominator, entry.note)
        if _same(old, new):
            continue
        if result is None:
            result = Result(sheet=sheet, target_id=target_id)
        result.value, result.numerator, result.denominator, result.note = new
        result.entered_by, result.entered_at = user, now
        result.save()
        ResultChange.objects.create(
            result=result,
            changed_by=user,
            old_value=old[0],
            new_value=new[0],
            old_numerator=old[1],
            new_numerator=new[1],
            old_denominator=old[2],
            new_denominator=new[2],
            old_note=old[3],
            new_note=new[3],
            via=via,
        )
        _audit_result_change(
            organization=organization,
            sheet=sheet,
            result=result,
            target=targets[target_id],
            old=old,
            new=new,
            user=user,
            via=via,
        )
    return sheet


_RESULT_FIELDS = ("value", "numerator", "denominator", "note")


def _audit_result_change(
    *,
    organization: Organization,
    sheet: Sheet,
    result: Result,
    target: Target,
    old: tuple,
    new: tuple,
    user: AbstractBaseUser | None,
    via: str,
) -> None:
    changes = {
        name: (before, after)
        for name, before, after in zip(_RESULT_FIELDS, old, new, strict=True)
        if not _same_field(before, after)
    }
    through = " (tải tệp Excel)" if via == "excel" else ""
    audit_record(
        action="result.change",
        organization=organization,
        user=user,
        obj=result,
        summary=(
            f"Sửa kết quả “{target.label}” quý {sheet.quarter}/{sheet.year}: "
            f"{_figure_text(old)} → {_figure_text(new)}{through}."
        ),
        changes=changes,
    )


def _same_field(a: object, b: object) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return (a or "") == (b or "")
    if a is None or b is None:
        return a is b
    return Decimal(str(a)) == Decimal(str(b))


def _figure_text(entry: tuple) -> str:
    """A figure as the summary prints it: the value, or numerator/denominator."""
    value, numerator, denominator = entry[:3]

    def figure(number: Decimal | None) -> str:
        return display_value(
            decimal_text(number) if number is not None else None, number=True
        )

    if numerator is not None or denominator is not None:
        return f"{figure(numerator)}/{figure(denominator)}"
    return figure(value)


def _same(old: tuple, new: tuple) -> bool:
    return all(
        (a is None and b is None)
        or (a is not None and b is not None and Decimal(a) == Decimal(b))
        for a, b in zip(old[:3], new[:3], strict=True)
    ) and (old[3] or "") == (new[3] or "")


def _claim_sheet(
    *,
    organization: Organization,
    plan: Plan,
    year: int,
    quarter: int,
    version: int,
    user: AbstractBaseUser | None,
) -> Sheet:
    """Bump the sheet's version if it is still `version` (a conditional update),
    creating it on the first save. Anything else is a conflict."""
    sheet = Sheet.objects.filter(
        organization=organization, year=year, quarter=quarter
    ).first()
    if sheet is None:
        if version != 0:
            raise SheetConflict(None)
        try:
            with transaction.atomic():
                return Sheet.objects.create(
                    organization=organization,
                    plan=plan,
                    year=year,
                    quarter=quarter,
                    version=1,
                    updated_by=user,
                )
        except IntegrityError as exc:
            raise SheetConflict(
                Sheet.objects.filter(
                    organization=organization, year=year, quarter=quarter
                ).first()
            ) from exc
    if sheet.is_locked:
        raise ValidationError(
            f"Báo cáo đang ở trạng thái “{sheet.get_status_display()}”, không thể sửa."
        )
    claimed = (
        Sheet.objects.filter(pk=sheet.pk, version=version)
        .exclude(status__in=[SheetStatus.SUBMITTED, SheetStatus.APPROVED])
        .update(version=F("version") + 1, updated_by=user, updated_at=timezone.now())
    )
    if not claimed:
        sheet.refresh_from_db()
        raise SheetConflict(sheet)
    sheet.refresh_from_db()
    return sheet


# --- workflow -------------------------------------------------------------------------


def _transition(
    *,
    sheet: Sheet,
    allowed_from: set[str],
    to: str,
    user: AbstractBaseUser | None,
    reason: str = "",
) -> Sheet:
    if "\x00" in reason:  # PostgreSQL refuses it in text
        raise ValidationError(
            {"reason": "Lý do có ký tự không hợp lệ (ký tự NUL); hãy xóa rồi gõ lại."}
        )
    locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if locked.status not in allowed_from:
        raise ValidationError(
            f"Không thể chuyển báo cáo từ “{locked.get_status_display()}” sang "
            f"“{SheetStatus(to).label}”."
        )
    SheetTransition.objects.create(
        sheet=locked, from_status=locked.status, to_status=to, reason=reason, by=user
    )
    _audit_transition(sheet=locked, to=to, reason=reason, user=user)
    Sheet.objects.filter(pk=locked.pk).update(
        status=to,
        return_reason=reason if to == SheetStatus.RETURNED else locked.return_reason,
        submitted_at=timezone.now()
        if to == SheetStatus.SUBMITTED
        else locked.submitted_at,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    locked.refresh_from_db()
    _enqueue_rollup(locked)
    return locked


def _audit_transition(
    *, sheet: Sheet, to: str, reason: str, user: AbstractBaseUser | None
) -> None:
    if to == SheetStatus.SUBMITTED:
        action, verb = "sheet.submit", "Gửi"
    elif to == SheetStatus.APPROVED:
        action, verb = "sheet.approve", "Duyệt"
    elif sheet.status == SheetStatus.APPROVED:
        action, verb = "sheet.reopen", "Mở lại"
    else:
        action, verb = "sheet.return", "Trả lại"
    changes: dict[str, tuple[object, object]] = {
        "status": (sheet.get_status_display(), SheetStatus(to).label)
    }
    if reason:
        changes["reason"] = (None, reason)
    because = f" Lý do: {reason}" if reason else ""
    audit_record(
        action=action,
        organization=sheet.organization,
        user=user,
        obj=sheet,
        summary=(
            f"{verb} báo cáo quý {sheet.quarter}/{sheet.year} của "
            f"“{sheet.organization.name}”.{because}"
        ),
        changes=changes,
    )


def _enqueue_rollup(sheet: Sheet) -> None:
    """What counts as submitted or approved changed: update the roll-ups once
    the transaction commits (the page shows the update as pending until then;
    if the broker is down, targets.rollup_catch_up does it later)."""
    from partyreports.queue import send_on_commit
    from targets import rollups, tasks

    rollups.rollup_mark_pending(organization=sheet.organization, year=sheet.year)
    org_id, year = sheet.organization_id, sheet.year
    send_on_commit(
        lambda: tasks.rollup_update.delay(org_id, year),
        what=f"roll-up of {org_id}/{year}",
    )


@transaction.atomic
def sheet_submit(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    user: AbstractBaseUser | None,
) -> Sheet:
    sheet = Sheet.objects.filter(
        organization=organization, year=year, quarter=quarter
    ).first()
    if sheet is None:
        raise ValidationError("Chưa có số liệu để gửi: hãy lưu báo cáo trước.")
    return _transition(
        sheet=sheet,
        allowed_from={SheetStatus.DRAFT, SheetStatus.RETURNED},
        to=SheetStatus.SUBMITTED,
        user=user,
    )


@transaction.atomic
def sheet_approve(*, sheet: Sheet, user: AbstractBaseUser | None) -> Sheet:
    return _transition(
        sheet=sheet,
        allowed_from={SheetStatus.SUBMITTED},
        to=SheetStatus.APPROVED,
        user=user,
    )


@transaction.atomic
def sheet_return(*, sheet: Sheet, reason: str, user: AbstractBaseUser | None) -> Sheet:
    if not reason.strip():
        raise ValidationError(
            {"reason": "Ghi rõ lý do trả lại để cán bộ biết cần sửa gì."}
        )
    return _transition(
        sheet=sheet,
        allowed_from={SheetStatus.SUBMITTED},
        to=SheetStatus.RETURNED,
        user=user,
        reason=reason.strip(),
    )


@transaction.atomic
def sheet_reopen(*, sheet: Sheet, reason: str, user: AbstractBaseUser | None) -> Sheet:
    """Unlock an approved sheet for corrections: the parent office's act, recorded."""
    if not reason.strip():
        raise ValidationError({"reason": "Ghi rõ lý do mở lại báo cáo."})
    return _transition(
        sheet=sheet,
        allowed_from={SheetStatus.APPROVED},
        to=SheetStatus.RETURNED,
        user=user,
        reason=reason.strip(),
    )
