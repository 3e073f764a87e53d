"""The audit trail: the one call services make to record a change, and the
reads behind the audit page.

Services call :func:`audit_record` inside their own transaction, so a change
that rolls back leaves no record. Records are only ever inserted: nothing in
the app updates or deletes them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from organizations.models import Organization
from organizations.selectors import ORG_WRITE_ROLES, user_scope
from partyreports.formatting import format_date, format_number
from partyreports.models import AuditEvent

#: Every action the app records, with the label the audit page shows.
ACTION_LABELS: dict[str, str] = {
    "organization.create": "Thêm tổ chức",
    "organization.update": "Sửa thông tin tổ chức",
    "organization.move": "Chuyển tổ chức",
    "organization.dissolve": "Giải thể, sáp nhập tổ chức",
    "handover.create": "Bàn giao tổ chức",
    "member.create": "Thêm đảng viên",
    "member.update": "Sửa hồ sơ đảng viên",
    "member.event": "Sự kiện đảng viên",
    "member.event_update": "Sửa sự kiện đảng viên",
    "rating.set": "Xếp loại",
    "result.change": "Sửa kết quả chỉ tiêu",
    "sheet.submit": "Gửi báo cáo",
    "sheet.approve": "Duyệt báo cáo",
    "sheet.return": "Trả lại báo cáo",
    "sheet.reopen": "Mở lại báo cáo",
    "document.create": "Tạo văn bản",
    "document.correct": "Tạo văn bản đính chính",
    "document.edit": "Sửa văn bản",
    "document.issue": "Ban hành văn bản",
    "import.organizations_members": "Nhập tổ chức, đảng viên từ Excel",
    "plan.create": "Tạo kế hoạch chỉ tiêu",
    "target.create": "Thêm chỉ tiêu",
    "target.update": "Sửa chỉ tiêu",
    "target.assign": "Giao chỉ tiêu cho tổ chức trực thuộc",
    "deadline.set": "Đặt hạn nộp báo cáo",
    "deadline.clear": "Bỏ hạn nộp báo cáo",
    "role.grant": "Phân quyền",
    "role.update": "Sửa phân quyền",
    "role.revoke": "Thu hồi quyền",
    "level.create": "Thêm cấp tổ chức",
    "level.update": "Sửa cấp tổ chức",
    "level.delete": "Xóa cấp tổ chức",
    "user.create": "Thêm tài khoản",
    "user.update": "Sửa tài khoản",
    "user.delete": "Xóa tài khoản",
    "user.password": "Đặt lại mật khẩu",
}

#: How the page names the keys of `changes` (the key itself when missing).
FIELD_LABELS: dict[str, str] = {
    "name": "tên",
    "short_name": "ký hiệu",
    "kind": "loại hình",
    "level": "cấp",
    "superior_name": "cơ quan cấp trên",
    "code": "mã",
    "parent": "trực thuộc",
    "founded_on": "ngày thành lập",
    "dissolved_on": "ngày giải thể",
    "merged_into": "sáp nhập vào",
    "organizations_moved": "số tổ chức chuyển theo",
    "members_moved": "số đảng viên chuyển theo",
    "effective_on": "ngày hiệu lực",
    "decision": "căn cứ",
    "organizations": "tổ chức bàn giao",
    "full_name": "họ và tên",
    "sex": "giới tính",
    "date_of_birth": "ngày sinh",
    "ethnicity": "dân tộc",
    "party_card_number": "số thẻ đảng viên",
    "admitted_on": "ngày vào Đảng",
    "full_member_on": "ngày chính thức",
    "organization": "chi bộ",
    "left_on": "ngày ra khỏi danh sách",
    "event": "sự kiện",
    "occurred_on": "ngày",
    "destination": "nơi chuyển đến",
    "badge_years": "Huy hiệu (năm)",
    "note": "ghi chú",
    "year": "năm",
    "grade": "xếp loại",
    "target": "chỉ tiêu",
    "value": "giá trị",
    "numerator": "tử số",
    "denominator": "mẫu số",
    "via": "nhập qua",
    "status": "trạng thái",
    "reason": "lý do",
    "doc_type": "loại văn bản",
    "quarter": "quý",
    "number": "số, ký hiệu",
    "corrects": "đính chính văn bản",
    "heading": "tiêu đề mục",
    "body": "nội dung mục",
    "abstract": "trích yếu",
    "dated": "ngày văn bản",
    "place": "địa danh",
    "issuer_name": "cơ quan ban hành",
    "authority": "thẩm quyền ký",
    "signer_position": "chức vụ người ký",
    "signer_name": "người ký",
    "recipients": "nơi nhận",
    "secrecy": "độ mật",
    "urgency": "độ khẩn",
    "organizations_created": "tổ chức được thêm",
    "members_created": "đảng viên được thêm",
    "place_name": "địa danh trên văn bản",
    "title": "tên kế hoạch",
    "start_year": "từ năm",
    "end_year": "đến năm",
    "resolution": "nghị quyết thông qua",
    "group": "nhóm chỉ tiêu",
    "wording": "nội dung như nghị quyết",
    "label": "tên ngắn",
    "unit": "đơn vị",
    "target_kind": "loại chỉ tiêu",
    "comparator": "điều kiện",
    "plan_value": "kế hoạch",
    "plan_high": "cận trên",
    "places": "số chữ số thập phân",
    "source": "nguồn số liệu",
    "parent_target": "thuộc chỉ tiêu",
    "report_phrase": "câu báo cáo",
    "due_on": "hạn nộp",
    "user": "tài khoản",
    "role": "vai trò",
    "scope": "tổ chức được phân quyền",
    "order": "thứ tự",
    "is_grassroots": "là tổ chức cơ sở đảng",
    "holds_members": "đảng viên sinh hoạt tại đây",
    "username": "tên đăng nhập",
    "first_name": "tên",
    "last_name": "họ và tên đệm",
    "email": "thư điện tử",
    "is_active": "đang hoạt động",
    "is_staff": "vào trang quản trị",
    "is_superuser": "toàn quyền",
}

#: {field: (old, new)}
Changes = Mapping[str, Sequence[object]]


# --- recording ----------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    organization: Organization | None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    obj: models.Model | None = None,
    summary: str = "",
    changes: Changes | None = None,
    path: str | None = None,
) -> AuditEvent:
    """Record one change. Call it inside the service's transaction.

    `organization` is the organisation the change belongs to (it decides who
    sees the event); `path` overrides its current path when the change is
    filed where the organisation stood before it (a move). `changes` maps a
    field to (old, new); values are stored JSON-safe (Decimal and dates as
    text, objects by name); pairs that are equal are left out. `user` None
    means the system (demo data, tasks).
    """
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    if user is not None and not user.is_authenticated:
        user = None
    if path is None:
        path = organization.path if organization is not None else ""
    return AuditEvent.objects.create(
        user=user,
        organization=organization,
        organization_path=path,
        organization_name=organization.name[:255] if organization else "",
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=_object_id(obj),
        summary=summary[:500],
        changes={
            str(field): [json_safe(old), json_safe(new)]
            for field, (old, new) in (changes or {}).items()
            if json_safe(old) != json_safe(new)  # (None, None): nothing to tell
        },
    )


def audit_diff(
    before: Mapping[str, object], after: Mapping[str, object]
) -> dict[str, list[object]]:
    """{field: [old, new]} for the fields whose JSON-safe value changed."""
    return {
        field: [json_safe(before.get(field)), json_safe(value)]
        for field, value in after.items()
        if json_safe(before.get(field)) != json_safe(value)
    }


def json_safe(value: object) -> object:
    """A value the JSON column stores as the user would read it."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    # Choices enums and model objects read as their value and their name.
    return str(value)


def decimal_text(value: Decimal) -> str:
    """5.0000 → "5", 68.90 → "68.9": the number without storage padding."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _object_id(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    public_id = getattr(obj, "public_id", None)
    return str(public_id if isinstance(public_id, uuid.UUID) else obj.pk)


# --- reading (the audit page) -------------------------------------------------------


def audit_paths_for(user: AbstractBaseUser | AnonymousUser) -> list[str] | None:
    """Paths whose events the user may read: [] for everyone (superuser), None
    for nobody. Offices and admins read their organisations' subtrees."""
    scope = user_scope(user)
    if scope.is_superuser:
        return []
    paths = [path for path, role, _org in scope.grants if role in ORG_WRITE_ROLES]
    return paths or None


def can_see_audit(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and audit_paths_for(user) is not None


def audit_events_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[AuditEvent]:
    """Events in the user's scope, newest first; 403 for leaders and cadres."""
    paths = audit_paths_for(user)
    if paths is None:
        raise PermissionDenied(
            "Nhật ký thay đổi dành cho văn phòng cấp ủy và quản trị."
        )
    events = AuditEvent.objects.select_related("user", "organization")
    if paths:
        in_scope = Q(pk__in=[])
        for path in paths:
            in_scope |= Q(organization_path__startswith=path)
        events = events.filter(in_scope)
    return events.order_by("-at", "-id")


def audit_filter(
    events: QuerySet[AuditEvent],
    *,
    username: str = "",
    organization_name: str = "",
    within: Organization | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: str = "",
) -> QuerySet[AuditEvent]:
    """Narrow the events by user (name contains), organisation (name contains,
    or the subtree of a picked one), local dates (inclusive) and action."""
    if username:
        events = events.filter(
            Q(user__username__icontains=username)
            | Q(user__first_name__icontains=username)
            | Q(user__last_name__icontains=username)
        )
    if organization_name:
        events = events.filter(
            Q(organization_name__icontains=organization_name)
            | Q(organization__name__icontains=organization_name)
        )
    if within is not None:
        events = events.filter(organization_path__startswith=within.path)
    if date_from:
        events = events.filter(at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if action:
        events = events.filter(action=action)
    return events


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the site's time zone (a range the index can use)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class ChangeRow:
    label: str
    old: str
    new: str


#: Figures the page prints the Vietnamese way (codes and years stay as typed).
NUMBER_FIELDS = frozenset(
    {"value", "numerator", "denominator", "plan_value", "plan_high"}
)
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def change_rows(event: AuditEvent) -> list[ChangeRow]:
    """The event's changes as the page prints them: labels, Vietnamese figures
    and dates."""
    rows = []
    for field, pair in (event.changes or {}).items():
        old, new = (
            (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        )
        number = field in NUMBER_FIELDS
        rows.append(
            ChangeRow(
                FIELD_LABELS.get(field, field),
                display_value(old, number=number),
                display_value(new, number=number),
            )
        )
    return rows


def display_value(value: object, *, number: bool = False) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    text = str(value)
    if number and _DECIMAL.fullmatch(text):
        places = len(text.split(".")[1]) if "." in text else 0
        return format_number(Decimal(text), places)
    if _ISO_DATE.fullmatch(text):
        return format_date(dt.date.fromisoformat(text))
    return text
