"""The default levels of the tree. They are data: a deployment may rename them."""

from __future__ import annotations

from typing import Any

LEVELS = [
    # code, name, order, is_grassroots, holds_members
    ("upper", "Đảng bộ cấp trên cơ sở", 10, False, False),
    ("grassroots_committee", "Đảng bộ cơ sở", 20, True, False),
    ("grassroots_cell", "Chi bộ cơ sở", 21, True, True),
    ("sub_committee", "Đảng bộ bộ phận", 30, False, False),
    ("cell", "Chi bộ trực thuộc", 40, False, True),
]


def ensure_default_levels(level_model: Any) -> None:
    """Create the default levels that are missing (idempotent)."""
    for code, name, order, grassroots, holds in LEVELS:
        level_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "is_grassroots": grassroots,
                "holds_members": holds,
            },
        )
