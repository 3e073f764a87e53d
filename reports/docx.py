"""Word copy of a document with python-docx, for the office's last edits.

It renders the same `Layout` as the PDF (reports/structure.py), laid out after
format.md: A4 with the margins of settings.DOCUMENT_LAYOUT, a borderless header
table, numbered headings in Word's own "Heading 1–4" styles (so the navigation
pane works), real Word footnotes, a repeating header row on tables, the
signature and "Nơi nhận" as a borderless table, and "DỰ THẢO" in the page header
of every page while the document is a draft.

Font: the official face is Times New Roman; settings name a metric-compatible
stand-in (Liberation Serif, Tinos) only because WeasyPrint on Linux has no Times
New Roman. A .docx is edited in Word, where Times New Roman is always present
and a stand-in is not (LibreOffice maps the name back to Liberation Serif), so
the stand-ins are written as "Times New Roman"; any other family in settings is
written as is, and DOCUMENT_LAYOUT["docx_font_family"], if set, wins. The name
is set for every script (ascii, hAnsi, eastAsia, cs) in the document defaults and
in every style, with the theme fonts removed, so no run falls back to Calibri.

python-docx has no footnote API, so the footnotes part (word/footnotes.xml with
its separators, the "footnote text"/"footnote reference" styles and the
relationship from the document) is built here with oxml.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Length, Mm, Pt
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

from reports import metrics
from reports.structure import FootnoteRef, Layout, Paragraph, SectionNode, Table

DRAFT_MARK = "DỰ THẢO"
PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"
ABSTRACT_RULE = "-----"
#: Width of PARTY_NAME in bold Times New Roman (and its metric clones), in em,
#: measured with fontTools: the rule under it is drawn that wide.
PARTY_NAME_WIDTH_EM = 13.78
#: Word's default left and right cell margin (108 twips).
CELL_MARGIN = Mm(1.905)
FIRST_LINE_INDENT = Mm(10)
_TIMES_STAND_INS = {"times new roman", "liberation serif", "tinos", "times"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A figure (centred, never wrapped): "20.360", "-0,95%", "trên 95,0%", "300/năm".
_NUMERIC_CELL = re.compile(
    r"^(?:(?:trên|dưới|không quá|từ)\s)?[\d.,%\s+\-−–…/]*(?:/năm)?$"
)
STYLE_BODY = "Body Text"
STYLE_TABLE = "Table Text"
FOOTNOTES_URI = "/word/footnotes.xml"
RT_STYLES_WITH_EFFECTS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
)

# Successors of w:pBdr in w:pPr, so the border lands where the schema wants it.
_PBDR_SUCCESSORS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_TBLBORDERS_SUCCESSORS = (
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)


def _conf(key: str, default: Any = None) -> Any:
    return settings.DOCUMENT_LAYOUT.get(key, default)


def _size(key: str, default: float) -> Length:
    return Pt(float(_conf(key, default)))


def _mm(key: str, default: float) -> Length:
    return Mm(float(_conf(key, default)))


def docx_font_family() -> str:
    """The family written into the .docx (see the module docstring)."""
    override = _conf("docx_font_family")
    if override:
        return str(override)
    family = str(_conf("font_family", "Times New Roman")).strip()
    return "Times New Roman" if family.lower() in _TIMES_STAND_INS else family


def clean(text: object) -> str:
    """NFC, without the control characters XML cannot hold."""
    return unicodedata.normalize("NFC", _CONTROL_CHARS.sub("", str(text)))


# --- the entry point -------------------------------------------------------------


def render_docx(layout: Layout) -> bytes:
    doc = new_document()
    _set_up_package(doc, layout)
    _set_up_styles(doc)
    _set_up_page(doc, layout)
    _write_header(doc, layout)
    _write_title(doc, layout)
    for node in layout.sections:
        _write_section(doc, node)
    _write_signature(doc, layout)
    for node in layout.appendices:
        _write_appendix(doc, node)
    _write_footnotes(doc, layout.footnotes)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- package, styles, page -------------------------------------------------------


def _set_up_package(doc: WordDocument, layout: Layout) -> None:
    # python-docx's template carries its own thumbnail and a Word 2010 copy of the
    # styles with Calibri theme fonts: neither belongs in our file.
    package_rels = doc.part.package.rels
    for rId, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rId)
    for rId, rel in list(doc.part.rels.items()):
        if rel.reltype == RT_STYLES_WITH_EFFECTS:
            doc.part.rels.pop(rId)
    props = doc.core_properties
    props.title = clean(f"{layout.title} {layout.abstract}")
    props.subject = clean(layout.abstract)
    props.author = props.last_modified_by = clean(layout.issuer_name)
    props.comments = props.keywords = props.category = ""
    props.language = "vi-VN"
    props.revision = 1
    props.created = props.modified = timezone.now()
    # Word opens compatibilityMode 14 files in "Compatibility Mode"; 15 is current.
    for setting in doc.settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


def _set_up_styles(doc: WordDocument) -> None:
    styles = doc.styles
    body_size = _size("font_size_pt", 14)
    root = styles.element
    defaults = root.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(int(body_size.pt * 2)))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    body = styles[STYLE_BODY]
    body_format = body.paragraph_format
    body_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body_format.first_line_indent = FIRST_LINE_INDENT
    body_format.space_before = Pt(0)
    body_format.space_after = Pt(6)
    body_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    for level in (1, 2, 3, 4):
        style = styles[f"Heading {level}"]
        style_rpr = style.element.get_or_add_rPr()
        for child in list(style_rpr):
            style_rpr.remove(child)
        style.font.size = body_size
        style.font.bold = level <= 3
        style.font.italic = level >= 3
        heading_format = style.paragraph_format
        heading_format.alignment = WD_ALIGN_PARAGRAPH.LEFT  # never justified
        heading_format.first_line_indent = FIRST_LINE_INDENT
        heading_format.space_before = Pt(6)
        heading_format.space_after = Pt(6)
        heading_format.keep_with_next = True
        style.next_paragraph_style = body

    table_text = styles.add_style(STYLE_TABLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    table_text.font.size = _size("table_size_pt", 13)
    table_text.paragraph_format.space_before = Pt(2)
    table_text.paragraph_format.space_after = Pt(2)

    text_width = _text_width()
    header_tabs = styles["Header"].paragraph_format.tab_stops
    header_tabs.clear_all()
    header_tabs.add_tab_stop(Emu(text_width // 2), WD_TAB_ALIGNMENT.CENTER)
    header_tabs.add_tab_stop(Emu(text_width), WD_TAB_ALIGNMENT.RIGHT)

    note_size = int(_size("footnote_size_pt", 12).pt * 2)
    root.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText">'
            '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/>'
            '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
            '<w:pPr><w:jc w:val="both"/></w:pPr>'
            f'<w:rPr><w:sz w:val="{note_size}"/><w:szCs w:val="{note_size}"/></w:rPr>'
            "</w:style>"
        )
    )
    root.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">'
            '<w:name w:val="footnote reference"/>'
            '<w:basedOn w:val="DefaultParagraphFont"/>'
            '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
            '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
        )
    )

    # Last, so it also reaches the styles made above: one family for every script,
    # theme fonts (Calibri, Cambria) removed.
    family = docx_font_family()
    theme_attributes = [
        qn(f"w:{name}")
        for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
    ]
    for rfonts in root.iter(qn("w:rFonts")):
        for attribute in theme_attributes:
            rfonts.attrib.pop(attribute, None)
        for name in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{name}"), family)


def _text_width() -> int:
    return Mm(210) - _mm("margin_left_mm", 30) - _mm("margin_right_mm", 15)


def _set_up_page(doc: WordDocument, layout: Layout) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = _mm("margin_top_mm", 20)
    section.bottom_margin = _mm("margin_bottom_mm", 20)
    section.left_margin = _mm("margin_left_mm", 30)
    section.right_margin = _mm("margin_right_mm", 15)
    section.gutter = Mm(0)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Page numbers from page 2 (format.md): page 1 has its own header, empty
    # unless the document is a draft.
    section.different_first_page_header_footer = True
    mark = f"\t{DRAFT_MARK}" if layout.is_draft else ""
    first = section.first_page_header
    first.is_linked_to_previous = False
    _header_line(first.paragraphs[0], with_page_number=False, mark=mark)
    _header_line(section.header.paragraphs[0], with_page_number=True, mark=mark)

    settings_element = doc.settings.element
    footnote_pr = parse_xml(
        f"<w:footnotePr {nsdecls('w')}>"
        '<w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    settings_element.insert_element_before(
        footnote_pr,
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
        "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures",
        "w:forceUpgrade",
        "w:captions",
        "w:readModeInkLockDown",
        "w:smartTagType",
        "sl:schemaLibrary",
        "w:shapeDefaults",
        "w:doNotEmbedSmartTags",
        "w:decimalSymbol",
        "w:listSeparator",
    )


def _header_line(
    paragraph: WordParagraph, *, with_page_number: bool, mark: str
) -> None:
    """The page number on the Header style's centre tab, the mark on its right one."""
    paragraph.add_run("\t")
    if with_page_number:
        for xml in (
            '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
            '<w:r {ns}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
            '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
            "<w:r {ns}><w:t>2</w:t></w:r>",
            '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
        ):
            paragraph._p.append(parse_xml(xml.format(ns=nsdecls("w"))))
    if mark:
        _run(paragraph, mark, bold=True)


# --- blocks ----------------------------------------------------------------------


def _run(
    paragraph: WordParagraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: Pt | None = None,
) -> None:
    """A run with only the formatting asked for (no empty w:rPr)."""
    run = paragraph.add_run(clean(text))
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if underline:
        run.underline = True
    if size is not None:
        run.font.size = size


def _paragraph(
    container: WordDocument | _Cell,
    text: str = "",
    *,
    style: str | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: Pt | None = None,
) -> WordParagraph:
    paragraph = container.add_paragraph(style=style)
    if align is not None:
        paragraph.alignment = align
    if text:
        _run(paragraph, text, bold=bold, italic=italic, underline=underline, size=size)
    return paragraph


def _borderless(table: WordTable) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.insert_element_before(borders, *_TBLBORDERS_SUCCESSORS)


def _set_widths(table: WordTable, widths: list[int]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _cell(cell: _Cell) -> _Cell:
    """An empty cell to add paragraphs to (python-docx gives it one already)."""
    cell._tc.remove(cell.paragraphs[0]._p)
    return cell


def _bottom_rule(paragraph: WordParagraph, *, width: int, text_width: int) -> None:
    """A solid rule under the paragraph, as wide as its text (the paragraph is
    narrowed with equal indents, since a paragraph border spans the indents)."""
    side = max(0, (width - text_width) // 2)
    paragraph.paragraph_format.left_indent = Emu(side)
    paragraph.paragraph_format.right_indent = Emu(side)
    border = parse_xml(
        f"<w:pBdr {nsdecls('w')}>"
        '<w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
    )
    paragraph._p.get_or_add_pPr().insert_element_before(border, *_PBDR_SUCCESSORS)


def _lines(container: _Cell, lines: list[str], *, bold: bool = False) -> None:
    """A header name in one centred paragraph, broken where the PDF breaks it."""
    paragraph = _paragraph(container, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, line in enumerate(lines):
        if index:
            paragraph.add_run().add_break()
        _run(paragraph, line, bold=bold)


def _write_header(doc: WordDocument, layout: Layout) -> None:
    """Two borderless columns, as the PDF has them: the bodies, the star and the
    number on the left; the Party's name, its rule and, under it, the place and
    date on the right."""
    total = _text_width()
    left_width = int(total * metrics.HEADER_LEFT)
    widths = [left_width, total - left_width]
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    _set_widths(table, widths)
    centre = WD_ALIGN_PARAGRAPH.CENTER

    left = _cell(table.cell(0, 0))
    if layout.superior_lines:
        _lines(left, layout.superior_lines)
    _lines(left, layout.issuer_lines, bold=True)
    _paragraph(left, "*", align=centre)
    _paragraph(left, layout.number_and_symbol, align=centre)
    for mark in (layout.secrecy, layout.urgency):
        if mark:
            _paragraph(left, str(mark).upper(), align=centre, bold=True)

    right = _cell(table.cell(0, 1))
    party = _paragraph(
        right, PARTY_NAME, align=centre, bold=True, size=_size("party_name_size_pt", 15)
    )
    name_width = int(Pt(PARTY_NAME_WIDTH_EM * _size("party_name_size_pt", 15).pt))
    _bottom_rule(party, width=widths[1] - 2 * CELL_MARGIN, text_width=name_width)
    date = _paragraph(right, layout.place_and_date, align=centre, italic=True)
    date.paragraph_format.space_before = Pt(6)


def _write_title(doc: WordDocument, layout: Layout) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    title = _paragraph(
        doc, layout.title, align=centre, bold=True, size=_size("title_size_pt", 15)
    )
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.keep_with_next = True
    abstract = _paragraph(doc, layout.abstract, align=centre, bold=True)
    abstract.paragraph_format.keep_with_next = True
    rule = _paragraph(doc, ABSTRACT_RULE, align=centre)
    rule.paragraph_format.space_after = Pt(12)


def _heading_text(node: SectionNode) -> str:
    heading = node.heading.upper() if node.level == 1 else node.heading
    return " ".join(part for part in (node.number, heading) if part)


def _write_section(doc: WordDocument, node: SectionNode) -> None:
    if node.is_part:
        # "Phần thứ nhất" over the part's title, centred (seed 004).
        paragraph = doc.add_paragraph(style="Heading 1")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Mm(0)
        _run(paragraph, node.number)
        if node.heading:
            paragraph.add_run().add_break()
            _run(paragraph, node.heading.upper())
        _write_content(doc, node.content)
        for child in node.children:
            _write_section(doc, child)
        return
    text = _heading_text(node)
    if text:
        doc.add_paragraph(clean(text), style=f"Heading {min(node.level, 4)}")
    _write_content(doc, node.content)
    for child in node.children:
        _write_section(doc, child)


def _write_appendix(doc: WordDocument, node: SectionNode) -> None:
    """An appendix starts a page, its number and name centred over it."""
    paragraph = doc.add_paragraph(style="Heading 1")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Mm(0)
    paragraph.paragraph_format.page_break_before = True
    _run(paragraph, node.number)
    if node.heading:
        if node.number:
            paragraph.add_run().add_break()
        _run(paragraph, node.heading.upper())
    _write_content(doc, node.content)
    for child in node.children:
        _write_section(doc, child)


_LEADS = {"p": "", "dash": "- ", "plus": "+ ", "star": "* "}


def _write_content(doc: WordDocument, content: Iterable[Paragraph | Table]) -> None:
    for item in content:
        if isinstance(item, Table):
            _write_table(doc, item)
            continue
        paragraph = doc.add_paragraph(style=STYLE_BODY)
        bold = item.kind == "star"
        parts = list(item.parts)
        lead = _LEADS.get(item.kind, "")
        if lead:
            if parts and isinstance(parts[0], str):
                parts[0] = lead + parts[0]
            else:
                parts.insert(0, lead)
        for part in parts:
            if isinstance(part, FootnoteRef):
                _footnote_call(paragraph, part.number)
            else:
                _run(paragraph, part, bold=bold)


def _footnote_call(paragraph: WordParagraph, number: int) -> None:
    paragraph._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteReference w:id="{number}"/></w:r>'
        )
    )


def _column_widths(rows: list[list[str]], total: int) -> list[int]:
    """The widths the PDF gives the same table (reports/metrics.py), from
    the printed width of the text: a figure never wraps."""
    header, body = rows[0], rows[1:]
    unbroken = [
        bool(body) and all(not row[c] or _NUMERIC_CELL.match(row[c]) for row in body)
        for c in range(len(header))
    ]
    # Word's cell margins are wider than the PDF's padding: measure without them.
    margins = Emu(2 * CELL_MARGIN).pt - metrics.CELL_PADDING_PT
    widths = metrics.column_widths(
        header,
        body,
        unbroken,
        width_pt=Emu(total).pt - margins * len(header),
        family=str(_conf("font_family", "Times New Roman")),
        size_pt=_size("table_size_pt", metrics.TABLE_SIZE_PT).pt,
    )
    widths = [w + margins for w in widths]
    scale = total / sum(int(Pt(w)) for w in widths)
    return [int(Pt(w) * scale) for w in widths]


def _write_table(doc: WordDocument, table: Table) -> None:
    columns = (
        max(len(table.header), *(len(row) for row in table.rows))
        if table.rows
        else len(table.header)
    )
    rows = [[*row, *[""] * (columns - len(row))] for row in [table.header, *table.rows]]
    word_table = doc.add_table(rows=len(rows), cols=columns)
    word_table.style = doc.styles["Table Grid"]
    word_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(word_table, _column_widths(rows, _text_width()))
    for index, (word_row, cells) in enumerate(zip(word_table.rows, rows, strict=True)):
        tr_pr = word_row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeat on every page
        for column, (cell, text) in enumerate(zip(word_row.cells, cells, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles[STYLE_TABLE]
            if index == 0 or column == 0 or _NUMERIC_CELL.match(text):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if text:
                _run(paragraph, text, bold=index == 0)
    # A little air between the table and what follows.
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _write_signature(doc: WordDocument, layout: Layout) -> None:
    """Nơi nhận on the left, level with the authority on the right; the end of
    the text is kept on its page (as in the PDF: never a signature alone)."""
    body = doc.paragraphs
    if body:
        body[-1].paragraph_format.keep_with_next = True
    spacer = doc.add_paragraph()
    spacer.paragraph_format.keep_with_next = True
    total = _text_width()
    left_width = int(total * 0.5)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    _set_widths(table, [left_width, total - left_width])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    left = _cell(table.cell(0, 0))
    _paragraph(left, "Nơi nhận:", underline=True)
    recipients_size = _size("recipients_size_pt", 12)
    for line in layout.recipients:
        text = line if line.lstrip().startswith(("-", "–")) else f"- {line}"
        _paragraph(left, text, size=recipients_size)

    right = _cell(table.cell(0, 1))
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(right, str(layout.authority).upper(), align=centre, bold=True)
    _paragraph(right, str(layout.signer_position).upper(), align=centre)
    for _ in range(4):  # room for the signature and the seal
        _paragraph(right, align=centre)
    _paragraph(right, layout.signer_name, align=centre, bold=True)


# --- footnotes -------------------------------------------------------------------


def _write_footnotes(doc: WordDocument, notes: list[FootnoteRef]) -> None:
    """word/footnotes.xml: the two separators Word expects (ids -1 and 0, as
    named in settings' footnotePr) and one w:footnote per call, same ids."""
    root = parse_xml(f"<w:footnotes {nsdecls('w', 'r')}/>")
    single = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    for number, kind in ((-1, "separator"), (0, "continuationSeparator")):
        root.append(
            parse_xml(
                f'<w:footnote {nsdecls("w")} w:type="{kind}" w:id="{number}">'
                f"<w:p>{single}<w:r><w:{kind}/></w:r></w:p></w:footnote>"
            )
        )
    for note in notes:
        footnote = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{note.number}"><w:p>'
            '<w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            "<w:footnoteRef/></w:r>"
            '<w:r><w:t xml:space="preserve"> </w:t></w:r>'
            "</w:p></w:footnote>"
        )
        footnote[0].findall(qn("w:r"))[-1][0].text = " " + clean(note.text)
        root.append(footnote)
    part = XmlPart(PackURI(FOOTNOTES_URI), CT.WML_FOOTNOTES, root, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
