"""Vietnamese by default: language, time zone and number formats."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.template import Context, Template


def test_defaults_are_vietnamese():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_numbers_render_the_vietnamese_way_in_templates():
    rendered = Template(
        "{{ a }} {{ b }} {% load vn %}{{ c|vn_percent:2 }} {{ a|vn_number }}"
    ).render(Context({"a": 20360, "b": Decimal("4.05"), "c": Decimal("17.5325")}))
    assert rendered == "20.360 4,05 17,53% 20.360"


def test_pages_never_localize_raw_ids_and_years():
    """{{ 2023 }} must not become "2.023" in a page: only the vn filters format."""
    from django.template.loader import render_to_string

    html = render_to_string("targets/_partials/preview.html", {"view": None})
    assert "2.023" not in html
    page = Template(
        '{% extends "base.html" %}{% block content %}[{{ n }}]{% endblock %}'
    ).render(Context({"n": 2023}))
    assert "[2023]" in page
