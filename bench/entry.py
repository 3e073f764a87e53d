"""Bench: the cadre's quarterly entry sheet (GET) and its live preview (HTMX POST).

    .venv/bin/python bench/entry.py               # throwaway SQLite file
    .venv/bin/python bench/entry.py --db postgres # BENCH_DATABASE_URL's server

Builds, in a fresh database and through the services (what the app writes):

* a bloc → an đảng bộ cơ sở ("Sở") → 5 chi bộ with 150 members (a few admitted
  in 2022 and during 2023, so the admissions share has work to do) and the
  2023 ratings of the chi bộ and of the full members;
* the Sở's 2023 plan of 40 targets in 2 groups: counts with "trong đó"
  sub-targets, rates typed as numerator/denominator or as a %, point changes,
  done-of-planned, a year-on-year count, and 5 computed from the registry
  (admissions share, member total, members/cells rated HTTNV+, HTXSNV);
* results for Q1–Q3 2023 (Q3 still a draft, so the page renders its inputs;
  --quarter 4 adds Q4 and measures it, the quarter where ratings are read) and,
  unless --no-last-year, a 2022 plan with the same targets and Q1–Q4 2022
  results (the "cùng kỳ năm trước" and yoy figures);
* a cadre (Role.CADRE at the Sở).

Then, with django.test.Client and force_login (the request path the browser
takes: middleware, session, scope, the view, the template):

* GET /ket-qua/<id>/2023/quy-3/ — 1 warm-up + --requests (100) timed requests;
* POST …/xem-truoc/ with HX-Request, every input as the page sends it and one
  figure changed — the same count.

Figures go to stdout (`name: value`), progress to stderr. Queries are counted on
one request with CaptureQueriesContext.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from _common import figure, log, throwaway_django

YEAR = 2023
SEED = 20230930
PRO = "Chỉ tiêu về phát triển kinh tế - xã hội"
PARTY = "Chỉ tiêu về công tác xây dựng Đảng"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


# --- data --------------------------------------------------------------------------


def build_registry(rng: random.Random):  # noqa: ANN201
    """Bloc → Sở → 5 chi bộ, 150 members, 2023 ratings. Returns the Sở."""
    from organizations import services
    from organizations.models import Grade, OrganizationLevel

    levels = {lvl.code: lvl for lvl in OrganizationLevel.objects.all()}

    def org(name: str, code: str, parent=None, short_name: str = ""):  # noqa: ANN001, ANN202
        return services.organization_create(
            name=name,
            level=levels[code],
            kind=services.default_kind_for(levels[code]),
            parent=parent,
            founded_on=dt.date(2000, 1, 1),
            short_name=short_name,
        )

    bloc = org("Đảng bộ Khối Cơ quan tỉnh", "upper", short_name="ĐUK")
    so = org(
        "Đảng bộ Sở Lao động - Thương binh và Xã hội",
        "grassroots_committee",
        bloc,
        "ĐU",
    )
    cells = [
        org(f"Chi bộ {name}", "cell", so)
        for name in (
            "Văn phòng Sở",
            "Phòng Lao động",
            "Phòng Bảo trợ",
            "Thanh tra Sở",
            "Trung tâm Dịch vụ việc làm",
        )
    ]
    surnames = "Nguyễn Trần Lê Phạm Hoàng Phan Vũ Đặng Bùi Đỗ".split()
    given = (
        "An Bình Cường Dũng Hà Hạnh Hoa Hùng Lan Linh Mai Nam Phong Sơn Thảo Trang"
    ).split()
    members = []
    for i in range(150):
        if i < 9:  # admitted during 2023 (Q1–Q3): probationary, not rated
            admitted = dt.date(2023, 1 + (i * 8) // 9, 10 + i)
            full = None
        elif i < 14:  # admitted in 2022, full members during 2023
            admitted = dt.date(2022, 2 + i - 9, 15)
            full = admitted + dt.timedelta(days=365)
        else:
            admitted = dt.date(
                rng.randrange(1990, 2021), rng.randrange(1, 13), rng.randrange(1, 28)
            )
            full = admitted + dt.timedelta(days=365)
        female = rng.random() < 0.4
        members.append(
            services.member_create(
                full_name=" ".join(
                    (
                        rng.choice(surnames),
                        "Thị" if female else "Văn",
                        rng.choice(given),
                    )
                ),
                sex="F" if female else "M",
                date_of_birth=admitted
                - dt.timedelta(days=rng.randrange(20 * 365, 35 * 365)),
                organization=cells[i % len(cells)],
                admitted_on=admitted,
                full_member_on=full,
            )
        )
    grades = (
        [Grade.EXCELLENT] * 2 + [Grade.GOOD] * 13 + [Grade.DONE] * 4 + [Grade.FAILED]
    )
    for member in members:
        if member.full_member_on is not None:
            services.member_rating_set(
                member=member, year=YEAR, grade=rng.choice(grades)
            )
    for cell in cells:
        services.organization_rating_set(
            organization=cell, year=YEAR, grade=rng.choice(grades[:18])
        )
    return so


def build_plan(so, year: int):  # noqa: ANN001, ANN201
    """40 targets; the same labels every year (last year's figures match by label)."""
    from targets import services
    from targets.models import Source

    plan = services.plan_create(
        organization=so,
        title=f"Chỉ tiêu năm {year}",
        start_year=year,
        resolution=f"Nghị quyết số 05-NQ/ĐU ngày 23/02/{year}",
    )

    def target(group: str, label: str, kind: str, plan_value, **extra):  # noqa: ANN001, ANN003, ANN202
        return services.target_create(
            plan=plan,
            group=group,
            wording=f"{label}: kế hoạch {plan_value}",
            label=label,
            kind=kind,
            plan_value=plan_value,
            **extra,
        )

    # 6 counts with 2 sub-targets each (18).
    for i, (label, value) in enumerate(
        (
            ("Giải quyết việc làm", 18500),
            ("Tuyển sinh đào tạo nghề", 9000),
            ("Hỗ trợ hộ nghèo", 2400),
            ("Cấp thẻ bảo hiểm y tế", 35000),
            ("Tư vấn, giới thiệu việc làm", 12000),
            ("Thanh tra, kiểm tra doanh nghiệp", 300),
        )
    ):
        parent = target(PRO, label, "count", value, unit="người")
        for j in range(2):
            target(
                PRO,
                f"{label} – nhóm {j + 1}",
                "count",
                value // (3 + j),
                unit="người",
                parent=parent,
            )
        if i == 0:
            target(PRO, "Lao động có việc làm so với năm trước", "yoy", 5, unit="%")
    # 6 rates: 4 typed as numerator/denominator, 2 as a percentage (6).
    for i, (label, value) in enumerate(
        (
            ("Tỷ lệ lao động qua đào tạo", "68.7"),
            ("Tỷ lệ có bằng cấp, chứng chỉ", "30.5"),
            ("Tỷ lệ doanh nghiệp chấp hành pháp luật lao động", "90"),
            ("Tỷ lệ hồ sơ giải quyết đúng hạn", "98"),
            ("Tỷ lệ bao phủ bảo hiểm xã hội", "35.2"),
            ("Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp", "95"),
        )
    ):
        target(
            PRO,
            label,
            "rate",
            value,
            unit="%",
            places=1,
            comparator="gt" if i == 5 else None,
        )
    # 4 point changes (4).
    for label, value in (
        ("Giảm tỷ lệ hộ nghèo", "-0.8"),
        ("Giảm tỷ lệ hộ cận nghèo", "-0.5"),
        ("Giảm tỷ lệ thất nghiệp thành thị", "-0.2"),
        ("Tăng tỷ lệ lao động phi nông nghiệp", "1.5"),
    ):
        target(PRO, label, "pp_change", value, unit="%")
    # Party work: 5 computed from the registry, 3 done-of-planned, 3 counts (11).
    target(
        PARTY,
        "Kết nạp đảng viên",
        "base_share",
        4,
        unit="%",
        source=Source.ADMISSIONS_SHARE,
    )
    target(
        PARTY,
        "Tổng số đảng viên",
        "count",
        150,
        unit="đảng viên",
        source=Source.MEMBER_TOTAL,
    )
    target(
        PARTY,
        "Đảng viên HTTNV trở lên",
        "rate",
        85,
        unit="%",
        source=Source.MEMBERS_GOOD,
    )
    target(
        PARTY, "Đảng viên HTXSNV", "rate", 15, unit="%", source=Source.MEMBERS_EXCELLENT
    )
    target(
        PARTY, "Chi bộ HTTNV trở lên", "rate", 80, unit="%", source=Source.CELLS_GOOD
    )
    for label, value in (
        ("Kiểm tra, giám sát", 7),
        ("Sinh hoạt chuyên đề", 4),
        ("Học tập nghị quyết", 6),
    ):
        target(PARTY, label, "done_of_planned", value, unit="cuộc")
    for label, value in (
        ("Bồi dưỡng lý luận chính trị", 40),
        ("Quần chúng ưu tú được giới thiệu", 12),
        ("Đảng viên được tặng Huy hiệu", 8),
    ):
        target(PARTY, label, "count", value, unit="người")
    assert plan.targets.count() == 40, plan.targets.count()
    return plan


def entries_for(plan, rng: random.Random, quarter: int, scale: float = 1.0) -> dict:  # noqa: ANN001
    """A quarter's typed figures for every manual target."""
    from targets.models import Source
    from targets.services import Entry

    entries = {}
    for t in plan.targets.filter(source=Source.MANUAL).order_by("id"):
        plan_value = t.plan_value or Decimal(10)
        note = "Số liệu ước tính" if rng.random() < 0.1 else ""
        if t.kind == "rate":
            if rng.random() < 0.66:
                den = Decimal(rng.randrange(800, 1200))
                num = (den * (plan_value + rng.randrange(-5, 6)) / 100).quantize(
                    Decimal(1)
                )
                entries[t.id] = Entry(
                    numerator=min(num, den), denominator=den, note=note
                )
            else:
                entries[t.id] = Entry(
                    value=plan_value + Decimal(rng.randrange(-30, 31)) / 10, note=note
                )
        elif t.kind == "pp_change":
            entries[t.id] = Entry(
                value=plan_value * Decimal(rng.randrange(5, 16)) / 10 / 4 * quarter,
                note=note,
            )
        elif t.kind == "done_of_planned":
            entries[t.id] = Entry(value=Decimal(rng.randrange(1, 3)), note=note)
        elif t.kind == "yoy":
            entries[t.id] = Entry(value=Decimal(rng.randrange(4000, 6000)), note=note)
        else:  # counts: about a quarter of the year's plan each quarter
            share = Decimal(rng.randrange(20, 32)) / 100
            entries[t.id] = Entry(
                value=(plan_value * share * Decimal(str(scale))).quantize(Decimal(1)),
                note=note,
            )
    return entries


def build(last_year: bool, quarter_measured: int):  # noqa: ANN201
    from django.contrib.auth import get_user_model

    from organizations.models import Role, RoleAssignment
    from targets import services

    rng = random.Random(SEED)
    start = time.perf_counter()
    so = build_registry(rng)
    log(f"registry: 150 members, ratings ({time.perf_counter() - start:.1f}s)")
    years = (
        [(YEAR - 1, 4, 0.95), (YEAR, quarter_measured, 1.0)]
        if last_year
        else [(YEAR, quarter_measured, 1.0)]
    )
    for year, quarters, scale in years:
        plan = build_plan(so, year)
        for quarter in range(1, quarters + 1):
            services.sheet_save(
                organization=so,
                year=year,
                quarter=quarter,
                version=0,
                entries=entries_for(plan, rng, quarter, scale),
                user=None,
            )
            if (year, quarter) != (YEAR, quarter_measured):  # that one: a draft
                services.sheet_submit(
                    organization=so, year=year, quarter=quarter, user=None
                )
        log(f"plan {year}: 40 targets, results Q1–Q{quarters}")
    cadre = get_user_model().objects.create_user(
        username="canbo_bench", password="pw-Bench-123"
    )
    RoleAssignment.objects.create(user=cadre, organization=so, role=Role.CADRE)
    return so, cadre


# --- measuring ----------------------------------------------------------------------


def timed(fn, n: int) -> list[float]:  # noqa: ANN001
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if (i + 1) % 25 == 0:
            log(f"  {i + 1}/{n}")
    return times


def report(name: str, times: list[float], queries: int) -> None:
    log(
        f"{name}: min {ms(min(times))} ms, max {ms(max(times))} ms, "
        f"mean {ms(statistics.fmean(times))} ms"
    )
    figure(f"{name}_p50_ms", ms(statistics.median(times)))
    figure(f"{name}_p95_ms", ms(percentile(times, 95)))
    figure(f"{name}_queries", queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--quarter",
        type=int,
        choices=[1, 2, 3, 4],
        default=3,
        help="the 2023 quarter measured (results Q1..this one; 4: ratings are read)",
    )
    parser.add_argument(
        "--no-last-year",
        dest="last_year",
        action="store_false",
        help="no 2022 plan and results",
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="cProfile the timed requests into PREFIX-sheet.prof, PREFIX-preview.prof",
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="list one request's SQL on stderr"
    )
    args = parser.parse_args()

    with throwaway_django(args.db) as vendor:
        from django.conf import settings
        from django.db import connection, transaction
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from partyreports.formatting import format_plain
        from targets.forms import field_names
        from targets.models import Result, Sheet, Source

        # The test client's host; no setup_test_environment(): it would wrap every
        # template render to record contexts, which the real server does not do.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        # WhiteNoise warns at start-up when STATIC_ROOT (in DATA_DIR) is missing.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

        with transaction.atomic():
            so, cadre = build(args.last_year, args.quarter)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        kwargs = {"public_id": so.public_id, "year": YEAR, "quarter": args.quarter}
        sheet_url = reverse("targets:sheet", kwargs=kwargs)
        preview_url = reverse("targets:preview", kwargs=kwargs)
        client = Client()
        client.force_login(cadre)

        # The form as the page posts it: every manual input, one figure retyped.
        sheet = Sheet.objects.get(organization=so, year=YEAR, quarter=args.quarter)
        form = {"version": str(sheet.version)}
        for result in Result.objects.filter(sheet=sheet).select_related("target"):
            names = field_names(result.target_id)
            form[names["value"]] = format_plain(result.value)
            form[names["numerator"]] = format_plain(result.numerator)
            form[names["denominator"]] = format_plain(result.denominator)
            form[names["note"]] = result.note
        jobs = sheet.plan.targets.get(label="Giải quyết việc làm", source=Source.MANUAL)
        form[field_names(jobs.id)["value"]] = "5.360"

        def get() -> None:
            response = client.get(sheet_url)
            assert response.status_code == 200, response.status_code

        def preview() -> None:
            response = client.post(preview_url, form, HTTP_HX_REQUEST="true")
            assert response.status_code == 200, response.status_code

        body = client.get(sheet_url).content.decode()  # warm-up
        rows = body.count('<tr data-target="')
        inputs = body.count('class="form-control')
        log(
            f"database: {vendor}; sheet: {rows} rows, {inputs} inputs, "
            f"{len(body) // 1024} KiB of HTML"
        )
        assert rows == 40, rows
        fragment = client.post(
            preview_url, form, HTTP_HX_REQUEST="true"
        ).content.decode()  # warm-up
        log(
            f"preview: {fragment.count('hx-swap-oob')} out-of-band swaps, "
            f"{len(fragment) // 1024} KiB"
        )

        counts = {}
        for name, fn in (("sheet", get), ("preview", preview)):
            with CaptureQueriesContext(connection) as ctx:
                fn()
            counts[name] = len(ctx.captured_queries)
            if args.show_queries:
                log(f"{name}: {counts[name]} queries")
                for q in ctx.captured_queries:
                    log(f"  {q['time']}s  {q['sql'][:300]}")

        times = {}
        for name, fn, what in (
            ("sheet", get, f"GET {sheet_url}"),
            ("preview", preview, f"POST {preview_url}"),
        ):
            log(f"timing {what} × {args.requests}")
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            times[name] = timed(fn, args.requests)
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(f"{args.profile}-{name}.prof")
                log(f"profile written to {args.profile}-{name}.prof")
        get_times, preview_times = times["sheet"], times["preview"]
        get_queries, preview_queries = counts["sheet"], counts["preview"]

        report("entry_sheet", get_times, get_queries)
        report("entry_preview", preview_times, preview_queries)
        figure("entry_sheet_targets", rows)


if __name__ == "__main__":
    main()
