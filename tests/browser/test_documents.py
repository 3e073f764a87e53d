"""A quarterly report in a real browser: the office creates the Q3/2023 report,
edits a sentence, prints a draft PDF, issues it, downloads the issued PDF twice
and gets identical bytes; editing is then refused.

Data: tests/conftest.py's world (Sở A, short name ĐU, with a 2023 plan and
already one issued BC/ĐU of the 2020-2025 term, its 01) and plan_world (jobs
target: 18.500 người). A Q3 result of 20.360 for the jobs target is entered
through the service first, so the report's data block has a sentence to write.

Renderings and issuance are Celery tasks; under the test settings they run
eagerly in the live server's thread when the request's transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Download, Page, expect

from reports import services as report_services
from reports.models import Document, DocumentStatus, Section
from targets import services as target_services
from tests.browser.conftest import PASSWORD
from tests.reports.drafting import enter_results, finish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOBS_SENTENCE = (
    "Giải quyết việc làm: quý này 20.360 người (nâng tổng số từ đầu năm đến nay là "
    "20.360, đạt 110,1% nghị quyết năm)"
)
JOBS_APPENDIX_ROW = "Giải quyết việc làm người 18.500 20.360 110,1% Vượt"
#: The day the draft is made: a Q3/2023 report is written in October 2023, in
#: the 2020-2025 term, where the world already issued BC/ĐU number 01.
TODAY = dt.date(2023, 10, 6)
OWN_SENTENCE = "Công tác chỉ đạo được đổi mới, bám sát thực tiễn của đơn vị."
RENDER_TIMEOUT = 60_000  # ms: WeasyPrint lays out the whole document
EDITOR_URL = re.compile(r"/van-ban/[0-9a-f-]{36}/(#.*)?$")


class _October2023:
    """reports.services' clock: documents are dated TODAY (the term follows)."""

    now = staticmethod(timezone.now)

    @staticmethod
    def localdate() -> dt.date:
        return TODAY


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Each role lands on its own start page ("/" decides).
    expect(page.get_by_test_id("logout")).to_be_visible()


def flat(text: str) -> str:
    """NFC and single spaces: PDF text extraction breaks lines where it likes."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(content: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    return flat(out)


def download_bytes(page: Page, link) -> tuple[Download, bytes]:  # noqa: ANN001
    """Click a download link as a person would; return the download and its bytes."""
    # A header the browser cannot read as an attachment (e.g. a non-ASCII file
    # name MIME-encoded as a whole) opens the PDF instead: say so plainly.
    fetched = page.request.get(link.get_attribute("href"))
    assert fetched.status == 200, fetched.status
    disposition = fetched.headers.get("content-disposition", "")
    assert disposition.startswith("attachment;"), disposition
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    return download, Path(download.path()).read_bytes()


def preview_text(page: Page) -> str:
    """Open "Xem trước" (a new tab) and return its visible text."""
    with page.context.expect_page() as info:
        page.get_by_role("link", name="Xem trước").click()
    preview = info.value
    preview.wait_for_load_state()
    text = flat(preview.locator("body").inner_text())
    preview.close()
    return text


def test_office_creates_edits_issues_and_downloads_a_quarterly_report(
    page: Page, world, plan_world, office, tmp_path, monkeypatch
) -> None:  # noqa: ANN001
    # Same process as the live server's thread, so its requests see this too.
    monkeypatch.setattr(report_services, "timezone", _October2023)
    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        entries={plan_world.jobs.id: target_services.Entry(value=Decimal(20360))},
        user=None,
    )
    before = set(Document.objects.values_list("pk", flat=True))

    # --- from the organisation's page to its documents ----------------------------
    org = {"public_id": world.grassroots_a.public_id}
    log_in(page, office.username)
    page.goto(reverse("organizations:detail", kwargs=org))
    # The organisation page's button (the navigation bar has its own "Văn bản").
    page.get_by_role("main").get_by_role("link", name="Văn bản", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("reports:list", kwargs=org))))

    # --- a new Q3/2023 quarterly report -------------------------------------------
    page.get_by_label("Loại văn bản").select_option(
        label="Báo cáo tình hình thực hiện nhiệm vụ quý"
    )
    page.get_by_label("Năm").fill("2023")
    page.get_by_label("Quý (báo cáo quý)").select_option(label="III")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page).to_have_url(EDITOR_URL)
    expect(page.get_by_role("alert").filter(has_text="Đã tạo dự thảo")).to_be_visible()
    expect(page.get_by_test_id("document-status")).to_contain_text("Dự thảo")

    created = Document.objects.exclude(pk__in=before)
    assert created.count() == 1
    document = created.get()
    assert document.doc_type == "quarterly"
    assert (document.year, document.quarter) == (2023, 3)
    assert document.is_draft and document.symbol == "BC/ĐU"
    assert (document.dated, document.term_start_year) == (TODAY, 2020)
    assert str(document.public_id) in page.url

    # --- the data block is written out in the preview -----------------------------
    text = preview_text(page)
    assert "ngày 06 tháng 10 năm 2023" in text, text
    assert JOBS_SENTENCE in text, text
    assert JOBS_APPENDIX_ROW in text, text

    # --- rewrite the "Ưu điểm" section --------------------------------------------
    body = page.get_by_label(re.compile(r"^Nội dung mục .*Ưu điểm$"))
    expect(body).to_have_count(1)
    body.fill(OWN_SENTENCE)
    body.locator("xpath=ancestor::form").get_by_role("button", name="Lưu mục").click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã lưu mục “Ưu điểm”.")
    ).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Nội dung mục .*Ưu điểm$"))).to_have_value(
        OWN_SENTENCE
    )
    section = Section.objects.get(document=document, heading="Ưu điểm")
    assert section.body == OWN_SENTENCE
    text = preview_text(page)
    assert OWN_SENTENCE in text, text
    assert JOBS_SENTENCE in text, text
    expect(page.get_by_test_id("flags")).to_have_count(0)

    # --- a draft PDF, polled until done, then downloaded --------------------------
    page.get_by_role("button", name="Tạo PDF").click()
    draft_rendering = page.get_by_test_id("rendering").filter(has_text="Bản PDF")
    expect(draft_rendering).to_have_count(1)
    expect(draft_rendering.get_by_test_id("rendering-status")).to_have_text(
        "Xong", timeout=RENDER_TIMEOUT
    )
    download, draft_pdf = download_bytes(
        page, draft_rendering.get_by_role("link", name="tải về")
    )
    assert download.suggested_filename == "BC-ĐU-du-thao.pdf"
    assert draft_pdf.startswith(b"%PDF")
    text = pdf_text(draft_pdf, tmp_path, "draft.pdf")
    assert "DỰ THẢO" in text, text
    assert OWN_SENTENCE in text, text
    assert JOBS_SENTENCE in text, text

    # --- an unfinished draft cannot be issued ------------------------------------
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("chưa ghi họ tên người ký")
    expect(problems).to_contain_text(
        "mục 2. Hạn chế, khuyết điểm: còn chỗ nhắc “(Văn phòng soạn nội dung.)” "
        "chưa soạn."
    )
    expect(page.get_by_role("button", name="Ban hành văn bản")).to_be_disabled()

    # The other sections are written (by colleagues, in earlier sessions) and the
    # other targets' Q3 figures entered; the office names the signer here.
    finish(document, signer=None)
    enter_results(world.grassroots_a, year=2023, quarter=3)
    page.reload()
    page.get_by_text("Đầu văn bản, người ký, nơi nhận").click()
    page.get_by_role("textbox", name="Người ký").fill("Trần Chí Viễn")
    page.get_by_role("button", name="Lưu đầu văn bản").click()
    expect(
        page.get_by_role("alert").filter(has_text="Đã lưu đầu văn bản.")
    ).to_be_visible()
    expect(page.get_by_test_id("problems")).to_have_count(0)

    # --- issue: a task numbers, freezes and stores the official PDF ---------------
    page.get_by_role("button", name="Ban hành văn bản").click()
    expect(page).to_have_url(EDITOR_URL)
    expect(page.get_by_role("alert").filter(has_text="Đang ban hành")).to_be_visible()
    status = page.get_by_test_id("document-status")
    for _ in range(RENDER_TIMEOUT // 1000):
        if "Đã ban hành" in status.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(status).to_contain_text("Đã ban hành")
    expect(page.get_by_test_id("document-number")).to_have_text("Số 02-BC/ĐU")

    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    assert (document.number, document.term_label) == (2, "2020-2025")
    assert document.number_and_symbol == "Số 02-BC/ĐU"

    # --- the issued PDF: twice the same bytes, matching the stored SHA-256 --------
    issued_link = page.get_by_role("link", name="Tải PDF đã ban hành")
    first_download, first = download_bytes(page, issued_link)
    _, second = download_bytes(page, issued_link)
    assert first_download.suggested_filename == "BC-ĐU-02.pdf"
    assert first.startswith(b"%PDF")
    assert first == second
    assert hashlib.sha256(first).hexdigest() == document.pdf_sha256
    text = pdf_text(first, tmp_path, "issued.pdf")
    assert "Số 02-BC/ĐU" in text, text
    assert OWN_SENTENCE in text, text
    assert JOBS_SENTENCE in text, text
    assert "DỰ THẢO" not in text, text
    assert "Trần Chí Viễn" in text and "Văn phòng soạn" not in text, text

    # --- editing is refused -------------------------------------------------------
    page.reload()
    expect(page.get_by_test_id("document-status")).to_contain_text("Đã ban hành")
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Lưu mục")).to_have_count(0)
    expect(page.get_by_role("button", name="Ban hành văn bản")).to_have_count(0)
    expect(page.locator(f"#muc-{section.pk}")).to_contain_text(OWN_SENTENCE)
    # Not even a hand-made POST with the session's cookie and CSRF token.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(
        reverse(
            "reports:section",
            kwargs={"public_id": document.public_id, "section_id": section.pk},
        ),
        form={
            "csrfmiddlewaretoken": token,
            "version": str(document.version),
            "heading": "Ưu điểm",
            "body": "Sửa sau khi ban hành.",
        },
        max_redirects=0,
    )
    assert response.status == 422, response.status
    assert "đã ban hành, không thể sửa" in response.text()
    section.refresh_from_db()
    assert section.body == OWN_SENTENCE
    assert "Sửa sau khi ban hành" not in section.frozen_body
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.number == 2
