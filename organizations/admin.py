"""The organisation registry in the admin.

Members, their events and ratings, handovers and the tree's history are
written by the app's own forms and services (rules, scope, audit trail), so
the admin only shows them. What the app has no page for stays writable here,
and every write is recorded: organisations at the top of a tree (created
through the same service as in the app), levels and role assignments.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from organizations import services
from organizations.models import (
    Handover,
    HandoverItem,
    Member,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationLevel,
    OrganizationPlacement,
    OrganizationRating,
    RoleAssignment,
)
from organizations.selectors import valid_on
from partyreports.admin_site import ViewOnlyAdmin, ViewOnlyInlineMixin
from partyreports.audit import audit_diff, audit_record

# --- levels ---------------------------------------------------------------------------


def _level_fields(level: OrganizationLevel) -> dict[str, object]:
    return {
        "name": level.name,
        "code": level.code,
        "order": level.order,
        "is_grassroots": level.is_grassroots,
        "holds_members": level.holds_members,
    }


@admin.register(OrganizationLevel)
class OrganizationLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_grassroots", "holds_members"]

    def save_model(
        self,
        request: HttpRequest,
        obj: OrganizationLevel,
        form: forms.Form,
        change: bool,
    ) -> None:
        before = (
            _level_fields(OrganizationLevel.objects.get(pk=obj.pk)) if change else {}
        )
        obj.save()
        changes = audit_diff(before, _level_fields(obj))
        if changes:
            audit_record(
                action="level.update" if change else "level.create",
                organization=None,
                user=request.user,
                obj=obj,
                summary=f"{'Sửa' if change else 'Thêm'} cấp tổ chức “{obj.name}”.",
                changes=changes,
            )

    def delete_model(self, request: HttpRequest, obj: OrganizationLevel) -> None:
        audit_record(
            action="level.delete",
            organization=None,
            user=request.user,
            obj=obj,
            summary=f"Xóa cấp tổ chức “{obj.name}”.",
            changes=audit_diff(_level_fields(obj), dict.fromkeys(_level_fields(obj))),
        )
        obj.delete()

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[OrganizationLevel]
    ) -> None:
        for level in queryset:
            self.delete_model(request, level)


# --- organisations --------------------------------------------------------------------


class OrganizationPlacementInline(ViewOnlyInlineMixin, admin.TabularInline):
    # Placements change only through the move/handover services.
    model = OrganizationPlacement
    fk_name = "organization"
    fields = ["parent", "path", "depth", "valid_from", "valid_to"]


class OrganizationAddForm(forms.ModelForm):
    """A new organisation, made by organization_create (placement, path, audit)."""

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "level",
            "kind",
            "parent",
            "code",
            "superior_name",
            "founded_on",
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        parent, founded_on = data.get("parent"), data.get("founded_on")
        if isinstance(parent, Organization):
            if parent.level.holds_members:
                self.add_error(
                    "parent",
                    f"“{parent.name}” là chi bộ, không thể có tổ chức trực thuộc.",
                )
            elif (
                founded_on
                and not parent.placements.filter(valid_on(founded_on)).exists()
            ):
                self.add_error(
                    "founded_on",
                    f"“{parent.name}” không tồn tại vào ngày {founded_on:%d/%m/%Y}.",
                )
        return data


#: What the admin may change on an existing organisation: the same fields as the
#: app's edit form (organization_update), plus the place name of its documents.
ORGANIZATION_EDITABLE = [
    "name",
    "short_name",
    "kind",
    "code",
    "superior_name",
    "place_name",
]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "level",
        "kind",
        "parent",
        "founded_on",
        "dissolved_on",
    ]
    list_filter = ["level", "kind"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["level", "parent"]
    raw_id_fields = ["parent"]
    inlines = [OrganizationPlacementInline]

    def get_form(
        self, request: HttpRequest, obj: Organization | None = None, **kwargs: object
    ):  # noqa: ANN201
        if obj is None:
            kwargs["form"] = OrganizationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> list[str]:
        if obj is None:
            return list(OrganizationAddForm.Meta.fields)
        return [*ORGANIZATION_EDITABLE, *self.get_readonly_fields(request, obj)]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> list[str]:
        if obj is None:
            return []
        # The tree changes through move, dissolve and handover (dated history).
        return [
            "level",
            "parent",
            "path",
            "depth",
            "founded_on",
            "dissolved_on",
            "merged_into",
        ]

    def get_inlines(self, request: HttpRequest, obj: Organization | None) -> list:  # noqa: ANN001
        return self.inlines if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Organization, form: forms.Form, change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            created = services.organization_create(
                name=data["name"],
                level=data["level"],
                kind=data["kind"],
                parent=data["parent"],
                founded_on=data["founded_on"],
                short_name=data["short_name"],
                superior_name=data["superior_name"],
                code=data["code"] or None,
                user=request.user,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
            return
        current = Organization.objects.get(pk=obj.pk)
        services.organization_update(
            organization=current,
            name=data["name"],
            short_name=data["short_name"],
            kind=data["kind"],
            superior_name=data["superior_name"],
            code=data["code"] or None,
            user=request.user,
        )
        place_name = data["place_name"].strip()
        if place_name != current.place_name:
            audit_record(
                action="organization.update",
                organization=current,
                user=request.user,
                obj=current,
                summary=f"Sửa địa danh trên văn bản của “{current.name}”.",
                changes={"place_name": (current.place_name, place_name)},
            )
            current.place_name = place_name
            current.save(update_fields=["place_name", "updated_at"])
        obj.refresh_from_db()

    def has_delete_permission(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> bool:
        # An organisation is dissolved or merged in the app, never deleted: its
        # members, results and documents stay counted where they were.
        return False


# --- members and their history: written by the app only -------------------------------


class MemberEventInline(ViewOnlyInlineMixin, admin.TabularInline):
    model = MemberEvent
    fk_name = "member"
    fields = [
        "kind",
        "occurred_on",
        "organization",
        "target_organization",
        "created_by",
        "note",
    ]


class MemberPlacementInline(ViewOnlyInlineMixin, admin.TabularInline):
    model = MemberPlacement
    fields = ["organization", "valid_from", "valid_to"]


@admin.register(Member)
class MemberAdmin(ViewOnlyAdmin):
    list_display = [
        "full_name",
        "sex",
        "date_of_birth",
        "organization",
        "admitted_on",
        "full_member_on",
        "left_on",
    ]
    list_filter = ["sex", "ethnicity"]
    search_fields = ["full_name", "search_name", "party_card_number"]
    list_select_related = ["organization"]
    exclude = ["search_name", "sort_key"]
    inlines = [MemberPlacementInline, MemberEventInline]


@admin.register(MemberEvent)
class MemberEventAdmin(ViewOnlyAdmin):
    list_display = ["member", "kind", "occurred_on", "organization"]
    list_filter = ["kind"]
    date_hierarchy = "occurred_on"
    search_fields = ["member__full_name", "member__search_name"]
    list_select_related = ["member", "organization"]


@admin.register(OrganizationRating)
class OrganizationRatingAdmin(ViewOnlyAdmin):
    list_display = ["organization", "year", "grade"]
    list_filter = ["year", "grade"]
    list_select_related = ["organization"]


@admin.register(MemberRating)
class MemberRatingAdmin(ViewOnlyAdmin):
    list_display = ["member", "organization", "year", "grade"]
    list_filter = ["year", "grade"]
    list_select_related = ["member", "organization"]


class HandoverItemInline(ViewOnlyInlineMixin, admin.TabularInline):
    model = HandoverItem
    fields = ["organization", "old_parent", "new_parent", "member_count"]


@admin.register(Handover)
class HandoverAdmin(ViewOnlyAdmin):
    # A handover is made through its service (it moves whole subtrees).
    list_display = ["source", "effective_on", "decision", "created_by"]
    inlines = [HandoverItemInline]


# --- role assignments: made here, recorded --------------------------------------------


def _role_fields(assignment: RoleAssignment) -> dict[str, object]:
    return {
        "user": assignment.user.get_username(),
        "role": assignment.get_role_display(),
        "scope": assignment.organization.name,
    }


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["organization"]

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: forms.Form, change: bool
    ) -> None:
        before = (
            _role_fields(
                RoleAssignment.objects.select_related("user", "organization").get(
                    pk=obj.pk
                )
            )
            if change
            else {}
        )
        obj.save()
        after = _role_fields(obj)
        changes = audit_diff(before, after)
        if not changes:
            return
        audit_record(
            action="role.update" if change else "role.grant",
            organization=obj.organization,
            user=request.user,
            obj=obj,
            summary=(
                f"{'Sửa phân quyền' if change else 'Phân quyền'}: “{after['user']}” là "
                f"{after['role']} tại “{after['scope']}”."
            ),
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        before = _role_fields(obj)
        audit_record(
            action="role.revoke",
            organization=obj.organization,
            user=request.user,
            obj=obj,
            summary=(
                f"Thu hồi quyền {before['role']} của “{before['user']}” "
                f"tại “{before['scope']}”."
            ),
            changes=audit_diff(before, dict.fromkeys(before)),
        )
        obj.delete()

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[RoleAssignment]
    ) -> None:
        for assignment in queryset.select_related("user", "organization"):
            self.delete_model(request, assignment)
