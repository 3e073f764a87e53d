"""`python manage.py backup --out backup.tar.gz`: the database and the stored
files in one archive (partyreports.backup describes it)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partyreports.backup import BackupError, backup_create, format_counts


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và các tệp đã lưu (PDF đã ban hành, bản in) vào một tệp."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help="tệp .tar.gz sẽ ghi ra"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, **options: object) -> None:
        out = Path(str(options["out"]))
        try:
            summary = backup_create(out=out, using=str(options["database"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        for name in summary.missing_files:
            self.stderr.write(self.style.WARNING(f"Thiếu tệp (đã bỏ qua): {name}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu vào {summary.path}: {sum(summary.counts.values())} dòng, "
                f"{summary.files} tệp ({summary.file_bytes} byte)."
            )
        )
        if options["verbosity"] and int(str(options["verbosity"])) > 1:
            self.stdout.write(format_counts(summary.counts))
