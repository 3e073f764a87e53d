"""Shared fixtures: two separate trees and the personas of style.md.

Tree A: bloc_a → grassroots ("Đảng bộ Sở A") → two chi bộ (cell_a1, cell_a2).
Tree B: bloc_b → grassroots_b → cell_b (the outsider's world).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from organizations.models import Member, Organization, Role
from tests.factories import make_member, make_org, make_user


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
    return World(bloc_a, grassroots_a, cell_a1, cell_a2, bloc_b, grassroots_b, cell_b, member_a, member_b)


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
