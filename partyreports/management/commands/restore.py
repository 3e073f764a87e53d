"""`python manage.py restore backup.tar.gz`: an archive of `backup` into an
empty instance (partyreports.backup describes the checks)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partyreports.backup import (
    BackupError,
    backup_restore,
    created_at_display,
    format_counts,
)


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu vào hệ thống trống: kiểm tra SHA-256, migrate "
        "nếu cần, nạp dữ liệu trong một giao dịch, ghi lại các tệp."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="tệp .tar.gz do `backup` ghi")
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, **options: object) -> None:
        archive = Path(str(options["archive"]))
        try:
            summary = backup_restore(archive=archive, using=str(options["database"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục bản sao lưu lúc {created_at_display(summary.created_at)}"
                f": {sum(summary.counts.values())} dòng, "
                f"{summary.files_written} tệp ghi mới, "
                f"{summary.files_present} tệp đã có sẵn"
                + (" (đã migrate)" if summary.migrated else "")
                + "."
            )
        )
        self.stdout.write(format_counts(summary.counts))
