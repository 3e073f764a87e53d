"""Reminder e-mails to organisations late with a quarter's sheet.

Run daily by beat (targets.send_late_reminders). For every deadline that passed
in the last REMINDER_WINDOW_DAYS days, each organisation it governs that has
still sent nothing (or whose sheet was returned and not sent again) gets one
e-mail, addressed to all its cadres (or, if it has none with an address, its
office users). A ReminderLog row per organisation,
quarter and day is written in the same transaction as the sending, so a second
run the same day (or a retry after a failure) sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from organizations.models import Organization, Role, RoleAssignment
from partyreports.formatting import format_date
from targets.completeness import (
    Completeness,
    CompletenessRow,
    completeness_rows,
    local_today,
)
from targets.models import ReminderLog, ReportingDeadline

logger = logging.getLogger(__name__)

#: Reminders stop this many days after a deadline: the office takes over.
REMINDER_WINDOW_DAYS = 30


def reminder_recipients(*, organization_ids: list[int]) -> dict[int, list[str]]:
    """E-mail addresses per organisation: its cadres, else its office users
    (one query)."""
    by_role: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    assignments = (
        RoleAssignment.objects.filter(
            organization_id__in=organization_ids,
            role__in=[Role.CADRE, Role.OFFICE],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("organization_id", "role", "user__email")
    )
    for organization_id, role, email in assignments:
        by_role[organization_id][role].add(email)
    return {
        organization_id: sorted(roles.get(Role.CADRE) or roles.get(Role.OFFICE) or ())
        for organization_id, roles in by_role.items()
    }


def reminder_message(
    *,
    row: CompletenessRow,
    committee: Organization,
    year: int,
    quarter: int,
    recipients: list[str],
) -> EmailMessage:
    organization = row.organization
    path = reverse(
        "targets:sheet",
        kwargs={"public_id": organization.public_id, "year": year, "quarter": quarter},
    )
    context = {
        "organization": organization,
        "committee": committee,
        "year": year,
        "quarter": quarter,
        "deadline": format_date(row.deadline) if row.deadline else "",
        "days_late": row.days_overdue,
        "returned": row.status == Completeness.RETURNED,
        "status": row.status_label,
        "sheet_url": getattr(settings, "SITE_URL", "").rstrip("/") + path,
    }
    subject = " ".join(
        render_to_string("emails/late_reminder_subject.txt", context).split()
    )
    body = render_to_string("emails/late_reminder.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )


def late_reminders_send(
    *, today: dt.date | None = None, window_days: int = REMINDER_WINDOW_DAYS
) -> int:
    """Send today's reminders; returns how many e-mails went out."""
    today = today or local_today()
    deadlines = (
        ReportingDeadline.objects.filter(
            due_on__lt=today, due_on__gte=today - dt.timedelta(days=window_days)
        )
        .select_related("organization")
        .order_by("due_on", "id")
    )
    sent = 0
    for deadline in deadlines:
        sent += _remind_for(deadline=deadline, today=today)
    return sent


def _remind_for(*, deadline: ReportingDeadline, today: dt.date) -> int:
    committee, year, quarter = deadline.organization, deadline.year, deadline.quarter
    rows = [
        row
        for row in completeness_rows(
            committee=committee, year=year, quarter=quarter, today=today
        )
        # A committee lower down with its own date reminds its own part.
        if row.needs_reminder and row.deadline_set_by_id == committee.id
    ]
    if not rows:
        return 0
    ids = [row.organization.id for row in rows]
    recipients = reminder_recipients(organization_ids=ids)
    done = set(
        ReminderLog.objects.filter(
            organization_id__in=ids, year=year, quarter=quarter, sent_on=today
        ).values_list("organization_id", flat=True)
    )
    sent = 0
    for row in rows:
        organization = row.organization
        if organization.id in done:
            continue
        to = recipients.get(organization.id)
        if not to:
            logger.warning(
                "No one to remind at %s (quarter %s/%s): no cadre or office e-mail.",
                organization,
                quarter,
                year,
            )
            continue
        try:
            with transaction.atomic():
                # The log row is the claim: a concurrent run fails on the unique
                # constraint, and a failed sending rolls the claim back.
                ReminderLog.objects.create(
                    organization=organization,
                    year=year,
                    quarter=quarter,
                    sent_on=today,
                    recipients=", ".join(to),
                )
                reminder_message(
                    row=row,
                    committee=committee,
                    year=year,
                    quarter=quarter,
                    recipients=to,
                ).send()
        except IntegrityError:
            continue
        sent += 1
    return sent
