"""The office changes a draft's structure: adds a section after another (at its
level or under it), deletes one with its sub-sections, moves one up or down.
Each change is audited and refused once the document is issued."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from partyreports.models import AuditEvent
from reports import services
from reports.models import Document
from reports.structure import build_layout
from targets import services as target_services

pytestmark = pytest.mark.django_db


def _report(world) -> Document:  # noqa: ANN001
    return services.document_create(
        organization=world.grassroots_a,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=dt.date(2023, 10, 6),
    )


def _outline(document: Document) -> list[str]:
    """ "II. ĐÁNH GIÁ CHUNG", "1. Ưu điểm"… as the printed document numbers them."""
    document.refresh_from_db()
    return [
        f"{n.number} {n.heading}".strip()
        for n in build_layout(document).walk()
        if n.heading
    ]


def _post(client, name: str, document: Document, of: str, **data):  # noqa: ANN001, ANN202
    """POST to a structure view for the section headed `of`."""
    section = document.sections.get(heading=of)
    url = reverse(
        f"reports:{name}",
        kwargs={"public_id": document.public_id, "section_id": section.id},
    )
    return client.post(url, {"version": document.version, **data})


def test_it_adds_a_section_after_another_at_its_level_or_under_it(
    client, world, office
):
    client.force_login(office)
    document = _report(world)
    response = _post(
        client,
        "section_add",
        document,
        "Ưu điểm",
        cap="ngang",
        heading="Kiến nghị, đề xuất",
    )
    assert response.status_code == 302
    outline = _outline(document)
    assert outline[outline.index("II. ĐÁNH GIÁ CHUNG") + 1 :][:3] == [
        "1. Ưu điểm",
        "2. Kiến nghị, đề xuất",
        "3. Hạn chế, khuyết điểm",
    ]
    event = AuditEvent.objects.filter(action="document.edit").latest("id")
    assert (
        event.user == office
        and "Thêm mục “Kiến nghị, đề xuất” (sau mục “Ưu điểm”)" in event.summary
    )
    assert document.version == 1

    assert (
        _post(
            client, "section_add", document, "Ưu điểm", cap="con", heading="Về lãnh đạo"
        ).status_code
        == 302
    )
    outline = _outline(document)
    assert outline[outline.index("1. Ưu điểm") + 1] == "1.1. Về lãnh đạo"
    # The new section waits for its text: issuance is refused until written.
    assert any(
        "mục 1.1. Về lãnh đạo: còn chỗ nhắc" in p
        for p in services.document_review(document).problems
    )


def test_it_deletes_a_section_with_its_sub_sections_once_confirmed(
    client, world, office
):
    client.force_login(office)
    document = _report(world)
    count = document.sections.count()
    response = _post(client, "section_delete", document, "ĐÁNH GIÁ CHUNG")
    assert response.status_code == 422
    assert "đánh dấu ô xác nhận" in response.content.decode()
    assert document.sections.count() == count
    assert (
        _post(
            client, "section_delete", document, "ĐÁNH GIÁ CHUNG", xac_nhan_xoa="1"
        ).status_code
        == 302
    )
    assert document.sections.count() == count - 3
    outline = _outline(document)
    assert "II. CHƯƠNG TRÌNH CHỈ ĐẠO QUÝ IV" in outline and "1. Ưu điểm" not in outline
    event = AuditEvent.objects.filter(action="document.edit").latest("id")
    assert "Xóa mục “ĐÁNH GIÁ CHUNG” cùng các mục con" in event.summary


def test_it_moves_a_section_up_and_down(client, world, office):
    client.force_login(office)
    document = _report(world)
    assert (
        _post(
            client, "section_move", document, "CHƯƠNG TRÌNH CHỈ ĐẠO QUÝ IV", huong="len"
        ).status_code
        == 302
    )
    outline = _outline(document)
    assert outline.index("II. CHƯƠNG TRÌNH CHỈ ĐẠO QUÝ IV") < outline.index(
        "III. ĐÁNH GIÁ CHUNG"
    )
    assert (
        _post(client, "section_move", document, "Ưu điểm", huong="xuong").status_code
        == 302
    )
    outline = _outline(document)
    assert outline.index("1. Hạn chế, khuyết điểm") < outline.index("2. Ưu điểm")
    response = _post(
        client, "section_move", document, "Hạn chế, khuyết điểm", huong="len"
    )
    assert response.status_code == 422 and "Mục đã ở đầu" in response.content.decode()
    assert "Chuyển mục “Ưu điểm” xuống dưới mục “Hạn chế, khuyết điểm”" in (
        AuditEvent.objects.filter(action="document.edit").latest("id").summary
    )


def test_structure_changes_are_refused_on_an_outdated_page_and_an_issued_document(
    client, world, office
):
    client.force_login(office)
    document = _report(world)
    stale = document.version
    _post(client, "section_move", document, "CHƯƠNG TRÌNH CHỈ ĐẠO QUÝ IV", huong="len")
    section = document.sections.get(heading="Ưu điểm")
    url = reverse(
        "reports:section_delete",
        kwargs={"public_id": document.public_id, "section_id": section.id},
    )
    assert client.post(url, {"version": stale, "xac_nhan_xoa": "1"}).status_code == 409
    assert document.sections.filter(pk=section.pk).exists()

    issued = world.issued_document
    first = issued.sections.order_by("order", "id").first()
    for name, data in (
        ("section_add", {"cap": "ngang", "heading": "Mục thêm"}),
        ("section_delete", {"xac_nhan_xoa": "1"}),
        ("section_move", {"huong": "xuong"}),
    ):
        url = reverse(
            f"reports:{name}",
            kwargs={"public_id": issued.public_id, "section_id": first.id},
        )
        response = client.post(url, {"version": issued.version, **data})
        assert response.status_code == 422, name
        assert "đã ban hành, không thể sửa" in response.content.decode()
    assert (
        list(issued.sections.order_by("order", "id").values_list("heading", flat=True))[
            0
        ]
        == first.heading
    )
    assert not issued.sections.filter(heading="Mục thêm").exists()


def test_the_annual_review_lists_next_years_targets_when_adopted(world):
    review = services.document_create(
        organization=world.grassroots_a,
        doc_type="annual",
        year=2023,
        dated=dt.date(2024, 1, 10),
    )
    assert build_layout(review).plain_text().count("Phấn đấu tạo việc làm") == 0
    plan = target_services.plan_create(
        organization=world.grassroots_a, title="Nghị quyết năm 2024", start_year=2024
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Phấn đấu tạo việc làm cho 19.500 người",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=19500,
    )
    review = services.document_create(
        organization=world.grassroots_a,
        doc_type="annual",
        year=2023,
        dated=dt.date(2024, 1, 10),
    )
    text = build_layout(review).plain_text()
    start = text.index("III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024")
    assert (
        "Các chỉ tiêu chủ yếu năm 2024:\nPhấn đấu tạo việc làm cho 19.500 người."
        in text[start:]
    )
