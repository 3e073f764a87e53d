"""The real Celery worker: a separate process that shares the test database.

These run in the PostgreSQL + Redis run of `make test`, which starts a worker and
sets PARTYREPORTS_REAL_WORKER=1 (see scripts/test-stack.sh).
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from partyreports.tasks import count_users, heartbeat

RESULT_TIMEOUT = 60

real_worker = pytest.mark.skipif(
    os.environ.get("PARTYREPORTS_REAL_WORKER") != "1",
    reason="needs a real Celery worker: runs in the PostgreSQL + Redis run of "
    "`make test` (PARTYREPORTS_REAL_WORKER=1)",
)


@pytest.mark.worker
@real_worker
def test_it_runs_tasks_in_a_separate_worker_process() -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER is False

    result = heartbeat.delay().get(timeout=RESULT_TIMEOUT)

    assert result["pid"] != os.getpid()


@pytest.mark.worker
@real_worker
@pytest.mark.django_db(transaction=True)
def test_it_sees_committed_rows_from_the_worker() -> None:
    user_model = get_user_model()
    before = user_model.objects.count()
    for n in range(3):
        user_model.objects.create_user(username=f"worker-probe-{n}")

    assert count_users.delay().get(timeout=RESULT_TIMEOUT) == before + 3


@pytest.mark.django_db
def test_it_counts_users_in_process() -> None:
    user_model = get_user_model()
    user_model.objects.create_user(username="in-process-probe")

    assert count_users.apply().get() == user_model.objects.count()
