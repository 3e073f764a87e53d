"""Load test: gunicorn on loopback, concurrent clients on the entry sheet and the
committee dashboard.

    .venv/bin/python bench/load.py               # throwaway SQLite file
    .venv/bin/python bench/load.py --db postgres # BENCH_DATABASE_URL's server

Builds the bloc of bench/rollup.py in a fresh database (bench/_rollup_data.py:
1.311 organisations, 14.000 members, 120 TCCSĐ with 30 targets × Q1–Q4 2023)
and its roll-ups (targets.rollups.rollup_rebuild), a cadre (Role.CADRE at one
TCCSĐ, whose Q4 sheet is still a draft if one is) and a leader (Role.LEADER at
the bloc), both with passwords. Then it starts

    gunicorn partyreports.wsgi -b 127.0.0.1:<free port> -w <--workers>

with DEBUG off (a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect,
static files collected first, as in production), logs both personas in through
the login page (CSRF token, session cookie) with http.client, and for each page
runs --clients threads that GET it back to back for --duration (20) seconds or
--max-requests in all, after a few untimed warm-up requests:

* entry: GET /ket-qua/<TCCSĐ>/2023/quy-4/ as the cadre;
* dashboard: GET /bang-dieu-khien/<bloc>/?nam=2023&quy=4 as the leader.

The load: --clients (one per CPU) concurrent clients, each sending its next
request as soon as the last one is answered (no think time), against --workers
(gunicorn's advice, 2 × CPUs + 1) sync workers, on the same machine as the
clients: the server is kept busy all the time, some 50 entry sheets a second on
2 CPUs, far more than a bloc sends even on a reporting deadline, when its 120
grassroots cadres saving a sheet every two minutes make one request a second.
The headline figures (entry_*, dashboard_*) are those. Then a stress round
with --stress-clients (2 × CPUs; 0 skips it): with more clients than CPUs a
request also waits for the others' CPU time, so p95 grows with the number of
clients; its figures are printed as stress_* (stress_entry_p95_ms,
stress_dashboard_p95_ms, ...) and its errors count in `errors` too. The dashboard
is read again and again with the same period: its subordinates' verdict counts
and rows then come from the memo (targets.dashboard.memo), as for any
dashboard whose figures did not change since the last read; bench/rollup.py
measures the cold read as well.

Every request's latency is recorded; a status other than 200 or a failed
connection counts as an error. Figures go to stdout (`name: value`): entry_rps,
entry_p95_ms, dashboard_rps, dashboard_p95_ms, errors, and extras: request
counts, p50 and errors per page; CPU time per request of the gunicorn processes
(*_server_cpu_ms) and, on PostgreSQL, of the backends serving the bench's
database (*_db_cpu_ms), which other work on the machine disturbs far less than
latencies; and the share of the machine's CPUs that other processes took during
each run (*_others_cpu_pct: when it is high, the latencies say more about the
machine than about the app). Progress goes to stderr. Traffic goes to
127.0.0.1 only, and gunicorn is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, figure, log, throwaway_django
from _rollup_data import YEAR, Ids, build_bloc, self_assigned_models

SEED = 20231231
QUARTER = 4
HOST = "127.0.0.1"  # loopback only: never anything else
PASSWORD = "Bench-load-2023!"
WARMUP = 4  # untimed requests per page before the clients start


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- the data -------------------------------------------------------------------------


@dataclass
class Site:
    entry_path: str
    dashboard_path: str
    cadre: str
    leader: str


def build_site(vendor: str) -> Site:
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.urls import reverse

    from organizations.models import Organization, Role, RoleAssignment
    from targets.models import SheetStatus
    from targets.rollups import rollup_rebuild

    if vendor == "sqlite":  # build speed only; the server opens its own connections
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
    start = time.perf_counter()
    with transaction.atomic():
        bloc = build_bloc(
            Ids.from_database(), random.Random(SEED), scale=1, label="BLOC"
        )
    log(f"built the bloc in {time.perf_counter() - start:.1f}s")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), self_assigned_models()
            ):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
    root = Organization.objects.get(id=bloc.root_id)
    start = time.perf_counter()
    rows = rollup_rebuild(root=root, year=YEAR)
    log(f"roll-ups rebuilt ({rows} rows) in {time.perf_counter() - start:.1f}s")

    # The cadre's TCCSĐ: one whose Q4 sheet is still a draft (the page then
    # renders its inputs), else the first.
    drafts = [
        org_id
        for org_id in bloc.grassroots_ids
        if bloc.q4_status[org_id] == SheetStatus.DRAFT
    ]
    grassroots = Organization.objects.get(id=(drafts or bloc.grassroots_ids)[0])
    users = get_user_model().objects
    cadre = users.create_user(username="canbo_load", password=PASSWORD)
    RoleAssignment.objects.create(user=cadre, organization=grassroots, role=Role.CADRE)
    leader = users.create_user(username="lanhdao_load", password=PASSWORD)
    RoleAssignment.objects.create(user=leader, organization=root, role=Role.LEADER)
    log(
        f"cadre at {grassroots.name} (Q4 {bloc.q4_status[grassroots.id]}), "
        f"leader at {root.name}"
    )
    entry = reverse(
        "targets:sheet",
        kwargs={"public_id": grassroots.public_id, "year": YEAR, "quarter": QUARTER},
    )
    dashboard = reverse("targets:dashboard", kwargs={"public_id": root.public_id})
    connection.close()
    return Site(
        entry_path=entry,
        dashboard_path=f"{dashboard}?nam={YEAR}&quy={QUARTER}",
        cadre=cadre.username,
        leader=leader.username,
    )


# --- the server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="partyreports.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS=HOST,
        # Plain HTTP on loopback: no redirect to HTTPS, no HSTS.
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def database_url_of_connection(vendor: str) -> str:
    """The URL of the database the bench built (for PostgreSQL, bench_<pid>
    rather than the database named in BENCH_DATABASE_URL)."""
    from django.db import connection

    url = os.environ["DATABASE_URL"]
    if vendor != "postgresql":
        return url
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(
        parts._replace(path="/" + connection.settings_dict["NAME"])
    )


def start_gunicorn(env: dict[str, str], port: int, workers: int, logfile: Path):
    """gunicorn in its own process group (so that stopping it reaches its workers)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "partyreports.wsgi",
        "-b",
        f"{HOST}:{port}",
        "-w",
        str(workers),
        "--timeout",
        "60",
    ]
    log("starting " + " ".join(command))
    with logfile.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    log(f"stopping gunicorn (pid {process.pid})")
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@dataclass
class CpuSnapshot:
    """CPU seconds used so far (user + system, from /proc): by gunicorn's master
    and workers, by each PostgreSQL backend serving the bench's database (by
    pid), by this process (the clients), and by the whole machine."""

    server: float
    backends: dict[int, float]
    clients: float
    machine: float

    @property
    def database(self) -> float:
        return sum(self.backends.values())

    def __sub__(self, other: CpuSnapshot) -> CpuSnapshot:
        # Per backend: one that ended meanwhile took its time with it (it is
        # left out rather than subtracted), one that started counts from zero.
        return CpuSnapshot(
            server=self.server - other.server,
            backends={
                pid: max(0.0, used - other.backends.get(pid, 0.0))
                for pid, used in self.backends.items()
            },
            clients=self.clients - other.clients,
            machine=self.machine - other.machine,
        )

    @property
    def others(self) -> float:
        """What the rest of the machine used meanwhile (other people's work)."""
        return max(0.0, self.machine - self.server - self.database - self.clients)


def cpu_snapshot(master: int, database: str | None) -> CpuSnapshot | None:
    """None where there is no /proc. `database`: the name the PostgreSQL
    backends show in their process titles ("postgres: user db host …")."""
    if not Path("/proc/stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    server = 0
    backends: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command's closing parenthesis: state, ppid, … utime, stime.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            used = int(fields[11]) + int(fields[12])
            pid = int(stat.parent.name)
            if pid == master or int(fields[1]) == master:
                server += used
            elif database is not None:
                title = (stat.parent / "cmdline").read_bytes().split(b"\0")[0]
                if (
                    title.startswith(b"postgres:")
                    and database.encode() in title.split()
                ):
                    backends[pid] = used / ticks
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    # The first line of /proc/stat: the machine's user, nice, system, idle, iowait, …
    # in ticks; busy is everything but idle and iowait.
    times = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = sum(times) - times[3] - times[4]
    own = os.times()
    return CpuSnapshot(
        server=server / ticks,
        backends=backends,
        clients=own.user + own.system,
        machine=busy / ticks,
    )


def wait_until_up(process: subprocess.Popen, port: int, logfile: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with {process.returncode}:\n"
                + logfile.read_text(errors="replace")[-3000:]
            )
        try:
            status, _headers, _body = Client(port).get("/dang-nhap/")
            if status == 200:
                return
            log(f"  login page answered {status}")
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(
        "gunicorn did not answer within 60 s:\n"
        + logfile.read_text(errors="replace")[-3000:]
    )


# --- the client -----------------------------------------------------------------------


class Client:
    """One keep-alive-when-possible HTTP connection to 127.0.0.1 with a cookie jar
    (gunicorn's sync workers close after each response; http.client reconnects)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the next request opens a fresh connection
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.conn.close()
        return response.status, response.headers, content

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path)

    def close(self) -> None:
        self.conn.close()


def login(port: int, username: str) -> dict[str, str]:
    """Log in through the login page; return the cookies (session, CSRF)."""
    from django.conf import settings

    client = Client(port)
    status, _headers, body = client.get("/dang-nhap/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match:
        raise SystemExit(f"login page: status {status}, no CSRF token")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": match.group(1).decode(),
        }
    ).encode()
    status, headers, body = client.request(
        "POST",
        "/dang-nhap/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    client.close()
    if status != 302 or settings.SESSION_COOKIE_NAME not in client.cookies:
        raise SystemExit(
            f"login of {username} failed: status {status}, "
            f"cookies {sorted(client.cookies)}: {body[:300]!r}"
        )
    log(f"logged in as {username} (→ {headers.get('Location')})")
    return client.cookies


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def drive(
    port: int,
    cookies: dict[str, str],
    path: str,
    *,
    clients: int,
    duration: float,
    max_requests: int,
) -> Run:
    run = Run()
    budget = threading.Semaphore(max_requests)  # bounded in count as well as time

    def check(status: int, body: bytes) -> None:
        if status != 200:
            raise SystemExit(f"warm-up GET {path}: {status} {body[:300]!r}")

    warm = Client(port, cookies)
    for _ in range(WARMUP):
        status, _headers, body = warm.get(path)
        check(status, body)
    warm.close()
    log(f"  GET {path}: 200, {len(body)} bytes; {clients} clients for {duration:g}s")

    deadline = time.monotonic() + duration

    def worker() -> None:
        client = Client(port, cookies)
        latencies: list[float] = []
        errors = 0
        statuses: dict[str, int] = {}
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            start = time.perf_counter()
            try:
                status, _headers, _body = client.get(path)
                key = str(status)
            except (http.client.HTTPException, OSError) as error:
                status, key = 0, type(error).__name__
            latencies.append(time.perf_counter() - start)
            statuses[key] = statuses.get(key, 0) + 1
            if status != 200:
                errors += 1
        client.close()
        with run.lock:
            run.latencies.extend(latencies)
            run.errors += errors
            for key, n in statuses.items():
                run.statuses[key] = run.statuses.get(key, 0) + n

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    run.elapsed = time.perf_counter() - start
    return run


def report(name: str, run: Run, prefix: str = "") -> None:
    count = len(run.latencies)
    log(
        f"  {name}: {count} requests in {run.elapsed:.1f}s, statuses {run.statuses}"
        + (
            f", min {min(run.latencies) * 1000:.0f} ms, "
            f"max {max(run.latencies) * 1000:.0f} ms"
            if count
            else ""
        )
    )
    figure(f"{prefix}{name}_rps", f"{count / run.elapsed:.1f}" if run.elapsed else "0")
    figure(
        f"{prefix}{name}_p95_ms",
        f"{percentile(run.latencies, 95) * 1000:.1f}" if count else "-",
    )


def load_round(  # noqa: PLR0913
    port: int,
    pages: tuple[tuple[str, str, str], ...],
    clients: int,
    args: argparse.Namespace,
    server_pid: int,
    database: str | None,
    prefix: str,
) -> tuple[dict[str, Run], dict[str, CpuSnapshot], dict[str, float]]:
    """Each page driven by `clients` clients in turn; their runs, the CPU time
    used meanwhile and the wall time."""
    runs: dict[str, Run] = {}
    used: dict[str, CpuSnapshot] = {}
    elapsed: dict[str, float] = {}
    for name, username, path in pages:
        cookies = login(port, username)
        before = cpu_snapshot(server_pid, database)
        start = time.perf_counter()
        runs[name] = drive(
            port,
            cookies,
            path,
            clients=clients,
            duration=args.duration,
            max_requests=args.max_requests,
        )
        after = cpu_snapshot(server_pid, database)
        elapsed[name] = time.perf_counter() - start
        if before is not None and after is not None:
            used[name] = after - before
        report(name, runs[name], prefix)
    return runs, used, elapsed


def extras(  # noqa: PLR0913
    key: str,
    run: Run,
    used: CpuSnapshot | None,
    elapsed: float,
    vendor: str,
    cpus: int,
) -> None:
    """A run's figures beside rps and p95: requests, p50, errors, CPU time."""
    figure(f"{key}_requests", len(run.latencies))
    if run.latencies:
        figure(f"{key}_p50_ms", f"{statistics.median(run.latencies) * 1000:.1f}")
    figure(f"{key}_errors", run.errors)
    if used is None:
        return
    # Per request, counting the few warm-up requests drive() sends.
    n = len(run.latencies) + WARMUP
    figure(f"{key}_server_cpu_ms", f"{used.server * 1000 / n:.1f}")
    if vendor == "postgresql":
        figure(f"{key}_db_cpu_ms", f"{used.database * 1000 / n:.1f}")
    # The share of the machine's CPUs other processes took meanwhile: latencies
    # measured while it is high say little.
    figure(f"{key}_others_cpu_pct", f"{used.others / (elapsed * cpus) * 100:.0f}")


# --- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    cpus = os.cpu_count() or 1
    parser.add_argument(
        "--clients", type=int, default=cpus, help="concurrent clients (one per CPU)"
    )
    parser.add_argument(
        "--stress-clients",
        type=int,
        default=2 * cpus,
        help="clients of the stress round (2 × CPUs; 0: none)",
    )
    parser.add_argument(
        "--duration", type=float, default=20, help="seconds of load per page"
    )
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="cap per page, all clients"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * cpus + 1,
        help="gunicorn sync workers (default 2 × CPUs + 1)",
    )
    args = parser.parse_args()
    if (
        not 1 <= args.clients <= 64
        or not 0 <= args.stress_clients <= 64
        or not 0 < args.duration <= 120
    ):
        raise SystemExit(
            "--clients 1..64, --stress-clients 0..64 and --duration up to 120 s"
        )
    # A TERM (timeout, CI cancel) unwinds like Ctrl-C: gunicorn is stopped and the
    # throwaway database removed by the finally blocks.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    with throwaway_django(args.db) as vendor:
        from django.conf import settings
        from django.db import connection

        data_dir = Path(os.environ["DATA_DIR"])
        env = server_env(database_url_of_connection(vendor))
        # DEBUG off serves static files through the manifest storage: collect them
        # (into the throwaway DATA_DIR) while the data is being built.
        collect_log = data_dir / "collectstatic.log"
        with collect_log.open("wb") as out:
            collect = subprocess.Popen(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            site = build_site(vendor)
        finally:
            if collect.wait(timeout=120) != 0:
                raise SystemExit(
                    "collectstatic failed:\n" + collect_log.read_text(errors="replace")
                )
        log(f"static files collected into {settings.STATIC_ROOT}")

        port = free_port()
        logfile = data_dir / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, logfile)
        try:
            wait_until_up(server, port, logfile)
            log(
                f"gunicorn up on http://{HOST}:{port}: {args.workers} sync workers, "
                f"{args.clients} clients without think time, {cpus} CPUs"
            )
            database = (
                connection.settings_dict["NAME"] if vendor == "postgresql" else None
            )
            pages = (
                ("entry", site.cadre, site.entry_path),
                ("dashboard", site.leader, site.dashboard_path),
            )
            rounds = [("", args.clients)]
            if args.stress_clients:
                rounds.append(("stress_", args.stress_clients))
            errors = 0
            for prefix, clients in rounds:
                log(f"{prefix or 'main '}round: {clients} clients")
                runs, used, elapsed = load_round(
                    port, pages, clients, args, server.pid, database, prefix
                )
                errors += sum(run.errors for run in runs.values())
                for name, run in runs.items():
                    extras(
                        f"{prefix}{name}",
                        run,
                        used.get(name),
                        elapsed[name],
                        vendor,
                        cpus,
                    )
            figure("errors", errors)
            figure("clients", args.clients)
            figure("stress_clients", args.stress_clients)
            figure("gunicorn_workers", args.workers)
            figure("cpus", cpus)
            figure("database", vendor)
        finally:
            stop_gunicorn(server)
            tail = logfile.read_text(errors="replace").strip().splitlines()[-5:]
            if tail:
                log("gunicorn log (last lines):\n  " + "\n  ".join(tail))


if __name__ == "__main__":
    main()
