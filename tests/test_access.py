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
    """How a view may be reached: `get`/`post` name the role needed
    ("read": any role in scope; "member": cadre, office, admin; "org": office,
    admin; "review": office/admin of a committee above; "dash": leader, office,
    admin; None: method not allowed)."""

    kwargs: Callable[[World], dict[str, object]]
    get: str | None = "read"
    post: str | None = None


def _org(w: World) -> dict[str, object]:
    return {"public_id": w.grassroots_a.public_id}


def _cell(w: World) -> dict[str, object]:
    return {"public_id": w.cell_a1.public_id}


def _member(w: World) -> dict[str, object]:
    return {"public_id": w.member_a.public_id}


def _quarter(w: World) -> dict[str, object]:
    return {**_org(w), "year": 2023, "quarter": 3}


def _none(w: World) -> dict[str, object]:
    return {}


VIEWS: dict[str, ViewSpec] = {
    "organizations:home": ViewSpec(_none),
    "organizations:tree": ViewSpec(_none),
    "organizations:detail": ViewSpec(_org),
    "organizations:create_child": ViewSpec(_org, get="org", post="org"),
    "organizations:edit": ViewSpec(_org, get="org", post="org"),
    "organizations:move": ViewSpec(_cell, get="org", post="org"),
    "organizations:dissolve": ViewSpec(_cell, get="org", post="org"),
    "organizations:handover": ViewSpec(_org, get="org", post="org"),
    "organizations:ratings": ViewSpec(lambda w: {**_org(w), "year": 2023}, get="member", post="member"),
    "organizations:member_list": ViewSpec(_org),
    "organizations:member_create": ViewSpec(_org, get="member", post="member"),
    "organizations:import": ViewSpec(_org, get="org", post="org"),
    "organizations:import_template": ViewSpec(_none),
    "organizations:member_detail": ViewSpec(_member),
    "organizations:member_edit": ViewSpec(_member, get="member", post="member"),
    "organizations:member_event": ViewSpec(_member, get="member", post="member"),
    "targets:index": ViewSpec(_org),
    "targets:plans": ViewSpec(_org),
    "targets:plan_create": ViewSpec(_org, get="org", post="org"),
    "targets:plan": ViewSpec(lambda w: {"public_id": w.plan_public_id}),
    "targets:target_create": ViewSpec(lambda w: {"public_id": w.plan_public_id}, get="org", post="org"),
    "targets:target_assign": ViewSpec(
        lambda w: {"public_id": w.plan_public_id, "target_id": w.plan_target_id}, get="org", post="org"
    ),
    "targets:target_edit": ViewSpec(
        lambda w: {"public_id": w.plan_public_id, "target_id": w.plan_target_id}, get="org", post="org"
    ),
    "targets:sheet": ViewSpec(_quarter, get="read", post="member"),
    "targets:preview": ViewSpec(_quarter, get=None, post="member"),
    "targets:submit": ViewSpec(_quarter, get=None, post="member"),
    "targets:decide": ViewSpec(
        lambda w: {**_quarter(w), "quarter": 4, "decision": "duyet"}, get=None, post="review"
    ),
    "targets:download": ViewSpec(_quarter),
    "targets:upload": ViewSpec(_quarter, get=None, post="member"),
    "reports:list": ViewSpec(_org, get="read", post="org"),
    "reports:edit": ViewSpec(lambda w: {"public_id": w.document.public_id}),
    "reports:header": ViewSpec(lambda w: {"public_id": w.document.public_id}, get=None, post="org"),
    "reports:section": ViewSpec(
        lambda w: {"public_id": w.document.public_id, "section_id": w.document.sections.first().id},
        get=None, post="org",
    ),
    "reports:preview": ViewSpec(lambda w: {"public_id": w.document.public_id}),
    "reports:render": ViewSpec(lambda w: {"public_id": w.document.public_id}, get=None, post="read"),
    "reports:issue": ViewSpec(lambda w: {"public_id": w.document.public_id}, get=None, post="org"),
    "reports:correct": ViewSpec(lambda w: {"public_id": w.issued_document.public_id}, get=None, post="org"),
    "reports:pdf": ViewSpec(lambda w: {"public_id": w.issued_document.public_id}),
    "reports:rendering": ViewSpec(lambda w: {"public_id": w.rendering.public_id}),
    "reports:rendering_download": ViewSpec(lambda w: {"public_id": w.rendering.public_id}),
    "targets:dashboard": ViewSpec(_org, get="dash"),
    "targets:dashboard_export": ViewSpec(_org, get="dash"),
    "targets:rollup_rebuild": ViewSpec(_org, get=None, post="org"),
    "targets:completeness": ViewSpec(_org, get="dash"),
    "targets:deadlines": ViewSpec(_org, get="org", post="org"),
    "targets:term": ViewSpec(_org, get="dash"),
    "targets:history": ViewSpec(lambda w: {**_org(w), "target_id": w.plan_target_id}),
    "audit_log": ViewSpec(_none, get="org"),
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


ALLOWED = {
    # persona → the requirement levels it satisfies on tree A's Sở
    "leader": {"read", "dash"},
    "cadre": {"read", "member"},
    "office": {"read", "member", "org", "dash"},
    "bloc_office": {"read", "member", "org", "review", "dash"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_each_role_gets_403_exactly_where_its_role_is_not_enough(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    tried = 0
    for name in ALL_NAMES:
        spec = VIEWS[name]
        url = reverse(name, kwargs=spec.kwargs(world))
        for method, need in (("get", spec.get), ("post", spec.post)):
            status = getattr(client, method)(url, {}).status_code
            if need is None:
                assert status in (200, 302, 405), (persona, name, method, status)
            elif need in ALLOWED[persona]:
                assert status not in (403, 404), (persona, name, method, status)
            else:
                assert status == 403, (persona, name, method, status)
            tried += 1
    assert tried == 2 * len(ALL_NAMES)


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
