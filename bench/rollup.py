"""Bench: roll-ups of a bloc's targets — full rebuild, incremental update, the
committee dashboard, and a plain SQL GROUP BY as the floor.

    .venv/bin/python bench/rollup.py               # throwaway SQLite file
    .venv/bin/python bench/rollup.py --db postgres # BENCH_DATABASE_URL's server

Builds two blocs in a fresh database with bulk_create (bench/_rollup_data.py
describes the rows): the bloc (1.311 organisations, 14.000 members, 120 TCCSĐ
with the bloc's 30 targets given down, 14.400 results for Q1–Q4 2023) and the
same at 10× (13.101 organisations, 140.000 members, 144.000 results). Then:

* rollup_full_*: targets.rollups.rollup_rebuild(root=bloc, year=2023), median
  of --runs (3) after 1 warm-up;
* rollup_incremental_ms: a TCCSĐ's submitted Q4 sheet approved with
  services.sheet_approve, then rollup_update(organization=it, year=2023) timed
  (what the worker runs; the on-commit task is held back so the call finds the
  change); median of --incremental-runs, each on a fresh change (the sheet is
  reopened and resubmitted with the services in between, untimed). Afterwards
  the incrementally kept rows are compared with a fresh rebuild;
* sql_floor_*: the same result rows summed by one GROUP BY (organisation,
  committee target, quarter) with cursor.execute + fetchall — what any roll-up
  must at least read; median of 5 after 1 warm-up;
* dashboard_*: django.test.Client, force_login as a leader (Role.LEADER at
  both blocs), GET /bang-dieu-khien/<bloc>/?nam=2023&quy=4, 1 warm-up +
  --requests (50); p50/p95 in ms, the median CPU time of the process (what the
  other processes on a busy machine disturb least) and queries of one request
  (CaptureQueriesContext); then dashboard_cold_*: as many requests again with
  the cache emptied before each, so that every subordinate's verdict counts are
  computed rather than read from the memo (targets.dashboard.memo), as on the
  first read after the roll-ups changed; dashboard_queries_10x (and _10x_*
  over --requests-10x, 5): the same page of the 10× bloc, which must run as
  many queries.

SQLite is timed with its default journal and sync settings (the build runs
with synchronous=OFF; the connection is reopened before timing). PostgreSQL:
ANALYZE after the build. Figures go to stdout (`name: value`), progress to
stderr. --profile PREFIX writes cProfile stats of one rebuild of each bloc
(PREFIX-bloc.prof, PREFIX-10x.prof) and of 3 dashboard requests of the bloc
(PREFIX-dashboard.prof) and prints the top functions on stderr.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

from _common import figure, log, median_seconds, query_count, seconds, throwaway_django
from _rollup_data import YEAR, Bloc, Ids, build_bloc, self_assigned_models

SEED = 20231231
QUARTER = 4


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


# --- the floor ------------------------------------------------------------------------


def floor_query(root_path: str) -> tuple[str, list]:
    """The rows _own_figures reads, summed per organisation, committee target and
    quarter by the database: the least work any roll-up of them can do."""
    from organizations.models import Organization
    from targets.models import Result, Sheet, SheetStatus, Target

    r, s, t, o = (m._meta.db_table for m in (Result, Sheet, Target, Organization))
    sql = f"""
        SELECT s.organization_id, t.derived_from_id, s.quarter,
               SUM(r.value), SUM(r.numerator), SUM(r.denominator), COUNT(*)
        FROM {r} r
        JOIN {s} s ON s.id = r.sheet_id
        JOIN {t} t ON t.id = r.target_id
        JOIN {o} o ON o.id = s.organization_id
        WHERE s.year = %s AND s.status IN (%s, %s)
          AND t.derived_from_id IS NOT NULL AND o.path LIKE %s
        GROUP BY s.organization_id, t.derived_from_id, s.quarter
    """
    return sql, [
        YEAR,
        SheetStatus.APPROVED.value,
        SheetStatus.SUBMITTED.value,
        root_path + "%",
    ]


def sql_floor(root_path: str) -> list[tuple]:
    from django.db import connection

    sql, params = floor_query(root_path)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- measuring ------------------------------------------------------------------------


def time_rebuild(root, runs: int, key: str) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from targets.rollups import rollup_rebuild

    log(f"timing rollup_rebuild({key}) × {runs} after 1 warm-up")
    median, times = median_seconds(
        lambda: rollup_rebuild(root=root, year=YEAR), runs=runs
    )
    log(f"  runs: {', '.join(f'{t:.3f}' for t in times)} s")
    figure(f"rollup_full_{key}_s", seconds(median))
    with CaptureQueriesContext(connection) as ctx:
        rows = rollup_rebuild(root=root, year=YEAR)
    figure(f"rollup_full_{key}_rows", rows)
    figure(f"rollup_full_{key}_queries", len(ctx.captured_queries))


def time_floor(root, key: str) -> None:  # noqa: ANN001
    median, times = median_seconds(lambda: sql_floor(root.path), runs=5)
    groups = sql_floor(root.path)
    log(
        f"sql floor {key}: {len(groups)} groups over "
        f"{sum(g[6] for g in groups)} result rows; "
        f"runs {', '.join(f'{t * 1000:.1f}' for t in times)} ms"
    )
    figure(f"sql_floor_{key}_s", seconds(median))
    figure(f"sql_floor_{key}_groups", len(groups))


def time_incremental(bloc: Bloc, runs: int) -> None:
    """Approve a submitted Q4 sheet with the service, time rollup_update; reopen
    and resubmit it (services, untimed) for the next run."""
    from unittest import mock

    from organizations.models import Organization
    from targets import rollups, services, tasks
    from targets.models import Rollup, RollupBasis, Sheet, SheetStatus

    org_id = next(
        i for i in bloc.grassroots_ids if bloc.q4_status[i] == SheetStatus.SUBMITTED
    )
    organization = Organization.objects.get(id=org_id)
    sheet = Sheet.objects.get(organization=organization, year=YEAR, quarter=QUARTER)
    queued: list[tuple] = []
    held = SimpleNamespace(delay=lambda *args: queued.append(args))

    def catch_up() -> None:
        """What the worker does with the queued tasks (untimed)."""
        while queued:
            queued_org, year = queued.pop(0)
            target = Organization.objects.get(id=queued_org)
            rollups.rollup_update(organization=target, year=year)
            rollups.rollup_mark_done(organization=target, year=year)

    def resubmit() -> None:
        """Reopen and resubmit the sheet (services), roll-ups caught up; untimed."""
        services.sheet_reopen(sheet=sheet, reason="Bench: mở lại", user=None)
        catch_up()
        services.sheet_submit(
            organization=organization, year=YEAR, quarter=QUARTER, user=None
        )
        catch_up()

    def approve() -> float:
        start = time.perf_counter()
        services.sheet_approve(sheet=sheet, user=None)
        took = time.perf_counter() - start
        assert queued == [(org_id, YEAR)], queued
        queued.clear()  # held back: the update below is the one measured
        return took

    def update() -> None:
        assert rollups.rollup_update(organization=organization, year=YEAR), (
            "the approval changed nothing"
        )

    times: list[float] = []
    approve_times: list[float] = []
    log(
        f"timing rollup_update after sheet_approve of {organization.name} Q{QUARTER} "
        f"(depth {organization.depth}) × {runs} after 1 warm-up"
    )
    with mock.patch.object(tasks, "rollup_update", held):
        approve()  # warm-up
        update()
        rollups.rollup_mark_done(organization=organization, year=YEAR)
        resubmit()
        approve()
        queries = query_count(update)
        rollups.rollup_mark_done(organization=organization, year=YEAR)
        for _ in range(runs):
            resubmit()
            approve_times.append(approve())
            start = time.perf_counter()
            update()
            times.append(time.perf_counter() - start)
            rollups.rollup_mark_done(organization=organization, year=YEAR)
        start = time.perf_counter()
        unchanged = not rollups.rollup_update(organization=organization, year=YEAR)
        idle = time.perf_counter() - start
    log(
        f"  runs: {', '.join(f'{t * 1000:.1f}' for t in times)} ms; "
        f"sheet_approve itself {ms(statistics.median(approve_times))} ms; "
        f"a second update (nothing to do) {ms(idle)} ms"
    )
    figure("rollup_incremental_ms", ms(statistics.median(times)))
    figure("rollup_incremental_queries", queries)
    figure("rollup_incremental_noop_ms", ms(idle))
    figure("sheet_approve_ms", ms(statistics.median(approve_times)))

    # The rows kept up to date by differences must be what a rebuild computes.
    def snapshot() -> dict:
        return {
            (r.organization_id, r.basis): (
                r.own,
                r.subtree,
                r.own_reporting,
                r.reporting,
            )
            for r in Rollup.objects.filter(
                organization_id__in=[bloc.root_id, org_id], year=YEAR
            )
        }

    kept = snapshot()
    rollups.rollup_rebuild(root=Organization.objects.get(id=bloc.root_id), year=YEAR)
    rebuilt = snapshot()
    same = unchanged and kept == rebuilt
    if not same:
        for key in sorted(set(kept) | set(rebuilt)):
            if kept.get(key) != rebuilt.get(key):
                log(
                    f"  MISMATCH {key}: kept {str(kept.get(key))[:300]} / "
                    f"rebuilt {str(rebuilt.get(key))[:300]}"
                )
    figure("rollup_incremental_matches_rebuild", "yes" if same else "no")
    approved = Rollup.objects.get(
        organization_id=bloc.root_id, year=YEAR, basis=RollupBasis.APPROVED
    )
    log(
        f"  bloc Q{QUARTER}: {approved.reporting.get(str(QUARTER))} TCCSĐ "
        "approved after the runs"
    )


def dashboard_client(blocs: list[Bloc]):  # noqa: ANN201
    from django.contrib.auth import get_user_model
    from django.test import Client

    from organizations.models import Role, RoleAssignment

    leader = get_user_model().objects.create_user(
        username="lanhdao_bench", password="pw-Bench-123"
    )
    for bloc in blocs:
        RoleAssignment.objects.create(
            user=leader, organization_id=bloc.root_id, role=Role.LEADER
        )
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    return client


def dashboard_url(bloc: Bloc) -> str:
    from django.urls import reverse

    from organizations.models import Organization

    public_id = Organization.objects.values_list("public_id", flat=True).get(
        id=bloc.root_id
    )
    return (
        reverse("targets:dashboard", kwargs={"public_id": public_id})
        + f"?nam={YEAR}&quy={QUARTER}"
    )


def time_dashboard(client, bloc: Bloc, requests: int, key: str) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = dashboard_url(bloc)
    response = client.get(url)  # warm-up
    body = response.content.decode(errors="replace")
    log(
        f"dashboard {key}: GET {url} → {response.status_code}, "
        f"{len(body)} bytes of HTML"
        + (
            "  (empty: the page is still a placeholder)"
            if response.status_code == 200 and not body.strip()
            else ""
        )
    )
    if response.status_code != 200:
        log(f"  dashboard answered {response.status_code}: {body[:500]}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    suffix = "" if key == "bloc" else f"_{key}"
    figure(f"dashboard_queries{suffix}", len(ctx.captured_queries))
    figure(f"dashboard_status{suffix}", response.status_code)
    figure(f"dashboard_bytes{suffix}", len(body))
    from django.core.cache import cache

    def timed(n: int, *, cold: bool) -> tuple[list[float], list[float]]:
        """Wall and CPU seconds of n requests; cold: the cache emptied before each
        (untimed), so no subordinate's verdict counts come from the memo."""
        times, cpu = [], []
        statuses = set()
        for i in range(n):
            if cold:
                cache.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            statuses.add(client.get(url).status_code)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if (i + 1) % 25 == 0:
                log(f"  {i + 1}/{n}{' (cold)' if cold else ''}")
        if statuses != {200}:
            log(f"  statuses seen: {sorted(statuses)}")
        log(
            f"  {'cold' if cold else 'warm'}: min {ms(min(times))} ms, "
            f"max {ms(max(times))} ms, mean {ms(statistics.fmean(times))} ms, "
            f"CPU median {ms(statistics.median(cpu))} ms"
        )
        return times, cpu

    times, cpu = timed(requests, cold=False)
    figure(f"dashboard{suffix}_p50_ms", ms(statistics.median(times)))
    figure(f"dashboard{suffix}_p95_ms", ms(percentile(times, 95)))
    figure(f"dashboard{suffix}_cpu_ms", ms(statistics.median(cpu)))
    times, cpu = timed(requests, cold=True)
    figure(f"dashboard{suffix}_cold_p50_ms", ms(statistics.median(times)))
    figure(f"dashboard{suffix}_cold_p95_ms", ms(percentile(times, 95)))
    figure(f"dashboard{suffix}_cold_cpu_ms", ms(statistics.median(cpu)))


def _log_profile(profiler, path: str) -> None:  # noqa: ANN001
    import io
    import pstats

    profiler.dump_stats(path)
    log(f"profile written to {path}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(18)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        log(f"top by {order}:\n" + "\n".join(lines[start:]))


def profile_rebuild(root, path: str) -> None:  # noqa: ANN001
    import cProfile

    from targets.rollups import rollup_rebuild

    profiler = cProfile.Profile()
    profiler.enable()
    rollup_rebuild(root=root, year=YEAR)
    profiler.disable()
    _log_profile(profiler, path)


def profile_dashboard(client, bloc: Bloc, path: str, requests: int = 3) -> None:  # noqa: ANN001
    import cProfile

    url = dashboard_url(bloc)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    _log_profile(profiler, path)


# --- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--runs", type=int, default=3, help="timed full rebuilds per bloc"
    )
    parser.add_argument("--incremental-runs", type=int, default=7)
    parser.add_argument(
        "--requests", type=int, default=50, help="timed dashboard requests"
    )
    parser.add_argument(
        "--requests-10x", type=int, default=5, help="timed dashboard requests at 10×"
    )
    parser.add_argument(
        "--no-10x", dest="tenx", action="store_false", help="the bloc only"
    )
    parser.add_argument(
        "--profile", metavar="PREFIX", help="cProfile one rebuild of each bloc"
    )
    args = parser.parse_args()

    with throwaway_django(args.db) as vendor:
        from django.conf import settings
        from django.core.management.color import no_style
        from django.db import connection, transaction

        from organizations.models import Organization
        from targets.models import Result

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

        if vendor == "sqlite":  # build speed only: reopened with the defaults below
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA journal_mode = MEMORY")
        rng = random.Random(SEED)
        ids = Ids.from_database()
        blocs: dict[str, Bloc] = {}
        for scale, key in ((1, "bloc"), (10, "10x")) if args.tenx else ((1, "bloc"),):
            start = time.perf_counter()
            log(f"building {key} (scale {scale})")
            with transaction.atomic():
                blocs[key] = build_bloc(ids, rng, scale=scale, label=key.upper())
            log(f"built {key} in {time.perf_counter() - start:.1f}s")
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), self_assigned_models()
                ):
                    cursor.execute(sql)
                cursor.execute("ANALYZE")
        connection.close()

        for key, bloc in blocs.items():
            figure(f"{key}_orgs", bloc.orgs)
            figure(f"{key}_members", bloc.members)
            figure(f"{key}_grassroots", len(bloc.grassroots_ids))
            figure(f"{key}_targets", bloc.targets)
            figure(f"{key}_results", bloc.results)
        log(f"database: {vendor}; {Result.objects.count()} results in all")

        roots = {
            key: Organization.objects.get(id=bloc.root_id)
            for key, bloc in blocs.items()
        }
        time_rebuild(roots["bloc"], args.runs, "bloc")
        time_floor(roots["bloc"], "bloc")
        time_incremental(blocs["bloc"], args.incremental_runs)
        if args.tenx:
            time_rebuild(roots["10x"], args.runs, "10x")
            time_floor(roots["10x"], "10x")

        client = dashboard_client(list(blocs.values()))
        time_dashboard(client, blocs["bloc"], args.requests, "bloc")
        if args.tenx:
            time_dashboard(client, blocs["10x"], args.requests_10x, "10x")

        if args.profile:
            for key, root in roots.items():
                profile_rebuild(root, f"{args.profile}-{key}.prof")
            profile_dashboard(client, blocs["bloc"], f"{args.profile}-dashboard.prof")


if __name__ == "__main__":
    main()
