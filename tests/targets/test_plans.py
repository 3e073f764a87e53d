"""The office keys a resolution's targets in: plans and targets pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import Plan, Target

pytestmark = pytest.mark.django_db


def test_office_creates_a_plan_and_adds_targets_with_vietnamese_numbers(client, world, office):
    client.force_login(office)
    response = client.post(
        reverse("targets:plan_create", kwargs={"public_id": world.grassroots_a.public_id}),
        {"title": "Chỉ tiêu năm 2024", "start_year": 2024, "end_year": 2024, "resolution": "Nghị quyết số 05-NQ/ĐU"},
    )
    plan = Plan.objects.get(start_year=2024)
    assert response.status_code == 302
    url = reverse("targets:target_create", kwargs={"public_id": plan.public_id})
    response = client.post(url, {
        "group": "Chỉ tiêu về công tác chuyên môn", "wording": "Phấn đấu tạo việc làm cho 19.500 người",
        "label": "Tạo việc làm", "unit": "người", "kind": "count", "comparator": "gte",
        "plan_value": "19.500", "source": "manual",
    })
    assert response.status_code == 302
    jobs = Target.objects.get(plan=plan, label="Tạo việc làm")
    assert jobs.plan_value == Decimal("19500")
    response = client.post(url, {
        "group": "Chỉ tiêu về công tác chuyên môn", "wording": "Tỷ lệ thất nghiệp dưới 2,5%", "label": "Thất nghiệp",
        "kind": "rate", "comparator": "lt", "plan_value": "2,5", "source": "manual", "parent": jobs.id,
    })
    assert Target.objects.get(label="Thất nghiệp").plan_value == Decimal("2.5")
    body = client.get(reverse("targets:plan", kwargs={"public_id": plan.public_id})).content.decode()
    assert "19.500" in body and "dưới 2,5%" in body


def test_a_wrong_number_or_an_inconsistent_target_is_refused_in_vietnamese(client, world, office):
    client.force_login(office)
    url = reverse("targets:target_create", kwargs={"public_id": world.plan_public_id})
    before = Target.objects.count()
    body = client.post(url, {
        "group": "G", "wording": "x", "label": "x", "kind": "count", "comparator": "gte",
        "plan_value": "19,500,5", "source": "manual",
    }).content.decode()
    assert "Số không hợp lệ" in body
    body = client.post(url, {
        "group": "G", "wording": "x", "label": "x", "kind": "rate", "comparator": "range",
        "plan_value": "33", "source": "manual",
    }).content.decode()
    assert "cần cả cận dưới và cận trên" in body
    assert Target.objects.count() == before


def test_editing_a_target_keeps_its_results(client, world, office):
    client.force_login(office)
    url = reverse("targets:target_edit", kwargs={"public_id": world.plan_public_id, "target_id": world.plan_target_id})
    response = client.post(url, {
        "group": "Chỉ tiêu chung", "wording": "Chỉ tiêu thử (sửa)", "label": "Chỉ tiêu thử", "kind": "count",
        "comparator": "gte", "plan_value": "12", "source": "manual",
    })
    assert response.status_code == 302
    target = Target.objects.get(id=world.plan_target_id)
    assert target.plan_value == Decimal("12") and target.results.count() == 1
