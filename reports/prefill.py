"""What a new document of each type starts with: the seeds' structure, with data
blocks where the seeds put numbers and short prompts where the office writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.models import DocumentType, SectionKind

PRO = "Chỉ tiêu về công tác chuyên môn"
PARTY = "Chỉ tiêu về công tác Đảng"
WRITE = "(Văn phòng soạn nội dung.)"
#: Prompts the office replaces; reports/checks.py refuses to issue while one is
#: left: "(Văn phòng soạn …)", "(Văn phòng điền …)".
MEETING_DATE = "(Văn phòng điền ngày hội nghị)"
#: The recipient written when the superior committee is not known.
PLACEHOLDER_RECIPIENT = "BTV cấp ủy cấp trên"
QUARTER_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass
class Draft:
    heading: str
    body: str = ""
    children: list[Draft] = field(default_factory=list)
    kind: str = SectionKind.BODY
    numbered: bool = True
    is_part: bool = False


def abstract_for(
    doc_type: str, *, year: int, quarter: int | None, term: tuple[int, int] | None
) -> str:
    if doc_type == DocumentType.RESOLUTION:
        return f"Về phương hướng, nhiệm vụ năm {year}"
    if doc_type == DocumentType.QUARTERLY:
        q = quarter or 1
        nxt, nxt_year = (q + 1, year) if q < 4 else (1, year + 1)
        return (
            f"Tình hình thực hiện nhiệm vụ quý {QUARTER_ROMAN[q]} và "
            f"chương trình chỉ đạo quý {QUARTER_ROMAN[nxt]}/{nxt_year}"
        )
    if doc_type == DocumentType.ANNUAL:
        return (
            f"Tổng kết công tác xây dựng Đảng năm {year}, phương hướng, nhiệm vụ năm "
            f"{year + 1}"
        )
    start, end = term or (year - 2, year + 2)
    return (
        "Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội Đảng bộ, nhiệm kỳ "
        f"{start}-{end}"
    )


def sections_for(
    doc_type: str,
    *,
    organization_name: str,
    year: int,
    quarter: int | None,
    basis: str = "approved",
    term: tuple[int, int] | None = None,
    next_year_plan: bool = False,
) -> list[Draft]:
    """The sections of a new draft. `basis` "submitted": the quarterly report's
    sums count the subordinates' sent sheets too (drafted from a dashboard
    showing them). `next_year_plan`: the organisation already adopted next
    year's targets (an annual review's part III lists them)."""
    if doc_type == DocumentType.RESOLUTION:
        return _resolution(organization_name, year)
    if doc_type == DocumentType.QUARTERLY:
        return _quarterly(
            organization_name, year, quarter or 1, submitted=basis == "submitted"
        )
    if doc_type == DocumentType.ANNUAL:
        return _annual(organization_name, year, next_year_plan)
    return _midterm(organization_name, term or (year - 2, year + 2))


def _resolution(name: str, year: int) -> list[Draft]:
    prev = year - 1
    return [
        Draft(
            "",
            f"Hội nghị Ban Chấp hành {name} mở rộng ngày {MEETING_DATE}; trên cơ sở "
            "ý kiến thảo luận, đánh giá tình hình, kết quả thực hiện nhiệm vụ năm "
            f"{prev}; phương hướng, nhiệm vụ, giải pháp năm {year}, đã nhất trí "
            "quyết nghị:",
            numbered=False,
        ),
        Draft(
            f"TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM {prev}",
            f"Năm {prev}, {name} thực hiện nhiệm vụ trong bối cảnh {WRITE}\n"
            f"Các chỉ tiêu chuyên môn năm {prev}:\n"
            f'[[chi_tieu nhom="{PRO}" nam={prev}]]\n'
            f"Kết quả thực hiện các chỉ tiêu công tác Đảng năm {prev}: ngay từ đầu "
            "năm, Ban Chấp hành đã đề ra "
            f'[[danh_gia nhom="{PARTY}" nam={prev}]] kế hoạch đề ra.\n'
            f"Đến ngày 31/12/{prev}, Đảng bộ [[dang_vien ngay={prev}-12-31]]; kết "
            f"quả xếp loại chất lượng: [[xep_loai nam={prev}]].",
        ),
        Draft(
            f"CHỈ TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP NĂM {year}",
            children=[
                Draft(
                    "Các chỉ tiêu chủ yếu",
                    children=[
                        Draft(PRO, f'[[ke_hoach nhom="{PRO}" nam={year}]]'),
                        Draft(PARTY, f'[[ke_hoach nhom="{PARTY}" nam={year}]]'),
                    ],
                ),
                Draft("Nhiệm vụ, giải pháp", WRITE),
            ],
        ),
        Draft(
            "TỔ CHỨC THỰC HIỆN",
            f"Các chi bộ trực thuộc căn cứ Nghị quyết của {name} về phương hướng, "
            f"nhiệm vụ năm {year} để xây dựng kế hoạch thực hiện phù hợp với nhiệm "
            "vụ chính trị của từng chi bộ.\n"
            "Văn phòng Đảng ủy chủ trì, phối hợp theo dõi, đôn đốc việc thực hiện "
            "Nghị quyết và định kỳ báo cáo kết quả về Ban Thường vụ Đảng ủy./.",
        ),
    ]


def _quarterly(
    name: str, year: int, quarter: int, *, submitted: bool = False
) -> list[Draft]:
    q = QUARTER_ROMAN[quarter]
    nxt = QUARTER_ROMAN[quarter % 4 + 1]
    basis = " co_so=da_gui" if submitted else ""
    counted = " (tính cả báo cáo đã gửi, chưa duyệt)" if submitted else ""
    return [
        Draft(
            f"TÌNH HÌNH THỰC HIỆN NHIỆM VỤ QUÝ {q}/{year}",
            children=[
                Draft(
                    "Lãnh đạo thực hiện nhiệm vụ chính trị",
                    f"{WRITE}\nKết quả thực hiện các chỉ tiêu đến hết quý "
                    f"{q}/{year}{counted}:\n[[chi_tieu{basis}]]",
                ),
                Draft("Công tác chính trị, tư tưởng", WRITE),
                Draft(
                    "Thực hiện Nghị quyết Trung ương 4 gắn với Chỉ thị 05-CT/TW", WRITE
                ),
                Draft(
                    "Công tác xây dựng tổ chức cơ sở đảng và đảng viên",
                    f"Đảng bộ [[dang_vien]]. {WRITE}",
                ),
                Draft("Công tác tổ chức cán bộ và bảo vệ chính trị nội bộ", WRITE),
                Draft(
                    "Công tác kiểm tra, giám sát và thi hành kỷ luật trong Đảng", WRITE
                ),
                Draft("Công tác dân vận và lãnh đạo các đoàn thể", WRITE),
            ],
        ),
        Draft(
            "ĐÁNH GIÁ CHUNG",
            children=[Draft("Ưu điểm", WRITE), Draft("Hạn chế, khuyết điểm", WRITE)],
        ),
        Draft(f"CHƯƠNG TRÌNH CHỈ ĐẠO QUÝ {nxt}", WRITE),
        Draft(
            "",
            f"Trên đây là báo cáo tình hình thực hiện nhiệm vụ quý {q} và chương "
            f"trình chỉ đạo quý {nxt} năm {year} của {name}./.",
            numbered=False,
        ),
        Draft(
            "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            f"[[phu_luc{basis}]]",
            kind=SectionKind.APPENDIX,
        ),
    ]


def _annual(name: str, year: int, next_year_plan: bool) -> list[Draft]:
    outlook = WRITE
    if next_year_plan:
        outlook = (
            f"Các chỉ tiêu chủ yếu năm {year + 1}:\n[[ke_hoach nam={year + 1}]]\n"
            f"Nhiệm vụ, giải pháp: {WRITE}"
        )
    return [
        Draft(
            "KẾT QUẢ ĐẠT ĐƯỢC",
            children=[
                Draft(
                    "Lãnh đạo thực hiện nhiệm vụ chuyên môn",
                    children=[
                        Draft(
                            "Kết quả đạt được",
                            f'{WRITE}\n* Về chỉ tiêu\n[[chi_tieu nhom="{PRO}"]]\n* '
                            f"Về nhiệm vụ\n{WRITE}",
                        ),
                        Draft("Khó khăn, hạn chế", WRITE),
                    ],
                ),
                Draft(
                    "Công tác xây dựng Đảng",
                    children=[
                        Draft("Công tác chính trị, tư tưởng", WRITE),
                        Draft(
                            "Công tác tổ chức, cán bộ, đảng viên",
                            f"Đảng bộ [[dang_vien ngay={year}-12-31]].\n"
                            f"Kết quả đánh giá, xếp loại chất lượng năm {year}: "
                            f"[[xep_loai nam={year}]].\n"
                            "Kết quả thực hiện các chỉ tiêu công tác Đảng: đề ra "
                            f'[[danh_gia nhom="{PARTY}"]] kế hoạch đề ra.',
                        ),
                        Draft("Công tác kiểm tra, giám sát", WRITE),
                        Draft("Công tác dân vận và lãnh đạo các đoàn thể", WRITE),
                    ],
                ),
            ],
        ),
        Draft("ĐÁNH GIÁ CHUNG", WRITE),
        Draft(f"PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {year + 1}", outlook),
        Draft(
            "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NĂM " + str(year),
            "[[phu_luc]]",
            kind=SectionKind.APPENDIX,
        ),
    ]


def _midterm(name: str, term: tuple[int, int]) -> list[Draft]:
    """Seed 004: two parts, each with its own I., II.; the blocks read the
    congress term's plan (a mid-term review's default basis)."""
    span = f"{term[0]} - {term[1]}"
    return [
        Draft(
            "TÌNH HÌNH TRIỂN KHAI THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ, NHIỆM KỲ "
            f"{span}",
            f"Ban Chấp hành {name} báo cáo kết quả thực hiện Nghị quyết Đại hội nửa "
            f"đầu nhiệm kỳ {span} như sau: {WRITE}",
            is_part=True,
            numbered=False,
            children=[
                Draft(
                    f"BỐI CẢNH TÌNH HÌNH TỪ SAU ĐẠI HỘI ĐẢNG BỘ NHIỆM KỲ {span} ĐẾN "
                    "NAY",
                    f"Đến nay, {name} [[dang_vien]]. {WRITE}",
                ),
                Draft(
                    "KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI",
                    children=[
                        Draft(
                            "Kết quả thực hiện các chỉ tiêu Nghị quyết Đại hội",
                            "[[chi_tieu]]",
                        ),
                        Draft("Lãnh đạo thực hiện nhiệm vụ chính trị", WRITE),
                        Draft("Công tác xây dựng Đảng, đoàn thể", WRITE),
                    ],
                ),
                Draft("HẠN CHẾ, NGUYÊN NHÂN", WRITE),
                Draft(
                    "ĐÁNH GIÁ CHUNG VÀ BÀI HỌC KINH NGHIỆM",
                    "Trong nửa nhiệm kỳ qua, Ban Chấp hành Đảng bộ đã lãnh đạo, chỉ "
                    "đạo, tổ chức thực hiện Nghị quyết Đại hội Đảng bộ nhiệm kỳ "
                    f"{term[0]}-{term[1]} đạt được những kết quả bước đầu quan "
                    f"trọng, có [[danh_gia]] (Phụ lục 1). {WRITE}",
                ),
            ],
        ),
        Draft(
            "PHƯƠNG HƯỚNG, NHIỆM VỤ, GIẢI PHÁP NHẰM THỰC HIỆN THẮNG LỢI NGHỊ QUYẾT "
            f"ĐẠI HỘI ĐẢNG BỘ, NHIỆM KỲ {span}",
            is_part=True,
            numbered=False,
            children=[
                Draft(
                    "DỰ BÁO TÌNH HÌNH",
                    children=[
                        Draft("Tình hình", WRITE),
                        Draft("Dự báo khả năng thực hiện các chỉ tiêu", "[[du_bao]]"),
                    ],
                ),
                Draft(
                    "MỤC TIÊU",
                    children=[
                        Draft("Mục tiêu chung", WRITE),
                        Draft("Các chỉ tiêu chủ yếu", "[[ke_hoach]]"),
                    ],
                ),
                Draft("NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU", WRITE),
            ],
        ),
        Draft(
            "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NGHỊ QUYẾT ĐẠI HỘI",
            "[[phu_luc]]",
            kind=SectionKind.APPENDIX,
        ),
    ]
