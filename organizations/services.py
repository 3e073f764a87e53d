"""Writes to the organisation tree and the member registry.

Every write is a keyword-only function inside one transaction. Dated history
is appended, never rewritten: a transfer closes placements and opens new ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min

from organizations.models import (
    LEAVING_EVENTS,
    PATH_STEP,
    EventKind,
    Grade,
    Handover,
    HandoverItem,
    Member,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationKind,
    OrganizationLevel,
    OrganizationPlacement,
    OrganizationRating,
)
from organizations.selectors import valid_on
from partyreports.audit import audit_diff, audit_record
from partyreports.formatting import (
    fold_accents,
    nfc,
    vietnamese_sort_key,
    vietnamese_text_sort_key,
)

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_segment(organization_id: int) -> str:
    """Base-36 of the id, fixed width: an organisation's own step never changes."""
    value, out = organization_id, ""
    while value:
        value, rem = divmod(value, 36)
        out = _DIGITS[rem] + out
    return out.rjust(PATH_STEP, "0")


def _date_vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- organisations ---------------------------------------------------------------


def grassroots_order() -> int | None:
    """The order of the highest TCCSĐ level (đảng bộ cơ sở), from the data."""
    return OrganizationLevel.objects.filter(is_grassroots=True).aggregate(
        top=Min("order")
    )["top"]


def level_problem(
    *,
    level: OrganizationLevel,
    parent_level: OrganizationLevel,
    parent_name: str,
    grassroots_top: int | None,
) -> str | None:
    """Why an organisation of `level` cannot sit directly under `parent`, in
    Vietnamese, or None. The rule reads the levels' data (their order, and
    which are TCCSĐ), not their names: a TCCSĐ sits under a committee above
    the grassroots; a committee above the grassroots only under another such
    committee; what lies below the grassroots (đảng bộ bộ phận, chi bộ trực
    thuộc) only inside a TCCSĐ, under a level above its own."""
    above = parent_level
    if grassroots_top is None:
        allowed = above.order <= level.order
    elif level.is_grassroots or level.order < grassroots_top:
        allowed = above.order < grassroots_top
    else:
        allowed = grassroots_top <= above.order < level.order
    if allowed:
        return None
    return f"{level.name} không thể trực thuộc {above.name.lower()} (“{parent_name}”)."


@transaction.atomic
def organization_create(
    *,
    name: str,
    level: OrganizationLevel,
    kind: str,
    parent: Organization | None,
    founded_on: dt.date,
    short_name: str = "",
    superior_name: str = "",
    code: str | None = None,
    user: AbstractBaseUser | None = None,
) -> Organization:
    if code and Organization.objects.filter(code=code).exists():
        # Checked before the insert: the unique constraint alone is a 500.
        raise ValidationError({"code": f"Mã “{code}” đã có trong hệ thống."})
    parent_path = ""
    if parent is not None:
        parent_path = _path_on_or_error(parent, founded_on)
        if parent.level.holds_members:
            raise ValidationError(
                {
                    "parent": (
                        f"“{parent.name}” là chi bộ, không thể có tổ chức trực thuộc."
                    )
                }
            )
        problem = level_problem(
            level=level,
            parent_level=parent.level,
            parent_name=parent.name,
            grassroots_top=grassroots_order(),
        )
        if problem:
            raise ValidationError({"level": problem})
    name = nfc(name).strip()
    organization = Organization.objects.create(
        name=name,
        sort_key=vietnamese_text_sort_key(name),
        short_name=nfc(short_name).strip(),
        level=level,
        kind=kind,
        parent=parent,
        superior_name=nfc(superior_name).strip(),
        code=code or None,
        founded_on=founded_on,
        path="",
    )
    path = parent_path + path_segment(organization.id)
    organization.path = path
    organization.depth = len(path) // PATH_STEP
    organization.save(update_fields=["path", "depth"])
    OrganizationPlacement.objects.create(
        organization=organization,
        parent=parent,
        path=path,
        depth=organization.depth,
        valid_from=founded_on,
    )
    under = f" trực thuộc “{parent.name}”" if parent is not None else ""
    audit_record(
        action="organization.create",
        organization=organization,
        user=user,
        obj=organization,
        summary=f"Thêm “{organization.name}”{under} từ ngày {_date_vn(founded_on)}.",
        changes={
            "name": (None, organization.name),
            "level": (None, level.name),
            "parent": (None, parent.name if parent is not None else None),
            "founded_on": (None, founded_on),
        },
    )
    return organization


def _organization_fields(organization: Organization) -> dict[str, object]:
    """What organization_update may change, as the audit trail records it."""
    return {
        "name": organization.name,
        "short_name": organization.short_name,
        "kind": organization.get_kind_display(),
        "superior_name": organization.superior_name,
        "code": organization.code,
    }


def _path_on_or_error(organization: Organization, day: dt.date) -> str:
    path = (
        OrganizationPlacement.objects.filter(valid_on(day), organization=organization)
        .values_list("path", flat=True)
        .first()
    )
    if path is None:
        raise ValidationError(
            f"“{organization.name}” không tồn tại vào ngày {_date_vn(day)}."
        )
    return path


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    name: str,
    short_name: str,
    kind: str,
    superior_name: str = "",
    code: str | None = None,
    user: AbstractBaseUser | None = None,
) -> Organization:
    before = _organization_fields(organization)
    organization.name = nfc(name).strip()
    organization.sort_key = vietnamese_text_sort_key(organization.name)
    organization.short_name = nfc(short_name).strip()
    organization.kind = kind
    organization.superior_name = nfc(superior_name).strip()
    organization.code = code or None
    organization.full_clean()
    organization.save()
    changes = audit_diff(before, _organization_fields(organization))
    if changes:
        if "name" in changes:
            summary = f"Đổi tên “{before['name']}” thành “{organization.name}”."
        else:
            summary = f"Sửa thông tin “{organization.name}”."
        audit_record(
            action="organization.update",
            organization=organization,
            user=user,
            obj=organization,
            summary=summary,
            changes=changes,
        )
    return organization


@transaction.atomic
def organization_move(
    *,
    organization: Organization,
    new_parent: Organization,
    on_date: dt.date,
    user: AbstractBaseUser | None = None,
    rebuild_rollups: bool = True,
) -> int:
    """Move the organisation and its whole subtree under `new_parent` from
    `on_date` on. Returns the number of organisations moved. Set-based: one
    read of the subtree, one bulk update and one bulk insert. The roll-ups of
    the trees it left and joined are rebuilt after commit (`rebuild_rollups`:
    False when the caller does it once for many moves)."""
    old_path = _path_on_or_error(organization, on_date)
    parent_path = _path_on_or_error(new_parent, on_date)
    if parent_path.startswith(old_path):
        raise ValidationError(
            {
                "new_parent": (
                    "Không thể chuyển một tổ chức vào chính nó hoặc tổ chức cấp dưới "
                    "của nó."
                )
            }
        )
    if new_parent.level.holds_members:
        raise ValidationError(
            {
                "new_parent": (
                    f"“{new_parent.name}” là chi bộ, không thể có tổ chức trực thuộc."
                )
            }
        )
    problem = level_problem(
        level=organization.level,
        parent_level=new_parent.level,
        parent_name=new_parent.name,
        grassroots_top=grassroots_order(),
    )
    if problem:
        raise ValidationError({"new_parent": problem})
    subtree = list(
        OrganizationPlacement.objects.select_for_update()
        .filter(valid_on(on_date), path__startswith=old_path)
        .order_by("path")
    )
    old_parent_id = subtree[0].parent_id  # the loop below may rewrite it in place
    later = OrganizationPlacement.objects.filter(
        organization_id__in=[p.organization_id for p in subtree], valid_from__gt=on_date
    )
    if later.exists():
        raise ValidationError(
            "Tổ chức đã có thay đổi sau ngày này; hãy ghi nhận theo thứ tự thời gian."
        )
    new_prefix = parent_path + path_segment(organization.id)
    to_close, to_create, to_replace = [], [], []
    for placement in subtree:
        new_path = new_prefix + placement.path[len(old_path) :]
        parent = new_parent if placement.organization_id == organization.id else None
        parent_id = parent.id if parent else placement.parent_id
        fresh = OrganizationPlacement(
            organization_id=placement.organization_id,
            parent_id=parent_id,
            path=new_path,
            depth=len(new_path) // PATH_STEP,
            valid_from=on_date,
            valid_to=placement.valid_to,
        )
        if placement.valid_from == on_date:
            # Same-day correction: the row never held, replace it in place.
            placement.parent_id, placement.path, placement.depth = (
                fresh.parent_id,
                fresh.path,
                fresh.depth,
            )
            to_replace.append(placement)
        else:
            placement.valid_to = on_date
            to_close.append(placement)
            to_create.append(fresh)
    OrganizationPlacement.objects.bulk_update(to_close, ["valid_to"])
    OrganizationPlacement.objects.bulk_update(to_replace, ["parent", "path", "depth"])
    OrganizationPlacement.objects.bulk_create(to_create)
    _sync_current_position([p.organization_id for p in subtree])
    old_parent = (
        Organization.objects.filter(pk=old_parent_id)
        .values_list("name", flat=True)
        .first()
    )
    with_subtree = (
        f" cùng {len(subtree) - 1} tổ chức trực thuộc" if len(subtree) > 1 else ""
    )
    # Filed where the organisation stood: the committee that gave it away.
    audit_record(
        action="organization.move",
        organization=organization,
        path=old_path,
        user=user,
        obj=organization,
        summary=(
            f"Chuyển “{organization.name}”{with_subtree} từ “{old_parent or '—'}” "
            f"về “{new_parent.name}” từ ngày {_date_vn(on_date)}."
        ),
        changes={"parent": (old_parent, new_parent.name)},
    )
    if rebuild_rollups:
        _rollups_follow(old_path, new_prefix)
    return len(subtree)


def _rollups_follow(*paths: str) -> None:
    """The trees at `paths` changed shape: their roll-ups are rebuilt."""
    from targets.rollups import rollup_tree_changed

    rollup_tree_changed(paths=paths)


def _sync_current_position(organization_ids: Sequence[int]) -> None:
    """Mirror the latest placement of each organisation onto Organization."""
    latest: dict[int, OrganizationPlacement] = {}
    for placement in OrganizationPlacement.objects.filter(
        organization_id__in=organization_ids
    ).order_by("valid_from"):
        latest[placement.organization_id] = placement
    organizations = list(Organization.objects.filter(id__in=organization_ids))
    for org in organizations:
        placement = latest[org.id]
        org.path, org.depth, org.parent_id = (
            placement.path,
            placement.depth,
            placement.parent_id,
        )
    Organization.objects.bulk_update(organizations, ["path", "depth", "parent"])


@transaction.atomic
def organization_dissolve(
    *,
    organization: Organization,
    on_date: dt.date,
    merged_into: Organization | None = None,
    user: AbstractBaseUser | None = None,
) -> None:
    """Dissolve the organisation on `on_date`. With `merged_into`, its chi bộ /
    sub-organisations and its members move there first (a merger)."""
    path = _path_on_or_error(organization, on_date)
    children = list(
        OrganizationPlacement.objects.filter(
            valid_on(on_date), parent=organization
        ).select_related("organization")
    )
    members = list(
        MemberPlacement.objects.filter(valid_on(on_date), organization=organization)
    )
    if merged_into is not None:
        target_path = _path_on_or_error(merged_into, on_date)
        if target_path.startswith(path):
            raise ValidationError(
                {"merged_into": "Không thể sáp nhập vào tổ chức cấp dưới."}
            )
        for child in children:
            organization_move(
                organization=child.organization,
                new_parent=merged_into,
                on_date=on_date,
                user=user,
                rebuild_rollups=False,
            )
        if members:
            if not merged_into.level.holds_members:
                raise ValidationError(
                    {
                        "merged_into": (
                            "Tổ chức nhận sáp nhập phải là chi bộ để nhận đảng viên."
                        )
                    }
                )
            for placement in members:
                _member_move(
                    member_id=placement.member_id,
                    organization=merged_into,
                    on_date=on_date,
                )
    elif children or members:
        raise ValidationError(
            f"“{organization.name}” còn {len(children)} tổ chức trực thuộc và "
            f"{len(members)} đảng viên vào ngày {_date_vn(on_date)}; hãy chuyển hoặc "
            "sáp nhập trước khi giải thể."
        )
    current = OrganizationPlacement.objects.filter(
        valid_on(on_date), organization=organization
    )
    if current.filter(valid_from=on_date).exists():
        raise ValidationError(
            "Ngày giải thể phải sau ngày tổ chức được lập hoặc chuyển đến."
        )
    current.update(valid_to=on_date)
    organization.dissolved_on = on_date
    organization.merged_into = merged_into
    organization.save(update_fields=["dissolved_on", "merged_into", "updated_at"])
    changes: dict[str, tuple[object, object]] = {"dissolved_on": (None, on_date)}
    if merged_into is not None:
        summary = (
            f"Sáp nhập “{organization.name}” vào “{merged_into.name}” từ ngày "
            f"{_date_vn(on_date)} ({len(children)} tổ chức trực thuộc, "
            f"{len(members)} đảng viên chuyển theo)."
        )
        changes.update(
            merged_into=(None, merged_into.name),
            organizations_moved=(None, len(children)),
            members_moved=(None, len(members)),
        )
    else:
        summary = f"Giải thể “{organization.name}” từ ngày {_date_vn(on_date)}."
    audit_record(
        action="organization.dissolve",
        organization=organization,
        user=user,
        obj=organization,
        summary=summary,
        changes=changes,
    )
    if merged_into is not None:  # its subordinates moved: the sums follow them
        _rollups_follow(path, target_path)


@transaction.atomic
def handover_create(
    *,
    source: Organization,
    moves: Sequence[tuple[Organization, Organization]],
    effective_on: dt.date,
    decision: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> Handover:
    """Hand many organisations (with their subtrees and members) from one
    committee to new parents as one recorded act."""
    if not moves:
        raise ValidationError("Chọn ít nhất một tổ chức để bàn giao.")
    source_path = _path_on_or_error(source, effective_on)
    handover = Handover.objects.create(
        source=source,
        effective_on=effective_on,
        decision=decision,
        note=note,
        created_by=user,
    )
    items = []
    moved_paths: list[str] = []
    for organization, new_parent in moves:
        old_path = _path_on_or_error(organization, effective_on)
        if not old_path.startswith(source_path) or old_path == source_path:
            raise ValidationError(
                f"“{organization.name}” không thuộc “{source.name}” vào ngày "
                f"{_date_vn(effective_on)}."
            )
        subtree_ids = OrganizationPlacement.objects.filter(
            valid_on(effective_on), path__startswith=old_path
        ).values("organization_id")
        member_count = MemberPlacement.objects.filter(
            valid_on(effective_on), organization_id__in=subtree_ids
        ).count()
        old_parent = (
            OrganizationPlacement.objects.filter(
                valid_on(effective_on), organization=organization
            )
            .values_list("parent", flat=True)
            .first()
        )
        organization_move(
            organization=organization,
            new_parent=new_parent,
            on_date=effective_on,
            user=user,
            rebuild_rollups=False,
        )
        moved_paths += [old_path, new_parent.path]
        items.append(
            HandoverItem(
                handover=handover,
                organization=organization,
                old_parent_id=old_parent,
                new_parent=new_parent,
                member_count=member_count,
            )
        )
    HandoverItem.objects.bulk_create(items)
    _rollups_follow(*moved_paths)
    moved = "; ".join(f"“{org.name}” → “{parent.name}”" for org, parent in moves)
    audit_record(
        action="handover.create",
        organization=source,
        path=source_path,
        user=user,
        obj=handover,
        summary=(
            f"Bàn giao {len(moves)} tổ chức của “{source.name}” từ ngày "
            f"{_date_vn(effective_on)}: {moved}."
        ),
        changes={
            "organizations": (None, moved),
            "effective_on": (None, effective_on),
            "decision": (None, decision or None),
        },
    )
    return handover


# --- members ---------------------------------------------------------------------


def _check_cell(organization: Organization) -> None:
    if not organization.level.holds_members:
        raise ValidationError(
            {
                "organization": (
                    f"“{organization.name}” không phải chi bộ; đảng viên sinh hoạt "
                    "tại chi bộ."
                )
            }
        )
    if organization.dissolved_on is not None:
        raise ValidationError({"organization": f"“{organization.name}” đã giải thể."})


def _check_card(number: str, *, member: Member | None = None) -> None:
    """A party card number belongs to one member (the registry is national)."""
    if not number:
        return
    others = Member.objects.filter(party_card_number=number)
    if member is not None:
        others = others.exclude(pk=member.pk)
    if others.exists():
        raise ValidationError(
            {"party_card_number": f"Số thẻ đảng viên “{number}” đã có trong hệ thống."}
        )


@transaction.atomic
def member_create(
    *,
    full_name: str,
    sex: str,
    date_of_birth: dt.date,
    organization: Organization,
    admitted_on: dt.date,
    full_member_on: dt.date | None = None,
    ethnicity: str = "Kinh",
    party_card_number: str = "",
    joined_on: dt.date | None = None,
    arrival: str = EventKind.ADMISSION,
    user: AbstractBaseUser | None = None,
) -> Member:
    """Put a member on the roll: a new admission (kết nạp) or a transfer in
    from outside the tree (chuyển đến) on `joined_on`."""
    _check_cell(organization)
    kind = (
        EventKind.TRANSFER_IN
        if arrival == EventKind.TRANSFER_IN
        else EventKind.ADMISSION
    )
    if kind == EventKind.ADMISSION:
        joined_on = admitted_on
    elif joined_on is None:
        # Without it the member would be placed here from the admission, years
        # before they came.
        raise ValidationError({"joined_on": "Nhập ngày chuyển sinh hoạt đến."})
    elif not OrganizationPlacement.objects.filter(
        valid_on(joined_on), organization=organization
    ).exists():
        raise ValidationError(
            {
                "joined_on": (
                    f"“{organization.name}” chưa được thành lập hoặc không còn vào "
                    f"ngày {_date_vn(joined_on)}."
                )
            }
        )
    if full_member_on and full_member_on < admitted_on:
        raise ValidationError(
            {"full_member_on": "Ngày chính thức phải sau ngày vào Đảng."}
        )
    if date_of_birth >= admitted_on:
        raise ValidationError({"date_of_birth": "Ngày sinh phải trước ngày vào Đảng."})
    if joined_on < admitted_on:
        raise ValidationError({"joined_on": "Ngày chuyển đến phải sau ngày vào Đảng."})
    _check_card(party_card_number)
    full_name = " ".join(nfc(full_name).split())
    member = Member.objects.create(
        full_name=full_name,
        search_name=fold_accents(full_name),
        sort_key=vietnamese_sort_key(full_name),
        sex=sex,
        date_of_birth=date_of_birth,
        ethnicity=nfc(ethnicity).strip() or "Kinh",
        admitted_on=admitted_on,
        full_member_on=full_member_on,
        party_card_number=party_card_number,
        organization=organization,
    )
    MemberPlacement.objects.create(
        member=member, organization=organization, valid_from=joined_on
    )
    MemberEvent.objects.create(
        member=member,
        kind=kind,
        occurred_on=joined_on,
        organization=organization,
        created_by=user,
    )
    if full_member_on and kind == EventKind.ADMISSION:
        MemberEvent.objects.create(
            member=member,
            kind=EventKind.FULL_MEMBERSHIP,
            occurred_on=full_member_on,
            organization=organization,
            created_by=user,
        )
    audit_record(
        action="member.create",
        organization=organization,
        user=user,
        obj=member,
        summary=(
            f"Thêm đảng viên “{member.full_name}” vào “{organization.name}” "
            f"({kind.label.lower()} ngày {_date_vn(joined_on)})."
        ),
        changes={
            "full_name": (None, member.full_name),
            "organization": (None, organization.name),
            "admitted_on": (None, admitted_on),
            "full_member_on": (None, full_member_on),
            "event": (None, kind.label),
        },
    )
    return member


def _member_fields(member: Member) -> dict[str, object]:
    """What member_update may change, as the audit trail records it."""
    return {
        "full_name": member.full_name,
        "sex": member.get_sex_display(),
        "date_of_birth": member.date_of_birth,
        "ethnicity": member.ethnicity,
        "party_card_number": member.party_card_number,
    }


@transaction.atomic
def member_update(
    *,
    member: Member,
    full_name: str,
    sex: str,
    date_of_birth: dt.date,
    ethnicity: str,
    party_card_number: str = "",
    user: AbstractBaseUser | None = None,
) -> Member:
    """Correct personal data. Dates of membership change through events."""
    if date_of_birth >= member.admitted_on:
        raise ValidationError({"date_of_birth": "Ngày sinh phải trước ngày vào Đảng."})
    if party_card_number != member.party_card_number:
        _check_card(party_card_number, member=member)
    before = _member_fields(member)
    full_name = " ".join(nfc(full_name).split())
    member.full_name = full_name
    member.search_name = fold_accents(full_name)
    member.sort_key = vietnamese_sort_key(full_name)
    member.sex = sex
    member.date_of_birth = date_of_birth
    member.ethnicity = nfc(ethnicity).strip() or "Kinh"
    member.party_card_number = party_card_number
    member.save()
    changes = audit_diff(before, _member_fields(member))
    if changes:
        audit_record(
            action="member.update",
            organization=member.organization,
            user=user,
            obj=member,
            summary=f"Sửa hồ sơ đảng viên “{member.full_name}”.",
            changes=changes,
        )
    return member


def _member_move(
    *, member_id: int, organization: Organization, on_date: dt.date
) -> None:
    current = (
        MemberPlacement.objects.select_for_update()
        .filter(valid_on(on_date), member_id=member_id)
        .first()
    )
    if current is None:
        raise ValidationError("Đảng viên không sinh hoạt tại chi bộ nào vào ngày này.")
    if current.valid_from == on_date:
        current.organization = organization
        current.save(update_fields=["organization"])
    else:
        MemberPlacement.objects.create(
            member_id=member_id,
            organization=organization,
            valid_from=on_date,
            valid_to=current.valid_to,
        )
        current.valid_to = on_date
        current.save(update_fields=["valid_to"])
    Member.objects.filter(id=member_id).update(organization=organization)


@transaction.atomic
def member_record_event(
    *,
    member: Member,
    kind: str,
    occurred_on: dt.date,
    target_organization: Organization | None = None,
    destination: str = "",
    badge_years: int | None = None,
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Record an event and apply its effect from `occurred_on` on."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if occurred_on < member.admitted_on:
        raise ValidationError({"occurred_on": "Ngày sự kiện phải sau ngày vào Đảng."})
    if member.left_on and occurred_on >= member.left_on:
        raise ValidationError(
            {
                "occurred_on": (
                    "Đảng viên đã ra khỏi danh sách từ ngày "
                    f"{_date_vn(member.left_on)}."
                )
            }
        )
    placement = MemberPlacement.objects.filter(
        valid_on(occurred_on), member=member
    ).first()
    if placement is None:
        raise ValidationError(
            {"occurred_on": "Đảng viên không sinh hoạt tại chi bộ nào vào ngày này."}
        )
    where = placement.organization
    if MemberPlacement.objects.filter(
        member=member, valid_from__gt=occurred_on
    ).exists():
        raise ValidationError(
            {
                "occurred_on": (
                    "Hồ sơ đã có thay đổi sau ngày này; hãy ghi nhận theo thứ tự "
                    "thời gian."
                )
            }
        )
    event = MemberEvent(
        member=member,
        kind=kind,
        occurred_on=occurred_on,
        organization=where,
        target_organization=target_organization,
        destination=nfc(destination).strip(),
        badge_years=badge_years,
        note=nfc(note).strip(),
        created_by=user,
    )
    if kind == EventKind.FULL_MEMBERSHIP:
        if member.full_member_on:
            raise ValidationError({"kind": "Đảng viên đã là đảng viên chính thức."})
        member.full_member_on = occurred_on
        member.save(update_fields=["full_member_on", "updated_at"])
    elif kind == EventKind.BADGE:
        if not badge_years:
            raise ValidationError(
                {"badge_years": "Nhập số năm tuổi Đảng của Huy hiệu (30, 40, 45…)."}
            )
    elif kind == EventKind.TRANSFER_OUT and target_organization is not None:
        _check_cell(target_organization)
        if target_organization == where:
            raise ValidationError(
                {"target_organization": "Chi bộ chuyển đến trùng chi bộ hiện tại."}
            )
        _member_move(
            member_id=member.id, organization=target_organization, on_date=occurred_on
        )
        MemberEvent.objects.create(
            member=member,
            kind=EventKind.TRANSFER_IN,
            occurred_on=occurred_on,
            organization=target_organization,
            note=event.note,
            created_by=user,
        )
    elif kind in LEAVING_EVENTS:
        if kind == EventKind.TRANSFER_OUT and not event.destination:
            raise ValidationError(
                {
                    "destination": (
                        "Chọn chi bộ chuyển đến hoặc ghi nơi chuyển đến ngoài hệ thống."
                    )
                }
            )
        MemberPlacement.objects.filter(pk=placement.pk).update(valid_to=occurred_on)
        member.left_on = occurred_on
        member.save(update_fields=["left_on", "updated_at"])
    elif kind in (EventKind.ADMISSION, EventKind.TRANSFER_IN):
        raise ValidationError(
            {"kind": "Kết nạp và chuyển đến được ghi khi thêm đảng viên."}
        )
    event.save()
    _audit_member_event(event, member=member, where=where, user=user)
    return event


def _audit_member_event(
    event: MemberEvent,
    *,
    member: Member,
    where: Organization,
    user: AbstractBaseUser | None,
) -> None:
    label = event.get_kind_display()
    changes: dict[str, tuple[object, object]] = {"event": (None, label)}
    summary = (
        f"{label}: “{member.full_name}” ({where.name}) ngày "
        f"{_date_vn(event.occurred_on)}"
    )
    if event.kind == EventKind.FULL_MEMBERSHIP:
        changes["full_member_on"] = (None, event.occurred_on)
    elif event.kind == EventKind.BADGE:
        changes["badge_years"] = (None, event.badge_years)
        summary += f", Huy hiệu {event.badge_years} năm tuổi Đảng"
    elif event.target_organization is not None:
        changes["organization"] = (where.name, event.target_organization.name)
        summary += f", đến “{event.target_organization.name}”"
    elif event.kind in LEAVING_EVENTS:
        changes["left_on"] = (None, event.occurred_on)
        if event.destination:
            changes["destination"] = (None, event.destination)
            summary += f", đến {event.destination}"
    audit_record(
        action="member.event",
        organization=where,
        user=user,
        obj=member,
        summary=summary + ".",
        changes=changes,
    )


# --- correcting an event ------------------------------------------------------------


def _paired_transfer(event: MemberEvent) -> MemberEvent | None:
    """The other half of a transfer between two chi bộ of the system: the
    chuyển đến member_record_event wrote for a chuyển đi with a target (same
    member, same day), or the chuyển đi of such a chuyển đến."""
    if event.kind == EventKind.TRANSFER_OUT and event.target_organization_id:
        return (
            MemberEvent.objects.filter(
                member_id=event.member_id,
                kind=EventKind.TRANSFER_IN,
                occurred_on=event.occurred_on,
                organization_id=event.target_organization_id,
            )
            .exclude(pk=event.pk)
            .first()
        )
    if event.kind == EventKind.TRANSFER_IN:
        return MemberEvent.objects.filter(
            member_id=event.member_id,
            kind=EventKind.TRANSFER_OUT,
            occurred_on=event.occurred_on,
            target_organization_id=event.organization_id,
        ).first()
    return None


@transaction.atomic
def member_event_update(
    *,
    event: MemberEvent,
    occurred_on: dt.date,
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Correct an event's date and note, and what the date decides: the date
    of admission (kết nạp) or of full membership (công nhận chính thức), the
    start of the placement an arrival opened, the end of the placement a
    departure closed, the boundary between the two chi bộ of a transfer (both
    halves move). Dates that would put events out of order with the member's
    other events or placements are refused; nothing else of the history is
    rewritten."""
    member = Member.objects.select_for_update().get(pk=event.member_id)
    event = MemberEvent.objects.select_for_update().get(pk=event.pk)
    old_day, note = event.occurred_on, nfc(note).strip()
    placements = list(
        MemberPlacement.objects.select_for_update()
        .filter(member=member)
        .order_by("valid_from", "id")
    )
    pair = _paired_transfer(event)
    together = {event.pk} | ({pair.pk} if pair is not None else set())
    others = [
        e.occurred_on
        for e in MemberEvent.objects.filter(member=member).exclude(pk__in=together)
    ]
    day_vn = _date_vn(occurred_on)

    def refuse(message: str) -> None:
        raise ValidationError({"occurred_on": message})

    before_fields = {
        "admitted_on": member.admitted_on,
        "full_member_on": member.full_member_on,
        "left_on": member.left_on,
    }
    if occurred_on != old_day:
        if occurred_on <= member.date_of_birth:
            refuse("Ngày sự kiện phải sau ngày sinh.")
        if event.kind == EventKind.ADMISSION:
            first = placements[0]
            if member.full_member_on and occurred_on > member.full_member_on:
                refuse(
                    "Ngày kết nạp phải trước ngày chính thức "
                    f"({_date_vn(member.full_member_on)})."
                )
            if any(day < occurred_on for day in others):
                refuse("Ngày kết nạp phải trước các sự kiện khác của đảng viên.")
            if first.valid_from == old_day:
                if first.valid_to is not None and occurred_on >= first.valid_to:
                    refuse(
                        f"Ngày kết nạp phải trước ngày {_date_vn(first.valid_to)} "
                        "(chuyển đi)."
                    )
                first.valid_from = occurred_on
                first.save(update_fields=["valid_from"])
            member.admitted_on = occurred_on
        elif event.kind == EventKind.FULL_MEMBERSHIP:
            if occurred_on < member.admitted_on:
                refuse(
                    "Ngày chính thức phải sau ngày vào Đảng "
                    f"({_date_vn(member.admitted_on)})."
                )
            if member.left_on and occurred_on >= member.left_on:
                refuse(
                    "Đảng viên đã ra khỏi danh sách từ ngày "
                    f"{_date_vn(member.left_on)}."
                )
            member.full_member_on = occurred_on
        elif pair is not None:
            _move_transfer(
                event=event,
                pair=pair,
                placements=placements,
                old_day=old_day,
                new_day=occurred_on,
                others=others,
                refuse=refuse,
            )
        elif event.kind == EventKind.TRANSFER_IN:
            first = placements[0]
            if (
                first.valid_from != old_day
                or first.organization_id != event.organization_id
            ):
                refuse(
                    "Không sửa được ngày của sự kiện này: quá trình sinh hoạt không "
                    "khớp."
                )
            if occurred_on < member.admitted_on:
                refuse(
                    "Ngày chuyển đến phải sau ngày vào Đảng "
                    f"({_date_vn(member.admitted_on)})."
                )
            if first.valid_to is not None and occurred_on >= first.valid_to:
                refuse(f"Ngày chuyển đến phải trước ngày {_date_vn(first.valid_to)}.")
            if any(day < occurred_on for day in others):
                refuse("Ngày chuyển đến phải trước các sự kiện khác của đảng viên.")
            if not OrganizationPlacement.objects.filter(
                valid_on(occurred_on), organization_id=event.organization_id
            ).exists():
                refuse(
                    f"“{event.organization.name}” chưa được thành lập hoặc không còn "
                    f"vào ngày {day_vn}."
                )
            first.valid_from = occurred_on
            first.save(update_fields=["valid_from"])
        elif event.kind in LEAVING_EVENTS:
            last = placements[-1]
            if last.valid_to != old_day or member.left_on != old_day:
                refuse(
                    "Không sửa được ngày của sự kiện này: quá trình sinh hoạt không "
                    "khớp."
                )
            if occurred_on <= last.valid_from:
                refuse(
                    f"Ngày phải sau ngày {_date_vn(last.valid_from)} (bắt đầu sinh "
                    "hoạt tại chi bộ)."
                )
            if any(day >= occurred_on for day in others):
                refuse(
                    "Ngày ra khỏi danh sách phải sau các sự kiện khác của đảng viên."
                )
            last.valid_to = occurred_on
            last.save(update_fields=["valid_to"])
            member.left_on = occurred_on
        else:  # Huy hiệu, chuyển sinh hoạt tạm thời: where the member sat that day
            if member.left_on and occurred_on >= member.left_on:
                refuse(
                    "Đảng viên đã ra khỏi danh sách từ ngày "
                    f"{_date_vn(member.left_on)}."
                )
            where = next(
                (
                    p
                    for p in placements
                    if p.valid_from <= occurred_on
                    and (p.valid_to is None or p.valid_to > occurred_on)
                ),
                None,
            )
            if where is None:
                refuse("Đảng viên không sinh hoạt tại chi bộ nào vào ngày này.")
            event.organization_id = where.organization_id
        member.save(
            update_fields=["admitted_on", "full_member_on", "left_on", "updated_at"]
        )
    old_note = event.note
    event.occurred_on, event.note = occurred_on, note
    event.save(update_fields=["occurred_on", "note", "organization"])
    changes: dict[str, tuple[object, object]] = {
        "occurred_on": (old_day, occurred_on),
        "note": (old_note or None, note or None),
    }
    for name, old in before_fields.items():
        changes[name] = (old, getattr(member, name))
    audit_record(
        action="member.event_update",
        organization=event.organization,
        user=user,
        obj=member,
        summary=(
            f"Sửa sự kiện {event.get_kind_display().lower()} của “{member.full_name}”: "
            f"ngày {_date_vn(old_day)}"
            + (f" → {day_vn}" if occurred_on != old_day else "")
            + (", ghi chú" if note != old_note else "")
            + "."
        ),
        changes=changes,
    )
    return event


def _move_transfer(
    *,
    event: MemberEvent,
    pair: MemberEvent,
    placements: list[MemberPlacement],
    old_day: dt.date,
    new_day: dt.date,
    others: list[dt.date],
    refuse: Callable[[str], None],
) -> None:
    """Move the boundary between the two placements of a transfer inside the
    system, and both of its events."""
    index = next(
        (i for i, p in enumerate(placements) if i and p.valid_from == old_day),
        None,
    )
    if index is None or placements[index - 1].valid_to != old_day:
        refuse("Không sửa được ngày của sự kiện này: quá trình sinh hoạt không khớp.")
        return
    before, after = placements[index - 1], placements[index]
    if new_day <= before.valid_from:
        refuse(
            f"Ngày chuyển phải sau ngày {_date_vn(before.valid_from)} (đến chi bộ "
            "trước)."
        )
    if after.valid_to is not None and new_day >= after.valid_to:
        refuse(f"Ngày chuyển phải trước ngày {_date_vn(after.valid_to)} (chuyển tiếp).")
    low, high = sorted((old_day, new_day))
    if any(low <= day <= high for day in others):
        refuse(
            "Có sự kiện khác của đảng viên giữa ngày cũ và ngày mới; hãy sửa theo "
            "thứ tự thời gian."
        )
    target = after.organization
    if not OrganizationPlacement.objects.filter(
        valid_on(new_day), organization=target
    ).exists():
        refuse(
            f"“{target.name}” chưa được thành lập hoặc không còn vào ngày "
            f"{_date_vn(new_day)}."
        )
    before.valid_to = after.valid_from = new_day
    MemberPlacement.objects.bulk_update([before, after], ["valid_from", "valid_to"])
    pair.occurred_on = new_day
    pair.save(update_fields=["occurred_on"])


# --- ratings ---------------------------------------------------------------------


@transaction.atomic
def organization_rating_set(
    *,
    organization: Organization,
    year: int,
    grade: str,
    user: AbstractBaseUser | None = None,
) -> OrganizationRating:
    if grade not in Grade.values:
        raise ValidationError({"grade": "Xếp loại không hợp lệ."})
    old = (
        OrganizationRating.objects.filter(organization=organization, year=year)
        .values_list("grade", flat=True)
        .first()
    )
    rating, _ = OrganizationRating.objects.update_or_create(
        organization=organization, year=year, defaults={"grade": grade}
    )
    if old != grade:
        audit_record(
            action="rating.set",
            organization=organization,
            user=user,
            obj=organization,
            summary=(
                f"Xếp loại năm {year} của “{organization.name}”: {old or '—'} → "
                f"{grade}."
            ),
            changes={"grade": (old, grade)},
        )
    return rating


@transaction.atomic
def member_rating_set(
    *, member: Member, year: int, grade: str, user: AbstractBaseUser | None = None
) -> MemberRating:
    if grade not in Grade.values:
        raise ValidationError({"grade": "Xếp loại không hợp lệ."})
    year_end = dt.date(year, 12, 31)
    placement = (
        MemberPlacement.objects.filter(member=member, valid_from__lte=year_end)
        .order_by("-valid_from")
        .select_related("organization")
        .first()
    )
    if placement is None:
        raise ValidationError({"year": f"Đảng viên chưa vào Đảng trong năm {year}."})
    old = (
        MemberRating.objects.filter(member=member, year=year)
        .values_list("grade", flat=True)
        .first()
    )
    rating, _ = MemberRating.objects.update_or_create(
        member=member,
        year=year,
        defaults={"grade": grade, "organization": placement.organization},
    )
    if old != grade:
        audit_record(
            action="rating.set",
            organization=placement.organization,
            user=user,
            obj=member,
            summary=(
                f"Xếp loại năm {year} của đảng viên “{member.full_name}”: "
                f"{old or '—'} → {grade}."
            ),
            changes={"grade": (old, grade)},
        )
    return rating


def default_kind_for(level: OrganizationLevel) -> str:
    return (
        OrganizationKind.CELL
        if level.holds_members and not level.is_grassroots
        else OrganizationKind.AGENCY
    )
