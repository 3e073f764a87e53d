from __future__ import annotations

from django import forms
from django.contrib import admin

from targets import calculations as calc
from targets.models import (
    Plan,
    ReminderLog,
    ReportingDeadline,
    Result,
    ResultChange,
    Sheet,
    SheetTransition,
    Target,
    TargetGroup,
)


class TargetGroupInline(admin.TabularInline):
    model = TargetGroup
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "start_year", "end_year", "resolution"]
    list_filter = ["start_year"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "source_plan"]
    inlines = [TargetGroupInline]


class TargetAdminForm(forms.ModelForm):
    """The admin checks a target as the plan's form does (kind, comparator, plan,
    source): a wrongly set-up target would show no verdict on its sheets."""

    class Meta:
        model = Target
        fields = "__all__"

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("kind") and data.get("comparator"):
            for problem in calc.spec_problems(
                data["kind"], data["comparator"], data.get("plan_value"),
                data.get("plan_high"), source=data.get("source"),
            ):
                self.add_error(None, problem)
        return data


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetAdminForm
    list_display = ["label", "plan", "group", "kind", "comparator", "plan_value", "unit", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["label", "wording"]
    list_select_related = ["plan", "group"]
    raw_id_fields = ["plan", "group", "parent", "derived_from"]


class SheetTransitionInline(admin.TabularInline):
    model = SheetTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "reason", "by", "at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Sheet)
class SheetAdmin(admin.ModelAdmin):
    # Figures and states change through the entry sheet and its workflow only.
    list_display = ["organization", "year", "quarter", "status", "updated_at"]
    list_filter = ["year", "quarter", "status"]
    search_fields = ["organization__name"]
    list_select_related = ["organization"]
    readonly_fields = ["organization", "plan", "year", "quarter", "status", "version", "return_reason", "submitted_at", "updated_by"]
    inlines = [SheetTransitionInline]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["target", "sheet", "value", "numerator", "denominator", "entered_by", "entered_at"]
    list_select_related = ["target", "sheet__organization", "entered_by"]
    readonly_fields = ["sheet", "target", "value", "numerator", "denominator", "note", "entered_by", "entered_at"]


@admin.register(ResultChange)
class ResultChangeAdmin(admin.ModelAdmin):
    list_display = ["result", "changed_by", "changed_at", "old_value", "new_value", "via"]
    list_select_related = ["result__target", "result__sheet__organization", "changed_by"]
    readonly_fields = [f.name for f in ResultChange._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "quarter", "due_on"]
    list_filter = ["year", "quarter"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "quarter", "sent_on"]
    list_select_related = ["organization"]
    readonly_fields = [f.name for f in ReminderLog._meta.fields]
