"""`python manage.py render_document <id> --out file.pdf [--format docx]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.models import Document
from reports.structure import build_layout


class Command(BaseCommand):
    help = "Ghi một văn bản ra tệp PDF hoặc Word (bản đã ban hành: đúng tệp đã lưu)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "document_id", help="id (số) hoặc public_id (uuid) của văn bản"
        )
        parser.add_argument("--out", required=True, help="tệp cần ghi")
        parser.add_argument("--format", choices=["pdf", "docx"], default="pdf")

    def handle(self, *args: object, **options: object) -> None:
        key = str(options["document_id"])
        lookup = {"pk": int(key)} if key.isdigit() else {"public_id": key}
        try:
            document = Document.objects.select_related("organization").get(**lookup)
        except (Document.DoesNotExist, ValueError) as exc:
            raise CommandError(f"Không có văn bản {key}.") from exc
        out = Path(str(options["out"]))
        if options["format"] == "docx":
            from reports.docx import render_docx

            content = render_docx(build_layout(document))
        elif not document.is_draft and document.pdf:
            with document.pdf.open("rb") as handle:
                content = handle.read()  # the issued file, byte for byte
        else:
            from reports.pdf import render_pdf

            result = render_pdf(build_layout(document))
            for problem in result.problems:
                self.stderr.write(f"Cảnh báo: {problem}")
            content = result.content
        out.write_bytes(content)
        self.stdout.write(f"{out} ({len(content)} bytes)")
