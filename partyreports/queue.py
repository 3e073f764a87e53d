"""Sending a task after commit without letting a broker outage fail the request.

The write has already been committed when the task is sent; if the broker
(Redis) is down, the work is left marked as pending and a beat task catches up
once the broker is back (targets.rollup_catch_up, reports.renderings_catch_up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)


def send_on_commit(send: Callable[[], object], *, what: str) -> None:
    def run() -> None:
        try:
            send()
        except (BrokerError, ConnectionError, OSError) as exc:
            log.warning(
                "Broker unavailable, %s left pending for the catch-up task: %s",
                what,
                exc,
            )

    transaction.on_commit(run)
