"""`python manage.py list_documents`: ids, types, organisations and numbers."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.models import Document


class Command(BaseCommand):
    help = "Liệt kê văn bản: id, loại, tổ chức, số và ký hiệu, trạng thái."

    def handle(self, *args: object, **options: object) -> None:
        rows = Document.objects.select_related("organization").order_by("id")
        self.stdout.write("id\tloại\ttổ chức\tsố, ký hiệu\ttrạng thái\tngày\tpublic_id")
        for d in rows:
            number = d.number_and_symbol if d.number is not None else "-"
            self.stdout.write(
                f"{d.pk}\t{d.doc_type}\t{d.organization.name}\t{number}\t{d.status}\t"
                f"{d.dated:%d/%m/%Y}\t{d.public_id}"
            )
