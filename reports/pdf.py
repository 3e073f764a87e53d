"""PDF rendering with WeasyPrint (being written: see the brief in the lead's notes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.structure import Layout


@dataclass
class PdfResult:
    content: bytes
    pages: int
    problems: list[str] = field(default_factory=list)


def render_pdf(layout: Layout) -> PdfResult:
    raise NotImplementedError
