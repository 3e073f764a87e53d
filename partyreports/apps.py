from __future__ import annotations

from django.apps import AppConfig


class PartyReportsConfig(AppConfig):
    name = "partyreports"
    verbose_name = "PartyReports"
