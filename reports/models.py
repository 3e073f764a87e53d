"""Official documents: resolutions and reports, drafted from data, issued as PDF.

A document is a tree of numbered sections whose text may hold data blocks
("[[chi_tieu nhom=…]]") that are rendered from the data while the document is a
draft and frozen into plain text when it is issued.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from organizations.models import Organization


class DocumentType(models.TextChoices):
    RESOLUTION = "resolution", "Nghị quyết về phương hướng, nhiệm vụ năm"
    QUARTERLY = "quarterly", "Báo cáo tình hình thực hiện nhiệm vụ quý"
    ANNUAL = "annual", "Báo cáo tổng kết năm"
    MIDTERM = "midterm", "Báo cáo sơ kết giữa nhiệm kỳ"


#: Type abbreviations of the number and symbol (format.md): NQ, BC.
TYPE_ABBREVIATION = {
    DocumentType.RESOLUTION: "NQ",
    DocumentType.QUARTERLY: "BC",
    DocumentType.ANNUAL: "BC",
    DocumentType.MIDTERM: "BC",
}
TYPE_TITLE = {
    DocumentType.RESOLUTION: "NGHỊ QUYẾT",
    DocumentType.QUARTERLY: "BÁO CÁO",
    DocumentType.ANNUAL: "BÁO CÁO",
    DocumentType.MIDTERM: "BÁO CÁO",
}


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    ISSUED = "issued", "Đã ban hành"


class Authority(models.TextChoices):
    """Who signs for a collective body (format.md, "Who signs")."""

    EXECUTIVE = "T/M BAN CHẤP HÀNH", "T/M BAN CHẤP HÀNH"
    STANDING = "T/M BAN THƯỜNG VỤ", "T/M BAN THƯỜNG VỤ"
    COMMITTEE = "T/M ĐẢNG ỦY", "T/M ĐẢNG ỦY"
    CELL = "T/M CHI BỘ", "T/M CHI BỘ"


class SignerPosition(models.TextChoices):
    SECRETARY = "BÍ THƯ", "BÍ THƯ"
    DEPUTY = "PHÓ BÍ THƯ", "PHÓ BÍ THƯ"


class Secrecy(models.TextChoices):
    NONE = "", "—"
    SECRET = "MẬT", "MẬT"
    TOP_SECRET = "TỐI MẬT", "TỐI MẬT"


class Urgency(models.TextChoices):
    NONE = "", "—"
    URGENT = "KHẨN", "KHẨN"
    VERY_URGENT = "THƯỢNG KHẨN", "THƯỢNG KHẨN"
    FLASH = "HỎA TỐC", "HỎA TỐC"


class Document(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name="cơ quan ban hành",
    )
    doc_type = models.CharField(
        "loại văn bản", max_length=20, choices=DocumentType.choices
    )
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    year = models.PositiveSmallIntegerField("năm")
    quarter = models.PositiveSmallIntegerField("quý", null=True, blank=True)
    term_start_year = models.PositiveSmallIntegerField(
        "nhiệm kỳ từ năm", null=True, blank=True
    )
    term_end_year = models.PositiveSmallIntegerField(
        "nhiệm kỳ đến năm", null=True, blank=True
    )
    # Header (format.md): the direct superior body and the issuing body, in capitals.
    superior_name = models.CharField("cơ quan cấp trên trực tiếp", max_length=255)
    issuer_name = models.CharField("cơ quan ban hành (đầu văn bản)", max_length=255)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    symbol = models.CharField(
        "ký hiệu", max_length=40, help_text="Ví dụ BC/ĐU: loại văn bản/cơ quan."
    )
    term_label = models.CharField("nhiệm kỳ đánh số", max_length=20, blank=True)
    place = models.CharField("địa danh", max_length=80)
    dated = models.DateField("ngày văn bản")
    title = models.CharField("tên loại", max_length=40)
    abstract = models.CharField("trích yếu", max_length=500)
    authority = models.CharField(
        "thẩm quyền ký",
        max_length=40,
        choices=Authority.choices,
        default=Authority.EXECUTIVE,
    )
    signer_position = models.CharField(
        "chức vụ",
        max_length=20,
        choices=SignerPosition.choices,
        default=SignerPosition.SECRETARY,
    )
    signer_name = models.CharField("người ký", max_length=120, blank=True)
    recipients = models.TextField("nơi nhận", help_text="Mỗi dòng một nơi nhận.")
    secrecy = models.CharField(
        "độ mật", max_length=12, choices=Secrecy.choices, blank=True, default=""
    )
    urgency = models.CharField(
        "độ khẩn", max_length=12, choices=Urgency.choices, blank=True, default=""
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="đính chính cho văn bản",
    )
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(upload_to="documents/issued/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-dated", "-id"]
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "symbol", "term_label", "number"],
                condition=Q(number__isnull=False),
                name="document_number_unique_in_term",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="issued_document_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_and_symbol} {self.abstract}"

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def number_and_symbol(self) -> str:
        """ "Số 170-BC/ĐUK" (no colon after "Số"); a draft shows "Số    -BC/ĐUK"."""
        number = f"{self.number:02d}" if self.number is not None else "\u2003\u2003"
        return f"Số {number}-{self.symbol}"

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class SectionKind(models.TextChoices):
    BODY = "body", "Nội dung"
    APPENDIX = "appendix", "Phụ lục"


class Section(models.Model):
    """A numbered section (I., 1., 1.1.) with its text; appendices are sections too."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(
        max_length=10, choices=SectionKind.choices, default=SectionKind.BODY
    )
    order = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField("tiêu đề", max_length=500, blank=True)
    numbered = models.BooleanField("đánh số", default=True)
    # A part ("Phần thứ nhất", seed 004): top level, unnumbered, its sections
    # numbered I., II. afresh.
    is_part = models.BooleanField("là phần (Phần thứ nhất…)", default=False)
    body = models.TextField("nội dung", blank=True)
    # The body with its data blocks written out, set when the document is issued.
    frozen_body = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "mục văn bản"
        verbose_name_plural = "mục văn bản"

    def __str__(self) -> str:
        return self.heading or f"Mục {self.pk}"


class NumberCounter(models.Model):
    """The last number given to a type of document of a committee in a term."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    symbol = models.CharField(max_length=40)
    term_label = models.CharField(max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "sổ đăng ký số văn bản"
        verbose_name_plural = "sổ đăng ký số văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "symbol", "term_label"],
                name="number_counter_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.symbol} nhiệm kỳ {self.term_label}: số cuối {self.last_number}"


class RenderStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Xong"
    FAILED = "failed", "Lỗi"


class Rendering(models.Model):
    """One PDF or Word rendering of a document, made by a Celery task."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="renderings"
    )
    fmt = models.CharField(
        max_length=4, choices=[("pdf", "PDF"), ("docx", "Word")], default="pdf"
    )
    # An issuance: the task assigns the number, freezes the text and stores the PDF.
    for_issue = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    document_version = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="documents/renderings/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The claim of the run under way (reports.services.rendering_run): who
    # ("host:pid:token"), since when, and how many runs have claimed it.
    attempt = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "bản in"
        verbose_name_plural = "bản in"

    def __str__(self) -> str:
        return f"Bản {self.get_fmt_display()} ({self.get_status_display()})"
