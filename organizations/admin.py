from __future__ import annotations

from django.contrib import admin

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


@admin.register(OrganizationLevel)
class OrganizationLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_grassroots", "holds_members"]


class OrganizationPlacementInline(admin.TabularInline):
    model = OrganizationPlacement
    fk_name = "organization"
    extra = 0
    readonly_fields = ["parent", "path", "depth", "valid_from", "valid_to"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        # Placements change only through the move/handover services.
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "level", "kind", "parent", "founded_on", "dissolved_on"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["level", "parent"]
    readonly_fields = ["parent", "path", "depth", "founded_on", "dissolved_on", "merged_into"]
    inlines = [OrganizationPlacementInline]
    raw_id_fields = ["merged_into"]


class MemberEventInline(admin.TabularInline):
    model = MemberEvent
    fk_name = "member"
    extra = 0
    readonly_fields = ["kind", "occurred_on", "organization", "target_organization", "created_by"]
    fields = readonly_fields + ["note"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


class MemberPlacementInline(admin.TabularInline):
    model = MemberPlacement
    extra = 0
    readonly_fields = ["organization", "valid_from", "valid_to"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "sex", "date_of_birth", "organization", "admitted_on", "full_member_on", "left_on"]
    list_filter = ["sex", "ethnicity"]
    search_fields = ["full_name", "search_name", "party_card_number"]
    list_select_related = ["organization"]
    readonly_fields = ["organization", "admitted_on", "full_member_on", "left_on"]
    exclude = ["search_name", "sort_key"]
    inlines = [MemberPlacementInline, MemberEventInline]


@admin.register(MemberEvent)
class MemberEventAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "occurred_on", "organization"]
    list_filter = ["kind"]
    date_hierarchy = "occurred_on"
    search_fields = ["member__full_name", "member__search_name"]
    list_select_related = ["member", "organization"]
    raw_id_fields = ["member", "organization", "target_organization"]


@admin.register(OrganizationRating)
class OrganizationRatingAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "grade"]
    list_filter = ["year", "grade"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


@admin.register(MemberRating)
class MemberRatingAdmin(admin.ModelAdmin):
    list_display = ["member", "organization", "year", "grade"]
    list_filter = ["year", "grade"]
    list_select_related = ["member", "organization"]
    raw_id_fields = ["member", "organization"]


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    extra = 0
    readonly_fields = ["organization", "old_parent", "new_parent", "member_count"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["source", "effective_on", "decision", "created_by"]
    readonly_fields = ["source", "effective_on", "created_by"]
    inlines = [HandoverItemInline]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        # A handover is made through its service (it moves whole subtrees).
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["organization"]
