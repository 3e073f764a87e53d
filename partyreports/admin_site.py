"""The Django admin, for superusers only.

The admin is global: it does not know organisation subtrees. A user who is
staff but not a superuser (set by mistake, or a scoped "admin" role) would see
every organisation's records there, so the site lets in superusers only.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
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
