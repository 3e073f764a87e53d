"""Plans, targets, sheets and results in the admin: shown, never written.

Targets are keyed in and given down through the plan pages, figures through
the entry sheet and its workflow; those services check the rules and record
the audit trail, which an admin form would bypass. Results, sheets and their
history are never deleted.
"""

from __future__ import annotations

from django.contrib import admin

from partyreports.admin_site import ViewOnlyAdmin, ViewOnlyInlineMixin
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


class TargetGroupInline(ViewOnlyInlineMixin, admin.TabularInline):
    model = TargetGroup
    fields = ["order", "name"]


@admin.register(Plan)
class PlanAdmin(ViewOnlyAdmin):
    list_display = ["title", "organization", "start_year", "end_year", "resolution"]
    list_filter = ["start_year"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization"]
    inlines = [TargetGroupInline]


@admin.register(Target)
class TargetAdmin(ViewOnlyAdmin):
    list_display = [
        "label",
        "plan",
        "group",
        "kind",
        "comparator",
        "plan_value",
        "unit",
        "source",
    ]
    list_filter = ["kind", "source"]
    search_fields = ["label", "wording"]
    list_select_related = ["plan", "group"]


class SheetTransitionInline(ViewOnlyInlineMixin, admin.TabularInline):
    model = SheetTransition
    fields = ["from_status", "to_status", "reason", "by", "at"]


@admin.register(Sheet)
class SheetAdmin(ViewOnlyAdmin):
    list_display = ["organization", "year", "quarter", "status", "updated_at"]
    list_filter = ["year", "quarter", "status"]
    search_fields = ["organization__name"]
    list_select_related = ["organization"]
    inlines = [SheetTransitionInline]


@admin.register(Result)
class ResultAdmin(ViewOnlyAdmin):
    list_display = [
        "target",
        "sheet",
        "value",
        "numerator",
        "denominator",
        "entered_by",
        "entered_at",
    ]
    list_select_related = ["target", "sheet__organization", "entered_by"]


@admin.register(ResultChange)
class ResultChangeAdmin(ViewOnlyAdmin):
    list_display = [
        "result",
        "changed_by",
        "changed_at",
        "old_value",
        "new_value",
        "via",
    ]
    list_select_related = [
        "result__target",
        "result__sheet__organization",
        "changed_by",
    ]


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(ViewOnlyAdmin):
    # Set on the committee's deadlines page (recorded in the audit trail).
    list_display = ["organization", "year", "quarter", "due_on"]
    list_filter = ["year", "quarter"]
    list_select_related = ["organization"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ViewOnlyAdmin):
    list_display = ["organization", "year", "quarter", "sent_on"]
    list_select_related = ["organization"]
