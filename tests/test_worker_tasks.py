"""The product's own tasks through the real worker (PostgreSQL + Redis run):
an approval updates the roll-ups, and a rendering is made, by the worker."""

from __future__ import annotations

import subprocess
import time
from decimal import Decimal

import pytest

from reports import services as report_services
from reports.models import Rendering, RenderStatus
from targets import rollups
from targets import services as target_services
from targets.models import Rollup, RollupBasis, RollupState
from tests.factories import make_org
from tests.test_worker import real_worker

pytestmark = [pytest.mark.worker, real_worker, pytest.mark.django_db(transaction=True)]


def _wait(predicate, timeout: float = 60) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_an_approval_updates_the_roll_up_through_the_worker():
    bloc = make_org("Đảng bộ Khối (worker)", short_name="ĐUK")
    so = make_org("Đảng bộ Sở (worker)", parent=bloc, short_name="ĐU")
    plan = target_services.plan_create(
        organization=bloc, title="Chỉ tiêu khối", start_year=2023
    )
    target = target_services.target_create(
        plan=plan,
        group="G",
        wording="Kết nạp 20",
        label="Kết nạp",
        kind="count",
        plan_value=20,
    )
    (copy,) = target_services.target_assign(target=target, plan_values={so: 20})
    sheet = target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=1,
        version=0,
        entries={copy.id: target_services.Entry(value=Decimal(7))},
        user=None,
    )
    target_services.sheet_submit(organization=so, year=2023, quarter=1, user=None)
    sheet.refresh_from_db()

    target_services.sheet_approve(
        sheet=sheet, user=None
    )  # commits; on_commit sends the task

    def approved_sum() -> Decimal | None:
        row = Rollup.objects.filter(
            organization=bloc, year=2023, basis=RollupBasis.APPROVED
        ).first()
        figures = rollups.figures_of(row, target.id)[0]
        return figures.value if figures else None

    assert _wait(lambda: approved_sum() == Decimal(7)), (
        "the worker did not update the roll-up"
    )
    assert _wait(
        lambda: RollupState.objects.get(organization=bloc, year=2023).pending == 0
    )


def test_a_pdf_rendering_is_made_by_the_worker(world, plan_world):
    document = world.document
    rendering = report_services.rendering_request(
        document=document, fmt="pdf", user=None
    )
    assert _wait(
        lambda: (
            Rendering.objects.get(pk=rendering.pk).status
            in (RenderStatus.DONE, RenderStatus.FAILED)
        ),
        timeout=120,
    )
    rendering.refresh_from_db()
    assert rendering.status == RenderStatus.DONE, rendering.error
    with rendering.file.open("rb") as handle:
        content = handle.read()
    assert content[:5] == b"%PDF-"
    # The Phụ lục, laid out in a process the worker forked, comes after the body
    # under its page numbers.
    pages = (
        subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True
        )
        .stdout.decode()
        .split("\f")[:-1]
    )
    assert len(pages) >= 2
    tops = [next(line for line in page.splitlines() if line.strip()) for page in pages]
    assert [top.split()[0] for top in tops[1:]] == [
        str(n) for n in range(2, len(pages) + 1)
    ]
    assert "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU" in pages[-1]


def test_a_move_has_the_worker_rebuild_both_trees():
    import datetime as dt

    from organizations import services as org_services

    bloc = make_org("Đảng bộ Khối (chuyển, worker)", short_name="ĐUK")
    other = make_org("Đảng bộ Khối khác (chuyển, worker)", short_name="ĐUK")
    so = make_org("Đảng bộ Sở (chuyển, worker)", parent=bloc, short_name="ĐU")
    plan = target_services.plan_create(
        organization=bloc, title="Chỉ tiêu khối", start_year=2023
    )
    target = target_services.target_create(
        plan=plan,
        group="G",
        wording="Kết nạp 20",
        label="Kết nạp",
        kind="count",
        plan_value=20,
    )
    (copy,) = target_services.target_assign(target=target, plan_values={so: 20})
    sheet = target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=1,
        version=0,
        entries={copy.id: target_services.Entry(value=Decimal(7))},
        user=None,
    )
    target_services.sheet_submit(organization=so, year=2023, quarter=1, user=None)
    sheet.refresh_from_db()
    target_services.sheet_approve(sheet=sheet, user=None)

    def approved_sum(root) -> Decimal | None:  # noqa: ANN001
        row = Rollup.objects.filter(
            organization=root, year=2023, basis=RollupBasis.APPROVED
        ).first()
        figures = rollups.figures_of(row, target)[0]
        return figures.value if figures else None

    assert _wait(lambda: approved_sum(bloc) == Decimal(7)), (
        "the worker did not update the roll-up"
    )
    org_services.organization_move(
        organization=so, new_parent=other, on_date=dt.date(2023, 6, 1)
    )

    def rebuilt() -> bool:
        states = RollupState.objects.filter(organization__in=[bloc, other], year=2023)
        return states.count() == 2 and all(
            s.pending == 0 and s.last_full_at for s in states
        )

    assert _wait(rebuilt), "the worker did not rebuild both trees after the move"
    assert approved_sum(bloc) is None and approved_sum(other) == Decimal(7)
