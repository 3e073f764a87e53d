from __future__ import annotations

from django.contrib import admin

from reports.models import Document, NumberCounter, Rendering, Section


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["parent", "kind", "order", "heading", "numbered", "body"]
    raw_id_fields = ["parent"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "doc_type", "status", "dated"]
    list_filter = ["doc_type", "status"]
    search_fields = ["abstract", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "corrects"]
    readonly_fields = ["status", "number", "term_label", "issued_at", "issued_by", "pdf", "pdf_sha256", "version"]
    inlines = [SectionInline]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        # An issued document never changes; a correction is a new document.
        return obj is None or obj.is_draft


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ["organization", "symbol", "term_label", "last_number"]
    readonly_fields = ["organization", "symbol", "term_label", "last_number"]


@admin.register(Rendering)
class RenderingAdmin(admin.ModelAdmin):
    list_display = ["document", "fmt", "for_issue", "status", "created_at", "finished_at"]
    list_filter = ["fmt", "status"]
    list_select_related = ["document"]
    readonly_fields = [f.name for f in Rendering._meta.fields]
