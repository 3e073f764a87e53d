"""From the demo data, the Sở's 2024 resolution and 2023 annual review come out
as PDFs that read like seeds 000 and 001, with the numbers computed."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from organizations.models import Organization
from reports import services
from reports.structure import build_layout
from tests.reports.drafting import finish

pytestmark = pytest.mark.django_db


def _pdftotext(content: bytes, tmp_path) -> str:  # noqa: ANN001
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_demo_resolution_and_annual_review_regenerate_as_pdf(tmp_path):
    call_command("load_demo", stdout=StringIO())
    so = Organization.objects.get(code="DEMO-LDTBXH")
    so.place_name = "Quảng Bình"
    so.save()

    resolution = services.document_create(
        organization=so, doc_type="resolution", year=2024, dated=dt.date(2024, 2, 23)
    )
    resolution.signer_name = "Nguyễn Văn Bí"
    resolution.save()
    resolution = services.document_issue(document=finish(resolution), user=None)
    with resolution.pdf.open("rb") as handle:
        text = _pdftotext(handle.read(), tmp_path)
    flat = _squash(text)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in flat
    assert "ĐẢNG ỦY SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" in flat
    assert "Số 01-NQ/ĐU" in flat
    assert "Quảng Bình, ngày 23 tháng 02 năm 2024" in flat
    assert "NGHỊ QUYẾT" in flat and "Về phương hướng, nhiệm vụ năm 2024" in flat
    assert (
        "Có 20.360/18.500 lao động được giải quyết việc làm, đạt 110,1% so với kế hoạch"
        in flat
    )
    # Two footnotes, one on each count, naming the targets (seed 000).
    calls = re.search(
        r"có 04 chỉ tiêu đạt(\d+) và 02 chỉ tiêu chưa đạt(\d+) kế hoạch đề ra", flat
    )
    assert calls, flat
    met_call, not_met_call = calls.groups()
    assert int(not_met_call) == int(met_call) + 1
    assert f"{met_call} 04 chỉ tiêu đạt kế hoạch, gồm:" in flat
    assert f"{not_met_call} 02 chỉ tiêu chưa đạt kế hoạch, gồm:" in flat
    assert (
        "Kết nạp đảng viên: được 04 đồng chí, đạt 2,6% tổng số đảng viên đầu năm 2023"
        in flat
    )
    # Percentages in prose drop a trailing ",0"; others keep their decimal.
    assert "đạt 150%" in flat and "150,0%" not in flat
    assert (
        "hiện có 10 chi bộ, với 157 đảng viên, trong đó: chính thức 154, dự bị 03"
        in flat
    )
    assert "T/M BAN CHẤP HÀNH" in flat and "BÍ THƯ" in flat and "Nguyễn Văn Bí" in flat
    assert "Nơi nhận:" in flat and "Lưu Văn phòng" in flat
    assert "DỰ THẢO" not in flat

    review = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    from reports import pdf

    result = pdf.render_pdf(build_layout(review))
    assert result.problems == []
    flat = _squash(_pdftotext(result.content, tmp_path))
    assert "BÁO CÁO" in flat and "DỰ THẢO" in flat
    assert "Quảng Bình, ngày 10 tháng 01 năm 2024" in flat
    assert (
        "Tuyển sinh giáo dục nghề nghiệp 17.250/17.000 người (đạt 101,5%); trong đó: "
        "cao đẳng 269/250 người (đạt 107,6%)" in flat
    )
    assert "Tỷ lệ hộ nghèo giảm 0,95/0,8% so với năm 2022, đạt 118,8%" in flat
    # Seed 001's wording of the ratings.
    assert (
        "02 chi bộ được đánh giá “Hoàn thành xuất sắc nhiệm vụ”, 07 chi bộ “Hoàn "
        "thành tốt nhiệm vụ”, 01 chi bộ “Không hoàn thành nhiệm vụ”; 27 đảng viên "
        "(chiếm 17,53%) Hoàn thành xuất sắc nhiệm vụ; 124 đảng viên (chiếm 80,52%) "
        "Hoàn thành tốt nhiệm vụ"
    ) in flat
    assert "Phụ lục 1" in flat and "Nơi nhận:" in flat


def test_the_demo_midterm_review_reads_the_congress_term(tmp_path):
    """Seed 004 from the demo Khối: the congress's targets (not the year's),
    judged as of the quarter the document's date closes, and the forecast."""
    from organizations.selectors import subtree_counts_on
    from partyreports.formatting import format_number, pad2
    from reports import pdf
    from targets.models import Plan
    from targets.term import Outlook, term_view

    call_command("load_demo", stdout=StringIO())
    khoi = Organization.objects.get(code="DEMO-KHOI")
    dated = dt.date(2023, 7, 6)
    review = services.document_create(
        organization=khoi, doc_type="midterm", year=2023, dated=dated
    )
    layout = build_layout(review)
    assert layout.problems == [] and layout.gaps == []
    flat = _squash(layout.plain_text())

    # What the term page computes from the same data, as of quarter II/2023.
    expected = term_view(organization=khoi, year=2023, quarter=2, today=dated)
    tops = [row for row in expected.rows if not row.is_sub]
    met, assessed = expected.verdicts.met, expected.verdicts.assessed
    assert assessed == len(tops) == 10
    assert (
        f"có {pad2(met)}/{pad2(assessed)} chỉ tiêu Nghị quyết Đại hội đề ra hoàn "
        "thành và hoàn thành vượt mức (Phụ lục 1)" in flat
    )
    on_track = sum(row.assessment.outlook is Outlook.ON_TRACK for row in tops)
    assert (
        f"sẽ hoàn thành, hoàn thành vượt mức {pad2(on_track)}/10 chỉ tiêu Nghị quyết "
        "Đại hội đề ra" in flat
    )
    for row in tops:
        if row.assessment.outlook is Outlook.AT_RISK:
            assert f"Chỉ tiêu cần nỗ lực phấn đấu: {row.target.wording}" in flat

    # Phụ lục 1 lists the congress's ten targets, not the year plan's.
    (table,) = [
        item for item in layout.appendices[0].content if not hasattr(item, "parts")
    ]
    listed = [row[1] for row in table.rows if row[0]]
    assert listed == [row.target.label for row in tops]
    year_plan = Plan.objects.get(organization=khoi, start_year=2023, end_year=2023)
    assert set(listed) != set(
        year_plan.targets.filter(parent=None).values_list("label", flat=True)
    )
    assert table.header[3] == "Thực hiện đến quý II/2023"
    per_year = next(row for row in table.rows if row[2] == "300/năm")
    admissions = next(row for row in tops if row.plan_text == "300/năm")
    assert per_year[3] == admissions.assessment.so_far.measure_text + "/năm"

    # Members as of 30/6/2023 (the document's quarter), never 31/12/2023.
    june = subtree_counts_on(root=khoi, day=dt.date(2023, 6, 30))
    december = subtree_counts_on(root=khoi, day=dt.date(2023, 12, 31))
    assert f"với {format_number(june.total)} đảng viên" in flat
    if december.total != june.total:
        assert f"với {format_number(december.total)} đảng viên" not in flat

    # Two unnumbered parts, each with its own I., II. (seed 004), in the PDF.
    printed = _squash(_pdftotext(pdf.render_pdf(layout).content, tmp_path))
    first = printed.index(
        "Phần thứ nhất TÌNH HÌNH TRIỂN KHAI THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI"
    )
    second = printed.index("Phần thứ hai PHƯƠNG HƯỚNG, NHIỆM VỤ, GIẢI PHÁP")
    assert (
        first
        < printed.index("I. BỐI CẢNH TÌNH HÌNH")
        < printed.index("IV. ĐÁNH GIÁ CHUNG")
        < second
    )
    assert (
        second
        < printed.index("I. DỰ BÁO TÌNH HÌNH")
        < printed.index("2. Dự báo khả năng thực hiện các chỉ tiêu")
    )
