"""The printed document: real PDFs from WeasyPrint, read back with poppler
(pdftotext, pdffonts) and pdfplumber.

Rendering is the slow part, so one module fixture builds a Q3/2023 report
(30 footnotes, a long Phụ lục table), prints it as a draft, issues it, and lays
it out once more without the footnote fixes, all inside a transaction that is
rolled back; the tests read those results.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import logging
import os
import re
import shutil
import subprocess
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.test import override_settings

from reports import pdf, services
from reports.models import Document, SectionKind
from reports.pdf import aside
from reports.structure import FootnoteRef, Layout, build_layout
from targets import services as target_services
from tests.factories import make_org
from tests.reports.drafting import enter_results, finish

NOTES = 30
TABLE_ROWS = 90
DATED = dt.date(2023, 7, 6)

SENTENCES = [
    "Ban Thường vụ Đảng ủy đã tập trung lãnh đạo các chi bộ phối hợp cùng thủ trưởng "
    "cơ quan, đơn vị triển khai thực hiện nhiệm vụ chính trị, chuyên môn.",
    "Tiếp tục đẩy mạnh cải cách thủ tục hành chính, gắn với chuyển đổi số, cải thiện "
    "môi trường đầu tư kinh doanh.",
    "Giải quyết việc làm cho 20.360 lao động, đạt 110,1% kế hoạch; tỷ lệ lao động qua "
    "đào tạo đạt 68,9%.",
    "Quyết định kết nạp mới 88 đảng viên, nâng tổng số từ đầu năm đến nay là 261, đạt "
    "104,4% nghị quyết năm.",
    "Tình hình tư tưởng cán bộ, đảng viên, công chức, viên chức, người lao động ổn "
    "định, an tâm công tác.",
    "Tuy nhiên, một số cấp ủy chưa phối hợp chặt chẽ với thủ trưởng cơ quan, đơn vị "
    "trong xử lý, tháo gỡ khó khăn, vướng mắc phát sinh.",
]
CLOSING = "Trên đây là báo cáo tình hình thực hiện nhiệm vụ quý III"
STAR_LEAD = "Về cải cách hành chính:"


# --- test data ------------------------------------------------------------------------


def anchor(n: int) -> str:
    """The word right before footnote n's call (unique, never hyphenated)."""
    return f"MOC{n:02d}"


def note_word(n: int) -> str:
    """A word only footnote n's text holds."""
    return f"GHICHU{n:02d}"


def body_with_notes(first: int, count: int, paragraphs: int) -> str:
    lines = []
    n = first
    for i in range(paragraphs):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3 + i % 3))
        prefix = ("", "- ", "+ ", "")[i % 4]
        if n < first + count and i % 2 == 0:
            text += (
                f" Đối chiếu {anchor(n)}[^{note_word(n)} Kế hoạch số {n}-KH/ĐU ngày "
                f"04/5/2023 của Ban Thường vụ Đảng ủy về thực hiện Chỉ thị số "
                f"21-CT/TW.] và tiếp tục thực hiện."
            )
            n += 1
        lines.append(prefix + text)
    return "\n".join(lines)


def long_table(rows: int) -> str:
    lines = ["| STT | Chỉ tiêu | Đơn vị | Kế hoạch | Thực hiện | Tỷ lệ |"]
    for i in range(1, rows + 1):
        plan = 1000 + 37 * i
        done = plan + (i % 5 - 2) * 13
        rate = f"{done * 100 / plan:.1f}".replace(".", ",")
        lines.append(
            f"| {i} | Chỉ tiêu thành phần số {i} của khối cơ quan | người | "
            f"{plan // 1000}.{plan % 1000:03d} | {done // 1000}.{done % 1000:03d} "
            f"| {rate}% |"
        )
    return "\n".join(lines)


def build_report(*, notes: int = NOTES, table_rows: int = TABLE_ROWS) -> Document:
    """A Q3/2023 report of "Đảng bộ Sở A" (plan of 2 targets), its body
    rewritten with `notes` footnotes and a Phụ lục with a long table."""
    bloc = make_org("Đảng bộ Khối A", short_name="ĐUK")
    grassroots = make_org("Đảng bộ Sở A", parent=bloc, short_name="ĐU")
    plan = target_services.plan_create(
        organization=grassroots, title="Kế hoạch 2023", start_year=2023
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Giải quyết việc làm cho 18.500 lao động",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=18500,
        unit="người",
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="Kiểm tra, giám sát 07 cuộc theo kế hoạch",
        label="Kiểm tra, giám sát",
        kind="done_of_planned",
        plan_value=7,
        unit="cuộc",
    )
    document = services.document_create(
        organization=grassroots, doc_type="quarterly", year=2023, quarter=3, dated=DATED
    )
    document = services.document_update(
        document=document,
        version=document.version,
        signer_name="Trần Chí Viễn",
        urgency="KHẨN",
    )
    leaves = [
        s
        for s in document.sections.filter(kind=SectionKind.BODY, parent__isnull=False)
        if not s.children.exists()
    ]
    per_leaf = -(-notes // len(leaves))
    first = 1
    for leaf in leaves:
        count = min(per_leaf, notes + 1 - first)
        body = body_with_notes(first, count, paragraphs=max(2 * count, 3))
        if "[[" in leaf.body:  # keep the data block the draft was pre-filled with
            body = leaf.body.replace("(Văn phòng soạn nội dung.)", "") + "\n" + body
        if first == 1:
            body = f"* {STAR_LEAD} {SENTENCES[1]}\n{body}"
        services.section_save(
            document=document,
            section=leaf,
            version=document.version,
            heading=leaf.heading,
            body=body,
        )
        document.refresh_from_db()
        first += count
    appendix = document.sections.get(kind=SectionKind.APPENDIX)
    services.section_save(
        document=document,
        section=appendix,
        version=document.version,
        heading=appendix.heading,
        body=f"{appendix.body}\nChi tiết các chỉ tiêu thành phần:\n"
        + long_table(table_rows),
    )
    document.refresh_from_db()
    enter_results(grassroots, year=2023, quarter=3)
    return finish(document)


# --- reading PDFs back ----------------------------------------------------------------


def pdftotext_pages(content: bytes) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return out.split("\f")[:-1]


def pdffonts(content: bytes, tmp: Path) -> list[tuple[str, str]]:
    """(name, emb) per font of the PDF."""
    path = tmp / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    rows = []
    for line in out[2:]:
        fields = line.split()
        # name type... encoding emb sub uni object ID: emb is 5th from the end.
        rows.append((fields[0], fields[-5]))
    return rows


def words_of(content: bytes) -> list[tuple[float, float, list[dict]]]:
    """(width, height, words) per page, words with x0/x1/top/bottom/text."""
    pages = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        for page in document.pages:
            pages.append(
                (page.width, page.height, page.extract_words(use_text_flow=True))
            )
    return pages


def find(words: list[dict], start: str) -> dict:
    matches = [w for w in words if w["text"].startswith(start)]
    assert matches, f"{start!r} not on the page"
    return matches[0]


def page_of(
    pages: list[tuple[float, float, list[dict]]], start: str, *, body: bool
) -> int:
    """The 1-based page whose body (or footnote area) has a word starting with
    `start`; the footnote area is told apart by its smaller type."""
    found = []
    for number, (_, _, words) in enumerate(pages, start=1):
        for word in words:
            if word["text"].startswith(start):
                small = word["bottom"] - word["top"] < 13
                if small != body:
                    found.append(number)
    assert len(found) == 1, f"{start!r} found on pages {found}"
    return found[0]


# --- the printed documents, made once -------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Printed:
    warnings: list[str]
    layout: Layout
    draft: pdf.PdfResult
    unfixed_placements: dict[int, pdf.FootnotePlacement]
    unfixed_content: bytes
    issued: bytes
    issued_number: str


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker, tmp_path_factory) -> Printed:  # noqa: ANN001
    media = tmp_path_factory.mktemp("media")
    collect = _Collect()
    weasy_logger = logging.getLogger("weasyprint")
    weasy_logger.addHandler(collect)
    try:
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
            with transaction.atomic():
                document = build_report()
                layout = build_layout(document)
                draft = pdf.render_pdf(layout)
                unfixed = pdf.render_document(layout)
                placements = pdf.footnote_placements(unfixed)
                unfixed_content = unfixed.write_pdf()
                issued = services.document_issue(
                    document=document, user=None, confirm_flags=True
                )
                with issued.pdf.open("rb") as handle:
                    issued_content = handle.read()
                transaction.set_rollback(True)
    finally:
        weasy_logger.removeHandler(collect)
    return Printed(
        collect.messages,
        layout,
        draft,
        placements,
        unfixed_content,
        issued_content,
        issued.number_and_symbol,
    )


@pytest.fixture(scope="module")
def draft_pages(printed: Printed) -> list[str]:
    return pdftotext_pages(printed.draft.content)


@pytest.fixture(scope="module")
def issued_pages(printed: Printed) -> list[str]:
    return pdftotext_pages(printed.issued)


@pytest.fixture(scope="module")
def issued_words(printed: Printed) -> list[tuple[float, float, list[dict]]]:
    return words_of(printed.issued)


# --- what the page says ---------------------------------------------------------------


def test_weasyprint_takes_the_whole_stylesheet(printed: Printed) -> None:
    assert printed.warnings == []


def test_it_prints_the_header(issued_pages: list[str], printed: Printed) -> None:
    first = issued_pages[0]
    assert "ĐẢNG BỘ KHỐI A" in first
    assert "ĐẢNG ỦY SỞ A" in first
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first
    assert re.fullmatch(r"Số \d{2}-BC/ĐU", printed.issued_number)
    assert printed.issued_number in first
    assert "Số:" not in first
    assert "Quảng Bình, ngày 06 tháng 7 năm 2023" in first
    assert "BÁO CÁO" in first
    assert (
        "Tình hình thực hiện nhiệm vụ quý III và chương trình chỉ đạo quý IV/2023"
        in first
    )


def test_it_prints_the_body_and_the_end(issued_pages: list[str]) -> None:
    text = "\n".join(issued_pages)
    flat = " ".join(text.split())
    assert "I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ QUÝ III/2023" in flat
    assert "1. Lãnh đạo thực hiện nhiệm vụ chính trị" in flat
    assert "II. ĐÁNH GIÁ CHUNG" in flat
    assert " ".join(SENTENCES[0].split()) in flat
    assert CLOSING in flat
    assert "Nơi nhận:" in text
    assert "- Lưu Văn phòng." in text
    assert "T/M BAN CHẤP HÀNH" in text
    assert "BÍ THƯ" in text
    assert "Trần Chí Viễn" in text
    assert "Phụ lục 1" in text


def test_it_marks_every_page_of_a_draft_and_no_page_of_an_issued_one(
    draft_pages: list[str], issued_pages: list[str]
) -> None:
    assert len(draft_pages) > 5
    assert all("DỰ THẢO" in page for page in draft_pages)
    assert not any("DỰ THẢO" in page for page in issued_pages)


def test_it_leaves_the_number_blank_on_a_draft(draft_pages: list[str]) -> None:
    assert re.search(r"Số\s+-BC/ĐU", draft_pages[0])


def test_it_numbers_pages_from_the_second_at_the_top(issued_pages: list[str]) -> None:
    first_lines = [
        next(line for line in page.splitlines() if line.strip()).strip()
        for page in issued_pages
    ]
    assert not first_lines[0].isdigit()
    assert first_lines[1:] == [str(n) for n in range(2, len(issued_pages) + 1)]


def test_it_embeds_the_configured_font_and_nothing_else(
    printed: Printed,
    tmp_path: Path,
    settings,  # noqa: ANN001
) -> None:
    family = settings.DOCUMENT_LAYOUT["font_family"].replace(" ", "")
    fonts = pdffonts(printed.issued, tmp_path)
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert all(family in name for name, _ in fonts), fonts


def test_it_writes_text_in_nfc(issued_pages: list[str]) -> None:
    text = "\n".join(issued_pages)
    assert text == unicodedata.normalize("NFC", text)


# --- where things are -----------------------------------------------------------------


def test_it_lays_the_header_out_in_two_columns(issued_words) -> None:  # noqa: ANN001
    width, _, words = issued_words[0]
    issuer = find(words, "ỦY")  # ĐẢNG ỦY SỞ A
    nation = find(words, "CỘNG")  # ĐẢNG CỘNG SẢN VIỆT NAM
    assert issuer["x1"] < width / 2
    assert nation["x0"] > width / 2
    assert abs(issuer["top"] - nation["top"]) <= 20
    number, urgency = find(words, "Số"), find(words, "KHẨN")
    assert number["top"] > issuer["top"] and urgency["top"] > number["top"]
    assert urgency["x1"] < width / 2
    date = find(words, "ngày")
    assert date["x0"] > width / 2 and date["top"] > nation["top"]


def test_it_sets_the_type_the_rules_ask_for(printed: Printed) -> None:
    """Bold, italic and sizes, read from the fonts of the words."""
    with pdfplumber.open(io.BytesIO(printed.issued)) as document:
        words = document.pages[0].extract_words(extra_attrs=["fontname", "size"])

    def style(start: str) -> tuple[str, float]:
        word = find(words, start)
        name = word["fontname"].split("+")[-1]
        kind = ("bold " if "Bold" in name else "") + (
            "italic" if "Italic" in name else ""
        )
        return kind.strip() or "regular", round(word["size"])

    assert style("KHỐI") == ("regular", 14)  # superior body
    assert style("ỦY") == ("bold", 14)  # issuing body
    assert style("Số") == ("regular", 14)
    assert style("KHẨN") == ("bold", 14)
    assert style("CỘNG") == ("bold", 15)
    assert style("ngày") == ("italic", 14)
    assert style("BÁO") == ("bold", 16)
    assert style("Tình") == ("bold", 14)  # the abstract
    assert style("TÌNH") == ("bold", 14)  # I. TÌNH HÌNH …
    assert style("Lãnh") == ("bold", 14)  # 1. Lãnh đạo …
    assert style("cải") == ("bold", 14)  # the star lead
    assert style(SENTENCES[1].split()[0]) == ("regular", 14)


def test_it_puts_recipients_left_and_signature_right_level_with_them(
    issued_words,  # noqa: ANN001
) -> None:
    number = next(
        i
        for i, (_, _, words) in enumerate(issued_words)
        if any(w["text"] == "nhận:" for w in words)
    )
    width, height, words = issued_words[number]
    recipients = find(words, "nhận:")
    authority = find(words, "T/M")
    signer = find(words, "Viễn")
    assert recipients["x1"] < width / 2 < authority["x0"]
    assert signer["x0"] > width / 2
    assert signer["top"] > authority["top"] + 50  # room for the signature
    assert abs(recipients["top"] - authority["top"]) <= 3
    # Right under the end of the text ("…./."), when that is on the same page.
    # Right under the end of the text ("…./."), which is on the same page: a
    # signature never stands alone on the last page.
    above = sorted(
        (w for w in words if 60 < w["top"] < recipients["top"] - 1),
        key=lambda w: (w["top"], w["x0"]),
    )
    assert above, "the signature's page carries no text of the body"
    assert above[-1]["text"].endswith("./.")


@pytest.mark.django_db
def test_the_signature_never_stands_alone_on_the_last_page(world) -> None:  # noqa: ANN001
    """However long the text, the page of the signature also carries the end
    of the body: documents one short paragraph apart, over a page's length of
    endings, so that one of them ends where the closing no longer fits."""
    document = services.document_create(
        organization=world.grassroots_a, doc_type="resolution", year=2023, dated=DATED
    )
    document.sections.exclude(
        pk=document.sections.order_by("order").first().pk
    ).delete()
    section = document.sections.get()
    seen_pages = set()
    for count in range(24, 56, 2):
        section.body = "\n".join(
            f"Đoạn văn số {n} của nghị quyết." for n in range(1, count)
        ) + (f"\nĐoạn kết {count}./.")
        section.save()
        content = pdf.render_pdf(build_layout(document)).content
        pages = words_of(content)
        (page,) = [
            number
            for number, (_, _, words) in enumerate(pages)
            if any(w["text"] == "T/M" for w in words)
        ]
        _, _, words = pages[page]
        authority = find(words, "T/M")
        body = [
            w
            for w in words
            if w["text"] in ("Đoạn", "kết") and w["top"] < authority["top"]
        ]
        assert body, (count, page)
        assert find(words, f"{count}./.")["top"] < authority["top"], count
        seen_pages.add(page)
    assert len(seen_pages) > 1  # the endings crossed a page break


def test_it_repeats_the_table_header_on_every_page_of_the_appendix(
    issued_pages: list[str],
    issued_words,  # noqa: ANN001
) -> None:
    start = next(i for i, page in enumerate(issued_pages) if "Phụ lục 1" in page)
    assert len(issued_pages) - start >= 3
    for page in issued_pages[start + 1 :]:
        head, _, _ = page.partition("Chỉ tiêu thành phần")
        for title in ("STT", "Chỉ tiêu", "Đơn", "Kế", "Thực", "Tỷ lệ"):
            assert title in head, page[:400]
    # Numbers are right-aligned: the right edges of a column line up.
    _, _, words = issued_words[start + 1]
    plans = [w for w in words if re.fullmatch(r"\d\.\d{3}", w["text"])]
    assert len(plans) > 20
    rights = sorted(round(w["x1"]) for w in plans)
    columns = {x for x in rights if sum(abs(x - y) <= 1 for y in rights) >= 10}
    assert 1 <= len({round(x / 5) for x in columns}) <= 2


# --- the appendices, printed aside and laid over numbered pages -----------------------


def test_each_appendix_page_prints_its_own_rows_under_its_number(
    issued_pages: list[str],
) -> None:
    start = next(i for i, page in enumerate(issued_pages) if "Phụ lục 1" in page)
    rows: list[int] = []
    for number, page in enumerate(issued_pages[start:], start=start + 1):
        first_line = next(line for line in page.splitlines() if line.strip())
        assert first_line.strip() == str(number)
        on_page = [int(n) for n in re.findall(r"thành phần số (\d+)", page)]
        assert on_page, f"page {number}: no row"
        rows += on_page
    assert rows == list(range(1, TABLE_ROWS + 1))


def test_the_outline_leads_to_the_appendix_page(
    printed: Printed, issued_pages: list[str]
) -> None:
    import pypdfium2

    start = next(i for i, page in enumerate(issued_pages) if "Phụ lục 1" in page)
    heading = printed.layout.appendices[0].heading
    document = pypdfium2.PdfDocument(printed.issued)
    try:
        entries = [
            (mark.get_title(), mark.get_dest().get_index())
            for mark in document.get_toc()
        ]
    finally:
        document.close()
    assert (heading.upper(), start) in [(t.upper(), i) for t, i in entries], entries
    # The body's own entries are there too, before it.
    assert len(entries) > 1 and all(i <= start for _, i in entries)


def test_the_appendices_are_printed_in_another_process_to_the_same_bytes(
    printed: Printed,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if not aside.enabled():
        pytest.skip("one CPU here: nothing is done aside")
    record = tmp_path / "pids"
    original = pdf._print_appendices

    def recording(layout: Layout):  # noqa: ANN202
        with record.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return original(layout)

    monkeypatch.setattr(pdf, "_print_appendices", recording)
    aside_result = pdf.render_pdf(printed.layout)
    assert [int(pid) != os.getpid() for pid in record.read_text().split()] == [True]
    with override_settings(PDF_PARALLEL=False):
        here = pdf.render_pdf(printed.layout)
    assert int(record.read_text().split()[-1]) == os.getpid()
    assert aside_result.content == here.content == printed.draft.content
    assert aside_result.pages == here.pages == len(pdftotext_pages(here.content))


def test_a_failure_aside_leaves_the_appendices_to_this_process(
    printed: Printed, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    original = pdf._print_appendices

    def failing_aside(layout: Layout):  # noqa: ANN202
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return original(layout)

    monkeypatch.setattr(pdf, "_print_appendices", failing_aside)
    assert pdf.render_pdf(printed.layout).content == printed.draft.content


def test_a_child_that_does_not_answer_is_stopped_and_reaped() -> None:
    side = aside.fork(lambda: time.sleep(60))
    if side is None:
        pytest.skip("one CPU here: nothing is done aside")
    assert side.result(timeout=0.5) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(side.pid, 0)


def test_appendix_footnote_problems_name_pages_after_the_body() -> None:
    readback = pdf.Readback(
        notes={4: pdf.FootnotePlacement(4, call_pages=[1], text_pages=[2])},
        last_block={},
    )
    printed = pdf._Printed(
        content=b"",
        pages=2,
        readback=readback,
        notes=[FootnoteRef(number=4, text="")],
        bookmarks=[[], []],
    )
    assert printed.problems(after=30) == [
        "Chú thích 4: số chú thích ở trang 31 nhưng lời chú thích ở trang 32."
    ]


# --- footnotes ------------------------------------------------------------------------


def tags(layout: Layout) -> dict[int, int]:
    """Footnote number → the tag n of its MOCnn / GHICHUnn words."""
    return {
        note.number: int(re.search(r"GHICHU(\d+)", note.text).group(1))
        for note in layout.footnotes
    }


def test_it_puts_every_footnote_on_its_calls_page(printed: Printed) -> None:
    assert len(printed.layout.footnotes) == NOTES
    assert printed.draft.problems == []
    pages = words_of(printed.draft.content)
    for tag in tags(printed.layout).values():
        assert page_of(pages, anchor(tag), body=True) == page_of(
            pages, note_word(tag), body=False
        ), tag


def test_the_check_reads_the_same_pages_as_the_pdf(printed: Printed) -> None:
    """Without the fixes WeasyPrint may move notes; the box-tree check must say
    where each call and each text went, as the PDF shows them."""
    pages = words_of(printed.unfixed_content)
    for number, tag in tags(printed.layout).items():
        placed = printed.unfixed_placements[number]
        assert placed.call_pages == [page_of(pages, anchor(tag), body=True)]
        assert sorted(set(placed.text_pages)) == [
            page_of(pages, note_word(tag), body=False)
        ]


def test_it_names_lost_and_moved_footnotes() -> None:
    notes = [FootnoteRef(1, "Một."), FootnoteRef(2, "Hai."), FootnoteRef(3, "Ba.")]
    readback = pdf.footnotes.Readback(
        notes={
            1: pdf.FootnotePlacement(1, [1], [1], "Một."),
            2: pdf.FootnotePlacement(2, [2], [3], "Hai."),
            3: pdf.FootnotePlacement(3, [3], [], ""),
        },
        last_block={},
    )
    problems, wrong = pdf.footnotes.check_footnotes(readback, notes)
    assert wrong == {2: 2, 3: 3}
    assert problems == [
        "Chú thích 2: số chú thích ở trang 2 nhưng lời chú thích ở trang 3.",
        "Chú thích 3 (trang 3): lời chú thích bị mất hoặc không đầy đủ.",
    ]


def test_a_page_opens_a_block_only_with_nothing_carried_over() -> None:
    readback = pdf.footnotes.Readback(
        notes={
            1: pdf.FootnotePlacement(1, [3], [3, 4], "Một."),  # runs on to page 4
            2: pdf.FootnotePlacement(2, [5], [6], "Hai."),  # reported to page 6
        },
        last_block={1: 4, 2: 6, 3: 7, 4: 8, 5: 9, 6: 10},
        first_block={1: 1, 2: 5, 3: 6, 4: 8, 5: 9, 6: 10},
        block_pages={1: [1], 4: [1], 5: [2], 6: [2, 3], 7: [3], 8: [4], 9: [5]}
        | {10: [6]},
    )
    assert readback.opens(2) == 5
    assert readback.opens(3) is None  # the rest of block 6
    assert readback.opens(4) is None  # the rest of footnote 1
    assert readback.opens(5) == 9
    assert readback.opens(6) is None  # footnote 2, reported from page 5
    assert readback.opens(7) is None  # no such page


def test_the_end_of_the_body_laid_out_apart_joins_as_if_laid_out_whole(
    printed: Printed,
) -> None:
    """What a footnote fix relies on: the body laid out from a page that opens
    with a block of its own, joined after the pages before it, prints the same
    PDF as the whole body laid out again."""
    layout = printed.layout
    first, _ = pdf._layout_part(layout, "body", frozenset(), 1)
    readback = pdf.read_back(first.pages)
    opening = [
        (page, block)
        for page in range(2, len(first.pages))
        if (block := readback.opens(page)) is not None
    ]
    assert opening, "no page of the test document opens with a block"
    page, block = opening[0]
    # A fix on the next page: the block that ends it starts a page.
    new_page = frozenset({readback.last_block[page + 1]})
    whole, _ = pdf._layout_part(layout, "body", new_page, 1)
    rest, _ = pdf._layout_part(layout, "body", new_page, page, start=block)
    joined = first.pages[: page - 1] + rest.pages
    assert len(joined) == len(whole.pages)
    assert first.copy(joined).write_pdf() == whole.write_pdf()


def test_a_fix_that_parts_a_heading_from_its_text_lays_out_from_before_it(
    printed: Printed,
) -> None:
    """A heading that opens a page may be there only to stay with the
    paragraph under it: when that paragraph is made to start a page, the
    heading goes back to the page before, so the cut is made earlier."""
    layout = printed.layout
    first, builder = pdf._layout_part(layout, "body", frozenset(), 1)
    readback = pdf.read_back(first.pages)
    page = max(
        page
        for page in range(2, len(first.pages))
        if readback.opens(page) in builder.headings
    )
    fix = readback.opens(page) + 1
    while fix in builder.headings:
        fix += 1
    cut = pdf._cut(readback, {fix}, 1, builder.headings)
    assert cut is not None and cut[0] < page
    new_page = frozenset({fix})
    pages, laid_out = pdf._lay_out_again(
        layout, "body", new_page, first.pages, 1, readback, {fix}, builder.headings
    )
    whole, _ = pdf._layout_part(layout, "body", new_page, 1)
    assert laid_out < len(whole.pages)
    assert first.copy(pages).write_pdf() == whole.write_pdf()


def test_the_footnote_fixes_lay_out_part_of_the_body_and_print_the_same(
    printed: Printed,
) -> None:
    layout = printed.layout
    part = pdf._render_part(layout, "body", 1)
    if not part.new_page:
        pytest.skip("WeasyPrint placed every footnote of this document unaided")
    whole, _ = pdf._layout_part(layout, "body", part.new_page, 1)
    assert part.problems == []
    assert part.document.copy(part.pages).write_pdf() == whole.write_pdf()
    _, *again = part.laid_out
    assert again and all(pages < len(whole.pages) for pages in again), part.laid_out


@pytest.mark.django_db
def test_it_refuses_to_issue_when_a_footnote_cannot_be_placed(
    monkeypatch: pytest.MonkeyPatch,
    settings,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    settings.MEDIA_ROOT = tmp_path
    document = build_report(table_rows=0)
    if not pdf.footnote_problems(
        pdf.render_document(build_layout(document)), build_layout(document).footnotes
    ):
        pytest.skip("WeasyPrint placed every footnote of this document unaided")
    monkeypatch.setattr(pdf, "MAX_RENDERS", 1)  # no second try
    with pytest.raises(ValidationError, match="Bản PDF chưa đạt"):
        services.document_issue(document=document, user=None, confirm_flags=True)
    document.refresh_from_db()
    assert document.is_draft and document.number is None and not document.pdf


def test_the_collector_is_paused_while_rendering_and_left_as_it_was() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), pdf._collected_once():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf._collected_once():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- fonts, HTML, fetching ------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_missing_font(settings, world) -> None:  # noqa: ANN001
    settings.DOCUMENT_LAYOUT = {
        **settings.DOCUMENT_LAYOUT,
        "font_family": "NoSuchFont Serif",
    }
    document = services.document_create(
        organization=world.grassroots_a, doc_type="quarterly", year=2023, quarter=3
    )
    with pytest.raises(
        ImproperlyConfigured, match="Thiếu phông NoSuchFont Serif.*fonts-liberation"
    ):
        pdf.render_pdf(build_layout(document))


def test_the_configured_font_is_installed(settings) -> None:  # noqa: ANN001
    assert shutil.which("fc-list")
    pdf.check_font(settings.DOCUMENT_LAYOUT["font_family"])


@pytest.mark.django_db
def test_the_html_stands_alone(world) -> None:  # noqa: ANN001
    document = services.document_create(
        organization=world.grassroots_a, doc_type="quarterly", year=2023, quarter=3
    )
    section = document.sections.filter(kind=SectionKind.BODY).first()
    decomposed = unicodedata.normalize("NFD", "Quyết định kết nạp đảng viên")
    services.section_save(
        document=document,
        section=section,
        version=document.version,
        heading=section.heading,
        body=decomposed + "[^Ghi chú <b>đậm</b>]",
    )
    html = pdf.render_html(build_layout(document))
    assert html == unicodedata.normalize("NFC", html)
    assert "Quyết định kết nạp đảng viên" in html
    assert "&lt;b&gt;đậm&lt;/b&gt;" in html
    assert "<link" not in html and "src=" not in html and "url(" not in html
    assert "http" not in html.lower().replace("http-equiv", "")
    assert "DỰ THẢO" in html


def test_the_fetcher_refuses_files_and_the_network() -> None:
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    for url in ("file:///etc/hostname", "http://example.com/x.png"):
        with pytest.raises(FatalURLFetchingError):
            weasyprint.HTML(
                string=f'<img src="{url}">', url_fetcher=pdf.engine.refusing_fetcher()
            ).render(font_config=pdf.engine.weasy_font_config())


# --- the appendix table -------------------------------------------------------------


@pytest.mark.django_db
def test_the_appendix_prints_each_figure_on_one_line_inside_its_cell(
    world, plan_world
) -> None:  # noqa: ANN001
    """Seen at 130 dpi: "100,00%" ran into the border and "giảm 0,8 điểm %"
    wrapped over three lines beside "-0,95%". Every figure now sits on one line
    inside its cell, plan and result in one form, verdicts in the seeds' words."""
    from decimal import Decimal

    # Long labels leave the figures little room: the old widths counted
    # characters and "100,00%" overflowed its column.
    study = target_services.target_create(
        plan=plan_world.plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="100% chi bộ học tập nghị quyết",
        label=(
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh "
            "của các chi bộ trực thuộc"
        ),
        kind="all_or_nothing",
    )
    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        user=None,
        entries={
            study.id: target_services.Entry(
                numerator=Decimal(10), denominator=Decimal(10)
            )
        },
    )
    enter_results(world.grassroots_a, year=2023, quarter=3)
    document = services.document_create(
        organization=world.grassroots_a,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=DATED,
    )
    content = pdf.render_pdf(build_layout(document)).content
    with pdfplumber.open(io.BytesIO(content)) as printed:
        page = next(p for p in printed.pages if "Phụ lục 1" in (p.extract_text() or ""))
        (table,) = page.find_tables()
        words = page.extract_words()
        rows = table.extract()
        header = [(cell or "").replace("\n", " ") for cell in rows[0]]
        assert header == [
            "STT",
            "Chỉ tiêu",
            "Đơn vị",
            "Kế hoạch",
            "Thực hiện",
            "Tỷ lệ",
            "Đánh giá",
        ]
        figures = 0
        for row in table.rows[1:]:
            for column in (3, 4, 5):  # Kế hoạch, Thực hiện, Tỷ lệ
                x0, top, x1, bottom = row.cells[column]
                inside = [
                    w
                    for w in words
                    if x0 <= w["x0"] and w["x1"] <= x1 + 5 and top <= w["top"] < bottom
                ]
                if not inside:
                    continue
                figures += 1
                assert len({round(w["top"]) for w in inside}) == 1, inside  # one line
                assert all(w["x1"] <= x1 - 2 and w["x0"] >= x0 + 2 for w in inside), (
                    inside,
                    x0,
                    x1,
                )
        assert figures >= 20
    by_label = {row[1]: row for row in rows[1:]}
    by_label.update(
        {row[1].replace("\n", "").replace(" ", ""): row for row in rows[1:]}
    )
    assert by_label["Giảm tỷ lệ hộ nghèo"][3:5] == ["-0,80%", "-0,95%"]
    assert by_label["Tỷ lệ lao động qua đào tạo"][3:5] == ["68,7%", "68,9%"]
    assert by_label[study.label.replace(" ", "")][3:5] == ["100,00%", "100,00%"]
    assert by_label["Giải quyết việc làm"][3:5] == ["18.500", "20.350"]
    verdicts = {row[6] for row in rows[1:]}
    assert verdicts <= {
        "Đạt",
        "Vượt",
        "Chưa đạt",
        "Chưa có số liệu",
        "Không đánh giá",
    }, verdicts
    assert {"Vượt", "Chưa đạt"} <= verdicts


@pytest.mark.django_db
def test_a_heading_is_not_justified(world) -> None:  # noqa: ANN001
    """A heading over two lines keeps its natural spacing: its first line
    stops short of the right margin instead of being stretched to it."""
    document = services.document_create(
        organization=world.grassroots_a,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=DATED,
    )
    section = document.sections.get(heading="Ưu điểm")
    section.heading = (
        "Lãnh đạo cải cách hành chính, thực hiện công tác nội chính và phòng chống "
        "tham nhũng, "
        "tiêu cực trong các cơ quan"
    )
    section.body = " ".join(
        SENTENCES
    )  # a justified paragraph: its lines reach the margin
    section.save()
    pages = words_of(pdf.render_pdf(build_layout(document)).content)
    page = next(p for p in pages if any(w["text"] == "tham" for w in p[2]))
    width, _, words = page
    heading_top = find(words, "cải")["top"]
    first_line = [w for w in words if abs(w["top"] - heading_top) < 2]
    body_top = find(words, SENTENCES[0].split()[0])["top"]
    body_line = [w for w in words if abs(w["top"] - body_top) < 2]
    margin = max(w["x1"] for w in body_line)  # a justified line ends at the margin
    assert max(w["x1"] for w in first_line) < margin - 10
