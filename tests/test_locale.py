"""Vietnamese by default: language, time zone and number formats."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.template import Context, Template


def test_defaults_are_vietnamese():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_numbers_render_the_vietnamese_way_in_templates():
    rendered = Template("{{ a }} {{ b }} {% load vn %}{{ c|vn_percent:2 }} {{ a|vn_number }}").render(
        Context({"a": 20360, "b": Decimal("4.05"), "c": Decimal("17.5325")})
    )
    assert rendered == "20.360 4,05 17,53% 20.360"
