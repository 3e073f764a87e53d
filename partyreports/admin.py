"""The audit trail in the admin (searchable, never editable), and the user
accounts, whose every change made here is recorded in it."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from partyreports.admin_site import ViewOnlyAdmin
from partyreports.audit import audit_diff, audit_record
from partyreports.models import AuditEvent

User = get_user_model()


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "user", "organization_name", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "organization_name", "user__username", "object_id"]
    list_select_related = ["user"]
    date_hierarchy = "at"


#: What the audit trail records of an account (never the password hash).
ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _account_fields(user: AbstractBaseUser) -> dict[str, object]:
    return {field: getattr(user, field) for field in ACCOUNT_FIELDS}


# Roles are RoleAssignment rows (organisation scope); Django's groups and model
# permissions mean nothing here (the admin lets in superusers only), so they are
# neither shown nor editable.
admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cá nhân", {"fields": ("first_name", "last_name", "email")}),
        ("Quyền", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    list_filter = ("is_staff", "is_superuser", "is_active")
    filter_horizontal = ()

    def save_model(
        self,
        request: HttpRequest,
        obj: AbstractBaseUser,
        form: forms.Form,
        change: bool,
    ) -> None:
        before = _account_fields(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        changes = audit_diff(before, _account_fields(obj))
        if changes:
            audit_record(
                action="user.update" if change else "user.create",
                organization=None,
                user=request.user,
                obj=obj,
                summary=(
                    f"{'Sửa' if change else 'Thêm'} tài khoản “{obj.get_username()}”."
                ),
                changes=changes,
            )

    def delete_model(self, request: HttpRequest, obj: AbstractBaseUser) -> None:
        before = _account_fields(obj)
        audit_record(
            action="user.delete",
            organization=None,
            user=request.user,
            obj=obj,
            summary=f"Xóa tài khoản “{obj.get_username()}”.",
            changes=audit_diff(before, dict.fromkeys(before)),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            self.delete_model(request, user)

    def user_change_password(
        self,
        request: HttpRequest,
        id: str,
        form_url: str = "",  # noqa: A002
    ) -> HttpResponse:
        if not str(id).isdigit():
            return super().user_change_password(request, id, form_url)  # its 404
        with transaction.atomic():
            before = (
                User.objects.filter(pk=id).values_list("password", flat=True).first()
            )
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if user is not None and before is not None and user.password != before:
                audit_record(
                    action="user.password",
                    organization=None,
                    user=request.user,
                    obj=user,
                    summary=f"Đặt lại mật khẩu tài khoản “{user.get_username()}”.",
                )
        return response
