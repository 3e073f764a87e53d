"""A plan for the Sở of tree A, with targets of several kinds (seed 001's numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from targets import services
from targets.models import Plan, Source, Target

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
    plan = services.plan_create(organization=world.grassroots_a, title="Nghị quyết năm 2023", start_year=2023)
    jobs = services.target_create(
        plan=plan, group=PRO, wording="Giải quyết việc làm cho 18.500 lao động", label="Giải quyết việc làm",
        kind="count", plan_value=18500, unit="người",
    )
    overseas = services.target_create(
        plan=plan, group=PRO, wording="trong đó đi làm việc ở nước ngoài 3.700 người", label="Đi làm việc ở nước ngoài",
        kind="count", plan_value=3700, unit="người", parent=jobs,
    )
    trained = services.target_create(
        plan=plan, group=PRO, wording="Tỷ lệ lao động qua đào tạo đạt 68,7%", label="Tỷ lệ lao động qua đào tạo",
        kind="rate", plan_value="68.7", unit="%", places=1,
    )
    poor = services.target_create(
        plan=plan, group=PRO, wording="Giảm tỷ lệ hộ nghèo 0,8%", label="Giảm tỷ lệ hộ nghèo",
        kind="pp_change", plan_value="-0.8", unit="%",
    )
    admissions = services.target_create(
        plan=plan, group=PARTY, wording="Kết nạp đảng viên đạt 4% so với tổng số đảng viên đầu năm",
        label="Kết nạp đảng viên", kind="base_share", plan_value=4, unit="%", source=Source.ADMISSIONS_SHARE,
    )
    inspections = services.target_create(
        plan=plan, group=PARTY, wording="Kiểm tra, giám sát 07 cuộc theo kế hoạch", label="Kiểm tra, giám sát",
        kind="done_of_planned", plan_value=7, unit="cuộc",
    )
    return PlanWorld(plan, jobs, overseas, trained, poor, admissions, inspections)
