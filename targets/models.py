"""Plans, targets, quarterly results and the quarterly sheet's workflow.

The arithmetic lives in targets/calculations.py; these models only store the
figures, who typed them and the sheet's state.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from organizations.models import Organization
from targets.calculations import Comparator, Kind


class Plan(models.Model):
    """The targets an organisation adopted for a year or a whole term."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name="tổ chức",
    )
    title = models.CharField("tên kế hoạch", max_length=255)
    start_year = models.PositiveSmallIntegerField("từ năm")
    end_year = models.PositiveSmallIntegerField("đến năm")
    resolution = models.CharField(
        "nghị quyết thông qua",
        max_length=255,
        blank=True,
        help_text="Ví dụ: Nghị quyết số 05-NQ/ĐU ngày 23/02/2024.",
    )
    source_plan = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived_plans",
        verbose_name="giao từ kế hoạch cấp trên",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_year", "organization__name"]
        verbose_name = "kế hoạch chỉ tiêu"
        verbose_name_plural = "kế hoạch chỉ tiêu"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="plan_years_ordered",
            ),
            models.UniqueConstraint(
                fields=["organization", "start_year", "end_year"],
                name="plan_one_per_period",
            ),
        ]

    def __str__(self) -> str:
        period = (
            self.start_year
            if self.start_year == self.end_year
            else f"{self.start_year}-{self.end_year}"
        )
        return f"{self.title} ({period})"

    @property
    def is_term(self) -> bool:
        return self.end_year > self.start_year

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class TargetGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="groups")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("nhóm chỉ tiêu", max_length=255)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "nhóm chỉ tiêu"
        verbose_name_plural = "nhóm chỉ tiêu"

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    """Where a target's figures come from: typed, or read from the registry."""

    MANUAL = "manual", "Nhập tay"
    ADMISSIONS_SHARE = (
        "admissions_share",
        "Kết nạp so với đảng viên đầu năm (từ sổ đảng viên)",
    )
    MEMBER_TOTAL = "member_total", "Tổng số đảng viên (từ sổ đảng viên)"
    MEMBERS_GOOD = "members_good", "Đảng viên HTTNV trở lên (từ xếp loại)"
    MEMBERS_EXCELLENT = "members_excellent", "Đảng viên HTXSNV (từ xếp loại)"
    CELLS_GOOD = "cells_good", "Chi bộ HTTNV trở lên (từ xếp loại)"
    CELLS_EXCELLENT = "cells_excellent", "Chi bộ HTXSNV (từ xếp loại)"


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    group = models.ForeignKey(
        TargetGroup,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name="nhóm",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="thuộc chỉ tiêu (trong đó)",
    )
    wording = models.TextField("nội dung như nghị quyết")
    label = models.CharField("tên ngắn", max_length=160)
    unit = models.CharField("đơn vị", max_length=40, blank=True)
    kind = models.CharField(
        "loại", max_length=20, choices=[(k.value, k.label) for k in Kind]
    )
    comparator = models.CharField(
        "điều kiện",
        max_length=10,
        choices=[(c.value, c.label) for c in Comparator],
        default=Comparator.GTE,
    )
    plan_value = models.DecimalField(
        "kế hoạch", max_digits=18, decimal_places=4, null=True, blank=True
    )
    plan_high = models.DecimalField(
        "cận trên", max_digits=18, decimal_places=4, null=True, blank=True
    )
    places = models.PositiveSmallIntegerField(
        "số chữ số thập phân", null=True, blank=True
    )
    source = models.CharField(
        "nguồn số liệu", max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    report_phrase = models.CharField(
        "câu báo cáo",
        max_length=500,
        blank=True,
        help_text=(
            "Cách văn bản viết kết quả, ví dụ: Có {thuc_hien}/{ke_hoach} lao động "
            "được giải quyết việc làm, đạt {ty_le} so với kế hoạch. Để trống: cách "
            "viết chung."
        ),
    )
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned",
        verbose_name="chỉ tiêu cấp trên giao",
    )
    # The committee's original target a copy descends from, however many times
    # it was handed down (bloc → đảng bộ cơ sở → chi bộ): results roll up under
    # it. None for a committee's own target.
    origin = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="descendants",
        verbose_name="chỉ tiêu gốc",
    )

    class Meta:
        ordering = ["group__order", "order", "id"]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"

    def __str__(self) -> str:
        return self.label

    @property
    def is_computed(self) -> bool:
        return self.source != Source.MANUAL

    @property
    def rollup_key(self) -> str:
        """The key of the target's figures in a Rollup: its original's id."""
        return str(self.origin_id or self.id)

    @property
    def uses_ratio(self) -> bool:
        return self.kind in (Kind.RATE, Kind.ALL_OR_NOTHING)


class SheetStatus(models.TextChoices):
    DRAFT = "draft", "Đang nhập"
    SUBMITTED = "submitted", "Đã gửi"
    RETURNED = "returned", "Bị trả lại"
    APPROVED = "approved", "Đã duyệt"


class Sheet(models.Model):
    """One organisation's quarter: the unit of entry, submission and approval."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sheets"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="sheets")
    year = models.PositiveSmallIntegerField("năm")
    quarter = models.PositiveSmallIntegerField("quý")
    status = models.CharField(
        max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    # Bumped on every save of values: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=0)
    return_reason = models.TextField("lý do trả lại", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = "báo cáo kết quả quý"
        verbose_name_plural = "báo cáo kết quả quý"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter"], name="sheet_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="sheet_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – quý {self.quarter}/{self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status in (SheetStatus.SUBMITTED, SheetStatus.APPROVED)


class SheetTransition(models.Model):
    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=10, choices=SheetStatus.choices)
    to_status = models.CharField(max_length=10, choices=SheetStatus.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "lịch sử duyệt"
        verbose_name_plural = "lịch sử duyệt"

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Result(models.Model):
    """A quarter's figure for one target of one organisation."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="results")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(
        "giá trị", max_digits=18, decimal_places=4, null=True, blank=True
    )
    numerator = models.DecimalField(
        "tử số", max_digits=18, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        "mẫu số", max_digits=18, decimal_places=4, null=True, blank=True
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "kết quả"
        verbose_name_plural = "kết quả"
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "target"], name="result_once_per_sheet"
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=models.F("denominator")),
                name="result_numerator_within_denominator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} – {self.sheet}"


class ResultChange(models.Model):
    """Every change of a result, old → new (the target's history)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    old_value = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_value = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_note = models.CharField(max_length=500, blank=True)
    new_note = models.CharField(max_length=500, blank=True)
    via = models.CharField(max_length=20, default="web")

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "thay đổi kết quả"
        verbose_name_plural = "thay đổi kết quả"

    def __str__(self) -> str:
        when = f" lúc {self.changed_at:%d/%m/%Y %H:%M}" if self.changed_at else ""
        return f"Sửa kết quả #{self.result_id}{when}"


class RollupBasis(models.TextChoices):
    APPROVED = "approved", "Đã duyệt"
    SUBMITTED = "submitted", "Đã gửi (kể cả chưa duyệt)"


class Rollup(models.Model):
    """Precomputed sums of an organisation's results for the targets its committee
    gave down, per quarter: its own figures and its whole subtree's.

    `own` and `subtree` map a committee target id (the original the
    subordinates' copies descend from: ``Target.rollup_key``) to four quarters
    of [value, numerator, denominator] as strings (None where nothing was
    reported). Sums of numerators and of denominators, never averages of
    percentages.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="rollups"
    )
    year = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=10, choices=RollupBasis.choices)
    own = models.JSONField(default=dict)
    subtree = models.JSONField(default=dict)
    # quarter ("1".."4") → 1 when the organisation's own sheet counts on this basis
    own_reporting = models.JSONField(default=dict)
    # quarter ("1".."4") → organisations of the subtree whose sheet counts on this basis
    reporting = models.JSONField(default=dict)
    # The organisation's path when its figures were last added up its chain: an
    # incremental update of an organisation that moved since then would apply
    # its difference to ancestors that never held its figures.
    path = models.CharField(max_length=255, blank=True, default="")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "số liệu tổng hợp"
        verbose_name_plural = "số liệu tổng hợp"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "basis"], name="rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Tổng hợp năm {self.year} ({self.get_basis_display()})"


class RollupState(models.Model):
    """When a committee's roll-up was last rebuilt and whether updates are queued."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    pending = models.IntegerField(default=0)
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="rollup_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Trạng thái tổng hợp năm {self.year}"


class ReportingDeadline(models.Model):
    """The date by which a committee's subordinates send a quarter's sheet.

    Set by a committee for its whole subtree; a committee lower down may set
    its own date for its part (the nearest one applies).
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="reporting_deadlines",
        verbose_name="cấp ủy đặt hạn",
    )
    year = models.PositiveSmallIntegerField("năm")
    quarter = models.PositiveSmallIntegerField("quý")
    due_on = models.DateField("hạn nộp")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = "hạn nộp báo cáo"
        verbose_name_plural = "hạn nộp báo cáo"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter"],
                name="deadline_one_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="deadline_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        period = f"quý {self.quarter}/{self.year}"
        return f"{self.organization} – {period}: {self.due_on:%d/%m/%Y}"


class ReminderLog(models.Model):
    """A late-report reminder sent to an organisation: at most one a day."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    sent_on = models.DateField()
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = "thư nhắc nộp báo cáo"
        verbose_name_plural = "thư nhắc nộp báo cáo"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter", "sent_on"],
                name="reminder_once_a_day",
            )
        ]

    def __str__(self) -> str:
        period = f"quý {self.quarter}/{self.year}"
        return f"{self.organization} – {period}: {self.sent_on:%d/%m/%Y}"
