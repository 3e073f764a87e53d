from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _default_levels(sender: AppConfig, **kwargs: object) -> None:
    # Also runs after a test database flush, which empties the migration's rows.
    from organizations.levels import ensure_default_levels
    from organizations.models import OrganizationLevel

    ensure_default_levels(OrganizationLevel)


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Tổ chức đảng và đảng viên"

    def ready(self) -> None:
        post_migrate.connect(_default_levels, sender=self)
