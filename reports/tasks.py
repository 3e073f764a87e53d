from __future__ import annotations

import datetime as dt

from celery import shared_task

from reports import services


@shared_task(
    name="reports.render_document",
    acks_late=True,
    time_limit=services.RENDER_TIME_LIMIT_S,
    soft_time_limit=services.RENDER_TIME_LIMIT_S - 20,
)
def render_document(rendering_id: int) -> None:
    """Render (or issue) a document: takes an id, reloads, safe to run twice."""
    services.rendering_run(rendering_id=rendering_id)


@shared_task(
    name="reports.renderings_catch_up",
    acks_late=True,
    time_limit=120,
    soft_time_limit=110,
)
def renderings_catch_up(stale_minutes: int = 5) -> int:
    """Send again the renderings still waiting after a few minutes (the broker was
    down when they were requested) and those whose run died (claimed longer
    ago than the task can live); rendering_run claims each one only once."""
    from django.db.models import Q
    from django.utils import timezone

    from reports.models import Rendering, RenderStatus

    now = timezone.now()
    waiting = Q(
        status=RenderStatus.PENDING,
        created_at__lt=now - dt.timedelta(minutes=stale_minutes),
    )
    dead = Q(status=RenderStatus.RUNNING) & (
        Q(claimed_at__lt=now - services.STALE_CLAIM)
        | Q(claimed_at__isnull=True, created_at__lt=now - services.STALE_CLAIM)
    )
    ids = list(Rendering.objects.filter(waiting | dead).values_list("pk", flat=True))
    for rendering_id in ids:
        render_document.delay(rendering_id)
    return len(ids)
