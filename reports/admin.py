"""Documents in the admin: shown, never written.

Drafts are edited, issued and corrected in the app (versions, checks, audit
trail); an issued document, its number and its stored PDF never change and are
never deleted.
"""

from __future__ import annotations

from django.contrib import admin

from partyreports.admin_site import ViewOnlyAdmin, ViewOnlyInlineMixin
from reports.models import Document, NumberCounter, Rendering, Section


class SectionInline(ViewOnlyInlineMixin, admin.StackedInline):
    model = Section
    fields = ["parent", "kind", "order", "heading", "numbered", "body"]


@admin.register(Document)
class DocumentAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "organization", "doc_type", "status", "dated"]
    list_filter = ["doc_type", "status"]
    search_fields = ["abstract", "organization__name"]
    list_select_related = ["organization"]
    inlines = [SectionInline]


@admin.register(NumberCounter)
class NumberCounterAdmin(ViewOnlyAdmin):
    # Changing a counter would give two documents one number.
    list_display = ["organization", "symbol", "term_label", "last_number"]


@admin.register(Rendering)
class RenderingAdmin(ViewOnlyAdmin):
    list_display = [
        "document",
        "fmt",
        "for_issue",
        "status",
        "created_at",
        "finished_at",
    ]
    list_filter = ["fmt", "status"]
    list_select_related = ["document"]
