"""Bench: a ~40-page quarterly report printed to PDF.

    .venv/bin/python bench/pdf.py                 # throwaway SQLite file
    .venv/bin/python bench/pdf.py --runs 5 --no-chromium

Builds, in a fresh database and through the services, a bloc → Sở and a Q3/2023
report (services.document_create) whose sections are rewritten with realistic
prose the way the seeds read (seed 002: seven work areas with "-" and "+"
items, footnotes after the decisions they cite), about 30 footnotes and a
Phụ lục with a long table (~200 rows, its header repeated on each page).

Then:

* pdf_40p_cold_s — a fresh Python process (Django set up, database read)
  timing its first reports.pdf.render_pdf: WeasyPrint import, font check,
  FontConfiguration, layout, footnote check, PDF;
* pdf_40p_warm_s — the median of --runs renders in this process, after one
  (wall time: the appendices are laid out in a forked process on the second
  CPU meanwhile, reports/pdf/aside.py; the CPU time of both is logged);
* pdf_40p_pages — the page count;
* chromium_40p_s — the same HTML (reports.pdf.render_html) printed by headless
  Chromium, timed as a whole process (Chromium ignores float: footnote, so the
  notes stay in the text: a lower bound, not a like-for-like layout).

Figures go to stdout (`name: value`), progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import figure, log, seconds, throwaway_django

SEED = 20231005
CHROMIUM = "/usr/bin/chromium"

SENTENCES = [
    "Ban Chấp hành, Ban Thường vụ Đảng ủy đã tập trung lãnh đạo cấp ủy các chi bộ "
    "phối hợp cùng thủ trưởng cơ quan, đơn vị lãnh đạo cán bộ, đảng viên, công chức, "
    "viên chức và người lao động tham mưu, cụ thể hóa, triển khai thực hiện nhiệm vụ.",
    "Tiếp tục đẩy mạnh cải cách thủ tục hành chính, gắn với chuyển đổi số, cải thiện "
    "môi trường đầu tư kinh doanh, nâng cao năng lực cạnh tranh cấp tỉnh.",
    "Tổng doanh thu trên 10.213 tỷ đồng, lũy kế 9 tháng trên 27.581 tỷ đồng, đạt "
    "87,96% kế hoạch năm 2023; nộp ngân sách tỉnh 1.621 tỷ đồng, tăng 16,3% so với "
    "cùng kỳ năm 2022.",
    "Quyết định kết nạp mới 88 đảng viên, nâng tổng số từ đầu năm đến nay là 261, đạt "
    "104,4% nghị quyết năm; công nhận 62 đảng viên chính thức.",
    "Tăng cường lãnh đạo công tác phòng, chống tham nhũng, lãng phí, thực hành tiết "
    "kiệm; chỉ đạo xử lý kịp thời các đơn, thư khiếu nại, tố cáo, phản ánh, kiến nghị "
    "của công dân.",
    "Tình hình tư tưởng cán bộ, đảng viên, công chức, viên chức, người lao động ổn "
    "định, an tâm công tác, chấp hành tốt chủ trương, nghị quyết của Đảng, chính sách, "
    "pháp luật của Nhà nước.",
    "Tuy nhiên, một số cấp ủy chưa phối hợp chặt chẽ với thủ trưởng cơ quan, đơn vị "
    "trong xử lý, tháo gỡ khó khăn, vướng mắc phát sinh trong thực hiện nhiệm vụ chính "
    "trị, chuyên môn.",
    "Tổ chức hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm và triển khai "
    "chương trình chỉ đạo 6 tháng cuối năm; hội nghị sơ kết giữa nhiệm kỳ thực hiện "
    "Nghị quyết Đại hội Đảng bộ, nhiệm kỳ 2020-2025.",
    "Sinh hoạt đảng bộ, chi bộ ngày càng nề nếp, tỷ lệ đảng viên tham dự đạt trên 95%; "
    "việc tổ chức sinh hoạt chuyên đề được các chi bộ quan tâm triển khai thực hiện.",
    "Ủy ban Kiểm tra Đảng ủy đã kiểm tra 07 tổ chức đảng và 12 đảng viên khi có dấu "
    "hiệu vi phạm; giám sát chuyên đề 05 tổ chức đảng và 09 đảng viên.",
    "Công tác nắm tình hình tư tưởng, tâm tư, nguyện vọng chính đáng của cán bộ, đảng "
    "viên, quần chúng từng lúc thiếu kịp thời; hoạt động của đội ngũ cộng tác viên dư "
    "luận xã hội chưa đi vào chiều sâu.",
    "Giải quyết việc làm cho 20.360 lao động, đạt 110,1% kế hoạch; tỷ lệ lao động qua "
    "đào tạo đạt 68,9%, trong đó có bằng cấp, chứng chỉ đạt 30,1%.",
]
NOTES = [
    "Kế hoạch thực hiện Chỉ thị số 21-CT/TW, ngày 04/5/2023 của Ban Bí thư về tiếp tục "
    "đổi mới, phát triển và nâng cao chất lượng giáo dục nghề nghiệp đến năm 2030, tầm "
    "nhìn đến năm 2045.",
    "Kết quả có 13.782/14.454 thí sinh đậu tốt nghiệp; trong đó 12.459 thí sinh trung "
    "học phổ thông, đạt 99,39%.",
    "Tổng thu ngân sách 2.831 tỷ đồng; lũy kế 9 tháng ước tính trên 9.865 tỷ đồng, đạt "
    "89,82% dự toán, tăng 16,72% so cùng kỳ.",
    "Với số tiền 8.015 tỷ đồng; nâng tổng số từ đầu năm đến nay 28.326 tỷ đồng.",
    "Quy định số 101-QĐ/TW của Ban Bí thư khóa XI về trách nhiệm nêu gương của cán bộ, "
    "đảng viên, nhất là cán bộ lãnh đạo chủ chốt các cấp; Quy định số 55-QĐ/TW ngày "
    "19-12-2016 của Bộ Chính trị.",
    "02 lớp bồi dưỡng nhận thức về Đảng, có 219 học viên và 01 lớp bồi dưỡng lý luận "
    "chính trị dành cho đảng viên mới, có 63 học viên.",
]
AREAS = [
    "Lãnh đạo thực hiện nhiệm vụ chính trị",
    "Lãnh đạo thực hiện công tác giáo dục chính trị, tư tưởng",
    "Lãnh đạo thực hiện Nghị quyết Trung ương 4 và Chỉ thị số 05-CT/TW",
    "Lãnh đạo xây dựng tổ chức cơ sở đảng và đảng viên",
    "Lãnh đạo công tác tổ chức cán bộ và bảo vệ chính trị nội bộ",
    "Công tác kiểm tra, giám sát và thi hành kỷ luật trong Đảng",
    "Công tác dân vận và lãnh đạo các đoàn thể",
]


def prose(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def section_body(rng: random.Random, paragraphs: int, notes: int) -> str:
    """Paragraphs, "-" and "+" items, `notes` footnotes placed mid-paragraph."""
    lines = []
    kinds = ["", "- ", "- ", "+ ", ""]
    for i in range(paragraphs):
        text = prose(rng, rng.randrange(2, 6))
        lines.append(kinds[i % len(kinds)] + text)
    for _ in range(notes):
        i = rng.randrange(len(lines))
        words = lines[i].split(" ")
        cut = rng.randrange(len(words) // 3, len(words))
        words[cut] += f"[^{rng.choice(NOTES)}]"
        lines[i] = " ".join(words)
    return "\n".join(lines)


def appendix_body(rows: int) -> str:
    lines = ["| STT | Chỉ tiêu | Đơn vị | Kế hoạch | Thực hiện | Tỷ lệ | Đánh giá |"]
    for i in range(1, rows + 1):
        plan = 100 + i * 37
        done = plan + (i % 7 - 3) * 11
        rate = f"{done * 100 / plan:.1f}".replace(".", ",")
        verdict = "Đạt" if done >= plan else "Chưa đạt"
        label = f"{AREAS[i % len(AREAS)]}: chỉ tiêu thành phần {i}"
        plan_text, done_text = (f"{n:,}".replace(",", ".") for n in (plan, done))
        lines.append(
            f"| {i} | {label} | người | {plan_text} | {done_text} | {rate}% "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def build_document(
    *,
    sections_per_area: int = 3,
    paragraphs: int = 6,
    footnotes: int = 30,
    table_rows: int = 200,
):  # noqa: ANN201
    """A Q3/2023 report of a Sở, its body rewritten at the given size."""
    import datetime as dt

    from organizations import services as org_services
    from organizations.models import OrganizationLevel
    from reports import services
    from reports.models import Section, SectionKind

    rng = random.Random(SEED)
    levels = {lvl.code: lvl for lvl in OrganizationLevel.objects.all()}
    bloc = org_services.organization_create(
        name="Đảng bộ Khối các Cơ quan - Doanh nghiệp tỉnh",
        level=levels["upper"],
        kind=org_services.default_kind_for(levels["upper"]),
        parent=None,
        founded_on=dt.date(2000, 1, 1),
        short_name="ĐUK",
    )
    so = org_services.organization_create(
        name="Đảng bộ Sở Lao động - Thương binh và Xã hội",
        level=levels["grassroots_committee"],
        kind=org_services.default_kind_for(levels["grassroots_committee"]),
        parent=bloc,
        founded_on=dt.date(2000, 1, 1),
        short_name="ĐU",
    )
    document = services.document_create(
        organization=so,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=dt.date(2023, 10, 5),
    )
    document.signer_name = "Trần Chí Viễn"
    document.save(update_fields=["signer_name"])
    document.sections.all().delete()

    subsections = len(AREAS) * sections_per_area
    per_section = [footnotes // subsections] * subsections
    for i in range(footnotes % subsections):
        per_section[i * subsections // (footnotes % subsections)] += 1
    order = 0

    def add(
        heading: str,
        body: str = "",
        parent: Section | None = None,
        kind: str = SectionKind.BODY,
        numbered: bool = True,
    ) -> Section:
        nonlocal order
        order += 1
        return Section.objects.create(
            document=document,
            parent=parent,
            kind=kind,
            order=order,
            heading=heading,
            body=body,
            numbered=numbered,
        )

    part = add("Tình hình thực hiện nhiệm vụ quý III/2023")
    k = 0
    for area in AREAS:
        parent = add(area, prose(rng, 3), parent=part)
        for j in range(sections_per_area):
            add(
                f"{area} – nội dung {j + 1}",
                section_body(rng, paragraphs, per_section[k]),
                parent=parent,
            )
            k += 1
    add("Chương trình chỉ đạo quý IV/2023", section_body(rng, paragraphs, 0))
    add(
        "",
        "Trên đây là báo cáo tình hình thực hiện nhiệm vụ quý III và chương trình "
        "chỉ đạo quý IV năm 2023./.",
        numbered=False,
    )
    add(
        "Kết quả thực hiện các chỉ tiêu",
        appendix_body(table_rows),
        kind=SectionKind.APPENDIX,
    )
    return document


# --- timing ---------------------------------------------------------------------------


COLD_SNIPPET = """
import logging, os, sys, time
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "partyreports.settings"
import django
django.setup()
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
from reports.models import Document
from reports.structure import build_layout
layout = build_layout(Document.objects.get(pk={pk}))
start = time.perf_counter()
from reports import pdf
result = pdf.render_pdf(layout)
print(time.perf_counter() - start, result.pages, len(result.problems))
"""


def cold_render(pk: int) -> float:
    from _common import ROOT

    out = subprocess.run(
        [sys.executable, "-c", COLD_SNIPPET.format(root=str(ROOT), pk=pk)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    ).stdout.split()
    return float(out[0])


def chromium_print(html: str) -> float | None:
    if not Path(CHROMIUM).exists():
        log(f"{CHROMIUM} not found: chromium_40p_s skipped")
        return None
    tmp = Path(tempfile.mkdtemp(prefix="pdf-bench-chromium-"))
    try:
        source = tmp / "document.html"
        source.write_text(html, encoding="utf-8")
        target = tmp / "out.pdf"
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={tmp / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, timeout=120)
        elapsed = time.perf_counter() - start
        if not target.exists():
            log("chromium wrote no PDF")
            return None
        return elapsed
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cpu_with_children() -> float:
    """CPU seconds of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def breakdown(layout) -> None:  # noqa: ANN001
    """Where a warm render's time goes, on stderr: each layout (the part, the
    page it starts from, its pages), the readback and check, the PDF."""
    from weasyprint.document import Document

    from reports import pdf

    start = time.perf_counter()
    single = pdf.render_document(layout)
    laid = time.perf_counter()
    single.write_pdf()
    log(
        f"one pass, no fixes: layout {laid - start:.2f} s + PDF "
        f"{time.perf_counter() - laid:.2f} s, {len(single.pages)} pages, "
        f"{len(pdf.footnote_problems(single, layout.footnotes))} footnotes misplaced"
    )
    steps: list[str] = []
    original, write = pdf._layout_part, Document.write_pdf

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        begin = time.perf_counter()
        out = original(*args, **kwargs)
        part, first_page = args[1], args[3]
        steps.append(
            f"{part} from p. {first_page}: {len(out[0].pages)} pages "
            f"{time.perf_counter() - begin:.2f} s"
        )
        return out

    def written(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        begin = time.perf_counter()
        out = write(*args, **kwargs)
        steps.append(f"PDF {time.perf_counter() - begin:.2f} s")
        return out

    pdf._layout_part, Document.write_pdf = counted, written
    try:
        start = time.perf_counter()
        pdf.render_pdf(layout)
        log(
            f"render_pdf {time.perf_counter() - start:.2f} s:",
            "; ".join(steps),
            "(this process; the appendices are laid out aside meanwhile)",
        )
    finally:
        pdf._layout_part, Document.write_pdf = original, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm renders timed")
    parser.add_argument("--no-chromium", action="store_true")
    args = parser.parse_args()

    with throwaway_django("sqlite"):
        import logging

        from django.db import transaction

        # One line per page at INFO: noise here, and time.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from reports import pdf
        from reports.structure import build_layout

        log("building the document")
        with transaction.atomic():
            document = build_document()
        layout = build_layout(document)
        log(f"{len(layout.footnotes)} footnotes; cold render in a fresh process")
        cold = cold_render(document.pk)
        log(f"cold {cold:.2f} s; warm renders")
        result = pdf.render_pdf(layout)
        if result.problems:
            log("problems:", *result.problems)
        times, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), cpu_with_children()
            pdf.render_pdf(layout)
            times.append(time.perf_counter() - start)
            cpu.append(cpu_with_children() - start_cpu)
        warm = statistics.median(times)
        log("warm runs:", ", ".join(f"{t:.2f}" for t in times), "s")
        log(
            "their CPU time:",
            ", ".join(f"{t:.2f}" for t in cpu),
            "s (this process and the forked one; others' load aside)",
        )
        breakdown(layout)
        figure("pdf_40p_cold_s", seconds(cold))
        figure("pdf_40p_warm_s", seconds(warm))
        figure("pdf_40p_pages", result.pages)
        if not args.no_chromium:
            log("headless Chromium")
            elapsed = chromium_print(pdf.render_html(layout))
            if elapsed is not None:
                figure("chromium_40p_s", seconds(elapsed))


if __name__ == "__main__":
    main()
