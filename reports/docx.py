"""Word copy with python-docx (being written)."""

from __future__ import annotations

from reports.structure import Layout


def render_docx(layout: Layout) -> bytes:
    raise NotImplementedError
