"""Data blocks write the seeds' sentences from data; typed numbers are checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from organizations import services as org_services
from organizations.models import Grade
from reports import blocks, checks, services
from reports.structure import build_layout
from targets import services as target_services
from targets.models import Source
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def so():
    """A small Sở with seed 001's 2023 figures for a few targets."""
    bloc = make_org("Đảng bộ Khối các cơ quan tỉnh", short_name="ĐUK")
    so = make_org(
        "Đảng bộ Sở Lao động - Thương binh và Xã hội", parent=bloc, short_name="ĐU"
    )
    cells = [make_org(f"Chi bộ {i}", parent=so) for i in range(3)]
    for i in range(10):
        make_member(
            cells[i % 3],
            full_member_on=None if i < 2 else dt.date(2016, 1, 1),
            admitted_on=dt.date(2015, 1, 1) if i >= 2 else dt.date(2023, 5, 1),
        )
    plan = target_services.plan_create(
        organization=so, title="Nghị quyết năm 2023", start_year=2023
    )
    jobs = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Giải quyết việc làm cho 18.500 lao động",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=18500,
        unit="người",
        report_phrase=(
            "Có {thuc_hien}/{ke_hoach} lao động được giải quyết việc làm, đạt "
            "{ty_le} so với kế hoạch"
        ),
    )
    overseas = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="trong đó 3.700 lao động đi làm việc ở nước ngoài",
        label="Đi làm việc ở nước ngoài",
        kind="count",
        plan_value=3700,
        unit="người",
        parent=jobs,
        report_phrase=(
            "trong đó có khoảng {thuc_hien}/{ke_hoach} lao động được tuyển chọn đi "
            "làm việc có thời hạn ở nước ngoài theo hợp đồng, đạt {ty_le} so với kế "
            "hoạch"
        ),
    )
    college = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Tuyển sinh cao đẳng 250 người",
        label="Tuyển sinh cao đẳng",
        kind="count",
        plan_value=250,
        unit="người",
    )
    poor = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Giảm tỷ lệ hộ nghèo 0,8%",
        label="Tỷ lệ hộ nghèo",
        kind="pp_change",
        plan_value="-0.8",
        unit="%",
        report_phrase=(
            "Tỷ lệ hộ nghèo giảm {thuc_hien}/{ke_hoach}% so với năm {nam_truoc}, đạt "
            "{ty_le}"
        ),
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="100% chi bộ hoàn thành tốt nhiệm vụ trở lên",
        label="Chi bộ HTTNV trở lên",
        kind="all_or_nothing",
        source=Source.CELLS_GOOD,
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="Kết nạp đảng viên đạt 4% so với đầu năm",
        label="Kết nạp đảng viên",
        kind="base_share",
        plan_value=4,
        source=Source.ADMISSIONS_SHARE,
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="100% chi bộ học tập nghị quyết",
        label="Học tập nghị quyết",
        kind="all_or_nothing",
    )
    study = plan.targets.get(label="Học tập nghị quyết")
    for cell, grade in zip(
        cells, [Grade.EXCELLENT, Grade.GOOD, Grade.FAILED], strict=True
    ):
        org_services.organization_rating_set(organization=cell, year=2023, grade=grade)
    entries = {
        jobs.id: target_services.Entry(value=Decimal(20360)),
        overseas.id: target_services.Entry(value=Decimal(6042)),
        college.id: target_services.Entry(value=Decimal(269)),
        poor.id: target_services.Entry(value=Decimal("-0.95")),
        study.id: target_services.Entry(numerator=Decimal(3), denominator=Decimal(3)),
    }
    target_services.sheet_save(
        organization=so, year=2023, quarter=4, version=0, entries=entries, user=None
    )
    return so


def _text(document) -> str:  # noqa: ANN001
    return build_layout(document).plain_text()


def test_the_annual_review_writes_seed_001s_sentences_from_data(so):
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    text = _text(document)
    assert (
        "Có 20.360/18.500 lao động được giải quyết việc làm, đạt 110,1% so với kế "
        "hoạch; trong đó có khoảng 6.042/3.700 lao động được tuyển chọn đi làm việc "
        "có thời hạn ở nước ngoài theo hợp đồng, đạt 163,3% so với kế hoạch."
    ) in text
    assert "Tuyển sinh cao đẳng: 269/250 người, đạt 107,6% so với kế hoạch." in text
    assert "Tỷ lệ hộ nghèo giảm 0,95/0,8% so với năm 2022, đạt 118,8%." in text
    assert (
        "hiện có 03 chi bộ, với 10 đảng viên, trong đó: chính thức 8, dự bị 02" in text
    )


def test_the_verdict_summary_has_its_footnote_naming_the_targets(so):
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    layout = build_layout(document)
    text = layout.plain_text()
    # Cells: 2 of 3 rated HTTNV or better (chưa đạt); admissions 2 of 8 members on
    # 1 January = 25% (đạt); study 3/3 (đạt).
    assert (
        "đề ra 03 chỉ tiêu; kết quả: có 02 chỉ tiêu đạt và 01 chỉ tiêu chưa đạt" in text
    )
    notes = [f.text for f in layout.footnotes]
    assert any(
        n.startswith(
            "02 chỉ tiêu đạt kế hoạch, gồm: Kết nạp đảng viên đạt 4% so với đầu năm; "
            "100% chi bộ học tập nghị quyết."
        )
        for n in notes
    )
    assert any(
        "01 chỉ tiêu chưa đạt kế hoạch, gồm: Chi bộ HTTNV trở lên: đạt 2/3" in n
        for n in notes
    )


def test_a_quarter_before_the_ratings_keeps_the_resolutions_count_and_names_what_waits(
    so,
):
    from targets.models import Target

    study = Target.objects.get(label="Học tập nghị quyết")
    target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=3,
        version=0,
        user=None,
        entries={
            study.id: target_services.Entry(
                numerator=Decimal(3), denominator=Decimal(3)
            )
        },
    )
    document = services.document_create(
        organization=so,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=dt.date(2023, 10, 6),
    )
    body = blocks.render_danh_gia(
        blocks.BlockContext(document), {"nhom": "Chỉ tiêu về công tác Đảng"}
    )
    # Chi bộ ratings are judged at quarter IV: still one of the three targets.
    assert body.startswith(
        "03 chỉ tiêu (01 chỉ tiêu chưa đánh giá ở kỳ này); kết quả: có "
    )


def test_the_resolution_reviews_last_year_and_lists_this_years_plan(so):
    plan = target_services.plan_create(
        organization=so, title="Nghị quyết năm 2024", start_year=2024
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Phấn đấu tạo việc làm cho 19.500 người",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=19500,
    )
    target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác Đảng",
        wording="Kết nạp đảng viên đạt 4%",
        label="Kết nạp",
        kind="count",
        plan_value=5,
    )
    document = services.document_create(
        organization=so, doc_type="resolution", year=2024, dated=dt.date(2024, 2, 23)
    )
    text = _text(document)
    assert "I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM 2023" in text
    assert "Có 20.360/18.500 lao động được giải quyết việc làm" in text
    assert (
        "- Phấn đấu tạo việc làm cho 19.500 người." in text
        or "Phấn đấu tạo việc làm cho 19.500 người." in text
    )
    assert document.abstract == "Về phương hướng, nhiệm vụ năm 2024"
    assert (
        document.symbol == "NQ/ĐU"
        and document.issuer_name == "ĐẢNG ỦY SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    )
    assert document.superior_name == "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH"


def test_blocks_follow_the_data_while_the_document_is_a_draft(so):
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    assert "20.360/18.500" in _text(document)
    sheet = so.sheets.get(quarter=4)
    jobs = so.plans.get(start_year=2023).targets.get(label="Giải quyết việc làm")
    target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=4,
        version=sheet.version,
        entries={jobs.id: target_services.Entry(value=Decimal(20400))},
        user=None,
    )
    assert "20.400/18.500" in _text(document) and "đạt 110,3%" in _text(document)


def test_a_typed_number_that_disagrees_with_the_data_is_flagged(so):
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    section = document.sections.get(heading="Kết quả đạt được")
    section.body += (
        "\n- Tuyển sinh cao đẳng 269/250 người (đạt 107,4%), việc làm 20.000/18.500 "
        "người."
    )
    section.save()
    flags = checks.typed_number_flags(document)
    messages = [f.message for f in flags]
    assert any("“đạt 107,4%” cho 269/250: đúng là 107,6%." in m for m in messages)
    assert any("“20.000/18.500”" in m and "20.360/18.500" in m for m in messages)
    section.body = section.body.replace("107,4%", "107,6%").replace(
        "20.000/18.500", "20.360/18.500"
    )
    section.save()
    assert checks.typed_number_flags(document) == []


def test_a_broken_block_is_listed_not_raised(so):
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    section = document.sections.first()
    section.body = '[[chi_tieu nhom="Không có nhóm này"]] và [[khong_co]]'
    section.save()
    layout = build_layout(document)
    assert any(
        "Không có nhóm chỉ tiêu “Không có nhóm này”" in p for p in layout.problems
    )
    assert any("Không có khối dữ liệu “khong_co”" in p for p in layout.problems)


def test_numbering_runs_through_the_term(so):
    assert services.term_for(dt.date(2023, 7, 6)) == (2020, 2025)
    assert services.term_for(dt.date(2025, 6, 30)) == (2020, 2025)
    assert services.term_for(dt.date(2025, 7, 1)) == (2025, 2030)
    assert services.term_for(dt.date(2020, 3, 1)) == (2015, 2020)


def test_as_of_figures_follow_the_documents_date(so):
    """A document dated 06/7/2023 reads quarter II and counts the members of
    30/6/2023, not those of 31/12/2023."""
    make_member(
        so.children.first(), admitted_on=dt.date(2023, 9, 1), full_member_on=None
    )
    document = services.document_create(
        organization=so, doc_type="midterm", year=2023, dated=dt.date(2023, 7, 6)
    )
    section = document.sections.filter(parent__isnull=False).first()
    section.body = "Đảng bộ [[dang_vien]]. Đến cuối năm: [[dang_vien ngay=2023-12-31]]."
    section.save()
    ctx = blocks.BlockContext(document)
    assert (ctx.default_year, ctx.default_quarter) == (2023, 2)
    text = _text(document)
    assert (
        text.count(
            "hiện có 03 chi bộ, với 10 đảng viên, trong đó: chính thức 8, dự bị 02"
        )
        == 2
    )
    assert "11 đảng viên" not in text
    # The year's review, dated in January, counts them all at 31 December.
    review = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    assert blocks.BlockContext(review).default_quarter == 4
    assert (
        "hiện có 03 chi bộ, với 11 đảng viên, trong đó: chính thức 8, dự bị 03"
        in _text(review)
    )


def test_a_block_reads_the_term_plan_on_request(so):
    term = target_services.plan_create(
        organization=so, title="Nghị quyết Đại hội", start_year=2020, end_year=2025
    )
    target_services.target_create(
        plan=term,
        group="Chỉ tiêu nhiệm kỳ",
        wording="Mỗi năm kết nạp từ 2 đảng viên mới trở lên",
        label="Kết nạp đảng viên mới",
        kind="per_year",
        plan_value=2,
        unit="đảng viên",
        source=Source.ADMISSIONS_SHARE,
    )
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    section = document.sections.filter(parent__isnull=False).first()
    section.body = (
        "[[chi_tieu ke_hoach=nhiem_ky]]\n[[danh_gia ke_hoach=nhiem_ky]]\n[[chi_tieu "
        "ke_hoach=thang]]"
    )
    section.save()
    layout = build_layout(document)
    text = layout.plain_text()
    assert (
        "Kết nạp đảng viên mới: bình quân" in text
        and "(chỉ tiêu Nghị quyết 2/năm)" in text
    )
    assert "chỉ tiêu Nghị quyết Đại hội đề ra hoàn thành và hoàn thành vượt mức" in text
    assert any(
        "“ke_hoach=thang”: ghi ke_hoach=nam hoặc ke_hoach=nhiem_ky." in p
        for p in layout.problems
    )


@pytest.fixture
def typed(so):
    """The annual review of `so` with a rate target too (68,9% of 68,7%)."""
    plan = so.plans.get(start_year=2023)
    trained = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Tỷ lệ lao động qua đào tạo đạt 68,7%",
        label="Tỷ lệ lao động qua đào tạo",
        kind="rate",
        plan_value="68.7",
        unit="%",
        places=1,
    )
    sheet = so.sheets.get(year=2023, quarter=4)
    target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=4,
        version=sheet.version,
        entries={
            trained.id: target_services.Entry(
                numerator=Decimal(689), denominator=Decimal(1000)
            )
        },
        user=None,
    )
    return services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )


def _flags_for(document, text: str) -> list[str]:  # noqa: ANN001
    section = document.sections.get(heading="Khó khăn, hạn chế")
    section.body = text
    section.save()
    return [f.message for f in checks.typed_number_flags(document)]


@pytest.mark.parametrize(
    ("wrong", "right", "message"),
    [
        (  # the membership sentence
            "Đảng bộ hiện có 11 chi bộ, với 158 đảng viên, trong đó: chính thức 154, "
            "dự bị 04.",
            "Đảng bộ hiện có 03 chi bộ, với 10 đảng viên, trong đó: chính thức 8, dự "
            "bị 02.",
            "“11 chi bộ, với 158 đảng viên, trong đó: chính thức 154, dự bị 04”: "
            "ngày 31/12/2023 có 03 chi bộ, với 10 đảng viên, trong đó: chính thức 8, "
            "dự bị 02.",
        ),
        (  # the verdict count sentence
            "Đã đề ra 06 chỉ tiêu; kết quả: có 04 chỉ tiêu đạt[^Gồm …] và 02 chỉ "
            "tiêu chưa đạt kế hoạch đề ra.",
            "Đề ra 03 chỉ tiêu công tác Đảng, có 02 chỉ tiêu đạt và 01 chỉ tiêu chưa "
            "đạt.",
            "“04 chỉ tiêu đạt … 02 chỉ tiêu chưa đạt”: theo dữ liệu, tất cả chỉ "
            "tiêu: 06 chỉ tiêu đạt và 01 chỉ tiêu chưa đạt.",
        ),
        (  # a reduction in points
            "Tỷ lệ hộ nghèo giảm 1,05/0,8% so với năm 2022, đạt 118,8%.",
            "Tỷ lệ hộ nghèo giảm 0,95/0,8% so với năm 2022, đạt 118,8%.",
            "“1,05/0,8”: số liệu của chỉ tiêu “Tỷ lệ hộ nghèo” là 0,95/0,8.",
        ),
        (  # a reduction with the wrong attainment
            "Tỷ lệ hộ nghèo giảm 0,95/0,8% so với năm 2022, đạt 110,0%.",
            "Tỷ lệ hộ nghèo giảm 0,95/0,8% so với năm 2022, đạt 118,75%.",
            "“đạt 110,0%” cho 0,95/0,8: đúng là 118,8%.",
        ),
        (  # a rate
            "Tỷ lệ lao động qua đào tạo: 69,9% (đạt 101,7% so với kế hoạch).",
            "Tỷ lệ lao động qua đào tạo: 68,9% (đạt 100,3% so với kế hoạch).",
            "“69,9%”: số liệu của chỉ tiêu “Tỷ lệ lao động qua đào tạo” là 68,9%, "
            "đạt 100,3%.",
        ),
        (  # a rate with the wrong attainment
            "Tỷ lệ lao động qua đào tạo đạt 68,9% (đạt 101,7% so với kế hoạch).",
            "Tỷ lệ lao động qua đào tạo đạt 68,9% (đạt 100,3% so với kế hoạch).",
            "“đạt 101,7%” cho 68,9%: đúng là 100,3%.",
        ),
        (  # a wrong plan figure
            "Có 20.360/18.000 lao động được giải quyết việc làm.",
            "Có 20.360/18.500 lao động được giải quyết việc làm, đạt 110,1% so với "
            "kế hoạch.",
            "“20.360/18.000”: kế hoạch của chỉ tiêu “Giải quyết việc làm” là 18.500; "
            "số liệu là 20.360/18.500.",
        ),
        (  # a count with a wrong "đạt x%"
            "Giải quyết việc làm cho 20.460 lao động, đạt 110,6%.",
            "Giải quyết việc làm cho 20.360 lao động, đạt 110,1%.",
            "“20.460”: số liệu của chỉ tiêu “Giải quyết việc làm” là 20.360, đạt "
            "110,1%.",
        ),
        (  # the right count with a wrong "đạt x%"
            "Giải quyết việc làm cho 20.360 lao động, đạt 110,6% kế hoạch năm 2023.",
            "Giải quyết việc làm cho 20.360 lao động trong năm 2023, đạt 110% kế "
            "hoạch.",
            "“đạt 110,6%” cho 20.360: đúng là 110,1%.",
        ),
    ],
)
def test_typed_figures_the_seeds_way_are_checked_against_the_data(
    typed, wrong, right, message
):
    assert _flags_for(typed, wrong) == [message]
    assert _flags_for(typed, right) == []


def test_sentences_are_worded_the_seeds_way(so):
    """Seed 002's "đạt …% nghị quyết năm"; seed 000's two verdict footnotes;
    seed 001's ratings; "đạt 150%" in prose, never "150,0%"."""
    from reports.structure import FootnoteRef

    plan = so.plans.get(start_year=2023)
    near_poor = target_services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Giảm tỷ lệ hộ cận nghèo 0,5%",
        label="Tỷ lệ hộ cận nghèo",
        kind="pp_change",
        plan_value="-0.5",
        unit="%",
    )
    sheet = so.sheets.get(year=2023, quarter=4)
    target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=4,
        version=sheet.version,
        entries={near_poor.id: target_services.Entry(value=Decimal("-0.75"))},
        user=None,
    )
    from organizations.models import Member

    for member, grade in zip(
        Member.objects.all()[:2], [Grade.EXCELLENT, Grade.GOOD], strict=True
    ):
        org_services.member_rating_set(member=member, year=2023, grade=grade)
    quarterly = services.document_create(
        organization=so,
        doc_type="quarterly",
        year=2023,
        quarter=4,
        dated=dt.date(2024, 1, 5),
    )
    text = _text(quarterly)
    assert (
        "Tuyển sinh cao đẳng: quý này 269 người (nâng tổng số từ đầu năm đến nay là "
        "269, đạt 107,6% nghị quyết năm)." in text
    )
    assert "Tỷ lệ hộ cận nghèo: giảm 0,75/0,5 điểm % so với năm 2022, đạt 150%." in text
    assert "đạt 150,0%" not in text  # the Phụ lục keeps one decimal in its column

    review = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    layout = build_layout(review)
    (paragraph,) = [
        item
        for node in layout.walk()
        for item in node.content
        if hasattr(item, "parts") and "chỉ tiêu chưa đạt" in item.text
    ]
    parts = paragraph.parts
    calls = [i for i, part in enumerate(parts) if isinstance(part, FootnoteRef)]
    assert len(calls) == 2
    assert parts[calls[0] - 1].endswith("có 02 chỉ tiêu đạt")
    assert parts[calls[0]].text.startswith("02 chỉ tiêu đạt kế hoạch, gồm:")
    assert parts[calls[1] - 1] == " và 01 chỉ tiêu chưa đạt"
    assert parts[calls[1]].text.startswith("01 chỉ tiêu chưa đạt kế hoạch, gồm:")
    assert parts[calls[1] + 1] == " kế hoạch đề ra."
    assert (
        "Kết quả đánh giá, xếp loại chất lượng năm 2023: 01 chi bộ được đánh giá "
        "“Hoàn thành xuất sắc nhiệm vụ”, 01 chi bộ “Hoàn thành tốt nhiệm vụ”, 01 chi "
        "bộ “Không hoàn thành nhiệm vụ”; 01 đảng viên (chiếm 12,50%) Hoàn thành xuất "
        "sắc nhiệm vụ; 01 đảng viên (chiếm 12,50%) Hoàn thành tốt nhiệm vụ."
    ) in layout.plain_text()


def test_defaults_follow_the_organisations_level_and_superior(world):
    """A chi bộ signs for itself under its own code; a committee names its
    superior committee among the recipients, whether the superior is in the
    tree (its parent) or only named (the top of the tree)."""
    cell = services.document_create(
        organization=world.cell_a1,
        doc_type="quarterly",
        year=2023,
        quarter=3,
        dated=dt.date(2023, 10, 6),
    )
    assert (cell.authority, cell.signer_position, cell.symbol) == (
        "T/M CHI BỘ",
        "BÍ THƯ",
        "BC/CB",
    )
    assert (
        cell.issuer_name == "CHI BỘ VĂN PHÒNG A"
        and cell.superior_name == "ĐẢNG BỘ SỞ A"
    )
    assert cell.recipient_lines == [
        "- Đảng ủy Sở A (báo cáo),",
        "- Các đồng chí chi ủy viên,",
        "- Lưu Chi bộ.",
    ]

    so = services.document_create(
        organization=world.grassroots_a,
        doc_type="resolution",
        year=2024,
        dated=dt.date(2024, 2, 23),
    )
    assert (so.authority, so.symbol) == ("T/M BAN CHẤP HÀNH", "NQ/ĐU")
    assert so.recipient_lines[0] == "- BTV Đảng ủy Khối A (để b/c),"
    assert "- Các chi bộ trực thuộc," in so.recipient_lines

    bloc = world.bloc_a
    bloc.superior_name = "ĐẢNG BỘ TỈNH QUẢNG BÌNH"
    bloc.save()
    khoi = services.document_create(
        organization=bloc, doc_type="midterm", year=2023, dated=dt.date(2023, 7, 6)
    )
    assert khoi.symbol == "BC/ĐUK" and khoi.issuer_name == "ĐẢNG ỦY KHỐI A"
    assert khoi.recipient_lines[0] == "- BTV Tỉnh ủy Quảng Bình (báo cáo),"
    assert "- Các tổ chức cơ sở đảng trực thuộc," in khoi.recipient_lines
    assert "cấp ủy cấp trên" not in khoi.recipients

    # No short code: taken from the level and the name, never a blanket "ĐU".
    bloc.short_name = ""
    bloc.save()
    assert services.issuer_code_for(bloc) == "ĐUK"
    world.cell_a2.short_name = ""
    assert services.issuer_code_for(world.cell_a2) == "CB"


def test_a_cadres_note_flows_into_the_sentence(so):
    """Result.note, the cadre's short explanation of a figure, follows the
    figures in the document; a phrase may place it itself with {ghi_chu}."""
    plan = so.plans.get(start_year=2023)
    jobs = plan.targets.get(label="Giải quyết việc làm")
    college = plan.targets.get(label="Tuyển sinh cao đẳng")
    college.report_phrase = (
        "Tuyển sinh cao đẳng {thuc_hien}/{ke_hoach} người, đạt {ty_le} ({ghi_chu})"
    )
    college.save()
    sheet = so.sheets.get(year=2023, quarter=4)
    target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=4,
        version=sheet.version,
        user=None,
        entries={
            jobs.id: target_services.Entry(
                value=Decimal(20360), note="Chủ yếu nhờ các phiên giao dịch việc làm."
            )
        },
    )
    document = services.document_create(
        organization=so, doc_type="annual", year=2023, dated=dt.date(2024, 1, 10)
    )
    text = _text(document)
    assert (
        "Có 20.360/18.500 lao động được giải quyết việc làm, đạt 110,1% so với kế "
        "hoạch (Chủ yếu nhờ các phiên giao dịch việc làm); trong đó có khoảng "
        "6.042/3.700 lao động"
    ) in text
    # Placed by the phrase, and left out with its brackets when there is none.
    assert "Tuyển sinh cao đẳng 269/250 người, đạt 107,6%." in text
    sheet.refresh_from_db()
    target_services.sheet_save(
        organization=so,
        year=2023,
        quarter=4,
        version=sheet.version,
        user=None,
        entries={
            college.id: target_services.Entry(value=Decimal(269), note="mở thêm 02 lớp")
        },
    )
    assert "Tuyển sinh cao đẳng 269/250 người, đạt 107,6% (mở thêm 02 lớp)." in _text(
        document
    )
