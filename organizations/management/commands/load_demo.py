"""`python manage.py load_demo`: the demo deployment (see organizations.demo)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from organizations.demo import demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu dùng thử (một lần; lần sau báo đã có và không tạo thêm)."

    def handle(self, *args: object, **options: object) -> None:
        summary = demo_load(stdout=self.stdout)
        style = self.style.SUCCESS if summary.created else self.style.WARNING
        self.stdout.write(style(summary.describe()))
