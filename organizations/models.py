"""Organisations as a dated tree, members with dated placements, ratings, roles.

The tree is kept as dated placements: each row says "from valid_from until
valid_to (exclusive) this organisation sat under that parent, at this
materialised path". A transfer closes the rows of the moved subtree and opens
new ones, so the tree as of any date is one indexed query (path prefix + date
window) and the past is never rewritten. Organization.path mirrors the open
placement for fast scope checks on today's tree.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

PATH_STEP = 6  # characters per level of a materialised path (base-36 of the id)


class OrganizationLevel(models.Model):
    """A level of the tree as the deployment names it (data, not code)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên cấp", max_length=120)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_grassroots = models.BooleanField(
        "là tổ chức cơ sở đảng",
        default=False,
        help_text="Được đếm là TCCSĐ (đảng bộ cơ sở, chi bộ cơ sở).",
    )
    holds_members = models.BooleanField(
        "đảng viên sinh hoạt tại đây",
        default=False,
        help_text="Chi bộ (trực thuộc hoặc cơ sở): nơi đảng viên sinh hoạt.",
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "cấp tổ chức"
        verbose_name_plural = "cấp tổ chức"

    def __str__(self) -> str:
        return self.name


class OrganizationKind(models.TextChoices):
    """Loại hình tổ chức cơ sở đảng (domain §2)."""

    COMMITTEE = "committee", "Cấp ủy cấp trên"
    AGENCY = "agency", "Cơ quan, đơn vị sự nghiệp công lập, đoàn thể, hội"
    VERTICAL = "vertical", "Cơ quan ngành dọc"
    STATE_ENTERPRISE = "state_enterprise", "Doanh nghiệp nhà nước"
    PRIVATE_ENTERPRISE = "private_enterprise", "Doanh nghiệp ngoài nhà nước"
    INDUSTRIAL_ZONE = "industrial_zone", "Khu công nghiệp"
    CELL = "cell", "Chi bộ trực thuộc"


class Organization(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("tên tổ chức", max_length=255)
    # The name in Vietnamese letter order (partyreports.formatting), kept by the
    # services: lists of organisations sort by it, never by the bytes of `name`.
    sort_key = models.CharField(
        max_length=600, db_index=True, editable=False, default=""
    )
    short_name = models.CharField(
        "ký hiệu",
        max_length=20,
        blank=True,
        help_text="Dùng trong số, ký hiệu văn bản, ví dụ ĐUK, ĐU.",
    )
    level = models.ForeignKey(
        OrganizationLevel, on_delete=models.PROTECT, verbose_name="cấp"
    )
    kind = models.CharField(
        "loại hình", max_length=30, choices=OrganizationKind.choices
    )
    superior_name = models.CharField(
        "cơ quan cấp trên trực tiếp (đầu văn bản)",
        max_length=255,
        blank=True,
        help_text="Chỉ cần cho tổ chức ở đỉnh cây, ví dụ ĐẢNG BỘ TỈNH THANH HÓA.",
    )
    code = models.CharField(
        "mã tổ chức", max_length=40, null=True, blank=True, unique=True
    )
    place_name = models.CharField(
        "địa danh trên văn bản",
        max_length=80,
        blank=True,
        help_text="Ví dụ Quảng Bình; để trống thì dùng địa danh của cấp trên.",
    )
    founded_on = models.DateField("ngày thành lập")
    dissolved_on = models.DateField("ngày giải thể/sáp nhập", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name="sáp nhập vào",
    )
    # Mirrors of the open placement (today's tree), kept by services.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="trực thuộc",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None or self.dissolved_on > timezone.localdate()


class OrganizationPlacement(models.Model):
    """Where an organisation sat in the tree during [valid_from, valid_to)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="placements"
    )
    parent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "vị trí trong cây (lịch sử)"
        verbose_name_plural = "vị trí trong cây (lịch sử)"
        indexes = [
            models.Index(fields=["path", "valid_from"]),
            models.Index(fields=["organization", "valid_from"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "valid_from"], name="org_placement_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="org_placement_positive_span",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.organization_id} @ {self.path} [{self.valid_from}, {self.valid_to})"
        )


class Handover(models.Model):
    """One recorded act handing many organisations (with members) to new parents."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="handovers_out",
        verbose_name="cấp ủy bàn giao",
    )
    effective_on = models.DateField("ngày hiệu lực")
    decision = models.CharField("căn cứ (quyết định)", max_length=255, blank=True)
    note = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = "bàn giao tổ chức"
        verbose_name_plural = "bàn giao tổ chức"

    def __str__(self) -> str:
        return f"{self.source} – {self.effective_on:%d/%m/%Y}"


class HandoverItem(models.Model):
    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, related_name="items"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="tổ chức"
    )
    old_parent = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", null=True
    )
    new_parent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="chuyển về",
    )
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "tổ chức được bàn giao"
        verbose_name_plural = "tổ chức được bàn giao"

    def __str__(self) -> str:
        return f"Tổ chức #{self.organization_id} chuyển về #{self.new_parent_id}"


class Sex(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class MemberStatus(models.TextChoices):
    PROBATIONARY = "du_bi", "Dự bị"
    FULL = "chinh_thuc", "Chính thức"


class Member(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField("họ và tên", max_length=120)
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    sort_key = models.CharField(max_length=400, db_index=True, editable=False)
    sex = models.CharField("giới tính", max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField("ngày sinh")
    ethnicity = models.CharField("dân tộc", max_length=60, default="Kinh")
    admitted_on = models.DateField("ngày vào Đảng")
    full_member_on = models.DateField("ngày chính thức", null=True, blank=True)
    party_card_number = models.CharField("số thẻ đảng viên", max_length=30, blank=True)
    # Mirror of the latest placement: the current chi bộ, or the last one for a
    # member who has left (left_on is set), so scope checks always have an org.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="chi bộ",
    )
    left_on = models.DateField("ngày ra khỏi danh sách", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = "đảng viên"
        verbose_name_plural = "đảng viên"
        constraints = [
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True)
                | Q(full_member_on__gte=models.F("admitted_on")),
                name="member_full_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def status_on(self, day: dt.date) -> MemberStatus | None:
        if day < self.admitted_on or (self.left_on and self.left_on <= day):
            return None
        if self.full_member_on and self.full_member_on <= day:
            return MemberStatus.FULL
        return MemberStatus.PROBATIONARY

    @property
    def status(self) -> MemberStatus | None:
        return self.status_on(timezone.localdate())


class MemberPlacement(models.Model):
    """The chi bộ a member belonged to during [valid_from, valid_to)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="placements"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="member_placements"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "nơi sinh hoạt (lịch sử)"
        verbose_name_plural = "nơi sinh hoạt (lịch sử)"
        indexes = [
            models.Index(fields=["organization", "valid_from"]),
            models.Index(fields=["member", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="member_placement_span",
            ),
        ]

    def __str__(self) -> str:
        until = f" đến {self.valid_to:%d/%m/%Y}" if self.valid_to else ""
        start = f"{self.valid_from:%d/%m/%Y}"
        return f"Sinh hoạt tại tổ chức #{self.organization_id} từ {start}{until}"


class EventKind(models.TextChoices):
    ADMISSION = "ket_nap", "Kết nạp"
    FULL_MEMBERSHIP = "cong_nhan_chinh_thuc", "Công nhận chính thức"
    TRANSFER_IN = "chuyen_den", "Chuyển sinh hoạt đến"
    TRANSFER_OUT = "chuyen_di", "Chuyển sinh hoạt đi"
    TEMPORARY_TRANSFER = "chuyen_tam_thoi", "Chuyển sinh hoạt tạm thời"
    RESIGNATION = "xin_ra", "Xin ra khỏi Đảng"
    STRUCK_OFF = "xoa_ten", "Xóa tên"
    EXPULSION = "khai_tru", "Khai trừ"
    DEATH = "tu_tran", "Từ trần"
    BADGE = "huy_hieu", "Trao Huy hiệu Đảng"


#: Events after which the member is no longer on the committee's roll.
LEAVING_EVENTS = frozenset(
    {
        EventKind.TRANSFER_OUT,
        EventKind.RESIGNATION,
        EventKind.STRUCK_OFF,
        EventKind.EXPULSION,
        EventKind.DEATH,
    }
)


class MemberEvent(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("loại sự kiện", max_length=30, choices=EventKind.choices)
    occurred_on = models.DateField("ngày")
    # Where the member sat when it happened: the counting organisation.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="member_events",
        verbose_name="tại chi bộ",
    )
    target_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_member_events",
        verbose_name="chuyển đến chi bộ",
    )
    destination = models.CharField(
        "nơi chuyển đến (ngoài hệ thống)", max_length=255, blank=True
    )
    badge_years = models.PositiveSmallIntegerField(
        "Huy hiệu (năm tuổi Đảng)", null=True, blank=True
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = "sự kiện đảng viên"
        verbose_name_plural = "sự kiện đảng viên"
        indexes = [models.Index(fields=["organization", "occurred_on", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.occurred_on:%d/%m/%Y}"


class Grade(models.TextChoices):
    EXCELLENT = "HTXSNV", "Hoàn thành xuất sắc nhiệm vụ"
    GOOD = "HTTNV", "Hoàn thành tốt nhiệm vụ"
    DONE = "HTNV", "Hoàn thành nhiệm vụ"
    FAILED = "KHTNV", "Không hoàn thành nhiệm vụ"


class OrganizationRating(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name="tổ chức",
    )
    year = models.PositiveSmallIntegerField("năm")
    grade = models.CharField("xếp loại", max_length=6, choices=Grade.choices)

    class Meta:
        ordering = ["-year"]
        verbose_name = "xếp loại tổ chức đảng"
        verbose_name_plural = "xếp loại tổ chức đảng"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="org_rating_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.grade}"


class MemberRating(models.Model):
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name="đảng viên",
    )
    # The chi bộ the member was rated in: ratings count there, whatever happens later.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="member_ratings",
        verbose_name="chi bộ",
    )
    year = models.PositiveSmallIntegerField("năm")
    grade = models.CharField("xếp loại", max_length=6, choices=Grade.choices)

    class Meta:
        ordering = ["-year"]
        verbose_name = "xếp loại đảng viên"
        verbose_name_plural = "xếp loại đảng viên"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"], name="member_rating_once_a_year"
            )
        ]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.grade}"


class Role(models.TextChoices):
    CADRE = "cadre", "Cán bộ nhập liệu"
    OFFICE = "office", "Văn phòng cấp ủy"
    LEADER = "leader", "Thường trực / lãnh đạo"
    ADMIN = "admin", "Quản trị"


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("vai trò", max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organization}"
