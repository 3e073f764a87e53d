"""Work done aside, in a forked copy of this process, while this one goes on.

Printing is pure computation on what is already in memory (the layout, the
fonts), so a fork (os.fork, copy-on-write) can lay out and print part of a
document on the second core while this process lays out the rest; the child
sends its result back, pickled, through a pipe and ends with os._exit (no
atexit handler, no database connection closed under the parent's feet: the
child never touches the database).

Anything that goes wrong aside — no fork on this platform, the child failing
or taking too long — gives None, and the caller does the work itself. So the
result never depends on whether the work was done aside, only the time.

settings.PDF_PARALLEL switches it off (PDF_PARALLEL=0); by default it is on
where there is more than one CPU to run on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A child that has not answered by then is stopped and the work done here.
TIMEOUT_S = 300.0


def enabled() -> bool:
    """Whether work may be forked aside: settings.PDF_PARALLEL, os.fork, and a
    second CPU this process may run on."""
    if not settings.PDF_PARALLEL or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return cpus > 1


@dataclass
class Aside(Generic[T]):
    """A forked child working on one call; `result()` waits for it."""

    pid: int
    fd: int

    def result(self, timeout: float = TIMEOUT_S) -> T | None:
        """What the call returned, or None if the child failed or timed out."""
        data = bytearray()
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                    logger.warning("Forked PDF work gave no answer; done here.")
                    self.stop()
                    return None
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                data += chunk
        finally:
            self._close()
        try:
            _, status = os.waitpid(self.pid, 0)
            ended_well = os.waitstatus_to_exitcode(status) == 0
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored, a handler)
            ended_well = True  # a torn answer does not unpickle
        if ended_well and data:
            try:
                return pickle.loads(bytes(data))
            except Exception:  # noqa: BLE001 — a torn answer: done here
                logger.warning("Forked PDF work answered unreadably.", exc_info=True)
        logger.warning("Forked PDF work failed; done here.")
        return None

    def stop(self) -> None:
        """End the child and reap it (when the caller gives up on it)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def discard(self) -> None:
        """Stop the child whose answer is no longer wanted, and close the pipe."""
        self.stop()
        self._close()

    def _close(self) -> None:
        """Close the pipe once (a descriptor number closed twice may by then
        be another thread's file)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def fork(work: Callable[[], T]) -> Aside[T] | None:
    """Start `work()` in a forked child; None when forking is off or failed
    (the caller then calls `work()` itself)."""
    if not enabled():
        return None
    read, write = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns about forking a process that has threads (a
            # test server, a threaded runserver): the child below only
            # computes and writes to its pipe, then _exits.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        logger.warning("Could not fork for PDF work; done here.", exc_info=True)
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: compute, answer, _exit whatever happens
        code = 1
        try:
            os.close(read)
            payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(payload)
            while view:
                view = view[os.write(write, view) :]
            code = 0
        except BaseException:  # noqa: BLE001 — reported by the exit code
            logger.exception("Forked PDF work failed.")
        finally:
            os._exit(code)
    os.close(write)
    return Aside(pid, read)
