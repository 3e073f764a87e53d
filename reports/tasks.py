from __future__ import annotations

from celery import shared_task

from reports import services


@shared_task(name="reports.render_document", acks_late=True, time_limit=300, soft_time_limit=280)
def render_document(rendering_id: int) -> None:
    """Render (or issue) a document: takes an id, reloads, safe to run twice."""
    services.rendering_run(rendering_id=rendering_id)
