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


@register.filter
def indent(depth: int, base: int = 1) -> str:
    # 0.25rem keeps the top row in line with the table's own cell padding.
    return str(0.25 + max(int(depth) - int(base), 0) * 1.25)


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """``{{ mapping|get_item:key }}`` for dicts keyed by ids or field names."""
    if not mapping:
        return None
    return mapping.get(key)
