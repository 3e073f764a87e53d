"""The Word copy: a real quarterly report rendered with python-docx and read back."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from decimal import Decimal

import pytest
from docx import Document as open_docx
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table as WordTable

from reports import blocks, services
from reports.docx import DRAFT_MARK, render_docx
from reports.models import Document, DocumentStatus, Secrecy
from reports.structure import build_layout
from targets import services as target_services

pytestmark = pytest.mark.django_db

FOOTNOTE = (
    "Kế hoạch số 12-KH/ĐU, ngày 04/5/2023 của Ban Thường vụ Đảng ủy "
    "về học tập Chuyên đề năm 2023."
)


@pytest.fixture
def report(world, plan_world) -> Document:  # noqa: ANN001
    """The Sở's Q3/2023 report, pre-filled, with results, a footnote and a signer."""
    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        user=None,
        entries={
            plan_world.jobs.id: target_services.Entry(value=Decimal(20360)),
            plan_world.trained.id: target_services.Entry(value=Decimal("68.9")),
        },
    )
    document = services.document_create(
        organization=world.grassroots_a,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=dt.date(2023, 10, 6),
    )
    section = document.sections.get(heading="Công tác chính trị, tư tưởng")
    section.body = (
        "Ban Chấp hành đã lãnh đạo học tập Chuyên đề năm 2023"
        f"[^{FOOTNOTE}] trong toàn Đảng bộ.\n"
        "- Mở 02 lớp bồi dưỡng lý luận chính trị\n"
        "+ Cho đảng viên mới\n"
        "* Về nhiệm vụ"
    )
    section.save()
    document.signer_name = "Trần Chí Viễn"
    document.save()
    return document


def _issue_directly(document: Document, number: int = 170) -> Document:
    """Freeze the text and number it the way document_issue does, without the PDF."""
    ctx = blocks.BlockContext(document)
    for section in document.sections.all():
        section.frozen_body, _ = blocks.expand(section.body, ctx)
        section.save(update_fields=["frozen_body"])
    document.status, document.number, document.term_label = (
        DocumentStatus.ISSUED,
        number,
        "2020-2025",
    )
    document.save()
    return document


def _render(document: Document) -> bytes:
    return render_docx(build_layout(document))


def _open(data: bytes) -> WordDocument:
    return open_docx(io.BytesIO(data))


def _text(element) -> str:  # noqa: ANN001
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _body_lines(doc: WordDocument) -> list[str]:
    """Every paragraph of the body, tables included, in order."""
    return [_text(p) for p in doc.element.body.iter(qn("w:p"))]


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode()


def _table_with(doc: WordDocument, text: str) -> WordTable:
    return next(t for t in doc.tables if text in _text(t._tbl))


def _borders_are_nil(table: WordTable) -> bool:
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    return borders is not None and {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_it_renders_the_quarterly_report_with_its_data_and_signature(report):
    data = _render(report)
    doc = _open(data)
    lines = _body_lines(doc)
    text = "\n".join(lines)
    assert "BÁO CÁO" in lines
    assert (
        "Tình hình thực hiện nhiệm vụ quý III và chương trình chỉ đạo quý IV/2023"
        in lines
    )
    assert (
        "ĐẢNG CỘNG SẢN VIỆT NAM" in lines
        and "ĐẢNG ỦY SỞ A" in lines
        and "ĐẢNG BỘ KHỐI A" in lines
    )
    assert any(line.startswith("Số ") and line.endswith("-BC/ĐU") for line in lines)
    assert any(line.endswith("ngày 06 tháng 10 năm 2023") for line in lines)
    # Sentences the data blocks wrote out.
    assert "hiện có 02 chi bộ" in text
    assert "Giải quyết việc làm: quý này 20.360 người" in text and "110,1%" in text
    assert "I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ QUÝ III/2023" in lines
    assert (
        "- Mở 02 lớp bồi dưỡng lý luận chính trị" in lines
        and "+ Cho đảng viên mới" in lines
    )
    # The footnote text is in the footnotes part, not in the body.
    assert FOOTNOTE in _part(data, "word/footnotes.xml") and FOOTNOTE not in text
    assert (
        "T/M BAN CHẤP HÀNH" in lines and "BÍ THƯ" in lines and "Trần Chí Viễn" in lines
    )
    assert "Nơi nhận:" in lines
    for recipient in report.recipient_lines:
        assert recipient in lines
    # Appendix table after the signature.
    assert lines.index("Nơi nhận:") < lines.index("STT")


def test_it_lays_out_the_header_as_two_borderless_columns(report):
    doc = _open(_render(report))
    header = doc.tables[0]
    assert len(header.columns) == 2 and _borders_are_nil(header)
    assert len(header.rows) == 1
    left, right = header.cell(0, 0), header.cell(0, 1)
    assert [p.text for p in left.paragraphs][:3] == [
        "ĐẢNG BỘ KHỐI A",
        "ĐẢNG ỦY SỞ A",
        "*",
    ]
    assert left.paragraphs[1].runs[0].bold and not left.paragraphs[0].runs[0].bold
    assert left.paragraphs[3].text.endswith("-BC/ĐU")
    party = right.paragraphs[0]
    assert (
        party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
        and party.runs[0].bold
        and party.runs[0].font.size.pt == 15
    )
    rule = party._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:val")) == "single"
    # As in the PDF: the date right under the Party's name and its rule, not on
    # the number's line.
    date = right.paragraphs[1]
    assert date.text.endswith("ngày 06 tháng 10 năm 2023") and date.runs[0].italic


def test_it_puts_the_secrecy_mark_under_the_number(report):
    report.secrecy = Secrecy.SECRET
    report.save()
    cell = _open(_render(report)).tables[0].cell(0, 0)
    texts = [p.text for p in cell.paragraphs]
    assert texts[texts.index(next(t for t in texts if t.startswith("Số"))) + 1] == "MẬT"
    assert cell.paragraphs[texts.index("MẬT")].runs[0].bold


def test_it_styles_title_headings_and_body_after_the_format(report):
    doc = _open(_render(report))
    paragraphs = doc.paragraphs
    title = next(p for p in paragraphs if p.text == "BÁO CÁO")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].bold
    index = paragraphs.index(title)
    assert paragraphs[index + 1].runs[0].bold and paragraphs[index + 2].text == "-----"

    by_text = {p.text: p for p in paragraphs}
    assert (
        by_text["I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ QUÝ III/2023"].style.name
        == "Heading 1"
    )
    assert by_text["1. Lãnh đạo thực hiện nhiệm vụ chính trị"].style.name == "Heading 2"
    styles = doc.styles
    assert styles["Heading 1"].font.bold and not styles["Heading 1"].font.italic
    assert styles["Heading 2"].font.bold
    assert styles["Heading 3"].font.bold and styles["Heading 3"].font.italic
    for level in (1, 2, 3):
        assert styles[f"Heading {level}"].font.size.pt == 14
        assert (
            styles[f"Heading {level}"].font.color.rgb is None
        )  # black, not the template's blue

    body = next(p for p in paragraphs if p.text.startswith("Ban Chấp hành đã lãnh đạo"))
    body_format = body.style.paragraph_format
    assert body_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert (
        round(body_format.first_line_indent.mm) == 10
        and body_format.space_after.pt == 6
    )
    assert all(run.bold for run in by_text["* Về nhiệm vụ"].runs)


def test_it_makes_real_word_footnotes(report):
    data = _render(report)
    layout = build_layout(report)
    doc = _open(data)  # python-docx opens it
    calls = list(doc.element.body.iter(qn("w:footnoteReference")))
    assert (
        [c.get(qn("w:id")) for c in calls]
        == [str(n.number) for n in layout.footnotes]
        == ["1"]
    )
    paragraph = calls[0].getparent().getparent()
    assert _text(paragraph).startswith(
        "Ban Chấp hành đã lãnh đạo học tập Chuyên đề năm 2023"
    )
    assert (
        calls[0].getparent().find(qn("w:rPr")).find(qn("w:rStyle")).get(qn("w:val"))
        == "FootnoteReference"
    )

    footnotes = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
    )
    assert footnotes.partname == "/word/footnotes.xml"
    xml = _part(data, "word/footnotes.xml")
    assert (
        'w:type="separator" w:id="-1"' in xml
        and 'w:type="continuationSeparator" w:id="0"' in xml
    )
    assert (
        'w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/>' in xml
        and FOOTNOTE in xml
    )
    assert "wordprocessingml.footnotes+xml" in _part(data, "[Content_Types].xml")
    assert '<w:footnote w:id="-1"/><w:footnote w:id="0"/>' in _part(
        data, "word/settings.xml"
    )
    assert {"FootnoteText", "FootnoteReference"} <= {s.style_id for s in doc.styles}


def test_it_marks_the_table_header_row_to_repeat(report):
    doc = _open(_render(report))
    table = _table_with(doc, "Đánh giá")
    assert table.style.name == "Table Grid"
    first, *others = table.rows
    assert [c.text for c in first.cells][:2] == ["STT", "Chỉ tiêu"]
    assert first._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in others)
    assert any(
        "Giải quyết việc làm" in row.cells[1].text and row.cells[4].text == "20.360"
        for row in others
    )
    appendix = next(p for p in doc.paragraphs if p.text.startswith("Phụ lục 1"))
    assert (
        appendix.paragraph_format.page_break_before
        and "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU" in appendix.text
    )


def test_it_ends_with_the_signature_and_recipients_side_by_side(report):
    doc = _open(_render(report))
    table = _table_with(doc, "Nơi nhận:")
    assert _borders_are_nil(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    assert (
        left.paragraphs[0].text == "Nơi nhận:" and left.paragraphs[0].runs[0].underline
    )
    assert [p.text for p in left.paragraphs[1:]] == report.recipient_lines
    assert left.paragraphs[-1].runs[0].font.size.pt == 12
    texts = [p.text for p in right.paragraphs]
    assert texts[:2] == ["T/M BAN CHẤP HÀNH", "BÍ THƯ"] and texts[-1] == "Trần Chí Viễn"
    assert right.paragraphs[0].runs[0].bold and not right.paragraphs[1].runs[0].bold
    assert right.paragraphs[-1].runs[0].bold


def test_a_draft_carries_the_mark_on_every_page(report):
    doc = _open(_render(report))
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert DRAFT_MARK in section.first_page_header.paragraphs[0].text
    assert DRAFT_MARK in section.header.paragraphs[0].text
    # Page numbers from page 2: a PAGE field in the running header only.
    assert "PAGE" in _text_of_instr(section.header._element)
    assert "PAGE" not in _text_of_instr(section.first_page_header._element)


def _text_of_instr(element) -> str:  # noqa: ANN001
    return "".join(t.text or "" for t in element.iter(qn("w:instrText")))


def test_an_issued_document_has_its_number_and_no_draft_mark(report):
    data = _render(_issue_directly(report))
    doc = _open(data)
    lines = _body_lines(doc)
    assert "Số 170-BC/ĐU" in lines
    assert "hiện có 02 chi bộ" in "\n".join(lines)  # the frozen text
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                assert DRAFT_MARK not in package.read(name).decode(), name
    assert "PAGE" in _text_of_instr(doc.sections[0].header._element)


def test_it_uses_a4_the_margins_and_a_times_metric_font_from_settings(report, settings):
    doc = _open(_render(report))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    layout = settings.DOCUMENT_LAYOUT
    assert round(section.top_margin.mm) == layout["margin_top_mm"]
    assert round(section.bottom_margin.mm) == layout["margin_bottom_mm"]
    assert round(section.left_margin.mm) == layout["margin_left_mm"]
    assert round(section.right_margin.mm) == layout["margin_right_mm"]
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    # Liberation Serif stands in for Times New Roman on Linux; Word has the real one.
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    assert fonts.get(qn("w:asciiTheme")) is None
    size = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    assert int(size.get(qn("w:val"))) == 2 * layout["font_size_pt"]

    settings.DOCUMENT_LAYOUT = {
        **layout,
        "font_family": "Noto Serif",
        "margin_left_mm": 35,
    }
    doc = _open(_render(report))
    assert round(doc.sections[0].left_margin.mm) == 35
    # Every style, for every script, and no theme font left to override it.
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        assert set(fonts.attrib.values()) == {"Noto Serif"}


def test_it_writes_nfc_text(report):
    layout = build_layout(report)
    layout.signer_name = unicodedata.normalize("NFD", "Trần Chí Viễn")
    layout.abstract = unicodedata.normalize("NFD", layout.abstract)
    lines = _body_lines(_open(render_docx(layout)))
    assert "Trần Chí Viễn" in lines
    assert (
        "Tình hình thực hiện nhiệm vụ quý III và chương trình chỉ đạo quý IV/2023"
        in lines
    )
    assert all(unicodedata.is_normalized("NFC", line) for line in lines)


def test_header_names_break_where_the_pdf_breaks_them(report):
    """A long issuing body: balanced lines (no "CƠ / QUAN"), or where the office
    put "|"; the same lines in the PDF and in Word; headings never justified."""
    import io

    import pdfplumber

    from reports import pdf
    from reports.structure import build_layout

    report.issuer_name = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh"
    report.save()
    layout = build_layout(report)
    assert layout.issuer_lines == ["ĐẢNG ỦY KHỐI CÁC CƠ QUAN", "VÀ DOANH NGHIỆP TỈNH"]
    cell = _open(_render(report)).tables[0].cell(0, 0)
    assert cell.paragraphs[1].text == "ĐẢNG ỦY KHỐI CÁC CƠ QUAN\nVÀ DOANH NGHIỆP TỈNH"
    with pdfplumber.open(io.BytesIO(pdf.render_pdf(layout).content)) as printed:
        lines = (printed.pages[0].extract_text() or "").splitlines()
    assert any(line.startswith("ĐẢNG ỦY KHỐI CÁC CƠ QUAN") for line in lines), lines
    assert any(line.startswith("VÀ DOANH NGHIỆP TỈNH") for line in lines), lines

    report.issuer_name = "ĐẢNG ỦY KHỐI|CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH"
    report.save()
    layout = build_layout(report)
    assert layout.issuer_lines == ["ĐẢNG ỦY KHỐI", "CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH"]
    assert layout.issuer_name == "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH"
    headings = [
        p
        for p in _open(_render(report)).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings and all(
        (p.alignment or p.style.paragraph_format.alignment)
        != WD_ALIGN_PARAGRAPH.JUSTIFY
        for p in headings
    )


def test_a_part_prints_over_its_own_numbered_sections(report):
    """Seed 004's "Phần thứ nhất" over its title, centred; its sections
    numbered I., II. afresh — in Word as in the PDF."""
    tops = report.sections.filter(parent__isnull=True, kind="body")
    first = tops.order_by("order").first()
    first.is_part = True
    first.save()
    paragraphs = _open(_render(report)).paragraphs
    part = next(p for p in paragraphs if p.text.startswith("Phần thứ nhất"))
    assert part.text == "Phần thứ nhất\nTÌNH HÌNH THỰC HIỆN NHIỆM VỤ QUÝ III/2023"
    assert part.alignment == WD_ALIGN_PARAGRAPH.CENTER
    after = [p.text for p in paragraphs[paragraphs.index(part) + 1 :]]
    assert any(t.startswith("I. LÃNH ĐẠO THỰC HIỆN NHIỆM VỤ CHÍNH TRỊ") for t in after)
