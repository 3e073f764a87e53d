"""`python manage.py load_demo`: the demo deployment (organizations.demo, then
targets.demo for the plans and quarterly results)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from organizations.demo import demo_load
from organizations.models import Organization
from partyreports.formatting import format_number
from targets import rollups
from targets.demo import demo_targets_load
from targets.demo_term import demo_term_load

#: How the summary names what targets.demo and targets.demo_term count.
ADDED_LABELS = {
    "plans": "kế hoạch",
    "targets": "chỉ tiêu",
    "sheets": "báo cáo quý",
    "results": "kết quả",
}


class Command(BaseCommand):
    help = "Nạp dữ liệu dùng thử (một lần; lần sau báo đã có và không tạo thêm)."

    def handle(self, *args: object, **options: object) -> None:
        summary = demo_load(stdout=self.stdout)
        style = self.style.SUCCESS if summary.created else self.style.WARNING
        self.stdout.write(style(summary.describe()))
        bloc = Organization.objects.get(code="DEMO-KHOI")
        so = Organization.objects.get(code="DEMO-LDTBXH")
        added = demo_targets_load(bloc=bloc, so=so)
        term_added = demo_term_load(bloc=bloc)
        if any(added.values()) or any(term_added.values()):
            # The dashboard reads precomputed roll-ups: build them once now (beat
            # rebuilds them nightly, approvals update them as they happen).
            for year in (2023, 2024):
                rollups.rollup_rebuild(root=bloc, year=year)
            self.stdout.write(
                self.style.SUCCESS(
                    "Đã nạp chỉ tiêu và kết quả: "
                    + ", ".join(
                        f"{format_number(n)} {ADDED_LABELS.get(what, what)}"
                        for what, n in added.items()
                    )
                )
            )
