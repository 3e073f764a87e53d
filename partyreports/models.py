"""The audit trail: one row per recorded change, never edited afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who changed what, when, and the values before and after.

    `organization_path` is the organisation's materialised path when the change
    was made, so the audit page filters a user's scope with one path-prefix
    query, and a later move or deletion of the organisation does not move its
    past events into another committee's log.
    """

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="tổ chức",
    )
    organization_path = models.CharField(max_length=255, db_index=True, blank=True)
    organization_name = models.CharField(
        "tên tổ chức (lúc ghi)", max_length=255, blank=True
    )
    action = models.CharField("thao tác", max_length=60, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=60, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    summary = models.CharField("nội dung", max_length=500, blank=True)
    changes = models.JSONField("thay đổi (cũ → mới)", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.summary}"[:200]
