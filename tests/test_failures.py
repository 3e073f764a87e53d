"""Failures of the real stack, in the PostgreSQL + Redis run of `make test`.

A worker killed in the middle of a task, Redis down while a cadre submits, and
PostgreSQL restarted between two requests. Each test causes its fault through
scripts/test-stack.sh, the script that owns the services, and leaves the stack
healthy for the tests that run after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from celery.app.control import Inspect
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from organizations.models import Organization, Role
from partyreports.celery import app
from partyreports.tasks import count_users, heartbeat
from reports import services as report_services
from reports.models import Document, NumberCounter, Rendering, RenderStatus
from targets import rollups
from targets import services as target_services
from targets import tasks as target_tasks
from targets.models import (
    Rollup,
    RollupBasis,
    RollupState,
    Sheet,
    SheetStatus,
    Target,
)
from tests.factories import make_org, make_user
from tests.reports.drafting import enter_results, finish

STACK = os.environ.get("PARTYREPORTS_TEST_STACK", "")
YEAR = 2023

pytestmark = pytest.mark.django_db(transaction=True)

# The fault tests use the real worker and the script that owns the services.
needs_stack = pytest.mark.skipif(
    os.environ.get("PARTYREPORTS_REAL_WORKER") != "1" or not STACK,
    reason="stops and kills the services of the real stack: runs in the "
    "PostgreSQL + Redis run of `make test` (scripts/test-stack.sh sets "
    "PARTYREPORTS_TEST_STACK)",
)


# --- helpers -----------------------------------------------------------------


def _stack(action: str) -> None:
    """Cause (or repair) a fault with the script that started the services."""
    done = subprocess.run(
        [STACK, action], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"test-stack.sh {action} failed:\n{done.stderr}"


def _wait(
    predicate: Callable[[], object], what: str, timeout: float = 60, every: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting until {what}")
        time.sleep(every)


def _inspect() -> Inspect:
    # One worker: limit=1 returns with its reply instead of waiting out the timeout.
    return app.control.inspect(timeout=5, limit=1)


def _active_task(name: str, args: list) -> tuple[str, int]:
    """The id of a task the worker is running and the pid of the pool process
    running it, as the worker reports them."""
    found: list[tuple[str, int]] = []

    def running() -> bool:
        replies = _inspect().active() or {}
        found[:] = [
            (task["id"], task["worker_pid"])
            for tasks in replies.values()
            for task in tasks
            if task["name"] == name
            and list(task["args"]) == args
            and task.get("worker_pid")
        ]
        return bool(found)

    _wait(running, f"the worker runs {name}{args}")
    return found[0]


def _log_lines(task_id: str, word: str) -> int:
    """Lines of the worker's log about the task that contain `word`."""
    path = os.environ["PARTYREPORTS_WORKER_LOG"]
    with open(path, encoding="utf-8", errors="replace") as log:
        return sum(1 for line in log if f"[{task_id}]" in line and word in line)


def _deliveries(task_id: str) -> tuple[int, int]:
    """How many times the worker received the task and how many times it
    succeeded, once it has succeeded (the pool process logs that after the
    task has returned)."""
    _wait(lambda: _log_lines(task_id, "succeeded"), f"the worker logs {task_id} done")
    return _log_lines(task_id, "received"), _log_lines(task_id, "succeeded")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _assert_the_pool_recovered() -> None:
    """The same worker, its pool full again with live processes, runs tasks."""
    main_pid = int(os.environ["PARTYREPORTS_WORKER_PID"])

    def full() -> bool:
        return any(
            stats["pid"] == main_pid
            and len(stats["pool"]["processes"]) == stats["pool"]["max-concurrency"]
            and all(map(_alive, stats["pool"]["processes"]))
            for stats in (_inspect().stats() or {}).values()
        )

    _wait(full, "the worker's pool is full again")
    assert heartbeat.delay().get(timeout=60)["pid"] != os.getpid()


def _rollups_idle(root: Organization) -> bool:
    pending = RollupState.objects.filter(organization=root, year=YEAR, pending__gt=0)
    return not pending.exists()


def _subtree_value(
    organization: Organization, target: Target, basis: str
) -> Decimal | None:
    row = Rollup.objects.filter(organization=organization, year=YEAR, basis=basis)
    figures = rollups.figures_of(row.first(), target.id)[0]
    return figures.value if figures else None


def _committee(units: int) -> tuple[Organization, list[Organization], Target, list]:
    """A bloc committee that gives one counted target to `units` subordinates;
    returns the bloc, the subordinates, the target and its copies."""
    bloc = make_org("Đảng bộ Khối (sự cố)", short_name="ĐUK")
    children = [
        make_org(f"Đảng bộ Sở {n} (sự cố)", parent=bloc, short_name="ĐU")
        for n in range(1, units + 1)
    ]
    plan = target_services.plan_create(
        organization=bloc, title="Chỉ tiêu khối", start_year=YEAR
    )
    target = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="Kết nạp 20 đảng viên",
        label="Kết nạp đảng viên",
        kind="count",
        plan_value=20,
    )
    copies = target_services.target_assign(
        target=target, plan_values={child: 10 for child in children}
    )
    return bloc, children, target, copies


def _save(unit: Organization, copy: Target, value: int) -> None:
    target_services.sheet_save(
        organization=unit,
        year=YEAR,
        quarter=1,
        version=0,
        entries={copy.id: target_services.Entry(value=Decimal(value))},
        user=None,
    )


def _sheet(unit: Organization) -> Sheet:
    return Sheet.objects.get(organization=unit, year=YEAR, quarter=1)


def _submit(unit: Organization) -> None:
    target_services.sheet_submit(organization=unit, year=YEAR, quarter=1, user=None)


# --- a worker killed in the middle of a task ---------------------------------


def _lengthen(document: Document) -> None:
    """Forty more paragraphs: a few pages, a second or more of layout."""
    section = document.sections.order_by("order", "id").first()
    paragraphs = "\n".join(
        f"Đoạn {n}: Chi bộ tiếp tục lãnh đạo thực hiện nhiệm vụ chính trị, nâng cao "
        "chất lượng sinh hoạt, tăng cường công tác kiểm tra, giám sát và phát triển "
        "đảng viên theo kế hoạch đề ra."
        for n in range(1, 41)
    )
    report_services.section_save(
        document=document,
        section=section,
        version=document.version,
        heading=section.heading,
        body=f"{section.body}\n{paragraphs}",
    )


def _files_of(rendering: Rendering) -> list[Path]:
    """The files stored for the rendering (the name the task gives, and any
    other the storage made from it)."""
    folder = Path(settings.MEDIA_ROOT, rendering.file.field.upload_to)
    return sorted(folder.glob(f"{rendering.document.public_id}-{rendering.pk}*"))


@pytest.mark.worker
@needs_stack
def test_it_renders_a_pdf_once_when_the_worker_is_killed_mid_rendering(
    world, plan_world
):
    document = world.document
    _lengthen(document)
    document.refresh_from_db()
    rendering = report_services.rendering_request(
        document=document, fmt="pdf", user=None
    )

    # Freeze the pool process once it has claimed the rendering, make sure the
    # rendering is still under way, then kill the process. Whether it dies
    # here or later in the layout, what it leaves is the same: a claimed row
    # and nothing stored (a file stored without its row is the in-process test
    # below).
    def claimed() -> bool:
        return Rendering.objects.get(pk=rendering.pk).status != RenderStatus.PENDING

    _wait(claimed, "the worker claims the rendering", every=0.02)
    task_id, child = _active_task("reports.render_document", [rendering.pk])
    os.kill(child, signal.SIGSTOP)
    try:
        status = Rendering.objects.get(pk=rendering.pk).status
    finally:
        os.kill(child, signal.SIGKILL)
    assert status == RenderStatus.RUNNING, "the rendering ended before the kill"

    # acks_late + reject_on_worker_lost: the broker hands the task out again.
    def over() -> bool:
        status = Rendering.objects.get(pk=rendering.pk).status
        return status in (RenderStatus.DONE, RenderStatus.FAILED)

    _wait(over, "the rendering is over", timeout=120)
    rendering.refresh_from_db()
    assert rendering.status == RenderStatus.DONE, rendering.error
    assert _deliveries(task_id) == (2, 1)
    # One stored PDF, the one the row names, with the row's hash and pages.
    stored = Path(rendering.file.path)
    assert _files_of(rendering) == [stored]
    content = stored.read_bytes()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == rendering.sha256
    text = subprocess.run(
        ["pdftotext", str(stored), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert rendering.pages > 1
    assert text.count("\f") == rendering.pages
    flat = " ".join(text.split())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in flat
    assert "Đoạn 40: Chi bộ tiếp tục lãnh đạo" in flat
    _assert_the_pool_recovered()


@pytest.mark.worker
@needs_stack
def test_it_issues_a_document_once_when_the_worker_is_killed_mid_issuance(
    world, plan_world
):
    """Killed while issuing: the task is handed out again and the document ends
    issued with one number (the counter moved by one) and one stored PDF."""
    document = world.document
    # A draft the office finished: every figure entered, every section written.
    enter_results(world.grassroots_a, year=2023, quarter=3)
    finish(document)
    _lengthen(document)
    document.refresh_from_db()
    counter = NumberCounter.objects.filter(
        organization=document.organization, symbol=document.symbol
    )
    numbers_before = counter.values_list("last_number", flat=True).first() or 0
    rendering = report_services.rendering_request(
        document=document, fmt="pdf", user=None, for_issue=True
    )

    def claimed() -> bool:
        return Rendering.objects.get(pk=rendering.pk).status != RenderStatus.PENDING

    _wait(claimed, "the worker claims the issuance", every=0.02)
    task_id, child = _active_task("reports.render_document", [rendering.pk])
    os.kill(child, signal.SIGSTOP)
    try:
        still_draft = Document.objects.get(pk=document.pk).is_draft
    finally:
        os.kill(child, signal.SIGKILL)
    assert still_draft, "the issuance ended before the kill"

    def over() -> bool:
        status = Rendering.objects.get(pk=rendering.pk).status
        return status in (RenderStatus.DONE, RenderStatus.FAILED)

    _wait(over, "the issuance is over", timeout=120)
    rendering.refresh_from_db()
    assert rendering.status == RenderStatus.DONE, rendering.error
    assert _deliveries(task_id) == (2, 1)
    document.refresh_from_db()
    assert not document.is_draft
    # One number used: the next one, and the counter moved by exactly one.
    assert document.number == numbers_before + 1
    assert counter.get().last_number == numbers_before + 1
    # One stored PDF, the one the document names, with its hash.
    stored = Path(document.pdf.path)
    folder = Path(settings.MEDIA_ROOT, document.pdf.field.upload_to)
    assert sorted(folder.glob(f"*{document.public_id}*")) == [stored]
    content = stored.read_bytes()
    assert hashlib.sha256(content).hexdigest() == document.pdf_sha256
    assert rendering.sha256 == document.pdf_sha256
    flat = " ".join(
        subprocess.run(
            ["pdftotext", str(stored), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert document.number_and_symbol in flat
    assert "DỰ THẢO" not in flat
    _assert_the_pool_recovered()


def test_a_rendering_run_again_after_a_kill_keeps_one_file(world):
    """A run killed after storing its file, before saving the row, left the
    file behind: the next run replaces it rather than storing a second one."""
    document = world.document
    rendering = Rendering.objects.create(
        document=document, fmt="pdf", status=RenderStatus.RUNNING
    )
    leftover = rendering.file.field.generate_filename(
        rendering, f"{document.public_id}-{rendering.pk}.pdf"
    )
    rendering.file.storage.save(leftover, ContentFile(b"%PDF-1.7 cut short"))

    report_services.rendering_run(rendering_id=rendering.pk)

    rendering.refresh_from_db()
    assert rendering.status == RenderStatus.DONE
    stored = Path(rendering.file.path)
    assert _files_of(rendering) == [stored]
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == rendering.sha256


@contextmanager
def _other_session(sql: str, params: list) -> Iterator[None]:
    """Run `sql` in another database session and hold its transaction, with
    the locks it took, open until the block ends."""
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(sql, params)
        yield
    finally:
        if other.connection is not None:
            other.rollback()
        other.close()


def _lock_waiters() -> set[int]:
    """Sessions on the test database waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.worker
@needs_stack
def test_it_applies_a_roll_up_once_when_the_worker_is_killed_mid_update():
    bloc, (first, second), target, copies = _committee(2)
    _save(first, copies[0], 7)
    _submit(first)
    target_services.sheet_approve(sheet=_sheet(first), user=None)
    _save(second, copies[1], 5)
    _submit(second)
    _wait(lambda: _rollups_idle(bloc), "the worker applies the first roll-ups")
    assert _subtree_value(bloc, target, RollupBasis.APPROVED) == Decimal(7)
    assert _subtree_value(bloc, target, RollupBasis.SUBMITTED) == Decimal(12)

    # Hold the committee's roll-up rows from another session: the update the
    # approval sends stops inside its transaction, where the test kills it.
    with _other_session(
        f"SELECT id FROM {Rollup._meta.db_table}"
        " WHERE organization_id = %s AND year = %s FOR UPDATE",
        [bloc.id, YEAR],
    ):
        target_services.sheet_approve(sheet=_sheet(second), user=None)
        _wait(_lock_waiters, "the roll-up update waits for the held rows")
        killed_run = _lock_waiters()
        task_id, child = _active_task("targets.rollup_update", [second.id, YEAR])
        os.kill(child, signal.SIGKILL)
        # The killed run's session still waits (PostgreSQL notices the lost
        # client when it answers it); the task's next run waits beside it.
        _wait(lambda: _lock_waiters() - killed_run, "the task runs again")

    _wait(lambda: _rollups_idle(bloc), "the roll-up update is done")
    # The next run found the whole difference still to apply (the killed
    # run's transaction left nothing) and applied it once.
    assert app.AsyncResult(task_id).get(timeout=60) is True
    assert _deliveries(task_id) == (2, 1)
    assert _subtree_value(bloc, target, RollupBasis.APPROVED) == Decimal(12)
    assert _subtree_value(bloc, target, RollupBasis.SUBMITTED) == Decimal(12)
    assert _subtree_value(second, target, RollupBasis.APPROVED) == Decimal(5)
    rows = Rollup.objects.filter(organization__in=[bloc, first, second], year=YEAR)
    assert rows.count() == 3 * len(RollupBasis)
    _assert_the_pool_recovered()


@pytest.mark.worker
@needs_stack
def test_two_roll_up_updates_of_one_tree_at_once_both_count():
    """The first reports of a year, rolled up at once: both updates find no
    committee row. The second must add to the row the first creates, not fail
    on the unique key and lose its figures."""
    bloc, (first, second), target, copies = _committee(2)
    _save(first, copies[0], 7)
    _save(second, copies[1], 5)

    # Another session inserts the committee's row and holds it uncommitted:
    # the updates meet there.
    with _other_session(
        f"INSERT INTO {Rollup._meta.db_table} (organization_id, year, basis, own,"
        " subtree, own_reporting, reporting, computed_at, path)"
        " VALUES (%s, %s, %s, '{}', '{}', '{}', '{}', now(), %s)",
        [bloc.id, YEAR, RollupBasis.SUBMITTED, bloc.path],
    ):
        _submit(first)
        _submit(second)
        _wait(lambda: len(_lock_waiters()) == 2, "both updates wait")

    _wait(lambda: _rollups_idle(bloc), "both updates are done")
    assert _subtree_value(bloc, target, RollupBasis.SUBMITTED) == Decimal(12)


# --- Redis unavailable when a cadre submits ----------------------------------


@pytest.mark.worker
@needs_stack
def test_a_submission_while_redis_is_down_is_saved_and_rolled_up_later(client, caplog):
    bloc, (unit,), target, (copy,) = _committee(1)
    _save(unit, copy, 9)
    cadre = make_user("cadre_redis_down", role=Role.CADRE, organization=unit)
    client.force_login(cadre)
    period = {"public_id": unit.public_id, "year": YEAR, "quarter": 1}
    # Redis comes back empty (no persistence): nothing of ours may be in it.
    _wait(lambda: _rollups_idle(bloc), "the worker is idle")

    _stack("redis-stop")
    try:
        with caplog.at_level(logging.WARNING, logger="partyreports.queue"):
            response = client.post(reverse("targets:submit", kwargs=period))
    finally:
        _stack("redis-start")

    assert response.status_code == 302
    assert response.url == reverse("targets:sheet", kwargs=period)
    page = client.get(response.url).content.decode()
    assert "Đã gửi báo cáo quý 1/2023 lên cấp trên." in page
    assert _sheet(unit).status == SheetStatus.SUBMITTED
    assert "Broker unavailable, roll-up of" in caplog.text
    state = RollupState.objects.get(organization=bloc, year=YEAR)
    assert state.pending == 1
    assert _subtree_value(bloc, target, RollupBasis.SUBMITTED) is None

    # Beat sends the catch-up every five minutes; it rebuilds what has been
    # pending longer than that. The worker reconnects to Redis by itself, and
    # kombu's publish retries reconnect this process's producer.
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    RollupState.objects.filter(pk=state.pk).update(last_update_at=long_ago)
    assert target_tasks.rollup_catch_up.delay().get(timeout=60) == 1
    assert _subtree_value(bloc, target, RollupBasis.SUBMITTED) == Decimal(9)
    assert RollupState.objects.get(pk=state.pk).pending == 0


# --- the database restarted between two requests -----------------------------

SERVER_APP_NAME = "partyreports-restart-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _server(log_path: Path) -> Iterator[str]:
    """gunicorn on the test database, with one process and one thread, so one
    database connection kept between requests; yields its base URL.

    Django's test client is no use here: it does not run the request_started
    handler that closes old connections.
    """
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partyreports.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}?application_name={SERVER_APP_NAME}",
        "CONN_MAX_AGE": "60",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        "-",
        "partyreports.wsgi:application",
    ]
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
    try:

        def listening() -> bool:
            assert server.poll() is None, f"gunicorn exited:\n{log_path.read_text()}"
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        _wait(listening, "gunicorn listens")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _get(url: str, session: str) -> tuple[int, str]:
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read().decode()


def _server_sessions() -> list[tuple[int, str]]:
    """The server's database sessions: (backend pid, state)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE application_name = %s",
            [SERVER_APP_NAME],
        )
        return cursor.fetchall()


@pytest.mark.worker
@needs_stack
def test_the_first_request_after_a_database_restart_succeeds(client, tmp_path):
    bloc = make_org("Đảng bộ Khối (khởi động lại)", short_name="ĐUK")
    client.force_login(make_user("office_restart", role=Role.OFFICE, organization=bloc))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    with _server(tmp_path / "gunicorn.log") as base:
        status, page = _get(f"{base}/to-chuc/", session)
        assert status == 200 and "Đảng bộ Khối (khởi động lại)" in page
        # CONN_MAX_AGE: the server keeps its session open for the next request.
        ((before, state),) = _server_sessions()
        assert state == "idle"

        _stack("pg-restart")
        connection.close()  # this process's session was cut too

        # CONN_HEALTH_CHECKS: the server finds its session dead and opens another
        # (without them this request fails with a 500).
        status, page = _get(f"{base}/to-chuc/", session)
        assert status == 200 and "Đảng bộ Khối (khởi động lại)" in page
        ((after, _),) = _server_sessions()
        assert after != before
    # The worker reaches the database again too.
    assert count_users.delay().get(timeout=60) >= 1


# --- the real run cannot pass with these tests skipped -------------------------


def _pytest(
    *args: str, real_worker: bool, data_dir: Path
) -> subprocess.CompletedProcess:
    """Run pytest on SQLite in a scratch folder, as the embedded run does, with
    or without the real run's flag (and never the real stack's variables)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "PARTYREPORTS_REAL_WORKER",
            "PARTYREPORTS_TEST_STACK",
        }
    }
    env["DATA_DIR"] = str(data_dir)
    if real_worker:
        env["PARTYREPORTS_REAL_WORKER"] = "1"
    (data_dir / "staticfiles").mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.django_db(transaction=False)
def test_a_worker_test_skipped_in_the_real_run_fails_the_run(tmp_path):
    """`make test` must not pass with the failure tests skipped: in the real run
    a skipped `worker` test (here: the stack's variables are missing) fails."""
    one = [
        f"{__file__}::test_it_renders_a_pdf_once_when_the_worker_is_killed_mid_rendering"
    ]

    embedded = _pytest(*one, real_worker=False, data_dir=tmp_path / "embedded")
    real = _pytest(*one, real_worker=True, data_dir=tmp_path / "real")

    assert embedded.returncode == 0, embedded.stdout[-2000:]
    assert "1 skipped" in embedded.stdout
    assert real.returncode == 1, real.stdout[-2000:]
    assert "1 error" in real.stdout  # the skip happens at setup: an error there
    assert "a `worker` test was skipped in the real run: " in real.stdout
    assert "PARTYREPORTS_TEST_STACK" in real.stdout  # the skip's reason
