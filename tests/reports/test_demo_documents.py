"""From the demo data, the Sở's 2024 resolution and 2023 annual review come out
as PDFs that read like seeds 000 and 001, with the numbers computed."""

from __future__ import annotations

import datetime as dt
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
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_demo_resolution_and_annual_review_regenerate_as_pdf(tmp_path):
    call_command("load_demo", stdout=StringIO())
    so = Organization.objects.get(code="DEMO-LDTBXH")
    so.place_name = "Quảng Bình"
    so.save()

    resolution = services.document_create(organization=so, doc_type="resolution", year=2024, dated=dt.date(2024, 2, 23))
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
    assert "Có 20.360/18.500 lao động được giải quyết việc làm, đạt 110,1% so với kế hoạch" in flat
    assert "có 04 chỉ tiêu đạt và 02 chỉ tiêu chưa đạt" in flat
    # The footnote naming them (seed 000).
    assert "02 chỉ tiêu chưa đạt kế hoạch, gồm:" in flat and "Kết nạp đảng viên: được 04 đồng chí, đạt 2,6%" in flat
    assert "hiện có 10 chi bộ, với 157 đảng viên, trong đó: chính thức 154, dự bị 03" in flat
    assert "T/M BAN CHẤP HÀNH" in flat and "BÍ THƯ" in flat and "Nguyễn Văn Bí" in flat
    assert "Nơi nhận:" in flat and "Lưu Văn phòng" in flat
    assert "DỰ THẢO" not in flat

    review = services.document_create(organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10))
    from reports import pdf

    result = pdf.render_pdf(build_layout(review))
    assert result.problems == []
    flat = _squash(_pdftotext(result.content, tmp_path))
    assert "BÁO CÁO" in flat and "DỰ THẢO" in flat
    assert "Quảng Bình, ngày 10 tháng 01 năm 2024" in flat
    assert "Tuyển sinh giáo dục nghề nghiệp 17.250/17.000 người (đạt 101,5%); trong đó: cao đẳng 269/250 người (đạt 107,6%)" in flat
    assert "Tỷ lệ hộ nghèo giảm 0,95/0,8% so với năm 2022, đạt 118,8%" in flat
    assert "02 chi bộ HTXSNV, 07 chi bộ HTTNV, 01 chi bộ KHTNV; 27 đảng viên (17,53%) HTXSNV" in flat
    assert "Phụ lục 1" in flat and "Nơi nhận:" in flat
