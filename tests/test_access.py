"""Every URL pattern, walked as every persona.

A new view must be registered in VIEWS below (the walk fails on an unknown
pattern, and on a pattern without a name), so no view can ship without being
tried by the wrong organisation and the wrong role: each persona against the
objects of its own subtree (403 exactly where its role is not enough), and
against the objects of everything outside it (404): another tree, and for the
personas of a Sở its parent committee and a sibling Sở in the same tree. Pages
and files a persona may open never name what lies outside its scope, and ids of
outside objects sent in a form are refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organizations.models import EventKind
from targets import services as target_services
from tests.conftest import ACCESS_WALK, World, scoped_objects
from tests.factories import make_member, make_org
from tests.fuzzing import changed_tables, snapshot


@dataclass(frozen=True)
class ViewSpec:
    """How a view may be reached: `get`/`post` name the role needed
    ("read": any role in scope; "member": cadre, office, admin; "org": office,
    admin; "review": office/admin of a committee above; "dash": leader, office,
    admin; "top": office/admin of the tree's top committee; None: method not
    allowed)."""

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
    "organizations:ratings": ViewSpec(
        lambda w: {**_org(w), "year": 2023}, get="member", post="member"
    ),
    "organizations:member_list": ViewSpec(_org),
    "organizations:member_create": ViewSpec(_org, get="member", post="member"),
    "organizations:import": ViewSpec(_org, get="org", post="org"),
    "organizations:import_template": ViewSpec(_none),
    "organizations:import_template_for": ViewSpec(_org, get="org"),
    "organizations:member_detail": ViewSpec(_member),
    "organizations:member_edit": ViewSpec(_member, get="member", post="member"),
    "organizations:member_event": ViewSpec(_member, get="member", post="member"),
    "organizations:member_event_edit": ViewSpec(
        lambda w: {
            **_member(w),
            "event_id": w.member_a.events.order_by("id").first().public_id,
        },
        get="member",
        post="member",
    ),
    "targets:index": ViewSpec(_org),
    "targets:plans": ViewSpec(_org),
    "targets:plan_create": ViewSpec(_org, get="org", post="org"),
    "targets:plan": ViewSpec(lambda w: {"public_id": w.plan_public_id}),
    "targets:target_create": ViewSpec(
        lambda w: {"public_id": w.plan_public_id}, get="org", post="org"
    ),
    "targets:target_assign": ViewSpec(
        lambda w: {"public_id": w.plan_public_id, "target_id": w.plan_target_id},
        get="org",
        post="org",
    ),
    "targets:target_edit": ViewSpec(
        lambda w: {"public_id": w.plan_public_id, "target_id": w.plan_target_id},
        get="org",
        post="org",
    ),
    "targets:sheet": ViewSpec(_quarter, get="read", post="member"),
    "targets:preview": ViewSpec(_quarter, get=None, post="member"),
    "targets:submit": ViewSpec(_quarter, get=None, post="member"),
    "targets:decide": ViewSpec(
        lambda w: {**_quarter(w), "quarter": 4, "decision": "duyet"},
        get=None,
        post="review",
    ),
    "targets:download": ViewSpec(_quarter),
    "targets:upload": ViewSpec(_quarter, get=None, post="member"),
    "reports:list": ViewSpec(_org, get="read", post="org"),
    "reports:edit": ViewSpec(lambda w: {"public_id": w.document.public_id}),
    "reports:header": ViewSpec(
        lambda w: {"public_id": w.document.public_id}, get=None, post="org"
    ),
    "reports:section": ViewSpec(
        lambda w: {
            "public_id": w.document.public_id,
            "section_id": w.document.sections.first().id,
        },
        get=None,
        post="org",
    ),
    "reports:section_add": ViewSpec(
        lambda w: {
            "public_id": w.document.public_id,
            "section_id": w.document.sections.first().id,
        },
        get=None,
        post="org",
    ),
    "reports:section_delete": ViewSpec(
        lambda w: {
            "public_id": w.document.public_id,
            "section_id": w.document.sections.first().id,
        },
        get=None,
        post="org",
    ),
    "reports:section_move": ViewSpec(
        lambda w: {
            "public_id": w.document.public_id,
            "section_id": w.document.sections.first().id,
        },
        get=None,
        post="org",
    ),
    "reports:preview": ViewSpec(lambda w: {"public_id": w.document.public_id}),
    "reports:render": ViewSpec(
        lambda w: {"public_id": w.document.public_id}, get=None, post="read"
    ),
    "reports:issue": ViewSpec(
        lambda w: {"public_id": w.document.public_id}, get=None, post="org"
    ),
    "reports:correct": ViewSpec(
        lambda w: {"public_id": w.issued_document.public_id}, get=None, post="org"
    ),
    "reports:pdf": ViewSpec(lambda w: {"public_id": w.issued_document.public_id}),
    "reports:rendering": ViewSpec(lambda w: {"public_id": w.rendering.public_id}),
    "reports:rendering_download": ViewSpec(
        lambda w: {"public_id": w.rendering.public_id}
    ),
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

#: Patterns without a name, found while walking (a test fails on any).
UNNAMED: list[str] = []


def _walk(
    resolver: URLResolver, namespace: str = "", unnamed: list[str] | None = None
) -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in FRAMEWORK_NAMESPACES:
                continue
            yield from _walk(entry, f"{namespace}{ns}:" if ns else namespace, unnamed)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"
        elif unnamed is not None:
            unnamed.append(f"{namespace}{entry.pattern}")


ALL_NAMES = sorted(set(_walk(get_resolver(), unnamed=UNNAMED)) - FRAMEWORK_NAMES)


def test_every_url_pattern_is_registered_for_the_access_walk():
    assert set(ALL_NAMES) - set(VIEWS) == set(), "register new views in VIEWS"
    assert set(VIEWS) - set(ALL_NAMES) == set(), "VIEWS names a pattern that is gone"


def test_every_url_pattern_has_a_name():
    """The walk reaches a pattern by its name: one without would not be tried."""
    assert UNNAMED == [], "give these URL patterns a name and register them"


def _object_scoped(name: str, world: World) -> bool:
    return bool(VIEWS[name].kwargs(world))


def _record(category: str, url: str, method: str, persona: str, obj: str) -> None:
    ACCESS_WALK[category].add((url, method, persona, obj))


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
            _record("anonymous sent to login", url, method, "anonymous", "tree A")
            tried += 1
    assert tried == 2 * len(ALL_NAMES)


# --- the worlds outside a persona's scope ---------------------------------------------


@dataclass
class Outside:
    """The objects of one place outside a persona's scope, shaped like `world`
    (its `grassroots_a`, `cell_a1`, `member_a`, plan and documents are the
    outside ones), and the names and ids that must never show inside."""

    label: str
    world: World
    markers: tuple[str, ...]


def _markers(world: World, *names: str) -> tuple[str, ...]:
    ids = (
        world.grassroots_a.public_id,
        world.cell_a1.public_id,
        world.member_a.public_id,
        world.plan_public_id,
        world.document.public_id,
        world.issued_document.public_id,
        world.rendering.public_id,
    )
    return (*names, *(str(i) for i in ids))


@pytest.fixture
def world_b(world: World) -> World:
    """The same objects as `world`, made in tree B (outside every tree-A persona's
    scope): B's Sở stands where A's does."""
    target, plan, document, issued, rendering = scoped_objects(world.grassroots_b)
    return World(
        world.bloc_b,
        world.grassroots_b,
        world.cell_b,
        world.cell_b,
        world.bloc_a,
        world.grassroots_a,
        world.cell_a1,
        world.member_b,
        world.member_a,
        target.id,
        plan.public_id,
        document,
        issued,
        rendering,
    )


@pytest.fixture
def sibling(world: World) -> World:
    """A second Sở beside A's under bloc A, with a chi bộ, a member, a plan and
    documents: same tree, outside the scope of the Sở A personas."""
    so = make_org("Đảng bộ Sở Láng Giềng", parent=world.bloc_a, short_name="ĐU")
    cell = make_org("Chi bộ Láng Giềng", parent=so)
    member = make_member(cell, full_name="Phan Văn Xê")
    target, plan, document, issued, rendering = scoped_objects(so)
    return World(
        world.bloc_a,
        so,
        cell,
        cell,
        world.bloc_b,
        world.grassroots_b,
        world.cell_b,
        member,
        world.member_b,
        target.id,
        plan.public_id,
        document,
        issued,
        rendering,
    )


@pytest.fixture
def parent(world: World, sibling: World) -> World:
    """Bloc A's own objects (its plan, documents, sheet) and a chi bộ cơ sở right
    under it: the committee above the Sở A personas."""
    cell = make_org(
        "Chi bộ cơ sở Trực Khối", parent=world.bloc_a, level_code="grassroots_cell"
    )
    member = make_member(cell, full_name="Đỗ Văn Khối")
    target, plan, document, issued, rendering = scoped_objects(world.bloc_a)
    return World(
        world.bloc_a,
        world.bloc_a,
        cell,
        cell,
        world.bloc_b,
        world.grassroots_b,
        world.cell_b,
        member,
        world.member_b,
        target.id,
        plan.public_id,
        document,
        issued,
        rendering,
    )


@pytest.fixture
def outside(
    world: World, world_b: World, sibling: World, parent: World
) -> dict[str, Outside]:
    return {
        "tree B": Outside(
            "tree B",
            world_b,
            _markers(
                world_b,
                "Đảng bộ Khối B",
                "Đảng bộ Sở B",
                "Chi bộ Văn phòng B",
                "Trần Văn Bê",
            ),
        ),
        "sibling": Outside(
            "sibling",
            sibling,
            _markers(
                sibling, "Đảng bộ Sở Láng Giềng", "Chi bộ Láng Giềng", "Phan Văn Xê"
            ),
        ),
        "parent": Outside(
            "parent",
            parent,
            # Bloc A itself is named (and linked) in the Sở's breadcrumb and
            # letterhead: only what it holds besides.
            tuple(
                marker
                for marker in _markers(parent, "Chi bộ cơ sở Trực Khối", "Đỗ Văn Khối")
                if marker != str(parent.grassroots_a.public_id)
            ),
        ),
        "tree A": Outside(
            "tree A",
            world,
            _markers(
                world,
                "Đảng bộ Khối A",
                "Đảng bộ Sở A",
                "Chi bộ Văn phòng A",
                "Nguyễn Thị Hoà",
            ),
        ),
    }


#: persona → the places outside its scope. The personas of the Sở (cadre,
#: office, the scoped admin) reach neither their parent committee nor a sibling.
OUTSIDE_OF = {
    "cadre": ("tree B", "parent", "sibling"),
    "office": ("tree B", "parent", "sibling"),
    "scoped_admin": ("tree B", "parent", "sibling"),
    "leader": ("tree B",),
    "bloc_office": ("tree B",),
    "outsider": ("tree A",),
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(OUTSIDE_OF))
def test_every_persona_gets_404_for_every_object_outside_its_scope(
    client, outside, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    tried = 0
    for label in OUTSIDE_OF[persona]:
        place = outside[label].world
        for name in ALL_NAMES:
            if not _object_scoped(name, place):
                continue
            url = reverse(name, kwargs=VIEWS[name].kwargs(place))
            for method in ("get", "post"):
                response = getattr(client, method)(url, {})
                assert response.status_code in (404, 405), (
                    persona,
                    label,
                    name,
                    method,
                    response.status_code,
                )
                _record("denied outside scope", url, method, persona, label)
                tried += 1
    assert tried >= len(OUTSIDE_OF[persona]) * 2 * 40


def _texts(response) -> list[str]:  # noqa: ANN001
    """What a response shows: its text, or the XML inside an Excel file. PDFs
    are only ever stored copies of documents in scope (checked by the 404s)."""
    content_type = response.get("Content-Type", "")
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if content_type.startswith(("text/", "application/json")):
        return [body.decode()]
    if content_type.startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [
                archive.read(name).decode(errors="replace")
                for name in archive.namelist()
            ]
    return []


#: The persona → the world its own pages are walked in.
HOME = {"outsider": "tree B"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(OUTSIDE_OF))
def test_no_page_or_file_in_scope_names_anything_outside_it(
    client, world, outside, persona, request
):
    """Lists, the tree, the home page, the audit log, the dashboards and the
    Excel files a persona may open hold no name or id from outside its scope."""
    user = request.getfixturevalue(persona)
    client.force_login(user)
    # Every place has something worth leaking in the audit log and the lists.
    home = outside[HOME.get(persona, "tree A")].world
    markers = [m for label in OUTSIDE_OF[persona] for m in outside[label].markers]
    checked = 0
    for name in ALL_NAMES:
        url = reverse(name, kwargs=VIEWS[name].kwargs(home))
        response = client.get(url)
        if response.status_code != 200:
            continue
        for text in _texts(response):
            leaked = [m for m in markers if m in text]
            assert not leaked, (persona, name, leaked)
        _record(
            "pages checked for names from outside", url, "get", persona, "own scope"
        )
        checked += 1
    assert checked >= 15, checked


# --- ids of outside objects sent in a form --------------------------------------------


@dataclass(frozen=True)
class BodyCase:
    """A form in the persona's scope posted with an outside object's id in
    `field`, and the same post with an object inside (which must save, so
    the refusal is the outside object's doing)."""

    persona: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, object]]
    field: str
    outside: Callable[[World], object]
    inside: Callable[[World], object]
    #: The object goes into the field's name, with this value (the assign form
    #: names each subordinate's plan-value field by its public id).
    value: str | None = None

    def post(self, home: World, obj: object) -> dict[str, object]:
        if self.value is not None:
            return {**self.data(home), f"{self.field}-{obj}": self.value}
        return {**self.data(home), self.field: obj}


@dataclass(frozen=True)
class HandoverCase(BodyCase):
    """The handover form has one field per organisation handed over
    (``to_<pk>``) whose value is its receiver. With `handed` the object posted
    is the receiver; without, it is the organisation handed over (to the
    sibling Sở, a receiver inside the bloc's scope)."""

    handed: Callable[[World], object] | None = None

    def post(self, home: World, obj: object) -> dict[str, object]:
        if self.handed is not None:
            return {**self.data(home), f"to_{self.handed(home)}": obj}
        return {**self.data(home), f"to_{obj}": _sibling_pk(home)}


def _sibling_pk(world: World) -> object:
    """The sibling Sở of Bloc A (the `sibling` fixture's)."""
    from organizations.models import Organization

    return Organization.objects.get(name="Đảng bộ Sở Láng Giềng").pk


def _u(name: str, **kwargs: Callable[[World], object]) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={key: get(w) for key, get in kwargs.items()})


def _pk(attribute: str) -> Callable[[World], object]:
    return lambda w: getattr(w, attribute).pk


_MOVE = _u("organizations:move", public_id=lambda w: w.cell_a1.public_id)
_DISSOLVE = _u("organizations:dissolve", public_id=lambda w: w.cell_a2.public_id)
_HANDOVER = _u("organizations:handover", public_id=lambda w: w.grassroots_a.public_id)
_MEMBER_CREATE = _u(
    "organizations:member_create", public_id=lambda w: w.grassroots_a.public_id
)
_MEMBER_EVENT = _u(
    "organizations:member_event", public_id=lambda w: w.member_a.public_id
)
_ON = {"on_date": "2024-06-01"}
_NEW_MEMBER = {
    "full_name": "Lê Văn Mới",
    "sex": "M",
    "date_of_birth": "1990-01-01",
    "ethnicity": "Kinh",
    "arrival": "ket_nap",
    "admitted_on": "2020-01-01",
}
_TRANSFER = {"kind": EventKind.TRANSFER_OUT, "occurred_on": "2024-05-01"}

#: (case, where the outside object comes from)
BODY_CASES: dict[str, tuple[BodyCase, str]] = {
    "move under another tree": (
        BodyCase(
            "bloc_office",
            _MOVE,
            lambda w: _ON,
            "new_parent",
            _pk("grassroots_a"),
            # A chi bộ sits under a đảng bộ cơ sở (the levels' order).
            _pk("grassroots_a"),
        ),
        "tree B",
    ),
    "move under a sibling": (
        BodyCase(
            "office",
            _MOVE,
            lambda w: _ON,
            "new_parent",
            _pk("grassroots_a"),
            _pk("grassroots_a"),
        ),
        "sibling",
    ),
    "merge into another tree's chi bộ": (
        BodyCase(
            "bloc_office",
            _DISSOLVE,
            lambda w: _ON,
            "merged_into",
            _pk("cell_a1"),
            _pk("cell_a1"),
        ),
        "tree B",
    ),
    "merge into a sibling's chi bộ": (
        BodyCase(
            "office",
            _DISSOLVE,
            lambda w: _ON,
            "merged_into",
            _pk("cell_a1"),
            _pk("cell_a1"),
        ),
        "sibling",
    ),
    "hand over to another tree": (
        HandoverCase(
            "bloc_office",
            _HANDOVER,
            lambda w: {"effective_on": "2024-06-01"},
            "receiver",
            _pk("grassroots_a"),
            _sibling_pk,
            handed=_pk("cell_a1"),
        ),
        "tree B",
    ),
    "hand over another tree's chi bộ": (
        HandoverCase(
            "bloc_office",
            _HANDOVER,
            lambda w: {"effective_on": "2024-06-01"},
            "handed",
            _pk("cell_a1"),
            _pk("cell_a1"),
        ),
        "tree B",
    ),
    "a new member in another tree's chi bộ": (
        BodyCase(
            "office",
            _MEMBER_CREATE,
            lambda w: _NEW_MEMBER,
            "organization",
            _pk("cell_a1"),
            _pk("cell_a1"),
        ),
        "tree B",
    ),
    "a new member in a sibling's chi bộ": (
        BodyCase(
            "office",
            _MEMBER_CREATE,
            lambda w: _NEW_MEMBER,
            "organization",
            _pk("cell_a1"),
            _pk("cell_a1"),
        ),
        "sibling",
    ),
    "a transfer to another tree's chi bộ": (
        BodyCase(
            "office",
            _MEMBER_EVENT,
            lambda w: _TRANSFER,
            "target_organization",
            _pk("cell_a1"),
            _pk("cell_a2"),
        ),
        "tree B",
    ),
    "a transfer to a sibling's chi bộ": (
        BodyCase(
            "office",
            _MEMBER_EVENT,
            lambda w: _TRANSFER,
            "target_organization",
            _pk("cell_a1"),
            _pk("cell_a2"),
        ),
        "sibling",
    ),
    "a target under another tree's target": (
        BodyCase(
            "office",
            _u("targets:target_create", public_id=lambda w: w.plan_public_id),
            lambda w: {
                "group": "Chung",
                "wording": "Chỉ tiêu con",
                "label": "Chỉ tiêu con",
                "kind": "count",
                "comparator": "gte",
                "plan_value": "5",
                "source": "manual",
            },
            "parent",
            lambda w: w.plan_target_id,
            lambda w: w.plan_target_id,
        ),
        "tree B",
    ),
    "a target given to another tree's Sở": (
        BodyCase(
            "bloc_office",
            _u(
                "targets:target_assign",
                public_id=lambda w: w.plan_public_id,
                target_id=lambda w: w.plan_target_id,
            ),
            lambda w: {},
            "org",
            lambda w: w.grassroots_a.public_id,
            lambda w: w.grassroots_a.public_id,
            value="120",
        ),
        "tree B",
    ),
}


@pytest.fixture
def bloc_plan(world: World) -> World:
    """Bloc A's plan with one target, to give down (target_assign)."""
    plan = target_services.plan_create(
        organization=world.bloc_a, title="Chỉ tiêu khối", start_year=2022
    )
    target = target_services.target_create(
        plan=plan,
        group="Công tác Đảng",
        wording="Kết nạp",
        label="Kết nạp",
        kind="count",
        plan_value=300,
    )
    return World(
        **{
            **world.__dict__,
            "plan_target_id": target.id,
            "plan_public_id": plan.public_id,
        }
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BODY_CASES))
def test_an_outside_object_sent_in_a_form_is_refused(
    client, world, outside, bloc_plan, case, request
):
    spec, source = BODY_CASES[case]
    client.force_login(request.getfixturevalue(spec.persona))
    home = bloc_plan if spec.value is not None else world
    url = spec.url(home)
    before = snapshot()

    response = client.post(url, spec.post(home, spec.outside(outside[source].world)))

    assert response.status_code in (200, 403, 404, 422), (case, response.status_code)
    after = snapshot()
    assert after == before, (case, changed_tables(before, after))
    _record("outside objects in form posts refused", url, "post", spec.persona, source)
    # The same post with an object inside the scope saves.
    with transaction.atomic():
        response = client.post(url, spec.post(home, spec.inside(home)))
        assert response.status_code == 302, case
        assert snapshot() != before, case
        transaction.set_rollback(True)


# --- roles inside the scope -----------------------------------------------------------


ALLOWED = {
    # persona → the requirement levels it satisfies on tree A's Sở
    "leader": {"read", "dash"},
    "cadre": {"read", "member"},
    "office": {"read", "member", "org", "dash"},
    "scoped_admin": {"read", "member", "org", "dash"},
    "bloc_office": {"read", "member", "org", "review", "dash", "top"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_each_role_gets_403_exactly_where_its_role_is_not_enough(
    client, world, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    tried = 0
    for name in ALL_NAMES:
        spec = VIEWS[name]
        url = reverse(name, kwargs=spec.kwargs(world))
        for method, need in (("get", spec.get), ("post", spec.post)):
            status = getattr(client, method)(url, {}).status_code
            if need is None:
                assert status in (200, 302, 405), (persona, name, method, status)
                category = "allowed in scope"
            elif need in ALLOWED[persona]:
                assert status not in (403, 404), (persona, name, method, status)
                category = "allowed in scope"
            else:
                assert status == 403, (persona, name, method, status)
                category = "denied by role in scope (403)"
            _record(category, url, method, persona, "tree A")
            tried += 1
    assert tried == 2 * len(ALL_NAMES)


@pytest.mark.django_db
def test_malformed_and_unknown_ids_are_404(client, world, office):
    client.force_login(office)
    assert client.get("/to-chuc/not-a-uuid/").status_code == 404
    assert (
        client.get("/to-chuc/00000000-0000-0000-0000-000000000000/").status_code == 404
    )
    assert (
        client.get("/dang-vien/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


@pytest.mark.django_db
def test_only_superusers_reach_the_admin(client, world, leader, outsider, scoped_admin):
    for user in (leader, outsider, scoped_admin):
        client.force_login(user)
        response = client.get("/quan-tri/")
        assert response.status_code == 302 and "/quan-tri/login/" in response.url


# --- the Django admin: superusers only, whatever the role or the object -------


def _admin_names() -> list[str]:
    (admin_resolver,) = [
        entry
        for entry in get_resolver().url_patterns
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
    if name in (
        "admin:index",
        "admin:logout",
        "admin:password_change",
        "admin:password_change_done",
        "admin:jsi18n",
        "admin:autocomplete",
    ):
        return {}
    if name == "admin:app_list":
        return {"app_label": meta.app_label}
    if name == "admin:view_on_site":
        return {
            "content_type_id": ContentType.objects.get_for_model(obj).pk,
            "object_id": obj.pk,
        }  # type: ignore[attr-defined]
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
def test_no_one_but_a_superuser_reaches_any_admin_url_for_any_object(
    client, world, world_b, request
):
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    from tests.factories import make_user

    # Staff with every model permission and a scoped admin role: still not let in,
    # because the admin does not know organisation subtrees.
    staff = make_user("staff_a", role="admin", organization=world.bloc_a, is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    personas = {
        name: request.getfixturevalue(name)
        for name in (
            "leader",
            "cadre",
            "office",
            "bloc_office",
            "outsider",
            "scoped_admin",
        )
    }
    personas["staff_admin"] = staff
    # An object of each registered model in tree A and in tree B where both exist.
    objects = {
        model: list(
            {
                o.pk: o
                for o in (
                    model.objects.order_by("pk").first(),
                    model.objects.order_by("pk").last(),
                )
                if o
            }.values()
        )
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
                        assert response.status_code == 302, (
                            persona,
                            url,
                            method,
                            response.status_code,
                        )
                        assert response.url.startswith("/quan-tri/"), (
                            persona,
                            url,
                            response.url,
                        )
                        _record(
                            "admin URLs refused to non-superusers",
                            url,
                            method,
                            persona,
                            f"{model._meta.model_name} #{position}",
                        )
                        tried += 1
    assert tried > 1000
    # The objects still exist: no POST deleted or changed anything.
    for model, instances in objects.items():
        assert model.objects.filter(pk__in=[o.pk for o in instances]).count() == len(
            instances
        ), model
