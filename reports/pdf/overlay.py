"""Laying the pages of one PDF over pages of another (pikepdf, on qpdf).

The appendices are printed apart, without page numbers; the PDF of the body
ends with as many blank pages that carry the numbers (and the outline entries
of the appendix pages), and each appendix page is laid over one of them,
whole, as a form XObject: its content stream is kept as it is, and the
objects it uses (the embedded font subsets) are copied once, shared by all
the pages. The appendix pages' link annotations (a footnote call to its note
on the same page) do not come over.
"""

from __future__ import annotations

import io

# The laid-over page's name in the page's /XObject resources, numbered: pages
# may share one resource dictionary (WeasyPrint's do). WeasyPrint names its own
# resources differently.
PART_NAME = "/PartyReportsPart{index}"


def lay_over(under: bytes, over: bytes, start: int) -> bytes:
    """`under` with page i of `over` laid over its page start + i. The same
    PDFs give the same bytes (the file identifier is made from the content)."""
    import pikepdf

    with (
        pikepdf.open(io.BytesIO(under)) as target,
        pikepdf.open(io.BytesIO(over)) as source,
    ):
        if start + len(source.pages) > len(target.pages):
            raise ValueError(
                f"{len(source.pages)} pages to lay over pages {start + 1}… of a "
                f"{len(target.pages)}-page PDF"
            )
        for index, page in enumerate(source.pages):
            name = pikepdf.Name(PART_NAME.format(index=index + 1))
            base = target.pages[start + index]
            form = page.as_form_xobject()
            base.add_resource(form, pikepdf.Name.XObject, name=name)
            placed = base.calc_form_xobject_placement(
                form,
                name,
                pikepdf.Rectangle(base.trimbox),
                allow_shrink=False,
                allow_expand=False,
            )
            base.contents_add(b"q\n", prepend=True)
            base.contents_add(b"Q\n" + placed)
            base.contents_coalesce()
        buffer = io.BytesIO()
        target.save(buffer, deterministic_id=True)
    return buffer.getvalue()
