"""Reads: the tree as of a date, counts per subtree, and access selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from organizations.models import (
    PATH_STEP,
    EventKind,
    Grade,
    Member,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationPlacement,
    OrganizationRating,
    Role,
)

ORG_WRITE_ROLES = frozenset({Role.OFFICE, Role.ADMIN})
DASHBOARD_ROLES = frozenset({Role.LEADER, Role.OFFICE, Role.ADMIN})
MEMBER_WRITE_ROLES = frozenset({Role.CADRE, Role.OFFICE, Role.ADMIN})
READ_ROLES = frozenset(Role)


# --- dated windows -----------------------------------------------------------


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Rows of a dated table ([valid_from, valid_to)) that hold on `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


# --- the tree as of a date ----------------------------------------------------


@dataclass
class TreeNode:
    organization: Organization
    path: str
    depth: int
    parent_id: int | None
    counts: MemberCounts = field(default_factory=lambda: MemberCounts())
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class MemberCounts:
    total: int = 0
    full: int = 0
    probationary: int = 0
    female: int = 0
    grassroots: int = 0
    cells: int = 0

    def add(self, other: MemberCounts) -> None:
        self.total += other.total
        self.full += other.full
        self.probationary += other.probationary
        self.female += other.female
        self.grassroots += other.grassroots
        self.cells += other.cells


def organization_path_on(*, organization: Organization, day: dt.date) -> str | None:
    placement = (
        OrganizationPlacement.objects.filter(valid_on(day), organization=organization)
        .values_list("path", flat=True)
        .first()
    )
    return placement


def subtree_placements_on(
    *, root: Organization, day: dt.date
) -> QuerySet[OrganizationPlacement]:
    """Placements of the root and everything under it on `day` (one query)."""
    root_path = organization_path_on(organization=root, day=day)
    if root_path is None:
        return OrganizationPlacement.objects.none()
    return OrganizationPlacement.objects.filter(
        valid_on(day), path__startswith=root_path
    )


def organization_tree_on(*, root: Organization, day: dt.date) -> TreeNode | None:
    """The root's subtree on `day`, each node with member counts rolled up.

    Three queries whatever the size: the root's path, the placements, and one
    GROUP BY over member placements; the roll-up walks paths in memory.
    """
    placements = list(
        subtree_placements_on(root=root, day=day)
        .select_related("organization__level")
        .order_by("path")
    )
    if not placements:
        return None
    nodes = {
        p.path: TreeNode(
            organization=p.organization,
            path=p.path,
            depth=p.depth,
            parent_id=p.parent_id,
        )
        for p in placements
    }
    own = _own_member_counts(
        organization_ids=[p.organization_id for p in placements], day=day
    )
    root_node = nodes[placements[0].path]
    for placement in placements:
        node = nodes[placement.path]
        level = placement.organization.level
        contribution = own.get(placement.organization_id, MemberCounts())
        # A node counts itself as a TCCSĐ or a chi bộ, but not for its own line.
        contribution.grassroots = 1 if level.is_grassroots else 0
        contribution.cells = 1 if level.holds_members and not level.is_grassroots else 0
        for ancestor in ancestor_paths(placement.path):
            if ancestor in nodes:
                nodes[ancestor].counts.add(contribution)
        parent_path = placement.path[:-PATH_STEP]
        if placement.path != root_node.path and parent_path in nodes:
            nodes[parent_path].children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.organization.sort_key, n.organization.name))
    return root_node


def _own_member_counts(
    *, organization_ids: Iterable[int], day: dt.date
) -> dict[int, MemberCounts]:
    ids = list(organization_ids)
    full_q = Q(member__full_member_on__isnull=False, member__full_member_on__lte=day)
    rows = (
        MemberPlacement.objects.filter(valid_on(day), organization_id__in=ids)
        .values("organization_id")
        .annotate(
            total=Count("id"),
            full=Count("id", filter=full_q),
            female=Count("id", filter=Q(member__sex="F")),
        )
    )
    result: dict[int, MemberCounts] = {}
    for row in rows:
        result[row["organization_id"]] = MemberCounts(
            total=row["total"],
            full=row["full"],
            probationary=row["total"] - row["full"],
            female=row["female"],
        )
    return result


def subtree_counts_on(*, root: Organization, day: dt.date) -> MemberCounts:
    """Totals for the root's subtree on `day`: members, TCCSĐ and chi bộ."""
    node = organization_tree_on(root=root, day=day)
    return node.counts if node else MemberCounts()


def member_placements_in_subtree_on(
    *, root: Organization, day: dt.date
) -> QuerySet[MemberPlacement]:
    org_ids = subtree_placements_on(root=root, day=day).values("organization_id")
    return MemberPlacement.objects.filter(valid_on(day), organization_id__in=org_ids)


def ethnicity_counts_on(*, root: Organization, day: dt.date) -> dict[str, int]:
    rows = (
        member_placements_in_subtree_on(root=root, day=day)
        .values("member__ethnicity")
        .annotate(n=Count("id"))
        .order_by("-n", "member__ethnicity")
    )
    return {row["member__ethnicity"]: row["n"] for row in rows}


def _root_windows(
    *, root: Organization, start: dt.date, end: dt.date
) -> list[tuple[str, dt.date, dt.date | None]]:
    """(path, valid_from, valid_to) of the root's placements during [start, end]."""
    return list(
        OrganizationPlacement.objects.filter(organization=root, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .values_list("path", "valid_from", "valid_to")
    )


def _placed_under(
    windows: list[tuple[str, dt.date, dt.date | None]], organization: str, day: str
) -> Q:
    """Rows whose `organization` field sat in the root's subtree on their `day`
    field's date, given the root's placements (`windows`): a correlated EXISTS
    over organisation placements per placement of the root."""
    condition = Q(pk__in=[])
    for path, valid_from, valid_to in windows:
        placed = OrganizationPlacement.objects.filter(
            organization=OuterRef(organization),
            valid_from__lte=OuterRef(day),
            path__startswith=path,
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(day)))
        during = Q(**{f"{day}__gte": valid_from})
        if valid_to is not None:
            during &= Q(**{f"{day}__lt": valid_to})
        condition |= during & Exists(placed)
    return condition


def event_counts(*, root: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Member events in [start, end] that happened in the root's subtree.

    An event counts where it happened: its organisation was in the subtree on
    its date (so organisations founded, dissolved or handed over during the
    period count for the part they were in it). A transfer between two chi bộ
    of the subtree is not a transfer for the subtree: its chuyển đi and its
    chuyển đến count only when they cross the subtree's boundary. Two queries.
    """
    counts = {kind.value: 0 for kind in EventKind}
    windows = _root_windows(root=root, start=start, end=end)
    if not windows:
        return counts
    here = _placed_under(windows, "organization", "occurred_on")
    # A chuyển đi to a chi bộ of the subtree …
    internal_out = Q(kind=EventKind.TRANSFER_OUT) & _placed_under(
        windows, "target_organization", "occurred_on"
    )
    # … and the chuyển đến it wrote (same member, same day, at its target).
    paired_out = MemberEvent.objects.filter(
        here,
        kind=EventKind.TRANSFER_OUT,
        member=OuterRef("member"),
        occurred_on=OuterRef("occurred_on"),
        target_organization=OuterRef("organization"),
    )
    internal_in = Q(kind=EventKind.TRANSFER_IN) & Exists(paired_out)
    rows = (
        MemberEvent.objects.filter(here, occurred_on__gte=start, occurred_on__lte=end)
        .exclude(internal_out)
        .exclude(internal_in)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


def _no_grades() -> dict[str, int]:
    return {g.value: 0 for g in Grade}


def _share(count: int, base: int) -> Decimal | None:
    return Decimal(count) * 100 / Decimal(base) if base else None


@dataclass
class RatingCounts:
    """A year's ratings in a subtree.

    `organizations` counts chi bộ (trực thuộc: the level holds members and is
    not a TCCSĐ), `grassroots` counts TCCSĐ (đảng bộ cơ sở, chi bộ cơ sở) below
    the root, `members` counts members. Shares of organisations are of those
    rated; shares of members are of the full members on 31 December."""

    year: int
    organizations: dict[str, int]
    organizations_rated: int
    members: dict[str, int]
    members_rated: int
    member_base: int
    grassroots: dict[str, int] = field(default_factory=_no_grades)
    grassroots_rated: int = 0

    @property
    def anything_rated(self) -> bool:
        return bool(
            self.organizations_rated or self.grassroots_rated or self.members_rated
        )

    def member_share(self, grade: str) -> Decimal | None:
        """Share (percent) of a grade among full members at year end (the seed's
        base); None when no member is rated or there is no base."""
        if not self.members_rated:
            return None
        return _share(self.members.get(grade, 0), self.member_base)

    def organization_share(self, grade: str) -> Decimal | None:
        """Share (percent) of a grade among the chi bộ rated."""
        return _share(self.organizations.get(grade, 0), self.organizations_rated)

    def grassroots_share(self, grade: str) -> Decimal | None:
        """Share (percent) of a grade among the TCCSĐ rated."""
        return _share(self.grassroots.get(grade, 0), self.grassroots_rated)


#: Ratings counted as a chi bộ's: the level holds members and is not a TCCSĐ.
_CELL_RATING = Q(
    organization__level__holds_members=True, organization__level__is_grassroots=False
)


def _organization_rating_rows(
    *, root: Organization, year: int, org_ids: QuerySet, by_organization: bool
) -> QuerySet:
    """(…, is_grassroots, grade, n) rows of the year's ratings of chi bộ and of
    TCCSĐ below the root, in one GROUP BY (by organisation too if asked)."""
    grassroots = Q(organization__level__is_grassroots=True) & ~Q(organization=root)
    fields = ["organization__level__is_grassroots", "grade"]
    if by_organization:
        fields.insert(0, "organization_id")
    return (
        OrganizationRating.objects.filter(year=year, organization_id__in=org_ids)
        .filter(_CELL_RATING | grassroots)
        .values_list(*fields)
        .annotate(n=Count("id"))
        .order_by()
    )


def rating_counts(*, root: Organization, year: int) -> RatingCounts:
    """Ratings of TCCSĐ, of chi bộ and of members in the root's subtree for `year`.

    Shares of members use the full (chính thức) members on 31 December as the
    base: seed 001 gives 124 HTTNV of 154 full members as 80,52%. Four queries
    (the root's path, two GROUP BYs, the member counts) whatever the size.
    """
    year_end = dt.date(year, 12, 31)
    org_ids = subtree_placements_on(root=root, day=year_end).values("organization_id")
    cells, grassroots = _no_grades(), _no_grades()
    for is_grassroots, grade, n in _organization_rating_rows(
        root=root, year=year, org_ids=org_ids, by_organization=False
    ):
        (grassroots if is_grassroots else cells)[grade] += n
    member_rows = (
        MemberRating.objects.filter(year=year, organization_id__in=org_ids)
        .values("grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    members = _no_grades()
    members.update({r["grade"]: r["n"] for r in member_rows})
    base = subtree_counts_on(root=root, day=year_end).full
    return RatingCounts(
        year=year,
        organizations=cells,
        organizations_rated=sum(cells.values()),
        members=members,
        members_rated=sum(members.values()),
        member_base=base,
        grassroots=grassroots,
        grassroots_rated=sum(grassroots.values()),
    )


def latest_rating_year(*, root: Organization, up_to: int) -> int | None:
    """The latest year, not after `up_to`, in which an organisation or a member
    of the root's (today's) subtree was rated; None if none was. One query."""
    org_years = (
        OrganizationRating.objects.filter(
            organization__path__startswith=root.path, year__lte=up_to
        )
        .values_list("year", flat=True)
        .order_by()
    )
    member_years = (
        MemberRating.objects.filter(
            organization__path__startswith=root.path, year__lte=up_to
        )
        .values_list("year", flat=True)
        .order_by()
    )
    years = list(org_years.union(member_years).order_by("-year")[:1])
    return years[0] if years else None


def members_of_subtree(
    *, root: Organization, day: dt.date | None = None
) -> QuerySet[Member]:
    """Members on the roll of the root's subtree (today's tree unless `day`)."""
    if day is None:
        return Member.objects.filter(
            organization__path__startswith=root.path, left_on__isnull=True
        )
    placement_member_ids = member_placements_in_subtree_on(root=root, day=day).values(
        "member_id"
    )
    return Member.objects.filter(id__in=placement_member_ids)


def member_history(*, member: Member) -> list[MemberEvent]:
    return list(
        member.events.select_related("organization", "target_organization").order_by(
            "occurred_on", "id"
        )
    )


# --- access --------------------------------------------------------------------


@dataclass
class UserScope:
    """What a user may reach: (path, role) pairs from their role assignments."""

    grants: list[tuple[str, str, Organization]]
    is_superuser: bool = False

    @property
    def roots(self) -> list[Organization]:
        seen: dict[int, Organization] = {}
        for path, _role, org in sorted(self.grants, key=lambda g: g[0]):
            if not any(path.startswith(o.path) for o in seen.values()):
                seen[org.id] = org
        return list(seen.values())

    def roles_for(self, organization: Organization) -> set[str]:
        if self.is_superuser:
            return set(Role)
        return {
            role for path, role, _ in self.grants if organization.path.startswith(path)
        }

    def can_read(self, organization: Organization) -> bool:
        return bool(self.roles_for(organization))

    def can_write_organization(self, organization: Organization) -> bool:
        return bool(self.roles_for(organization) & ORG_WRITE_ROLES)

    def can_write_members(self, organization: Organization) -> bool:
        return bool(self.roles_for(organization) & MEMBER_WRITE_ROLES)

    def can_see_dashboard(self, organization: Organization) -> bool:
        return bool(self.roles_for(organization) & DASHBOARD_ROLES)

    def can_review(self, organization: Organization) -> bool:
        """Office (or admin) of a committee above the organisation: approves,
        returns and reopens its sheets."""
        if self.is_superuser:
            return True
        return any(
            organization.path.startswith(path) and organization.path != path
            for path, role, _ in self.grants
            if role in ORG_WRITE_ROLES
        )

    def path_filter(self, field_name: str = "path") -> Q:
        if self.is_superuser:
            return Q()
        query = Q(pk__in=[])
        for path, _role, _org in self.grants:
            query |= Q(**{f"{field_name}__startswith": path})
        return query


def user_scope(user: AbstractBaseUser | AnonymousUser) -> UserScope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_partyreports_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        scope = UserScope(grants=[])
    else:
        grants = [
            (a.organization.path, a.role, a.organization)
            for a in user.role_assignments.select_related("organization")
        ]
        scope = UserScope(grants=grants, is_superuser=user.is_superuser)
    user._partyreports_scope = scope  # type: ignore[union-attr]
    return scope


def organizations_for_user(
    user: AbstractBaseUser | AnonymousUser,
) -> QuerySet[Organization]:
    return Organization.objects.filter(user_scope(user).path_filter())


def organization_get_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    public_id: object,
    write: bool = False,
) -> Organization:
    """The organisation if it is in the user's scope (else 404); 403 to write
    without an office/admin role there."""
    try:
        organization = Organization.objects.select_related("level", "parent").get(
            public_id=public_id
        )
    except (Organization.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy tổ chức.") from exc
    scope = user_scope(user)
    if not scope.can_read(organization):
        raise Http404("Không tìm thấy tổ chức.")
    if write and not scope.can_write_organization(organization):
        raise PermissionDenied("Bạn không có quyền sửa tổ chức này.")
    return organization


def organization_for_dashboard(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object
) -> Organization:
    """Dashboards are for leaders and offices: 404 outside the scope, 403 for a
    cadre."""
    organization = organization_get_for_user(user=user, public_id=public_id)
    if not user_scope(user).can_see_dashboard(organization):
        raise PermissionDenied("Bảng điều khiển dành cho lãnh đạo và văn phòng cấp ủy.")
    return organization


def organization_get_for_member_write(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object
) -> Organization:
    """The organisation for adding members or ratings: cadre, office or admin."""
    organization = organization_get_for_user(user=user, public_id=public_id)
    if not user_scope(user).can_write_members(organization):
        raise PermissionDenied("Bạn không có quyền cập nhật đảng viên của tổ chức này.")
    return organization


def member_get_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    public_id: object,
    write: bool = False,
) -> Member:
    try:
        member = Member.objects.select_related("organization__level").get(
            public_id=public_id
        )
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đảng viên.") from exc
    scope = user_scope(user)
    if not scope.can_read(member.organization):
        raise Http404("Không tìm thấy đảng viên.")
    if write and not scope.can_write_members(member.organization):
        raise PermissionDenied("Bạn không có quyền sửa hồ sơ đảng viên này.")
    return member


def cells_under(*, root: Organization) -> QuerySet[Organization]:
    """Active chi bộ (organisations that hold members) in today's subtree."""
    return Organization.objects.filter(
        path__startswith=root.path,
        level__holds_members=True,
        dissolved_on__isnull=True,
    ).order_by("sort_key", "name")


def event_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) for display, in the order of EventKind."""
    return [(kind.label, counts.get(kind.value, 0)) for kind in EventKind]


def organization_history(*, organization: Organization) -> list[OrganizationPlacement]:
    return list(organization.placements.select_related("parent").order_by("valid_from"))


# --- per direct subordinate, in bulk (dashboards) -----------------------------


@dataclass
class ChildMemberCounts:
    """Members of a subtree on a day: in total and under each organisation
    placed directly under the root that day."""

    total: MemberCounts
    children: dict[int, MemberCounts]  # direct subordinate's id → its subtree's
    child_of: dict[int, int | None]  # organisation id → its direct subordinate's


def member_counts_by_child(
    *, root: Organization, days: Iterable[dt.date]
) -> dict[dt.date, ChildMemberCounts]:
    """organization_tree_on's member counts of the root and of its direct
    subordinates (TCCSĐ and chi bộ are not counted) on each of `days`, read as
    plain rows: the root's placements, the placements under it and one GROUP BY
    with three counts per day. Three queries whatever the size and the number
    of days, no model instances: at bloc scale the join with the members is
    most of a count's time, and each day read separately paid for it again."""
    days = sorted(set(days))
    root_rows = list(
        OrganizationPlacement.objects.filter(organization=root)
        .order_by("pk")
        .values_list("path", "valid_from", "valid_to")
    )
    root_paths = {  # organization_path_on for each day
        day: next(
            (p for p, start, end in root_rows if _holds_on(start, end, day)), None
        )
        for day in days
    }
    placed_days = [day for day in days if root_paths[day] is not None]
    result = {day: ChildMemberCounts(MemberCounts(), {}, {}) for day in days}
    if not placed_days:
        return result
    under = Q()
    for day in placed_days:
        under |= valid_on(day) & Q(path__startswith=root_paths[day])
    placed = OrganizationPlacement.objects.filter(under)
    placements = list(
        placed.values_list("organization_id", "path", "valid_from", "valid_to")
    )
    counts: dict[str, Count] = {}
    on_any_day = Q()
    for i, day in enumerate(placed_days):
        on_day = valid_on(day)
        on_any_day |= on_day
        full = Q(member__full_member_on__isnull=False, member__full_member_on__lte=day)
        counts[f"total_{i}"] = Count("id", filter=on_day)
        counts[f"full_{i}"] = Count("id", filter=on_day & full)
        counts[f"female_{i}"] = Count("id", filter=on_day & Q(member__sex="F"))
    rows = list(
        MemberPlacement.objects.filter(
            on_any_day, organization_id__in=placed.values("organization_id")
        )
        .values_list("organization_id")
        .annotate(**counts)
        .order_by()
    )
    for i, day in enumerate(placed_days):
        root_path = root_paths[day]
        in_tree = [
            (org_id, path)
            for org_id, path, start, end in placements
            if _holds_on(start, end, day) and path.startswith(root_path)
        ]
        columns = slice(1 + 3 * i, 4 + 3 * i)  # the day's members, full, female
        result[day] = _child_counts(
            in_tree, len(root_path) + PATH_STEP, ((r[0], *r[columns]) for r in rows)
        )
    return result


def _holds_on(valid_from: dt.date, valid_to: dt.date | None, day: dt.date) -> bool:
    """valid_on(day) for a row already read."""
    return valid_from <= day and (valid_to is None or valid_to > day)


def _child_counts(
    placements: list[tuple[int, str]],
    width: int,
    rows: Iterable[tuple[int, int, int, int]],
) -> ChildMemberCounts:
    """Rows of (organisation id, members, full, female) added up for the subtree
    and for each direct subordinate (the placements of path length `width`);
    organisations not among the placements are left out."""
    child_at = {path: org_id for org_id, path in placements if len(path) == width}
    child_of = {org_id: child_at.get(path[:width]) for org_id, path in placements}
    # [members, full, female] per direct subordinate, and for the whole subtree.
    sums = {org_id: [0, 0, 0] for org_id in child_at.values()}
    grand = [0, 0, 0]
    for org_id, n, n_full, n_female in rows:
        if org_id not in child_of:
            continue
        grand[0] += n
        grand[1] += n_full
        grand[2] += n_female
        child = child_of[org_id]
        if child is not None:
            mine = sums[child]
            mine[0] += n
            mine[1] += n_full
            mine[2] += n_female

    def counts(n: int, n_full: int, n_female: int) -> MemberCounts:
        return MemberCounts(
            total=n, full=n_full, probationary=n - n_full, female=n_female
        )

    return ChildMemberCounts(
        total=counts(*grand),
        children={org_id: counts(*mine) for org_id, mine in sums.items()},
        child_of=child_of,
    )


def rating_counts_by_child(
    *, root: Organization, year: int, counts: ChildMemberCounts
) -> tuple[RatingCounts, dict[int, RatingCounts]]:
    """rating_counts of the root's subtree and of each direct subordinate, given
    `counts` (member_counts_by_child on 31 December of `year`), whose full members
    are the bases: one GROUP BY over chi bộ and TCCSĐ ratings and one over member
    ratings, each bucketed with counts.child_of. As in rating_counts, a TCCSĐ is
    not counted among its own subtree's TCCSĐ."""
    year_end = dt.date(year, 12, 31)
    org_ids = subtree_placements_on(root=root, day=year_end).values("organization_id")
    org_rows = _organization_rating_rows(
        root=root, year=year, org_ids=org_ids, by_organization=True
    )
    member_rows = (
        MemberRating.objects.filter(year=year, organization_id__in=org_ids)
        .values_list("organization_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    child_of = counts.child_of
    empty = _no_grades()
    # key None: the whole subtree; otherwise a direct subordinate's id.
    cells: dict[int | None, dict[str, int]] = {None: dict(empty)}
    grassroots: dict[int | None, dict[str, int]] = {None: dict(empty)}
    members: dict[int | None, dict[str, int]] = {None: dict(empty)}

    def add(
        into: dict[int | None, dict[str, int]],
        org_id: int,
        grade: str,
        n: int,
        *,
        itself_excluded: bool = False,
    ) -> None:
        into[None][grade] += n
        child = child_of.get(org_id)
        if child is not None and not (itself_excluded and child == org_id):
            into.setdefault(child, dict(empty))[grade] += n

    for org_id, is_grassroots, grade, n in org_rows:
        if is_grassroots:
            add(grassroots, org_id, grade, n, itself_excluded=True)
        else:
            add(cells, org_id, grade, n)
    for org_id, grade, n in member_rows:
        add(members, org_id, grade, n)

    def of(key: int | None, base: int) -> RatingCounts:
        c, g, m = (d.get(key, empty) for d in (cells, grassroots, members))
        return RatingCounts(
            year=year,
            organizations=dict(c),
            organizations_rated=sum(c.values()),
            members=dict(m),
            members_rated=sum(m.values()),
            member_base=base,
            grassroots=dict(g),
            grassroots_rated=sum(g.values()),
        )

    return of(None, counts.total.full), {
        child: of(child, c.full) for child, c in counts.children.items()
    }


def event_counts_by_child(
    *,
    root: Organization,
    children: Iterable[Organization],
    kind: str,
    start: dt.date,
    end: dt.date,
) -> dict[int, int]:
    """Member events of `kind` in [start, end] under each of `children` (direct
    subordinates of the root), by where they happened in today's tree: one
    GROUP BY over the organisations' paths."""
    width = len(root.path) + PATH_STEP
    by_path = {child.path: child.id for child in children}
    counts: dict[int, int] = {}
    for path, n in (
        MemberEvent.objects.filter(
            kind=kind,
            occurred_on__gte=start,
            occurred_on__lte=end,
            organization__path__startswith=root.path,
        )
        .values_list("organization__path")
        .annotate(n=Count("id"))
        .order_by()
    ):
        child = by_path.get(path[:width])
        if child is not None:
            counts[child] = counts.get(child, 0) + n
    return counts
