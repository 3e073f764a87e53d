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

from tests.conftest import ACCESS_WALK, World, scoped_objects


@dataclass(frozen=True)
class ViewSpec:
    """How a view may be reached: `get`/`post` name the role needed
    ("read": any role in scope; "member": cadre, office, admin; "org": office,
    admin; "review": office/admin of a committee above; "dash": leader, office,
    admin; "top": office/admin of the tree's top committee; None: method not allowed)."""

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
    "organizations:import_template_for": ViewSpec(_org, get="org"),
    "organizations:member_detail": ViewSpec(_member),
    "organizations:member_edit": ViewSpec(_member, get="member", post="member"),
    "organizations:member_event": ViewSpec(_member, get="member", post="member"),
    "organizations:member_event_edit": ViewSpec(
        lambda w: {**_member(w), "event_id": w.member_a.events.order_by("id").first().public_id},
        get="member", post="member",
    ),
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
    "reports:section_add": ViewSpec(
        lambda w: {"public_id": w.document.public_id, "section_id": w.document.sections.first().id},
        get=None, post="org",
    ),
    "reports:section_delete": ViewSpec(
        lambda w: {"public_id": w.document.public_id, "section_id": w.document.sections.first().id},
        get=None, post="org",
    ),
    "reports:section_move": ViewSpec(
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
    "targets:rollup_rebuild": ViewSpec(_org, get=None, post="top"),
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
            ACCESS_WALK.add((url, method, "anonymous", "tree A"))
            tried += 1
    assert tried == 2 * len(ALL_NAMES)


@pytest.fixture
def world_b(world: World) -> World:
    """The same objects as `world`, made in tree B (outside every tree-A persona's
    scope): B's Sở stands where A's does."""
    target, plan, document, issued, rendering = scoped_objects(world.grassroots_b)
    return World(
        world.bloc_b, world.grassroots_b, world.cell_b, world.cell_b, world.bloc_a, world.grassroots_a,
        world.cell_a1, world.member_b, world.member_a, target.id, plan.public_id, document, issued, rendering,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(["leader", "cadre", "office", "bloc_office"]))
def test_every_persona_of_tree_a_gets_404_for_every_object_of_tree_b(client, world_b, persona, request):
    client.force_login(request.getfixturevalue(persona))
    tried = 0
    for name in ALL_NAMES:
        if not _object_scoped(name, world_b):
            continue
        url = reverse(name, kwargs=VIEWS[name].kwargs(world_b))
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            assert response.status_code in (404, 405), (persona, name, method, response.status_code)
            ACCESS_WALK.add((url, method, persona, "tree B"))
            tried += 1
    assert tried >= 2 * 40


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
            ACCESS_WALK.add((url, method, "outsider", "tree A"))
            tried += 1
    assert tried >= 2 * 40


ALLOWED = {
    # persona → the requirement levels it satisfies on tree A's Sở
    "leader": {"read", "dash"},
    "cadre": {"read", "member"},
    "office": {"read", "member", "org", "dash"},
    "bloc_office": {"read", "member", "org", "review", "dash", "top"},
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
            ACCESS_WALK.add((url, method, persona, "tree A"))
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


# --- the Django admin: superusers only, whatever the role or the object -------


def _admin_names() -> list[str]:
    (admin_resolver,) = [
        entry for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "admin"
    ]
    return sorted(f"admin:{name}" for name in _walk(admin_resolver) if name != "login")


def _admin_kwargs(name: str, obj: object) -> dict[str, object] | None:
    """URL arguments for an admin pattern with `obj` (a model instance), or None
    when the pattern is about another model. Fails on a pattern it does not know,
    so a new kind of admin URL must be added here."""
    from django.contrib.contenttypes.models import ContentType

    meta = obj._meta  # type: ignore[attr-defined]
    prefix = f"admin:{meta.app_label}_{meta.model_name}_"
    if name in ("admin:index", "admin:logout", "admin:password_change", "admin:password_change_done",
                "admin:jsi18n", "admin:autocomplete"):
        return {}
    if name == "admin:app_list":
        return {"app_label": meta.app_label}
    if name == "admin:view_on_site":
        return {"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk}  # type: ignore[attr-defined]
    if not name.startswith(prefix):
        return None
    action = name.removeprefix(prefix)
    if action in ("changelist", "add"):
        return {}
    if action == "password_change":  # the user admin's password form
        return {"id": obj.pk}  # type: ignore[attr-defined]
    assert action in ("change", "delete", "history"), f"unknown admin URL {name}"
    return {"object_id": obj.pk}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_no_one_but_a_superuser_reaches_any_admin_url_for_any_object(client, world, world_b, request):
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    from tests.factories import make_user

    # Staff with every model permission and a scoped admin role: still not let in,
    # because the admin does not know organisation subtrees.
    staff = make_user("staff_a", role="admin", organization=world.bloc_a, is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    personas = {name: request.getfixturevalue(name) for name in ("leader", "cadre", "office", "bloc_office", "outsider")}
    personas["staff_admin"] = staff
    # An object of each registered model in tree A and in tree B where both exist.
    objects = {
        model: list({o.pk: o for o in (model.objects.order_by("pk").first(), model.objects.order_by("pk").last()) if o}.values())
        for model in admin.site._registry
    }
    names = _admin_names()
    assert len(names) > 5 * len(admin.site._registry)
    tried = 0
    for persona, user in personas.items():
        client.force_login(user)
        for model, instances in objects.items():
            for position, obj in enumerate(instances):
                for name in names:
                    kwargs = _admin_kwargs(name, obj)
                    if kwargs is None:
                        continue
                    url = reverse(name, kwargs=kwargs)
                    for method in ("get", "post"):
                        response = getattr(client, method)(url, {})
                        assert response.status_code == 302, (persona, url, method, response.status_code)
                        assert response.url.startswith("/quan-tri/"), (persona, url, response.url)
                        ACCESS_WALK.add((url, method, persona, f"{model._meta.model_name} #{position}"))
                        tried += 1
    assert tried > 1000
    # The objects still exist: no POST deleted or changed anything.
    for model, instances in objects.items():
        assert model.objects.filter(pk__in=[o.pk for o in instances]).count() == len(instances), model
