"""Roll-up tasks: take ids, reload, idempotent (rollups apply differences)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from organizations.models import Organization
from targets import rollups
from targets.models import RollupState


@shared_task(
    name="targets.rollup_update",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=120,
    soft_time_limit=110,
)
def rollup_update(organization_id: int, year: int) -> bool:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return False
    changed = rollups.rollup_update(organization=organization, year=year)
    # Counted as done only once it succeeded: a failed try (retried, or left to
    # targets.rollup_catch_up) stays pending, and a retry is not counted twice.
    rollups.rollup_mark_done(organization=organization, year=year)
    return changed


@shared_task(
    name="targets.rollup_rebuild",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=1800,
)
def rollup_rebuild(root_id: int, year: int) -> int:
    """A full rebuild (asked for on the dashboard, or after organisations moved);
    it clears the tree's pending count when it succeeds."""
    root = Organization.objects.filter(pk=root_id).first()
    if root is None:
        return 0
    return rollups.rollup_rebuild(root=root, year=year)


@shared_task(name="targets.rollup_rebuild_all", acks_late=True, time_limit=3600)
def rollup_rebuild_all() -> int:
    """Nightly: every tree's roll-ups, for every year it has them (or has sent
    sheets that should be in them), rebuilt from scratch."""
    rows = 0
    for root in Organization.objects.filter(
        parent__isnull=True, dissolved_on__isnull=True
    ):
        for year in sorted(rollups.rollup_years(root=root)):
            rows += rollups.rollup_rebuild(root=root, year=year)
    return rows


@shared_task(
    name="targets.send_late_reminders",
    acks_late=True,
    # SMTP failures (smtplib.SMTPException is an OSError) are transient; what was
    # sent is logged, so a retry sends only the rest.
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=600,
    soft_time_limit=580,
)
def send_late_reminders(today: str | None = None) -> int:
    """Daily (beat): one e-mail per organisation late with a quarter's sheet."""
    from targets import reminders

    day = dt.date.fromisoformat(today) if today else None
    return reminders.late_reminders_send(today=day)


@shared_task(
    name="targets.rollup_catch_up",
    acks_late=True,
    time_limit=1800,
    soft_time_limit=1700,
)
def rollup_catch_up(stale_minutes: int = 5) -> int:
    """Rebuild the trees whose updates were queued but never ran (e.g. the broker
    was down when a sheet was approved): pending for longer than a few minutes."""
    cutoff = timezone.now() - dt.timedelta(minutes=stale_minutes)
    rebuilt = 0
    stale = (
        RollupState.objects.filter(pending__gt=0)
        .filter(Q(last_update_at__isnull=True) | Q(last_update_at__lt=cutoff))
        .select_related("organization")
    )
    for state in stale:
        rollups.rollup_rebuild(root=state.organization, year=state.year)
        rebuilt += 1
    return rebuilt
