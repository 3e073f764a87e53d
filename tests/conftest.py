"""Shared fixtures: two separate trees and the personas of style.md.

Tree A: bloc_a → grassroots ("Đảng bộ Sở A") → two chi bộ (cell_a1, cell_a2).
Tree B: bloc_b → grassroots_b → cell_b (the outsider's world).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from hypothesis import settings as hypothesis_settings

from organizations.models import Member, Organization, Role
from reports import services as report_services
from reports.models import Rendering, RenderStatus
from targets import services as target_services
from targets.models import Plan, Source, Target
from tests.factories import make_member, make_org, make_user

# Property-based tests draw the same examples on every run, so a red `make test`
# is reproducible and CI never fails on a lucky draw; HYPOTHESIS_PROFILE=explore
# draws fresh examples (and keeps failures in .hypothesis/) while developing.
hypothesis_settings.register_profile("default", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Every (URL, method, persona, object) the access walk tried (tests/test_access.py),
# by what the walk checked; the terminal summary prints the counts.
ACCESS_WALK: dict[str, set[tuple[str, str, str, str]]] = defaultdict(set)


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if not ACCESS_WALK:
        return
    tried = set().union(*ACCESS_WALK.values())
    combinations = {(url, persona, obj) for url, _method, persona, obj in tried}
    terminalreporter.write_line(
        f"access walk: {len(combinations)} (URL, role, object) combinations tried "
        f"({len(tried)} requests), of which:"
    )
    for category, requests in sorted(ACCESS_WALK.items()):
        combos = {(url, persona, obj) for url, _method, persona, obj in requests}
        terminalreporter.write_line(
            f"  {category}: {len(combos)} ({len(requests)} requests)"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201
    """In the real run (PARTYREPORTS_REAL_WORKER=1) a test marked `worker` must
    run: one skipped there (the stack's variables missing, say) is a failure,
    so `make test` cannot pass with the worker and failure tests left out."""
    report = yield
    if (
        report.skipped
        and os.environ.get("PARTYREPORTS_REAL_WORKER") == "1"
        and item.get_closest_marker("worker") is not None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = f"a `worker` test was skipped in the real run: {reason}"
    return report


@dataclass
class World:
    bloc_a: Organization
    grassroots_a: Organization
    cell_a1: Organization
    cell_a2: Organization
    bloc_b: Organization
    grassroots_b: Organization
    cell_b: Organization
    member_a: Member
    member_b: Member
    plan_target_id: int = 0
    plan_public_id: object = None
    document: object = None
    issued_document: object = None
    rendering: object = None


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    bloc_a = make_org("Đảng bộ Khối A", short_name="ĐUK")
    grassroots_a = make_org("Đảng bộ Sở A", parent=bloc_a, short_name="ĐU")
    cell_a1 = make_org("Chi bộ Văn phòng A", parent=grassroots_a)
    cell_a2 = make_org("Chi bộ Phòng Kế hoạch A", parent=grassroots_a)
    bloc_b = make_org("Đảng bộ Khối B", short_name="ĐUK")
    grassroots_b = make_org("Đảng bộ Sở B", parent=bloc_b)
    cell_b = make_org("Chi bộ Văn phòng B", parent=grassroots_b)
    member_a = make_member(cell_a1, full_name="Nguyễn Thị Hoà", sex="F")
    member_b = make_member(cell_b, full_name="Trần Văn Bê")
    target, plan, document, issued, rendering = scoped_objects(grassroots_a)
    return World(
        bloc_a,
        grassroots_a,
        cell_a1,
        cell_a2,
        bloc_b,
        grassroots_b,
        cell_b,
        member_a,
        member_b,
        target.id,
        plan.public_id,
        document,
        issued,
        rendering,
    )


def scoped_objects(organization: Organization):  # noqa: ANN201
    """The objects the URL walk reaches through one organisation: a plan with
    one target, a submitted Q4/2023 sheet, a draft and an issued document and a
    stored rendering."""
    plan = target_services.plan_create(
        organization=organization, title="Kế hoạch 2023", start_year=2023
    )
    target = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu chung",
        wording="Chỉ tiêu thử",
        label="Chỉ tiêu thử",
        kind="count",
        plan_value=10,
    )
    # A submitted Q4 sheet, so review actions have an object to act on.
    target_services.sheet_save(
        organization=organization,
        year=2023,
        quarter=4,
        version=0,
        entries={target.id: target_services.Entry(value=Decimal(5))},
        user=None,
    )
    target_services.sheet_submit(
        organization=organization, year=2023, quarter=4, user=None
    )
    document = report_services.document_create(
        organization=organization,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=dt.date(2023, 10, 6),
    )
    issued = _issued_document(organization)
    rendering = Rendering.objects.create(
        document=document,
        fmt="pdf",
        status=RenderStatus.DONE,
        sha256=hashlib.sha256(b"%PDF-1.7 test").hexdigest(),
    )
    rendering.file.save("world.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return target, plan, document, issued, rendering


def _issued_document(organization: Organization):  # noqa: ANN202
    """An issued document with a stored PDF (set up directly: tests of issuance
    itself go through the service)."""
    content = b"%PDF-1.7 issued"
    document = report_services.document_create(
        organization=organization,
        doc_type="annual",
        year=2022,
        dated=dt.date(2023, 1, 10),
    )
    document.status, document.term_label = "issued", "2020-2025"
    document.number = report_services._next_number(document, document.term_label)
    document.pdf_sha256 = hashlib.sha256(content).hexdigest()
    document.pdf.save("world-issued.pdf", ContentFile(content), save=False)
    document.save()
    return document


@pytest.fixture
def cadre(world: World):  # noqa: ANN201
    return make_user("cadre_a", role=Role.CADRE, organization=world.grassroots_a)


@pytest.fixture
def office(world: World):  # noqa: ANN201
    return make_user("office_a", role=Role.OFFICE, organization=world.grassroots_a)


@pytest.fixture
def bloc_office(world: World):  # noqa: ANN201
    return make_user("office_bloc_a", role=Role.OFFICE, organization=world.bloc_a)


@pytest.fixture
def leader(world: World):  # noqa: ANN201
    return make_user("leader_a", role=Role.LEADER, organization=world.bloc_a)


@pytest.fixture
def outsider(world: World):  # noqa: ANN201
    return make_user("office_b", role=Role.OFFICE, organization=world.bloc_b)


@pytest.fixture
def scoped_admin(world: World):  # noqa: ANN201
    """The "admin" role of style.md, held at the Sở: it keeps that subtree."""
    return make_user("admin_a", role=Role.ADMIN, organization=world.grassroots_a)


# --- a plan for the Sở of tree A, with targets of several kinds (seed 001) -------

PRO = "Chỉ tiêu về công tác chuyên môn"
PARTY = "Chỉ tiêu về công tác Đảng"


@dataclass
class PlanWorld:
    plan: Plan
    jobs: Target
    overseas: Target
    trained: Target
    poor: Target
    admissions: Target
    inspections: Target


@pytest.fixture
def plan_world(world) -> PlanWorld:  # noqa: ANN001
    plan = Plan.objects.get(organization=world.grassroots_a, start_year=2023)
    jobs = target_services.target_create(
        plan=plan,
        group=PRO,
        wording="Giải quyết việc làm cho 18.500 lao động",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=18500,
        unit="người",
    )
    overseas = target_services.target_create(
        plan=plan,
        group=PRO,
        wording="trong đó đi làm việc ở nước ngoài 3.700 người",
        label="Đi làm việc ở nước ngoài",
        kind="count",
        plan_value=3700,
        unit="người",
        parent=jobs,
    )
    trained = target_services.target_create(
        plan=plan,
        group=PRO,
        wording="Tỷ lệ lao động qua đào tạo đạt 68,7%",
        label="Tỷ lệ lao động qua đào tạo",
        kind="rate",
        plan_value="68.7",
        unit="%",
        places=1,
    )
    poor = target_services.target_create(
        plan=plan,
        group=PRO,
        wording="Giảm tỷ lệ hộ nghèo 0,8%",
        label="Giảm tỷ lệ hộ nghèo",
        kind="pp_change",
        plan_value="-0.8",
        unit="%",
    )
    admissions = target_services.target_create(
        plan=plan,
        group=PARTY,
        wording="Kết nạp đảng viên đạt 4% so với tổng số đảng viên đầu năm",
        label="Kết nạp đảng viên",
        kind="base_share",
        plan_value=4,
        unit="%",
        source=Source.ADMISSIONS_SHARE,
    )
    inspections = target_services.target_create(
        plan=plan,
        group=PARTY,
        wording="Kiểm tra, giám sát 07 cuộc theo kế hoạch",
        label="Kiểm tra, giám sát",
        kind="done_of_planned",
        plan_value=7,
        unit="cuộc",
    )
    return PlanWorld(plan, jobs, overseas, trained, poor, admissions, inspections)


@pytest.fixture(autouse=True)
def _tasks_in_process(request):  # noqa: ANN001, ANN202
    """Tasks run in-process in every test but those marked `worker`, in both
    runs: tests see their own uncommitted data, and only the worker tests talk
    to the real worker (which sees committed rows only)."""
    from partyreports.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _release_worker_connections(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN202
    """Before pytest-django drops the PostgreSQL test database, end the real
    worker's idle sessions on it (a task may have left one open)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    # A new session: this one was opened at the start and may have been cut
    # since (tests/test_failures.py restarts PostgreSQL).
    connection.close()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
