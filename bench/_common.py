"""Helpers shared by the benches: a throwaway database, Django set-up, timing.

A bench prints its figures on stdout, one ``name: value`` line each, and
everything else (progress) on stderr, so `bench/x.py > figures.txt` keeps only
the figures.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_T0 = time.perf_counter()


def log(*parts: object) -> None:
    """Progress on stderr, with the seconds since the bench started."""
    print(f"[{time.perf_counter() - _T0:7.1f}s]", *parts, file=sys.stderr, flush=True)


def figure(name: str, value: object) -> None:
    """One figure on stdout: ``name: value``."""
    print(f"{name}: {value}", flush=True)


def seconds(value: float) -> str:
    return f"{value:.3f}"


@contextlib.contextmanager
def throwaway_django(db: str = "sqlite") -> Iterator[str]:
    """Set Django up on a fresh, migrated database and remove it afterwards.

    sqlite: a file in a temporary folder (DATABASE_URL is set before
    django.setup(), so the project's own var/db.sqlite3 is never touched).
    postgres: the server named by BENCH_DATABASE_URL; a database
    ``bench_<pid>`` is created there (Django's test-database machinery) and
    dropped at the end, so the database in the URL is left alone.

    Yields the engine vendor ("sqlite" or "postgresql").
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "partyreports.settings"
    tmp = tempfile.mkdtemp(prefix="partyreports-bench-")
    os.environ["DATA_DIR"] = tmp  # uploads, static root: nothing lands in var/
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    elif db == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL")
        if not url:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SystemExit(
                "--db postgres needs BENCH_DATABASE_URL, e.g. "
                "postgres://user:pw@127.0.0.1:5432/postgres (a database bench_<pid> "
                "is created on that server and dropped afterwards)"
            )
        os.environ["DATABASE_URL"] = url
    else:
        raise SystemExit(f"unknown --db {db!r} (sqlite or postgres)")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # No query log: with DEBUG on, every bulk INSERT would be rendered to text.
    settings.DEBUG = False
    old_name = None
    try:
        if db == "postgres":
            connection.settings_dict.setdefault("TEST", {})["NAME"] = (
                f"bench_{os.getpid()}"
            )
            log(f"creating database bench_{os.getpid()} and migrating")
            old_name = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False
            )
        else:
            log(f"migrating {os.environ['DATABASE_URL']}")
            call_command("migrate", verbosity=0, interactive=False)
        yield connection.vendor
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)


def median_seconds(
    fn: Callable[[], object], *, runs: int = 5, warmup: int = 1
) -> tuple[float, list[float]]:
    """Median wall time of `fn` over `runs` runs, after `warmup` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def query_count(fn: Callable[[], object]) -> int:
    """How many SQL queries one call of `fn` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


# --- generated people -------------------------------------------------------------

SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
)
MIDDLES_M = "Văn Hữu Đức Minh Quang Thành Xuân Công".split()
MIDDLES_F = "Thị Ngọc Thu Thanh Kim Mỹ Hồng Phương".split()
GIVEN_M = (
    "An Bình Cường Dũng Đạt Giang Hải Hùng Khánh Long "
    "Minh Nam Phong Quân Sơn Tâm Thắng Trung Tuấn Việt"
).split()
GIVEN_F = (
    "Anh Ánh Chi Dung Hà Hạnh Hoa Hương Lan Linh "
    "Mai Nga Ngân Nhung Oanh Phượng Quyên Thảo Trang Yến"
).split()


def random_name(rng: random.Random, *, female: bool) -> tuple[str, str, str]:
    """A Vietnamese full name, with the search and sort keys the app stores."""
    from partyreports.formatting import fold_accents, vietnamese_sort_key

    full_name = " ".join(
        (
            rng.choice(SURNAMES),
            rng.choice(MIDDLES_F if female else MIDDLES_M),
            rng.choice(GIVEN_F if female else GIVEN_M),
        )
    )
    return full_name, fold_accents(full_name), vietnamese_sort_key(full_name)
