"""What every page's navigation needs: the user's scope, read once per request."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from organizations.models import Role
from organizations.selectors import (
    DASHBOARD_ROLES,
    MEMBER_WRITE_ROLES,
    ORG_WRITE_ROLES,
    UserScope,
    user_scope,
)
from partyreports.audit import can_see_audit


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


#: (label, URL name, roles that see it) of the role-aware navigation items: the
#: cadre's quarterly entry sheets, the office's documents, the leaders' dashboard.
ROLE_LINKS = [
    ("Kết quả quý", "targets:index", MEMBER_WRITE_ROLES),
    ("Văn bản", "reports:list", ORG_WRITE_ROLES),
    ("Bảng điều khiển", "targets:dashboard", DASHBOARD_ROLES),
]


def role_links(scope: UserScope) -> list[NavLink]:
    """For each item of ROLE_LINKS, a link per organisation where the user
    holds one of its roles (named after the organisation when there are
    several). From the grants already read: no query."""
    links = []
    for label, url_name, roles in ROLE_LINKS:
        organizations = {}
        for _path, role, organization in sorted(scope.grants, key=lambda g: g[0]):
            if role in roles:
                organizations.setdefault(organization.pk, organization)
        for organization in organizations.values():
            suffix = (
                f" – {organization.short_name or organization.name}"
                if len(organizations) > 1
                else ""
            )
            url = reverse(url_name, kwargs={"public_id": organization.public_id})
            links.append(NavLink(f"{label}{suffix}", url))
    return links


def home_url(scope: UserScope) -> str:
    """Where "/" leads: offices and admins to the tree, a leader to the
    dashboard, a cadre to the quarterly entry sheets."""
    roles = {role for _path, role, _org in scope.grants}
    if scope.is_superuser or roles & ORG_WRITE_ROLES:
        return reverse("organizations:tree")
    for role, url_name in (
        (Role.LEADER, "targets:dashboard"),
        (Role.CADRE, "targets:index"),
    ):
        grant = min(
            (g for g in scope.grants if g[1] == role), key=lambda g: g[0], default=None
        )
        if grant is not None:
            return reverse(url_name, kwargs={"public_id": grant[2].public_id})
    return reverse("organizations:tree")


def user_scope_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = user_scope(user)
    return {
        "scope_roots": scope.roots,
        "role_links": role_links(scope),
        "can_audit": can_see_audit(user),
    }
