"""Correcting a member's event: the dates it decides move with it, history stays
consistent, and the correction is in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations import selectors, services
from organizations.models import EventKind, Member, MemberEvent
from partyreports.models import AuditEvent
from tests.factories import make_member

pytestmark = pytest.mark.django_db
JUN, AUG = dt.date(2023, 6, 1), dt.date(2023, 8, 1)


def _event(member: Member, kind: str) -> MemberEvent:
    return member.events.get(kind=kind)


def _url(event: MemberEvent) -> str:
    return reverse(
        "organizations:member_event_edit",
        kwargs={"public_id": event.member.public_id, "event_id": event.public_id},
    )


def test_correcting_the_admission_moves_the_admission_date_and_the_placement(
    client, world, cadre
):
    client.force_login(cadre)
    member = world.member_a  # admitted 01/03/2015, chính thức 01/03/2016
    admission = _event(member, EventKind.ADMISSION)
    page = client.get(
        reverse("organizations:member_detail", kwargs={"public_id": member.public_id})
    )
    assert _url(admission) in page.content.decode()
    assert (
        "Ngày kết nạp (ngày vào Đảng)" in client.get(_url(admission)).content.decode()
    )

    response = client.post(
        _url(admission), {"occurred_on": "2015-01-10", "note": "Theo Quyết định 12"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    admission.refresh_from_db()
    assert member.admitted_on == admission.occurred_on == dt.date(2015, 1, 10)
    assert admission.note == "Theo Quyết định 12"
    assert member.placements.get().valid_from == dt.date(2015, 1, 10)
    audit = AuditEvent.objects.filter(action="member.event_update").get()
    assert audit.changes["admitted_on"] == ["2015-03-01", "2015-01-10"]
    assert audit.user == cadre and "Sửa sự kiện kết nạp" in audit.summary


def test_correcting_full_membership_changes_the_status_from_the_new_date(
    client, world, cadre
):
    client.force_login(cadre)
    full = _event(world.member_a, EventKind.FULL_MEMBERSHIP)
    response = client.post(_url(full), {"occurred_on": "2016-05-01"})
    assert response.status_code == 302
    member = Member.objects.get(pk=world.member_a.pk)
    assert member.full_member_on == dt.date(2016, 5, 1)
    assert member.status_on(dt.date(2016, 4, 1)) == "du_bi"
    # Before the admission: refused, with the reason, nothing saved.
    response = client.post(_url(full), {"occurred_on": "2015-02-01"})
    assert response.status_code == 200
    assert (
        "Ngày chính thức phải sau ngày vào Đảng (01/03/2015)."
        in response.content.decode()
    )
    member.refresh_from_db()
    assert member.full_member_on == dt.date(2016, 5, 1)


def test_an_admission_cannot_move_after_full_membership_or_other_events(world):
    admission = _event(world.member_a, EventKind.ADMISSION)
    with pytest.raises(ValidationError, match="trước ngày chính thức"):
        services.member_event_update(event=admission, occurred_on=dt.date(2016, 6, 1))
    world.member_a.refresh_from_db()
    assert world.member_a.admitted_on == dt.date(2015, 3, 1)


def test_correcting_a_transfer_between_chi_bo_moves_both_halves_and_the_boundary(world):
    member = make_member(world.cell_a1, full_name="Lê Văn Chuyển")
    services.member_record_event(
        member=member,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=world.cell_a2,
    )
    out = _event(member, EventKind.TRANSFER_OUT)
    services.member_event_update(event=out, occurred_on=AUG)

    assert sorted(
        member.events.filter(kind__in=["chuyen_di", "chuyen_den"]).values_list(
            "occurred_on", flat=True
        )
    ) == [AUG, AUG]
    first, second = member.placements.order_by("valid_from")
    assert (first.organization, first.valid_to) == (world.cell_a1, AUG)
    assert (second.organization, second.valid_from) == (world.cell_a2, AUG)
    july = dt.date(2023, 7, 1)
    assert selectors.subtree_counts_on(root=world.cell_a1, day=july).total == 2
    assert selectors.subtree_counts_on(root=world.cell_a2, day=july).total == 0
    # Not before the member came to the first chi bộ.
    arrival = _event(member, EventKind.TRANSFER_IN)
    with pytest.raises(ValidationError, match="phải sau ngày 01/03/2015"):
        services.member_event_update(event=arrival, occurred_on=dt.date(2014, 1, 1))


def test_correcting_a_departure_moves_the_end_of_the_roll(world):
    member = make_member(world.cell_a1, full_name="Lê Văn Mất")
    services.member_record_event(member=member, kind=EventKind.DEATH, occurred_on=JUN)
    death = _event(member, EventKind.DEATH)
    services.member_event_update(event=death, occurred_on=AUG, note="Theo giấy báo tử")
    member.refresh_from_db()
    assert member.left_on == AUG and member.placements.get().valid_to == AUG
    assert (
        selectors.subtree_counts_on(root=world.cell_a1, day=dt.date(2023, 7, 1)).total
        == 2
    )
    with pytest.raises(ValidationError, match="phải sau ngày"):
        services.member_event_update(event=death, occurred_on=dt.date(2014, 1, 1))


def test_correcting_an_arrival_checks_the_chi_bo_existed(world):
    member = services.member_create(
        full_name="Lê Văn Đến",
        sex="M",
        date_of_birth=dt.date(1980, 1, 1),
        organization=world.cell_a2,
        admitted_on=dt.date(2005, 1, 1),
        full_member_on=dt.date(2006, 1, 1),
        joined_on=dt.date(2022, 5, 5),
        arrival=EventKind.TRANSFER_IN,
    )
    arrival = _event(member, EventKind.TRANSFER_IN)
    with pytest.raises(ValidationError, match="chưa được thành lập"):
        services.member_event_update(event=arrival, occurred_on=dt.date(2019, 5, 5))
    services.member_event_update(event=arrival, occurred_on=dt.date(2021, 5, 5))
    assert member.placements.get().valid_from == dt.date(2021, 5, 5)


def test_a_badge_moves_to_where_the_member_sat_on_the_new_date(world):
    member = make_member(world.cell_a1, full_name="Lê Văn Huy Hiệu")
    services.member_record_event(
        member=member,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=world.cell_a2,
    )
    services.member_record_event(
        member=member, kind=EventKind.BADGE, occurred_on=AUG, badge_years=30
    )
    badge = _event(member, EventKind.BADGE)
    assert badge.organization == world.cell_a2
    services.member_event_update(event=badge, occurred_on=dt.date(2023, 3, 2))
    badge.refresh_from_db()
    assert badge.organization == world.cell_a1 and badge.occurred_on == dt.date(
        2023, 3, 2
    )


def test_an_event_of_another_members_or_outside_the_scope_is_404_or_403(
    client, world, cadre, outsider
):
    admission_b = _event(world.member_b, EventKind.ADMISSION)
    client.force_login(cadre)
    wrong = reverse(
        "organizations:member_event_edit",
        kwargs={
            "public_id": world.member_a.public_id,
            "event_id": admission_b.public_id,
        },
    )
    assert client.get(wrong).status_code == 404
    client.force_login(outsider)
    assert (
        client.get(_url(_event(world.member_a, EventKind.ADMISSION))).status_code == 404
    )
    # A member who came from a chi bộ outside the cadre's scope: that past is not
    # theirs to edit.
    mover = make_member(world.cell_b, full_name="Lê Văn Sang")
    services.member_record_event(
        member=mover,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=world.cell_a1,
    )
    client.force_login(cadre)
    assert client.get(_url(_event(mover, EventKind.ADMISSION))).status_code == 403
    assert client.get(_url(_event(mover, EventKind.TRANSFER_IN))).status_code == 200
