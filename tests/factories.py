"""Builders for test data. They go through the services, so the dated
placements, search names and sort keys are what the app itself writes."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from organizations import services
from organizations.models import (
    Member,
    Organization,
    OrganizationKind,
    OrganizationLevel,
    Role,
    RoleAssignment,
)

_seq = itertools.count(1)
D0 = dt.date(2020, 1, 1)


def level(code: str) -> OrganizationLevel:
    return OrganizationLevel.objects.get(code=code)


def make_org(
    name: str | None = None,
    *,
    parent: Organization | None = None,
    level_code: str | None = None,
    founded_on: dt.date = D0,
    short_name: str = "",
    kind: str | None = None,
) -> Organization:
    if level_code is None:
        level_code = (
            "upper"
            if parent is None
            else ("grassroots_committee" if parent.level.code == "upper" else "cell")
        )
    lvl = level(level_code)
    return services.organization_create(
        name=name or f"Tổ chức {next(_seq)}",
        level=lvl,
        kind=kind or services.default_kind_for(lvl),
        parent=parent,
        founded_on=founded_on,
        short_name=short_name,
    )


def make_member(
    cell: Organization,
    *,
    full_name: str | None = None,
    sex: str = "M",
    admitted_on: dt.date = dt.date(2015, 3, 1),
    full_member_on: dt.date | None = dt.date(2016, 3, 1),
    ethnicity: str = "Kinh",
    joined_on: dt.date | None = None,
) -> Member:
    return services.member_create(
        full_name=full_name or f"Nguyễn Văn Thử {next(_seq)}",
        sex=sex,
        date_of_birth=dt.date(1980, 5, 17),
        organization=cell,
        admitted_on=admitted_on,
        full_member_on=full_member_on,
        ethnicity=ethnicity,
        joined_on=joined_on,
    )


def make_user(
    username: str,
    *,
    role: str | None = None,
    organization: Organization | None = None,
    **extra: object,
):  # noqa: ANN201
    user = get_user_model().objects.create_user(
        username=username, password="pw-Test-123", **extra
    )
    if role and organization:
        RoleAssignment.objects.create(user=user, organization=organization, role=role)
    return user


__all__ = ["make_org", "make_member", "make_user", "level", "Role", "OrganizationKind"]
