"""The Django admin, for superusers only.

The admin is global: it does not know organisation subtrees. A user who is
staff but not a superuser (set by mistake, or a scoped "admin" role) would see
every organisation's records there, so the site lets in superusers only.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import Model
from django.http import HttpRequest


class PartyAdminSite(admin.AdminSite):
    site_header = "PartyReports – Quản trị"
    site_title = "PartyReports"
    index_title = "Quản trị dữ liệu"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class PartyAdminConfig(AdminConfig):
    default_site = "partyreports.admin_site.PartyAdminSite"


class ViewOnlyAdmin(admin.ModelAdmin):
    """A model the app writes through its own forms and services (which check
    rules and record the audit trail): the admin only shows it. Issued
    documents, results, sheets and their history can never be deleted here."""

    def get_readonly_fields(
        self, request: HttpRequest, obj: object = None
    ) -> list[str]:
        # Every stored field, the non-editable ones (times, hashes) included.
        return _shown_fields(self.model, self.exclude)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ViewOnlyInlineMixin:
    """An inline the admin shows but never adds to, changes or deletes."""

    can_delete = False
    extra = 0

    def get_readonly_fields(
        self, request: HttpRequest, obj: object = None
    ) -> list[str]:
        return (
            list(self.fields)
            if self.fields
            else _shown_fields(self.model, self.exclude)
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _shown_fields(model: type[Model], exclude: object) -> list[str]:
    hidden = set(exclude or ())
    return [
        field.name
        for field in model._meta.fields
        if not field.auto_created and field.name not in hidden
    ]
