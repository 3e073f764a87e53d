from __future__ import annotations

import os
import socket

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="partyreports.heartbeat")
def heartbeat() -> dict[str, object]:
    """Report which process ran the task; tests use it to prove a real worker."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


@shared_task(name="partyreports.count_users")
def count_users() -> int:
    """Count users as the worker sees them; tests use it to prove a shared database."""
    return get_user_model().objects.count()
