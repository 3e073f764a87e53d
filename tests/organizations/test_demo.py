"""`load_demo`: the demo deployment holds the seeds' figures, has the bloc's scale,
the five logins, consistent rows, and loads only once.

One test on purpose: loading takes a few seconds, so it is done once and
everything is checked against the same data.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from organizations import selectors
from organizations.models import (
    EventKind,
    Grade,
    Handover,
    Member,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationPlacement,
    OrganizationRating,
    Role,
    RoleAssignment,
)
from partyreports.formatting import (
    fold_accents,
    format_number,
    pad2,
    vietnamese_sort_key,
)

JAN_2023, DEC_2023 = dt.date(2023, 1, 1), dt.date(2023, 12, 31)


def _row_counts() -> dict[str, int]:
    models = [
        Organization,
        OrganizationPlacement,
        Member,
        MemberPlacement,
        MemberEvent,
        MemberRating,
        OrganizationRating,
        RoleAssignment,
        Handover,
        get_user_model(),
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_load_demo_builds_the_seed_deployment_once(client: Client) -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Đã nạp dữ liệu dùng thử" in out.getvalue()

    bloc = Organization.objects.get(code="DEMO-KHOI")
    so = Organization.objects.get(code="DEMO-LDTBXH")
    assert (bloc.name, bloc.short_name, bloc.superior_name, bloc.level.code) == (
        "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh",
        "ĐUK",
        "ĐẢNG BỘ TỈNH QUẢNG BÌNH",
        "upper",
    )
    assert (so.name, so.short_name, so.kind, so.parent) == (
        "Đảng bộ Sở Lao động - Thương binh và Xã hội",
        "ĐU",
        "agency",
        bloc,
    )

    # Seed 001: 10 chi bộ, 157 members (154 chính thức, 03 dự bị); year end and today.
    for day in (DEC_2023, timezone.localdate()):
        counts = selectors.subtree_counts_on(root=so, day=day)
        assert (counts.cells, counts.total, counts.full, counts.probationary) == (
            10,
            157,
            154,
            3,
        )
    # Seed 000: 04 admitted in 2023, 2,6% of the 154 members on 1 January.
    assert selectors.subtree_counts_on(root=so, day=JAN_2023).total == 154
    events = selectors.event_counts(root=so, start=JAN_2023, end=DEC_2023)
    assert events[EventKind.ADMISSION] == 4
    assert events[EventKind.FULL_MEMBERSHIP] == 2
    assert (events[EventKind.TRANSFER_IN], events[EventKind.TRANSFER_OUT]) == (1, 2)
    ratings = selectors.rating_counts(root=so, year=2023)
    assert ratings.organizations == {"HTXSNV": 2, "HTTNV": 7, "HTNV": 0, "KHTNV": 1}
    assert ratings.members == {"HTXSNV": 27, "HTTNV": 124, "HTNV": 1, "KHTNV": 1}
    assert ratings.member_base == 154

    # The bloc's scale, today, printed the Vietnamese way ("1.117", "14.464").
    today = selectors.subtree_counts_on(root=bloc, day=timezone.localdate())
    assert (
        f"{format_number(today.grassroots)} TCCSĐ, {format_number(today.cells)} chi bộ "
        f"trực thuộc, {format_number(today.total)} đảng viên"
    ) in out.getvalue()
    assert "." in format_number(today.total) and "plans" not in out.getvalue()
    assert today.grassroots >= 100
    assert 1000 <= today.cells <= 1300
    assert 13000 <= today.total <= 15000
    assert 0.02 <= today.probationary / today.total <= 0.04
    assert 0.35 <= today.female / today.total <= 0.50
    assert len(selectors.ethnicity_counts_on(root=bloc, day=DEC_2023)) >= 5
    bloc_ratings = selectors.rating_counts(root=bloc, year=2023)
    assert bloc_ratings.organizations_rated == today.cells
    # Every chính thức member is rated but the Sở's December arrival.
    assert bloc_ratings.members_rated == bloc_ratings.member_base - 1
    # A little history: a handover in, two mergers, a closure (all in 2022).
    assert Handover.objects.filter(effective_on=dt.date(2022, 4, 1)).count() == 1
    dissolved = Organization.objects.filter(dissolved_on__year=2022)
    assert sorted(o.merged_into is not None for o in dissolved) == [False, True, True]

    # Rows written in bulk are what the services write.
    assert (
        not OrganizationPlacement.objects.filter(valid_to__isnull=True)
        .exclude(path=F("organization__path"))
        .exists()
    )
    assert (
        not MemberPlacement.objects.filter(valid_to__isnull=True)
        .exclude(organization=F("member__organization"))
        .exists()
    )
    assert MemberPlacement.objects.filter(valid_to__isnull=True).count() == (
        Member.objects.filter(left_on__isnull=True).count()
    )
    for member in Member.objects.order_by("?")[:50]:
        assert member.search_name == fold_accents(member.full_name)
        assert member.sort_key == vietnamese_sort_key(member.full_name)

    # The logins.
    user_model = get_user_model()
    roles = {
        (a.user.username, a.role, a.organization.code)
        for a in RoleAssignment.objects.select_related("user", "organization")
    }
    assert roles == {
        ("canbo_ldtbxh", Role.CADRE, "DEMO-LDTBXH"),
        ("vanphong_ldtbxh", Role.OFFICE, "DEMO-LDTBXH"),
        ("vanphong_khoi", Role.OFFICE, "DEMO-KHOI"),
        ("lanhdao_khoi", Role.LEADER, "DEMO-KHOI"),
        ("admin", Role.ADMIN, "DEMO-KHOI"),
    }
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    office = user_model.objects.get(username="vanphong_ldtbxh")
    assert office.check_password(settings.DEMO_PASSWORD)
    assert office.get_full_name() == "Trần Văn Hùng"

    # The Sở's page prints the seed's sentences.
    client.force_login(office)
    response = client.get(f"/to-chuc/{so.public_id}/?ngay=2023-12-31&nam=2023")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Tính đến ngày 31/12/2023, Đảng bộ Sở Lao động - Thương binh và Xã hội "
        "hiện có 10 chi bộ, với 157 đảng viên, trong đó: chính thức 154, dự bị 03"
    ) in page
    assert "02 chi bộ HTXSNV, 07 chi bộ HTTNV, 01 chi bộ KHTNV;" in page
    # 27 of 154 is 17,53% (the seed prints 17,76%, i.e. 27 of 152); the rest agree.
    assert "27 đảng viên (17,53%) HTXSNV, 124 đảng viên (80,52%) HTTNV" in page
    assert "01 đảng viên (0,65%) HTNV, 01 đảng viên (0,65%) KHTNV" in page
    # Opened with no query string (today, years after 2023): the latest ratings.
    page = client.get(f"/to-chuc/{so.public_id}/").content.decode()
    assert "Xếp loại chất lượng năm 2023" in page
    assert (
        "02 chi bộ HTXSNV, 07 chi bộ HTTNV, 01 chi bộ KHTNV; 27 đảng viên (17,53%) "
        "HTXSNV, 124 đảng viên (80,52%) HTTNV, 01 đảng viên (0,65%) HTNV, "
        "01 đảng viên (0,65%) KHTNV."
    ) in page
    # The bloc's page counts its TCCSĐ's ratings too.
    client.force_login(user_model.objects.get(username="lanhdao_khoi"))
    page = client.get(f"/to-chuc/{bloc.public_id}/").content.decode()
    assert "Xếp loại chất lượng năm 2023" in page
    assert bloc_ratings.grassroots_rated == today.grassroots  # every TCCSĐ is rated
    tccsd = ", ".join(
        f"{pad2(n)} TCCSĐ {grade}" for grade, n in bloc_ratings.grassroots.items() if n
    )
    assert f"{tccsd}; " in page and f" TCCSĐ {Grade.EXCELLENT}" in tccsd

    # A second run sees the demo and creates nothing.
    before = _row_counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "đã có" in out.getvalue()
    assert _row_counts() == before
