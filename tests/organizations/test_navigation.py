"""The navigation bar and "/" lead each role to its work."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from organizations.context_processors import user_scope_context
from organizations.models import Role, RoleAssignment
from organizations.selectors import user_scope

pytestmark = pytest.mark.django_db


def _nav(body: str) -> str:
    return body[body.index('<nav class="navbar') : body.index("</nav>")]


def _link(name: str, organization) -> str:  # noqa: ANN001
    return f'href="{reverse(name, kwargs={"public_id": organization.public_id})}"'


def test_each_role_sees_its_work_in_the_navigation(
    client, world, cadre, office, leader
):
    tree = reverse("organizations:tree")
    client.force_login(cadre)
    nav = _nav(client.get(tree).content.decode())
    assert _link("targets:index", world.grassroots_a) in nav and "Kết quả quý" in nav
    assert "Văn bản" not in nav and "Bảng điều khiển" not in nav

    client.force_login(office)
    nav = _nav(client.get(tree).content.decode())
    assert _link("reports:list", world.grassroots_a) in nav and "Văn bản" in nav
    assert _link("targets:dashboard", world.grassroots_a) in nav

    client.force_login(leader)
    nav = _nav(client.get(tree).content.decode())
    assert _link("targets:dashboard", world.bloc_a) in nav and "Bảng điều khiển" in nav
    assert "Kết quả quý" not in nav and "Văn bản" not in nav


def test_a_user_with_roles_in_two_places_gets_a_link_for_each_named(
    client, world, cadre
):
    RoleAssignment.objects.create(
        user=cadre, organization=world.cell_a2, role=Role.LEADER
    )
    RoleAssignment.objects.create(
        user=cadre, organization=world.bloc_b, role=Role.CADRE
    )
    client.force_login(cadre)
    nav = _nav(client.get(reverse("organizations:tree")).content.decode())
    assert (
        _link("targets:index", world.grassroots_a) in nav
        and _link("targets:index", world.bloc_b) in nav
    )
    assert "Kết quả quý – ĐU<" in nav and "Kết quả quý – ĐUK<" in nav  # short names
    assert (
        _link("targets:dashboard", world.cell_a2) in nav and "Bảng điều khiển<" in nav
    )


def test_the_navigation_reads_nothing_more_than_the_scope(
    world, office, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = office
    user_scope(office)  # read once per request, by the access selectors
    with django_assert_num_queries(0):
        context = user_scope_context(request)
    assert len(context["role_links"]) == 3


@pytest.mark.parametrize(
    ("persona", "url_name", "where"),
    [
        ("cadre", "targets:index", "grassroots_a"),
        ("leader", "targets:dashboard", "bloc_a"),
        ("office", "organizations:tree", None),
        ("bloc_office", "organizations:tree", None),
    ],
)
def test_home_sends_each_role_to_its_start(
    client, world, persona, url_name, where, request
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("organizations:home"))
    kwargs = {"public_id": getattr(world, where).public_id} if where else {}
    assert response.status_code == 302 and response.url == reverse(
        url_name, kwargs=kwargs
    )
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("persona", "url_name", "where"),
    [
        ("cadre", "targets:index", "grassroots_a"),
        ("leader", "targets:dashboard", "bloc_a"),
    ],
)
def test_logging_in_lands_on_the_roles_start(
    client, world, persona, url_name, where, request
):
    user = request.getfixturevalue(persona)
    user.set_password("Mật-khẩu-dài-2024")
    user.save()
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "Mật-khẩu-dài-2024"},
        follow=True,
    )
    target = reverse(url_name, kwargs={"public_id": getattr(world, where).public_id})
    assert response.redirect_chain[-1][0] == target
    assert response.status_code == 200
