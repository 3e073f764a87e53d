"""Template filters that call the one Vietnamese formatting module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from partyreports import formatting

register = template.Library()


@register.filter
def vn_number(value: Decimal | int | float | None, places: int = 0) -> str:
    if value is None or value == "":
        return ""
    return formatting.format_number(Decimal(str(value)), int(places))


@register.filter
def vn_plain(value: Decimal | int | None) -> str:
    return formatting.format_plain(value) if value is not None and value != "" else ""


@register.filter
def vn_percent(value: Decimal | int | float | None, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return formatting.format_percent(Decimal(str(value)), int(places))


@register.filter
def vn_date(value: dt.date | None) -> str:
    return formatting.format_date(value) if value else ""


@register.filter
def pad2(value: int) -> str:
    return formatting.pad2(int(value))


# Tree indentation is a CSS class (static/css/app.css), not a style="…" attribute,
# which the Content-Security-Policy forbids. Deeper levels share the last class.
MAX_INDENT = 8


def _level(depth: int, base: int) -> int:
    return min(max(int(depth) - int(base), 0), MAX_INDENT)


@register.filter
def indent(depth: int, base: int = 1) -> str:
    """Class that indents a tree's table cell by its depth below ``base``:
    ``indent-0`` … ``indent-8`` (left padding 0.25rem + 1.25rem a level)."""
    return f"indent-{_level(depth, base)}"


@register.filter
def nest(depth: int, base: int = 0) -> str:
    """Class that shifts a nested block right by its depth below ``base``:
    ``nest-0`` … ``nest-8`` (left margin 1rem a level)."""
    return f"nest-{_level(depth, base)}"


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """``{{ mapping|get_item:key }}`` for dicts keyed by ids or field names."""
    if not mapping:
        return None
    return mapping.get(key)
