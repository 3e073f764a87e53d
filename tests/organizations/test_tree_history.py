"""The tree as of a date: transfers, dissolutions, mergers and handovers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from organizations import selectors, services
from organizations.models import (
    EventKind,
    Handover,
    MemberPlacement,
    OrganizationPlacement,
)
from tests.factories import make_member, make_org

JAN = dt.date(2023, 1, 1)
JUN = dt.date(2023, 6, 1)
DEC = dt.date(2023, 12, 31)

pytestmark = pytest.mark.django_db


def _bloc_with_two_grassroots():
    bloc = make_org("Đảng bộ Khối")
    other = make_org("Huyện ủy X")
    g1 = make_org("Đảng bộ Sở 1", parent=bloc)
    g2 = make_org("Đảng bộ Sở 2", parent=bloc)
    c11 = make_org("Chi bộ 1.1", parent=g1)
    c12 = make_org("Chi bộ 1.2", parent=g1)
    c21 = make_org("Chi bộ 2.1", parent=g2)
    for _ in range(3):
        make_member(c11)
    make_member(c12, sex="F")
    make_member(c12, full_member_on=None, admitted_on=dt.date(2019, 5, 1))
    for _ in range(4):
        make_member(c21)
    return bloc, other, g1, g2, c11, c12, c21


def test_it_counts_the_tree_as_of_each_side_of_a_transfer():
    bloc, other, g1, g2, *_ = _bloc_with_two_grassroots()

    services.organization_move(organization=g2, new_parent=other, on_date=JUN)

    before = selectors.subtree_counts_on(root=bloc, day=JAN)
    after = selectors.subtree_counts_on(root=bloc, day=DEC)
    assert (before.grassroots, before.cells, before.total) == (2, 3, 9)
    assert (after.grassroots, after.cells, after.total) == (1, 2, 5)
    assert (after.full, after.probationary, after.female) == (4, 1, 1)
    # The receiving committee sees the organisation only from the move on.
    assert selectors.subtree_counts_on(root=other, day=JAN).total == 0
    assert selectors.subtree_counts_on(root=other, day=DEC).total == 4
    g2.refresh_from_db()
    assert g2.parent == other and g2.path.startswith(other.path)


def test_it_counts_as_of_each_side_of_a_dissolution():
    bloc, _other, g1, _g2, c11, c12, _c21 = _bloc_with_two_grassroots()

    with pytest.raises(ValidationError):
        services.organization_dissolve(organization=c11, on_date=JUN)
    services.organization_dissolve(organization=c11, on_date=JUN, merged_into=c12)

    assert selectors.subtree_counts_on(root=g1, day=JAN).cells == 2
    assert selectors.subtree_counts_on(root=g1, day=DEC).cells == 1
    # Members were merged, not lost: the đảng bộ keeps its 5 members.
    assert selectors.subtree_counts_on(root=g1, day=JAN).total == 5
    assert selectors.subtree_counts_on(root=g1, day=DEC).total == 5
    assert selectors.subtree_counts_on(root=c12, day=JAN).total == 2
    assert selectors.subtree_counts_on(root=c12, day=DEC).total == 5
    c11.refresh_from_db()
    assert c11.dissolved_on == JUN and c11.merged_into == c12


def test_it_dissolves_an_empty_cell_and_keeps_it_in_the_past():
    bloc = make_org("Khối")
    g = make_org("Đảng bộ", parent=bloc)
    empty = make_org("Chi bộ trống", parent=g)
    make_org("Chi bộ còn lại", parent=g)
    services.organization_dissolve(organization=empty, on_date=JUN)
    assert selectors.subtree_counts_on(root=g, day=JAN).cells == 2
    assert selectors.subtree_counts_on(root=g, day=DEC).cells == 1


def test_a_handover_is_one_act_and_history_is_answerable_on_both_sides():
    bloc, other, g1, g2, *_ = _bloc_with_two_grassroots()

    handover = services.handover_create(
        source=bloc,
        moves=[(g1, other), (g2, other)],
        effective_on=JUN,
        decision="Quyết định số 01-QĐ/TU",
    )

    assert Handover.objects.count() == 1
    assert sorted(handover.items.values_list("member_count", flat=True)) == [4, 5]
    assert selectors.subtree_counts_on(root=bloc, day=JAN).total == 9
    assert selectors.subtree_counts_on(root=bloc, day=DEC).total == 0
    assert selectors.subtree_counts_on(root=other, day=DEC).total == 9
    assert selectors.subtree_counts_on(root=other, day=DEC).grassroots == 2


def test_a_handover_of_an_organisation_outside_the_source_changes_nothing():
    bloc, other, g1, *_ = _bloc_with_two_grassroots()
    foreign = make_org("Đảng bộ ngoài", parent=other)
    placements = OrganizationPlacement.objects.count()
    with pytest.raises(ValidationError):
        services.handover_create(
            source=bloc, moves=[(g1, other), (foreign, bloc)], effective_on=JUN
        )
    assert OrganizationPlacement.objects.count() == placements
    assert Handover.objects.count() == 0


def test_a_move_into_its_own_subtree_is_refused():
    bloc, _other, g1, _g2, c11, *_ = _bloc_with_two_grassroots()
    sub = make_org("Đảng bộ bộ phận", parent=g1, level_code="sub_committee")
    with pytest.raises(ValidationError):
        services.organization_move(organization=g1, new_parent=sub, on_date=JUN)
    with pytest.raises(ValidationError):
        services.organization_move(organization=g1, new_parent=c11, on_date=JUN)


def test_a_member_transfer_changes_the_cell_from_that_date_only():
    bloc, _other, g1, g2, c11, _c12, c21 = _bloc_with_two_grassroots()
    member = make_member(c11, full_name="Lê Văn Chuyển")

    services.member_record_event(
        member=member,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=c21,
    )

    assert selectors.subtree_counts_on(root=g1, day=JAN).total == 6
    assert selectors.subtree_counts_on(root=g1, day=DEC).total == 5
    assert selectors.subtree_counts_on(root=g2, day=DEC).total == 5
    assert MemberPlacement.objects.filter(member=member).count() == 2
    events = selectors.event_counts(root=g1, start=JAN, end=DEC)
    assert events[EventKind.TRANSFER_OUT] == 1
    assert (
        selectors.event_counts(root=g2, start=JAN, end=DEC)[EventKind.TRANSFER_IN] == 1
    )


def test_leaving_and_full_membership_events_change_status_from_their_date():
    bloc = make_org("Khối")
    g = make_org("Đảng bộ", parent=bloc)
    cell = make_org("Chi bộ", parent=g)
    probationary = make_member(
        cell, admitted_on=dt.date(2022, 9, 1), full_member_on=None
    )
    leaver = make_member(cell)

    services.member_record_event(
        member=probationary,
        kind=EventKind.FULL_MEMBERSHIP,
        occurred_on=dt.date(2023, 9, 1),
    )
    services.member_record_event(member=leaver, kind=EventKind.DEATH, occurred_on=JUN)

    jan = selectors.subtree_counts_on(root=g, day=JAN)
    dec = selectors.subtree_counts_on(root=g, day=DEC)
    assert (jan.total, jan.full, jan.probationary) == (2, 1, 1)
    assert (dec.total, dec.full, dec.probationary) == (1, 1, 0)
    with pytest.raises(ValidationError):
        services.member_record_event(
            member=leaver, kind=EventKind.BADGE, occurred_on=DEC, badge_years=30
        )


def test_selectors_give_ethnicity_and_event_counts_for_a_period():
    bloc = make_org("Khối")
    g = make_org("Đảng bộ", parent=bloc)
    cell = make_org("Chi bộ", parent=g)
    make_member(cell, ethnicity="Khmer")
    make_member(cell, ethnicity="Khmer")
    make_member(cell)
    make_member(cell, admitted_on=dt.date(2023, 3, 3), full_member_on=None)
    assert selectors.ethnicity_counts_on(root=g, day=DEC) == {"Kinh": 2, "Khmer": 2}
    counts = selectors.event_counts(root=g, start=JAN, end=DEC)
    assert counts[EventKind.ADMISSION] == 1


def test_transfers_count_only_where_they_cross_the_subtrees_boundary():
    bloc, other, g1, g2, c11, _c12, c21 = _bloc_with_two_grassroots()
    outside_cell = make_org(
        "Chi bộ ngoài", parent=make_org("Đảng bộ ngoài", parent=other)
    )
    inside = make_member(c11, full_name="Lê Văn Nội")
    leaving = make_member(c11, full_name="Lê Văn Đi")
    arriving = make_member(outside_cell, full_name="Lê Văn Đến")

    services.member_record_event(
        member=inside,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=c21,
    )
    services.member_record_event(
        member=leaving,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=outside_cell,
    )
    services.member_record_event(
        member=arriving,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=JUN,
        target_organization=c21,
    )

    def transfers(root):  # noqa: ANN001, ANN202
        counts = selectors.event_counts(root=root, start=JAN, end=DEC)
        return counts[EventKind.TRANSFER_IN], counts[EventKind.TRANSFER_OUT]

    # The bloc: one in (from outside), one out (to outside); c11 → c21 is internal.
    assert transfers(bloc) == (1, 1)
    assert transfers(g1) == (0, 2)  # both of its members left the đảng bộ
    assert transfers(g2) == (2, 0)
    assert transfers(c21) == (2, 0)
    assert transfers(other) == (1, 1)


def test_events_count_for_organisations_that_existed_only_part_of_the_period():
    bloc = make_org("Khối")
    g = make_org("Đảng bộ", parent=bloc)
    keeper = make_org("Chi bộ còn lại", parent=g)
    short_lived = make_org("Chi bộ tạm", parent=g, founded_on=dt.date(2023, 3, 1))
    make_member(short_lived, admitted_on=dt.date(2023, 4, 4), full_member_on=None)
    services.organization_dissolve(
        organization=short_lived, on_date=dt.date(2023, 9, 1), merged_into=keeper
    )
    # Neither on 1 January nor on 31 December was the chi bộ there.
    assert selectors.event_counts(root=g, start=JAN, end=DEC)[EventKind.ADMISSION] == 1
    assert (
        selectors.event_counts(root=bloc, start=JAN, end=DEC)[EventKind.ADMISSION] == 1
    )
    assert (
        selectors.event_counts(
            root=g, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)
        )[EventKind.ADMISSION]
        == 0
    )


def test_events_of_a_handed_over_organisation_count_on_each_side_of_the_date():
    bloc, other, g1, *_ = _bloc_with_two_grassroots()
    c11 = g1.children.order_by("id").first()
    make_member(c11, admitted_on=dt.date(2023, 2, 2), full_member_on=None)
    services.handover_create(source=bloc, moves=[(g1, other)], effective_on=JUN)
    make_member(c11, admitted_on=dt.date(2023, 8, 8), full_member_on=None)
    assert (
        selectors.event_counts(root=bloc, start=JAN, end=DEC)[EventKind.ADMISSION] == 1
    )
    assert (
        selectors.event_counts(root=other, start=JAN, end=DEC)[EventKind.ADMISSION] == 1
    )


def test_event_counts_take_two_queries(django_assert_num_queries):
    bloc, _other, _g1, _g2, c11, _c12, c21 = _bloc_with_two_grassroots()
    for _ in range(3):
        services.member_record_event(
            member=make_member(c11),
            kind=EventKind.TRANSFER_OUT,
            occurred_on=JUN,
            target_organization=c21,
        )
    with django_assert_num_queries(2):
        selectors.event_counts(root=bloc, start=JAN, end=DEC)


def test_levels_follow_their_order_from_the_data():
    from tests.factories import level

    bloc, other, g1, g2, c11, *_ = _bloc_with_two_grassroots()
    sub = make_org("Đảng bộ bộ phận", parent=g1, level_code="sub_committee")
    refused = [
        ("grassroots_committee", g1),  # a đảng bộ cơ sở under a đảng bộ cơ sở
        ("grassroots_cell", g1),  # a chi bộ cơ sở inside a đảng bộ cơ sở
        ("grassroots_committee", sub),
        ("sub_committee", sub),  # a đảng bộ bộ phận under a đảng bộ bộ phận
        ("sub_committee", bloc),  # below the grassroots, outside any TCCSĐ
        ("cell", bloc),
        ("upper", g1),
    ]
    for code, parent in refused:
        with pytest.raises(ValidationError) as error:
            make_org(f"Thử {code}", parent=parent, level_code=code)
        assert "không thể trực thuộc" in error.value.messages[0], (code, parent.name)
    with pytest.raises(
        ValidationError, match="Đảng bộ cơ sở không thể trực thuộc đảng bộ cơ sở"
    ):
        make_org("Đảng bộ trong đảng bộ", parent=g1, level_code="grassroots_committee")
    # Allowed: committees above the grassroots nest; the usual chain below them.
    cluster = make_org("Đảng bộ cụm", parent=bloc, level_code="upper")
    make_org(
        "Đảng bộ cơ sở trong cụm", parent=cluster, level_code="grassroots_committee"
    )
    make_org("Chi bộ cơ sở", parent=bloc, level_code="grassroots_cell")
    make_org("Chi bộ trong bộ phận", parent=sub, level_code="cell")
    # A move obeys the same order; the level names come from the data.
    with pytest.raises(ValidationError):
        services.organization_move(organization=g2, new_parent=g1, on_date=JUN)
    renamed = level("grassroots_committee")
    renamed.name = "Đảng ủy cơ sở"
    renamed.save()
    with pytest.raises(ValidationError, match="Đảng ủy cơ sở không thể trực thuộc"):
        make_org("Lần nữa", parent=g2, level_code="grassroots_committee")


def test_the_create_form_explains_a_level_out_of_order(client, world, bloc_office):
    from django.urls import reverse

    from organizations.models import Organization
    from tests.factories import level

    client.force_login(bloc_office)
    response = client.post(
        reverse(
            "organizations:create_child",
            kwargs={"public_id": world.grassroots_a.public_id},
        ),
        {
            "name": "Đảng bộ lồng",
            "level": level("grassroots_committee").id,
            "kind": "agency",
            "founded_on": "2024-01-02",
        },
    )
    assert response.status_code == 200
    assert (
        "Đảng bộ cơ sở không thể trực thuộc đảng bộ cơ sở (“Đảng bộ Sở A”)."
        in response.content.decode()
    )
    assert not Organization.objects.filter(name="Đảng bộ lồng").exists()
