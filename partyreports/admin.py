"""The audit trail in the admin: searchable, never editable."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from partyreports.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organization_name", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "organization_name", "user__username", "object_id"]
    list_select_related = ["user"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "user",
        "organization",
        "organization_path",
        "organization_name",
        "action",
        "object_type",
        "object_id",
        "summary",
        "changes",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: AuditEvent | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: AuditEvent | None = None
    ) -> bool:
        return False
