"""Every URL pattern, walked as every persona.

A new view must be registered in VIEWS below (the walk fails on an unknown
pattern), so no view can ship without being tried by the wrong organisation and
the wrong role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import World


@dataclass(frozen=True)
class ViewSpec:
    kwargs: Callable[[World], dict[str, object]]
    writes: bool  # needs more than a read role (cadre/office/admin)
    member_write: bool = False  # cadre may write here (members, ratings)


def _org(w: World) -> dict[str, object]:
    return {"public_id": w.grassroots_a.public_id}


def _cell(w: World) -> dict[str, object]:
    return {"public_id": w.cell_a1.public_id}


def _member(w: World) -> dict[str, object]:
    return {"public_id": w.member_a.public_id}


def _none(w: World) -> dict[str, object]:
    return {}


VIEWS: dict[str, ViewSpec] = {
    "organizations:home": ViewSpec(_none, writes=False),
    "organizations:tree": ViewSpec(_none, writes=False),
    "organizations:detail": ViewSpec(_org, writes=False),
    "organizations:create_child": ViewSpec(_org, writes=True),
    "organizations:edit": ViewSpec(_org, writes=True),
    "organizations:move": ViewSpec(_cell, writes=True),
    "organizations:dissolve": ViewSpec(_cell, writes=True),
    "organizations:handover": ViewSpec(_org, writes=True),
    "organizations:ratings": ViewSpec(lambda w: {**_org(w), "year": 2023}, writes=True, member_write=True),
    "organizations:member_list": ViewSpec(_org, writes=False),
    "organizations:member_create": ViewSpec(_org, writes=True, member_write=True),
    "organizations:import": ViewSpec(_org, writes=True),
    "organizations:import_template": ViewSpec(_none, writes=False),
    "organizations:member_detail": ViewSpec(_member, writes=False),
    "organizations:member_edit": ViewSpec(_member, writes=True, member_write=True),
    "organizations:member_event": ViewSpec(_member, writes=True, member_write=True),
}
# Served by Django itself; tried separately below.
FRAMEWORK_NAMESPACES = {"admin"}
FRAMEWORK_NAMES = {"login", "logout"}


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in FRAMEWORK_NAMESPACES:
                continue
            yield from _walk(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


ALL_NAMES = sorted(set(_walk(get_resolver())) - FRAMEWORK_NAMES)


def test_every_url_pattern_is_registered_for_the_access_walk():
    assert set(ALL_NAMES) - set(VIEWS) == set(), "register new views in VIEWS"


def _object_scoped(name: str, world: World) -> bool:
    return bool(VIEWS[name].kwargs(world))


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login_everywhere(client, world):
    tried = 0
    for name in ALL_NAMES:
        url = reverse(name, kwargs=VIEWS[name].kwargs(world))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), (name, method)
            if response.status_code == 302:
                assert response.url.startswith(reverse("login")), name
            tried += 1
    assert tried == 2 * len(ALL_NAMES)


@pytest.mark.django_db
def test_an_outsider_gets_404_for_every_object_of_another_tree(client, world, outsider):
    client.force_login(outsider)
    tried = 0
    for name in ALL_NAMES:
        if not _object_scoped(name, world):
            continue
        url = reverse(name, kwargs=VIEWS[name].kwargs(world))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (name, method, response.status_code)
            tried += 1
    assert tried >= 20


@pytest.mark.django_db
def test_a_leader_reads_but_cannot_write(client, world, leader):
    client.force_login(leader)
    for name in ALL_NAMES:
        url = reverse(name, kwargs=VIEWS[name].kwargs(world))
        spec = VIEWS[name]
        response = client.get(url)
        if spec.writes:
            assert response.status_code == 403, (name, response.status_code)
            assert client.post(url, {}).status_code == 403, name
        else:
            assert response.status_code in (200, 302), (name, response.status_code)


@pytest.mark.django_db
def test_a_cadre_writes_members_but_not_the_tree(client, world, cadre):
    client.force_login(cadre)
    for name in ALL_NAMES:
        spec = VIEWS[name]
        if not spec.writes:
            continue
        url = reverse(name, kwargs=spec.kwargs(world))
        expected = 200 if spec.member_write else 403
        assert client.get(url).status_code == expected, name


@pytest.mark.django_db
def test_an_office_user_of_a_grassroots_organisation_cannot_reach_its_parent(client, world, office):
    client.force_login(office)
    for name in ("organizations:detail", "organizations:member_list", "organizations:edit"):
        url = reverse(name, kwargs={"public_id": world.bloc_a.public_id})
        assert client.get(url).status_code == 404, name
    # … nor a sibling tree's member.
    url = reverse("organizations:member_detail", kwargs={"public_id": world.member_b.public_id})
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_malformed_and_unknown_ids_are_404(client, world, office):
    client.force_login(office)
    assert client.get("/to-chuc/not-a-uuid/").status_code == 404
    assert client.get("/to-chuc/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/dang-vien/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_only_superusers_reach_the_admin(client, world, leader, outsider):
    for user in (leader, outsider):
        client.force_login(user)
        response = client.get("/quan-tri/")
        assert response.status_code == 302 and "/quan-tri/login/" in response.url
