"""Issuing a document: numbered in its term, frozen, stored PDF, read-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from reports import services
from reports.models import Document, DocumentStatus, NumberCounter
from targets import services as target_services
from tests.reports.drafting import enter_results, finish


def _document(world, *, finished: bool = True, **kwargs):  # noqa: ANN001, ANN202
    """The Q3/2023 report of Sở A; `finished`: written, signed, every figure in."""
    document = services.document_create(
        organization=world.grassroots_a,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=kwargs.pop("dated", dt.date(2023, 10, 6)),
        **kwargs,
    )
    if finished:
        enter_results(world.grassroots_a, year=2023, quarter=3)
        finish(document)
    return document


@pytest.mark.django_db
def test_issuing_numbers_freezes_and_stores_the_pdf(world, plan_world):
    document = _document(world)
    issued = services.document_issue(document=document, user=None)
    assert issued.status == DocumentStatus.ISSUED
    # The world already holds one issued BC/ĐU of this term (its 01).
    assert world.issued_document.number == 1
    assert issued.number == 2 and issued.term_label == "2020-2025"
    assert issued.number_and_symbol == "Số 02-BC/ĐU"
    with issued.pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == issued.pdf_sha256
    frozen = issued.sections.exclude(frozen_body="").first()
    assert "[[" not in frozen.frozen_body
    # The next BC of the same committee in the same term takes the next number.
    second = services.document_issue(document=_document(world), user=None)
    assert second.number == 3
    # A new term starts again from 01.
    later = services.document_issue(
        document=_document(world, dated=dt.date(2025, 8, 1)), user=None
    )
    assert (later.number, later.term_label) == (1, "2025-2030")


@pytest.mark.django_db
def test_an_issued_document_is_frozen_against_later_data(world, plan_world):
    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        entries={plan_world.jobs.id: target_services.Entry(value=Decimal(20360))},
        user=None,
    )
    document = services.document_issue(document=_document(world), user=None)
    from reports.structure import build_layout

    before = build_layout(document).plain_text()
    assert "20.360" in before
    sheet = world.grassroots_a.sheets.get(quarter=3)
    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=sheet.version,
        entries={plan_world.jobs.id: target_services.Entry(value=Decimal(1))},
        user=None,
    )
    document.refresh_from_db()
    assert build_layout(document).plain_text() == before


@pytest.mark.django_db
def test_a_broken_block_stops_issuance_and_uses_no_number(world, plan_world):
    document = _document(world)
    section = document.sections.first()
    section.body = "[[khong_co_khoi_nay]]"
    section.save()
    with pytest.raises(services.ValidationError):
        services.document_issue(document=document, user=None)
    document.refresh_from_db()
    assert document.is_draft and document.number is None
    assert (
        NumberCounter.objects.get(symbol="BC/ĐU").last_number
        == world.issued_document.number
    )


@pytest.mark.django_db(transaction=True)
def test_two_issuances_at_once_never_share_a_number(world, plan_world):
    documents = [_document(world) for _ in range(3)]
    barrier = threading.Barrier(len(documents))
    errors: list[BaseException] = []

    def issue(document: Document) -> None:
        try:
            barrier.wait(timeout=30)
            services.document_issue(document=document, user=None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    numbers = sorted(
        Document.objects.filter(pk__in=[d.pk for d in documents]).values_list(
            "number", flat=True
        )
    )
    assert numbers == [2, 3, 4]


@pytest.mark.django_db
def test_editing_is_refused_once_issued_and_downloads_are_identical(
    client, world, plan_world, office, django_capture_on_commit_callbacks
):
    client.force_login(office)
    document = _document(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:issue", kwargs={"public_id": document.public_id})
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert not document.is_draft
    url = reverse("reports:pdf", kwargs={"public_id": document.public_id})
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == document.pdf_sha256
    section = document.sections.first()
    response = client.post(
        reverse(
            "reports:section",
            kwargs={"public_id": document.public_id, "section_id": section.id},
        ),
        {"version": document.version, "heading": "x", "body": "sửa sau khi ban hành"},
    )
    assert response.status_code == 422
    section.refresh_from_db()
    assert section.body != "sửa sau khi ban hành"


@pytest.mark.django_db
def test_a_tampered_issued_pdf_is_refused(client, world, plan_world, office, caplog):
    client.force_login(office)
    document = services.document_issue(document=_document(world), user=None)
    with open(document.pdf.path, "ab") as handle:
        handle.write(b"tampered")
    with caplog.at_level("ERROR", logger="reports.views"):
        response = client.get(
            reverse("reports:pdf", kwargs={"public_id": document.public_id})
        )
    assert response.status_code == 409
    assert f"Issued PDF {document.public_id} does not match its SHA-256" in caplog.text


@pytest.mark.django_db
def test_typed_numbers_that_disagree_need_confirmation_to_issue(
    client, world, plan_world, office, django_capture_on_commit_callbacks
):
    client.force_login(office)
    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        entries={plan_world.jobs.id: target_services.Entry(value=Decimal(20360))},
        user=None,
    )
    document = _document(world)
    section = document.sections.filter(heading="Ưu điểm").first()
    section.body = "Giải quyết việc làm 20.000/18.500 người (đạt 108,1%)."
    section.save()
    url = reverse("reports:issue", kwargs={"public_id": document.public_id})
    editor = client.get(
        reverse("reports:edit", kwargs={"public_id": document.public_id})
    ).content.decode()
    assert "Số liệu gõ tay khác dữ liệu" in editor and "20.360/18.500" in editor
    client.post(url)
    document.refresh_from_db()
    assert document.is_draft
    # Confirmed on a page read before the last edit: refused.
    read_at = document.version
    services.section_save(
        document=document,
        section=section,
        version=document.version,
        heading=section.heading,
        body=section.body + " Lao động qua đào tạo 70/68,7%.",
    )
    response = client.post(url, {"xac_nhan": "1", "version": read_at}, follow=True)
    assert any(
        "vừa được sửa sau khi bạn mở trang" in str(m)
        for m in response.context["messages"]
    )
    document.refresh_from_db()
    assert document.is_draft
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"xac_nhan": "1", "version": document.version})
    document.refresh_from_db()
    assert not document.is_draft


@pytest.mark.django_db
def test_an_edit_after_the_confirmation_stops_the_issuance(world, plan_world):
    """The office confirmed the flagged figures of version v; the text changed
    before the task ran: the task refuses rather than issue unconfirmed text."""
    from reports.models import Rendering, RenderStatus

    target_services.sheet_save(
        organization=world.grassroots_a,
        year=2023,
        quarter=3,
        version=0,
        entries={plan_world.jobs.id: target_services.Entry(value=Decimal(20360))},
        user=None,
    )
    document = _document(world)
    section = document.sections.get(heading="Ưu điểm")
    services.section_save(
        document=document,
        section=section,
        version=document.version,
        heading=section.heading,
        body="Giải quyết việc làm 20.000/18.500 người.",
    )
    document.refresh_from_db()
    rendering = Rendering.objects.create(
        document=document, fmt="pdf", for_issue=True, document_version=document.version
    )
    services.section_save(
        document=document,
        section=section,
        version=document.version,
        heading=section.heading,
        body="Giải quyết việc làm 20.000/18.500 người; Kiểm tra, giám sát 09/07 cuộc.",
    )
    services.rendering_run(rendering_id=rendering.pk)
    rendering.refresh_from_db()
    assert rendering.status == RenderStatus.FAILED
    assert "đã được sửa sau khi số liệu được xác nhận" in rendering.error
    document.refresh_from_db()
    assert document.is_draft and document.number is None
    # Confirmed on the text as it now stands, it is issued.
    issued = services.document_issue(
        document=document,
        user=None,
        confirm_flags=True,
        confirmed_version=document.version,
    )
    assert issued.number == 2


@pytest.mark.django_db
def test_two_editors_the_second_save_is_refused(client, world, plan_world, office):
    client.force_login(office)
    document = _document(world)
    section = document.sections.filter(heading="Ưu điểm").first()
    url = reverse(
        "reports:section",
        kwargs={"public_id": document.public_id, "section_id": section.id},
    )
    version = document.version
    assert (
        client.post(
            url,
            {
                "version": version,
                "heading": "Ưu điểm",
                "body": "Bản của người thứ nhất.",
            },
        ).status_code
        == 302
    )
    response = client.post(
        url,
        {"version": version, "heading": "Ưu điểm", "body": "Bản của người thứ hai."},
    )
    assert response.status_code == 409
    section.refresh_from_db()
    assert section.body == "Bản của người thứ nhất."


@pytest.mark.django_db
def test_render_and_list_commands(world, plan_world, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    document = services.document_issue(document=_document(world), user=None)
    out = tmp_path / "doc.pdf"
    call_command(
        "render_document", str(document.pk), "--out", str(out), stdout=StringIO()
    )
    with document.pdf.open("rb") as handle:
        assert out.read_bytes() == handle.read()
    docx_out = tmp_path / "doc.docx"
    call_command(
        "render_document",
        str(document.public_id),
        "--out",
        str(docx_out),
        "--format",
        "docx",
        stdout=StringIO(),
    )
    assert docx_out.read_bytes()[:2] == b"PK"
    listing = StringIO()
    call_command("list_documents", stdout=listing)
    assert "Số 02-BC/ĐU" in listing.getvalue() and "quarterly" in listing.getvalue()


@pytest.mark.django_db
def test_a_correction_is_a_new_draft_with_the_issued_text(
    client, world, plan_world, office
):
    client.force_login(office)
    issued = services.document_issue(document=_document(world), user=None)
    response = client.post(
        reverse("reports:correct", kwargs={"public_id": issued.public_id})
    )
    assert response.status_code == 302
    copy = Document.objects.get(corrects=issued)
    assert (
        copy.is_draft
        and copy.number is None
        and issued.number_and_symbol in copy.abstract
    )
    assert sorted(s.body for s in copy.sections.all()) == sorted(
        s.frozen_body for s in issued.sections.all()
    )
    issued.refresh_from_db()
    assert not issued.is_draft


@pytest.mark.django_db
def test_downloads_are_attachments_with_vietnamese_file_names(
    client, world, plan_world, office
):
    client.force_login(office)
    document = services.document_issue(document=_document(world), user=None)
    response = client.get(
        reverse("reports:pdf", kwargs={"public_id": document.public_id})
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert "BC-%C4%90U-02.pdf" in response["Content-Disposition"]


@pytest.mark.django_db
def test_changing_the_date_moves_the_document_into_that_dates_term(world, plan_world):
    document = _document(world)
    assert (document.term_start_year, document.term_end_year) == (2020, 2025)
    services.document_update(
        document=document, version=document.version, dated=dt.date(2025, 8, 1)
    )
    issued = services.document_issue(document=document, user=None)
    assert (issued.number, issued.term_label) == (1, "2025-2030")


# --- an unfinished draft is refused -----------------------------------------------


@pytest.mark.django_db
def test_an_unfinished_draft_is_refused_with_each_problem_by_section(
    client, world, plan_world, office
):
    document = _document(world, finished=False)
    document.recipients = "- BTV cấp ủy cấp trên (báo cáo),\n- Lưu Văn phòng."
    document.save()
    preamble = document.sections.get(heading="Ưu điểm")
    preamble.body = "Hội nghị Ban Chấp hành mở rộng ngày …; đã nhất trí."
    preamble.save()
    with pytest.raises(services.ValidationError) as refused:
        services.document_issue(document=document, user=None, confirm_flags=True)
    messages = refused.value.messages
    assert (
        "Chưa thể ban hành: mục 1. Lãnh đạo thực hiện nhiệm vụ chính trị: còn chỗ nhắc "
        "“(Văn phòng soạn nội dung.)” chưa soạn."
    ) in messages
    assert (
        "Chưa thể ban hành: mục 1. Ưu điểm: còn chỗ nhắc “ngày …” chưa soạn."
        in messages
    )
    # Q3 has no figures yet: the data block printed "…" for them.
    assert any(
        m.startswith(
            "Chưa thể ban hành: mục 1. Lãnh đạo thực hiện nhiệm vụ chính trị: "
            "chỉ tiêu “Giải quyết việc làm” chưa có số liệu, câu còn “…”"
        )
        for m in messages
    ), messages
    assert any(
        "Nơi nhận: còn nơi nhận mẫu “BTV cấp ủy cấp trên”" in m for m in messages
    )
    assert "Chưa thể ban hành: Chữ ký: chưa ghi họ tên người ký." in messages
    document.refresh_from_db()
    assert document.is_draft and document.number is None
    assert (
        NumberCounter.objects.get(symbol="BC/ĐU").last_number
        == world.issued_document.number
    )

    # The editor lists the same problems and the button is disabled; a POST is refused.
    client.force_login(office)
    editor = client.get(
        reverse("reports:edit", kwargs={"public_id": document.public_id})
    )
    page = editor.content.decode()
    assert 'data-testid="problems"' in page and "chưa ghi họ tên người ký" in page
    # The header form (where the signer is named) posts to its own view.
    header_url = reverse("reports:header", kwargs={"public_id": document.public_id})
    assert f'action="{header_url}"' in page
    assert "chỉ tiêu “Giải quyết việc làm” chưa có số liệu" in page
    response = client.post(
        reverse("reports:issue", kwargs={"public_id": document.public_id}), follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert "Chưa thể ban hành: Chữ ký: chưa ghi họ tên người ký." in shown
    document.refresh_from_db()
    assert document.is_draft

    # Written, signed and with its figures, it is issued without "…" or prompts.
    preamble.body = "Hội nghị Ban Chấp hành mở rộng ngày 05/10/2023; đã nhất trí."
    preamble.save()
    enter_results(world.grassroots_a, year=2023, quarter=3)
    issued = services.document_issue(document=finish(document), user=None)
    assert issued.number == 2
    text = "\n".join(s.frozen_body for s in issued.sections.all())
    assert "…" not in text and "Văn phòng soạn" not in text


@pytest.mark.django_db
def test_appendix_rows_without_data_are_issued_only_once_confirmed(world, plan_world):
    document = _document(world, finished=False)
    # The figures the text cites are typed; the appendix has every target, and
    # the inspections have no figure this year.
    enter_results(world.grassroots_a, year=2023, quarter=3)
    sheet = world.grassroots_a.sheets.get(year=2023, quarter=3)
    sheet.results.filter(target=plan_world.inspections).delete()
    section = document.sections.get(heading="Lãnh đạo thực hiện nhiệm vụ chính trị")
    section.body = "Giải quyết việc làm cho 20.350 lao động trong 9 tháng."
    section.save()
    finish(document)
    found = services.document_review(document)
    assert found.problems == []
    assert [(f.section, f.message) for f in found.notices] == [
        (
            "Phụ lục 1 KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            "chỉ tiêu “Kiểm tra, giám sát” chưa có số liệu trong bảng phụ lục",
        )
    ]
    with pytest.raises(
        services.ValidationError,
        match="Cần xác nhận trước khi ban hành: Phụ lục 1 .*“Kiểm tra, giám sát”",
    ):
        services.document_issue(document=document, user=None)
    assert (
        services.document_issue(document=document, user=None, confirm_flags=True).number
        == 2
    )
