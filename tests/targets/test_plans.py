"""The office keys a resolution's targets in: plans and targets pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import Plan, Target

pytestmark = pytest.mark.django_db


def test_office_creates_a_plan_and_adds_targets_with_vietnamese_numbers(
    client, world, office
):
    client.force_login(office)
    response = client.post(
        reverse(
            "targets:plan_create", kwargs={"public_id": world.grassroots_a.public_id}
        ),
        {
            "title": "Chỉ tiêu năm 2024",
            "start_year": 2024,
            "end_year": 2024,
            "resolution": "Nghị quyết số 05-NQ/ĐU",
        },
    )
    plan = Plan.objects.get(start_year=2024)
    assert response.status_code == 302
    url = reverse("targets:target_create", kwargs={"public_id": plan.public_id})
    response = client.post(
        url,
        {
            "group": "Chỉ tiêu về công tác chuyên môn",
            "wording": "Phấn đấu tạo việc làm cho 19.500 người",
            "label": "Tạo việc làm",
            "unit": "người",
            "kind": "count",
            "comparator": "gte",
            "plan_value": "19.500",
            "source": "manual",
        },
    )
    assert response.status_code == 302
    jobs = Target.objects.get(plan=plan, label="Tạo việc làm")
    assert jobs.plan_value == Decimal("19500")
    response = client.post(
        url,
        {
            "group": "Chỉ tiêu về công tác chuyên môn",
            "wording": "Tỷ lệ thất nghiệp dưới 2,5%",
            "label": "Thất nghiệp",
            "kind": "rate",
            "comparator": "lt",
            "plan_value": "2,5",
            "source": "manual",
            "parent": jobs.id,
        },
    )
    assert Target.objects.get(label="Thất nghiệp").plan_value == Decimal("2.5")
    body = client.get(
        reverse("targets:plan", kwargs={"public_id": plan.public_id})
    ).content.decode()
    assert "19.500" in body and "dưới 2,5%" in body


def test_a_wrong_number_or_an_inconsistent_target_is_refused_in_vietnamese(
    client, world, office
):
    client.force_login(office)
    url = reverse("targets:target_create", kwargs={"public_id": world.plan_public_id})
    before = Target.objects.count()
    body = client.post(
        url,
        {
            "group": "G",
            "wording": "x",
            "label": "x",
            "kind": "count",
            "comparator": "gte",
            "plan_value": "19,500,5",
            "source": "manual",
        },
    ).content.decode()
    assert "Số không hợp lệ" in body
    body = client.post(
        url,
        {
            "group": "G",
            "wording": "x",
            "label": "x",
            "kind": "rate",
            "comparator": "range",
            "plan_value": "33",
            "source": "manual",
        },
    ).content.decode()
    assert "cần cả cận dưới và cận trên" in body
    assert Target.objects.count() == before


def test_editing_a_target_keeps_its_results(client, world, office):
    client.force_login(office)
    url = reverse(
        "targets:target_edit",
        kwargs={"public_id": world.plan_public_id, "target_id": world.plan_target_id},
    )
    response = client.post(
        url,
        {
            "group": "Chỉ tiêu chung",
            "wording": "Chỉ tiêu thử (sửa)",
            "label": "Chỉ tiêu thử",
            "kind": "count",
            "comparator": "gte",
            "plan_value": "12",
            "source": "manual",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(id=world.plan_target_id)
    assert target.plan_value == Decimal("12") and target.results.count() == 1


def test_a_bloc_gives_a_target_to_each_subordinate_with_its_own_plan_value(
    client, world, bloc_office
):
    from targets import services
    from tests.factories import make_org

    client.force_login(bloc_office)
    other = make_org("Đảng bộ Sở thứ hai", parent=world.bloc_a)
    plan = services.plan_create(
        organization=world.bloc_a, title="Chỉ tiêu khối 2023", start_year=2023
    )
    target = services.target_create(
        plan=plan,
        group="Công tác Đảng",
        wording="Kết nạp 300 đảng viên",
        label="Kết nạp",
        kind="count",
        plan_value=300,
    )
    url = reverse(
        "targets:target_assign",
        kwargs={"public_id": plan.public_id, "target_id": target.id},
    )
    body = client.post(
        url, {f"org-{world.grassroots_a.public_id}": "1.200,5,5"}
    ).content.decode()
    assert "Số không hợp lệ" in body and not target.assigned.exists()
    # Too big for the column (DECIMAL(18, 4)): refused, not stored.
    body = client.post(
        url, {f"org-{world.grassroots_a.public_id}": "99.999.999.999.999"}
    ).content.decode()
    assert "Số quá lớn." in body and not target.assigned.exists()
    response = client.post(
        url,
        {f"org-{world.grassroots_a.public_id}": "120", f"org-{other.public_id}": "180"},
    )
    assert response.status_code == 302
    given = {
        t.plan.organization_id: t.plan_value
        for t in target.assigned.select_related("plan")
    }
    assert given == {world.grassroots_a.id: Decimal("120"), other.id: Decimal("180")}
    # The Sở's existing 2023 plan received the target: its sheet shows it.
    sheet = client.get(
        reverse(
            "targets:sheet",
            kwargs={
                "public_id": world.grassroots_a.public_id,
                "year": 2023,
                "quarter": 1,
            },
        )
    )
    assert "Kết nạp" in sheet.content.decode()


def test_a_second_plan_for_the_same_period_is_refused_with_a_message(
    client, world, office
):
    client.force_login(office)
    url = reverse(
        "targets:plan_create", kwargs={"public_id": world.grassroots_a.public_id}
    )
    data = {"title": "Chỉ tiêu năm 2023 (bản 2)", "start_year": 2023, "end_year": 2023}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Tổ chức đã có kế hoạch cho giai đoạn này." in response.content.decode()
    assert (
        Plan.objects.filter(organization=world.grassroots_a, start_year=2023).count()
        == 1
    )


def test_a_registry_source_must_fit_the_kind_of_target(client, world, office):
    client.force_login(office)
    url = reverse("targets:target_create", kwargs={"public_id": world.plan_public_id})
    before = Target.objects.count()
    base = {
        "group": "Công tác Đảng",
        "wording": "x",
        "label": "x",
        "comparator": "gte",
        "plan_value": "4",
    }
    body = client.post(
        url, {**base, "kind": "rate", "source": "admissions_share"}
    ).content.decode()
    assert (
        "Nguồn số liệu này cho số đảng viên kết nạp (từ sổ đảng viên), không dùng "
        "được cho chỉ tiêu loại “Tỷ lệ”: chọn loại “Số lượng”, “Tỷ lệ so với đầu "
        "năm” hoặc “Bình quân/năm trong nhiệm kỳ”, hoặc nguồn nhập tay."
    ) in body
    body = client.post(
        url, {**base, "kind": "count", "source": "members_good"}
    ).content.decode()
    assert (
        "Nguồn số liệu này cho tỷ lệ đảng viên theo xếp loại, không dùng được cho "
        "chỉ tiêu loại “Số lượng”" in body
    )
    body = client.post(
        url, {**base, "kind": "base_share", "source": "manual"}
    ).content.decode()
    assert "chọn nguồn kết nạp so với đảng viên đầu năm" in body
    assert Target.objects.count() == before
    # The pairs the seeds use are accepted.
    for kind, source in (
        ("base_share", "admissions_share"),
        ("per_year", "admissions_share"),
        ("rate", "members_good"),
    ):
        assert (
            client.post(
                url, {**base, "label": kind, "kind": kind, "source": source}
            ).status_code
            == 302
        )
    assert Target.objects.count() == before + 3


def test_every_source_has_its_kinds():
    from targets.calculations import SOURCE_KINDS
    from targets.models import Source

    assert set(SOURCE_KINDS) == set(Source.values)


def test_a_wrongly_set_up_target_cannot_come_from_the_admin_and_is_flagged_on_its_plan(
    client, world, plan_world
):
    from tests.factories import make_user

    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    target = plan_world.jobs
    url = reverse("admin:targets_target_change", args=[target.id])
    data = {
        "plan": target.plan_id,
        "group": target.group_id,
        "order": 1,
        "wording": target.wording,
        "label": target.label,
        "unit": "người",
        "kind": "count",
        "comparator": "gte",
        "plan_value": "18500",
        "source": "cells_good",
    }
    # Targets are view only in the admin: the plan pages check them.
    response = client.post(url, data)
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.source == "manual"
    # One stored before the check is pointed out on the plan's page.
    type(target).objects.filter(pk=target.pk).update(source="cells_good")
    body = client.get(
        reverse("targets:plan", kwargs={"public_id": target.plan.public_id})
    ).content.decode()
    assert (
        f'data-testid="problem-{target.id}">Khai báo chưa đúng: Nguồn số liệu này '
        "cho tỷ lệ chi bộ" in body
    )
