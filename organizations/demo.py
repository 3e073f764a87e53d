"""A plausible demo deployment: one bloc committee, ~115 TCCSĐ, ~1.100 chi bộ,
~14.000 members, 2023 ratings, a little history and five demo logins.

Deterministic (random.Random(2024)); the story stops at 31/12/2023. The top
organisation's code marks the demo as loaded, so a second run creates nothing.
The exact parts (the Sở of seed 001, the 2022 history) go through the services;
the bulk rows are written the way services.organization_create and member_create
write them (paths, mirrors, search name, sort key, placement, events).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from organizations import selectors, services
from organizations.models import (
    PATH_STEP,
    EventKind,
    Grade,
    Member,
    MemberEvent,
    MemberPlacement,
    MemberRating,
    Organization,
    OrganizationLevel,
    OrganizationPlacement,
    OrganizationRating,
    Role,
    RoleAssignment,
)
from organizations.models import OrganizationKind as Kind
from partyreports.formatting import (
    fold_accents,
    format_number,
    nfc,
    vietnamese_sort_key,
    vietnamese_text_sort_key,
)

# --- data: items are separated by "|"; a line break inside an item is a space --------

ABBR = {
    "CP": "Công ty Cổ phần",
    "MTV": "Công ty TNHH MTV",
    "QB": "Quảng Bình",
    "BV": "Bệnh viện",
    "NH": "Ngân hàng",
    "BQLDA": "Ban Quản lý dự án đầu tư xây dựng",
}


def _items(text: str) -> list[str]:
    return [" ".join(ABBR.get(w, w) for w in item.split()) for item in text.split("|")]


FAMILY = _items(
    "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương"
    "|Lý|Trương|Đinh|Cao|Mai"
)
FAMILY_WEIGHTS = [36, 10, 11, 6, 6, 2, 5, 3, 5, 3, 2, 2, 3, 2, 2, 1, 2, 2, 1, 1]
MIDDLE = {
    "M": "Văn Văn Văn Hữu Đức Minh Thanh Quang Công Xuân Đình Ngọc Quốc".split(),
    "F": _items(
        "Thị|Thị|Thị|Thị|Thị|Thị Thu|Thị Thanh|Thị Minh|Ngọc|Thanh|Thu"
        "|Phương|Hồng|Kim|Diệu|Thùy|Mai"
    ),
}
GIVEN = {
    "M": """Anh Bình Cường Dũng Đạt Đông Giang Hải Hậu Hiếu Hoàng Hùng Huy Khánh
    Khoa Lâm Long Lực Mạnh Minh Nam Nghĩa Phong Phúc Quang Quân Sơn Tài Tâm Thắng
    Thành Tiến Toàn Trung Tuấn Tùng Việt Vinh Hưng Lợi Thịnh Hòa Định Kiên Chiến
    Trường""".split(),
    "F": """Anh Châu Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương Lan Liên
    Linh Loan Mai Nga Ngân Nhung Oanh Phương Quyên Tâm Thảo Thu Thủy Trang Tuyết Uyên
    Vân Yến Hòa Nhàn Thúy Lý Hậu""".split(),
}
ETHNIC = {
    "Kinh": (955, ""),
    "Bru-Vân Kiều": (15, "Hồ Đinh Cao"),
    "Tày": (8, "Hoàng Nông"),
    "Mường": (8, "Bùi Đinh Quách"),
    "Thái": (8, "Lò Lường Cầm Vi"),
    "Khmer": (6, "Thạch Danh Sơn Kim Lâm"),
}  # weight in ‰, family names
KHMER_GIVEN = {
    "M": _items("Sóc Kha|Sa Rươn|Chanh Đa|Sô Phal|Phước"),
    "F": _items("Sa Rết|Sô Phia|Chanh Ty|Sa Ly|Mây"),
}
DISTRICTS = _items(
    "Đồng Hới|Ba Đồn|Bố Trạch|Quảng Trạch|Quảng Ninh|Lệ Thủy|Tuyên Hóa|Minh Hóa"
)
PLACES = _items(
    "phường Đồng Phú, thành phố Đồng Hới|phường Bắc Lý, thành phố Đồng Hới"
    "|phường Hải Thành, thành phố Đồng Hới"
    "|thị trấn Hoàn Lão, huyện Bố Trạch|thị trấn Kiến Giang, huyện Lệ Thủy"
    "|phường Ba Đồn, thị xã Ba Đồn"
)
ELSEWHERE = [
    f"Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh {p}"
    for p in ("Quảng Trị", "Hà Tĩnh", "Thừa Thiên Huế")
]
KINDS = {
    "A": Kind.AGENCY,
    "V": Kind.VERTICAL,
    "S": Kind.STATE_ENTERPRISE,
    "P": Kind.PRIVATE_ENTERPRISE,
    "K": Kind.INDUSTRIAL_ZONE,
}
# "kind shape": D đảng bộ cơ sở, B with đảng bộ bộ phận, C chi bộ cơ sở; name[@branch]
GRASSROOTS = {
    "A D": """Văn phòng Tỉnh ủy|Trường Chính trị tỉnh|Báo QB|Cơ quan Ủy ban Mặt trận Tổ
    quốc và các đoàn thể tỉnh|Văn phòng Đoàn Đại biểu Quốc hội và Hội đồng nhân dân
    tỉnh|Văn phòng Ủy ban nhân dân tỉnh|Sở Tài chính|Sở Kế hoạch và Đầu tư|Sở Nội vụ|Sở
    Tư pháp|Sở Công Thương|Sở Nông nghiệp và Phát triển nông thôn|Sở Xây dựng|Sở Giao
    thông vận tải|Sở Tài nguyên và Môi trường|Sở Thông tin và Truyền thông|Sở Văn hóa
    và Thể thao|Sở Du lịch|Sở Khoa học và Công nghệ|Sở Giáo dục và Đào tạo|Sở Y tế|Ban
    Quản lý Khu kinh tế tỉnh|Đài Phát thanh và Truyền hình QB|BV Đa khoa tỉnh QB|BV Y
    dược cổ truyền tỉnh|BV Lao và Bệnh phổi tỉnh|BV Đa khoa khu vực Bắc QB|BV Đa khoa
    khu vực Nam QB|Trường Cao đẳng Nghề QB|Trung tâm Kiểm soát bệnh tật tỉnh|Trường Cao
    đẳng Kỹ thuật Công nông nghiệp QB|Vườn Quốc gia Phong Nha - Kẻ Bàng|BQLDA công
    trình dân dụng và công nghiệp tỉnh|BQLDA công trình giao thông tỉnh""",
    "A B": """BV Hữu nghị Việt Nam - Cu Ba Đồng Hới|Trường Đại học QB""",
    "A C": """Ban Tổ chức Tỉnh ủy|Ủy ban Kiểm tra Tỉnh ủy|Ban Tuyên giáo Tỉnh ủy|Ban
    Dân vận Tỉnh ủy|Ban Nội chính Tỉnh ủy|Sở Ngoại vụ|Thanh tra tỉnh|Ban Dân tộc
    tỉnh|BV Tâm thần tỉnh|Ban Quản lý rừng phòng hộ Nam QB|BQLDA công trình nông nghiệp
    và phát triển nông thôn tỉnh|Liên minh Hợp tác xã tỉnh|Liên hiệp các Hội Khoa học
    và Kỹ thuật tỉnh|Hội Văn học Nghệ thuật tỉnh|Quỹ Đầu tư phát triển QB|Hội Chữ thập
    đỏ tỉnh|Trung tâm Phát triển quỹ đất tỉnh|Trung tâm Xúc tiến Đầu tư tỉnh|Bảo tàng
    tổng hợp tỉnh|Trung tâm Phục vụ hành chính công tỉnh|Trung tâm Văn hóa - Điện ảnh
    tỉnh|Thư viện tỉnh""",
    "V B": """Cục Thuế tỉnh@Chi cục Thuế khu vực""",
    "V D": """Cục Hải quan tỉnh@Chi cục Hải quan|Kho bạc Nhà nước QB@Kho bạc Nhà
    nước|Bảo hiểm xã hội tỉnh@Bảo hiểm xã hội|Cục Thống kê tỉnh@Chi cục Thống kê|Cục
    Thi hành án dân sự tỉnh@Chi cục Thi hành án dân sự|Cục Quản lý thị trường tỉnh@Đội
    Quản lý thị trường|Chi nhánh NH Chính sách xã hội tỉnh@Phòng giao dịch NH Chính
    sách xã hội""",
    "V C": """NH Nhà nước Chi nhánh tỉnh QB|Đài Khí tượng Thủy văn tỉnh|Cảng vụ Hàng
    hải QB|Chi nhánh NH Phát triển QB|Trung tâm Đăng kiểm xe cơ giới QB""",
    "S B": """Công ty Điện lực QB@Điện lực""",
    "S D": """Viễn thông QB@Trung tâm Viễn thông|Viettel QB@Viettel|Bưu điện tỉnh
    QB@Bưu điện|NH Nông nghiệp và Phát triển nông thôn Chi nhánh tỉnh QB@Agribank Chi
    nhánh|NH TMCP Ngoại thương Chi nhánh QB|NH TMCP Công Thương Chi nhánh QB|NH TMCP
    Đầu tư và Phát triển Chi nhánh QB|Công ty Xăng dầu QB|MTV Lâm công nghiệp Long
    Đại|MTV Lâm nghiệp Bắc QB|MTV Khai thác công trình thủy lợi QB|CP Cấp nước QB|CP
    Môi trường và Phát triển đô thị QB|MTV Cao su Lệ Ninh|CP Quản lý và Xây dựng giao
    thông QB""",
    "S C": """MTV Xổ số kiến thiết QB|Bảo Việt QB""",
    "P D": """CP Tập đoàn Trường Thịnh|CP Tập đoàn Hoàng Phúc|CP Xi măng Sông Gianh|CP
    Đầu tư và Xây dựng Nhật Lệ|CP Du lịch Phong Nha|CP Vận tải ô tô QB|CP Dược phẩm
    QB|CP Xây lắp điện QB""",
    "P C": """CP Gạch ngói Ba Đồn|CP In QB|CP Sách và Thiết bị trường học QB|CP Khoáng
    sản QB|CP Tư vấn Thiết kế Xây dựng QB|Công ty TNHH Xây dựng Sông Gianh|CP Thủy sản
    Nhật Lệ|CP Nhựa QB|CP Giống cây trồng QB|CP Bia QB|CP Thương mại QB|CP Đầu tư Phát
    triển Đô thị Bảo Ninh|CP Thực phẩm QB|CP Chế biến lâm sản Lệ Thủy|CP Xây dựng và
    Thương mại Đồng Hới""",
    "K D": """các doanh nghiệp Khu công nghiệp Tây Bắc Đồng Hới|các doanh nghiệp Khu
    kinh tế Hòn La""",
    "K C": """các doanh nghiệp Khu công nghiệp Bắc Đồng Hới|các doanh nghiệp Khu kinh
    tế cửa khẩu Cha Lo""",
}
# sector: chi bộ per đảng bộ (lo, hi), members per chi bộ (lo, hi), share of women,
# chi bộ names (";" separates the blocks that become đảng bộ bộ phận)
SECTORS = {
    "agency": (
        12,
        19,
        8,
        18,
        0.45,
        """Văn phòng|Thanh tra|Phòng Kế hoạch - Tài
    chính|Phòng Tổ chức cán bộ|Phòng Pháp chế|Phòng Quản lý chuyên ngành|Phòng Nghiệp
    vụ 1|Phòng Nghiệp vụ 2|Phòng Nghiệp vụ 3|Phòng Thông tin - Tổng hợp|Ban Quản lý dự
    án|Trung tâm Dịch vụ tổng hợp|Trung tâm Thông tin|Trung tâm Tư vấn và Dịch vụ|Trung
    tâm Kỹ thuật|Phòng Kiểm tra|Phòng Quản lý đầu tư|Trung tâm Đào tạo và Bồi
    dưỡng|Phòng Quản lý chất lượng""",
    ),
    "agri": (
        17,
        17,
        8,
        16,
        0.35,
        """Văn phòng Sở|Chi cục Thủy lợi|Trung tâm Nước sạch
    và Vệ sinh môi trường nông thôn|Thanh tra Sở|Phòng Kế hoạch - Tài chính|Phòng Tổ
    chức cán bộ|Chi cục Kiểm lâm|Chi cục Thủy sản|Chi cục Trồng trọt và Bảo vệ thực
    vật|Chi cục Chăn nuôi và Thú y|Chi cục Phát triển nông thôn|Trung tâm Khuyến
    nông|Ban Quản lý Cảng cá|Hạt Kiểm lâm Bố Trạch|Hạt Kiểm lâm Minh Hóa|Hạt Kiểm lâm
    Lệ Thủy|Trung tâm Giống cây trồng, vật nuôi""",
    ),
    "hospital": (
        16,
        26,
        9,
        22,
        0.62,
        """Khoa Khám bệnh|Khoa Nội tổng hợp|Khoa Nội tim
    mạch|Khoa Nhi|Khoa Truyền nhiễm|Khoa Y học cổ truyền|Khoa Ung bướu;Khoa Ngoại tổng
    hợp|Khoa Ngoại chấn thương|Khoa Phụ sản|Khoa Gây mê hồi sức|Khoa Mắt|Khoa Tai mũi
    họng|Khoa Răng hàm mặt;Khoa Xét nghiệm|Khoa Chẩn đoán hình ảnh|Khoa Dược|Khoa Dinh
    dưỡng|Khoa Kiểm soát nhiễm khuẩn|Khoa Giải phẫu bệnh;Phòng Kế hoạch tổng hợp|Phòng
    Điều dưỡng|Phòng Tổ chức cán bộ|Phòng Tài chính - Kế toán|Phòng Hành chính quản
    trị|Phòng Vật tư - Thiết bị y tế""",
    ),
    "school": (
        10,
        18,
        8,
        18,
        0.55,
        """Khoa Khoa học Xã hội|Khoa Khoa học Tự nhiên|Khoa
    Kinh tế - Du lịch|Khoa Kỹ thuật - Công nghệ thông tin|Khoa Nông - Lâm - Ngư|Khoa Sư
    phạm|Khoa Ngoại ngữ|Khoa Lý luận chính trị|Khoa Cơ khí - Điện|Sinh viên;Phòng Đào
    tạo|Phòng Tổ chức - Hành chính|Phòng Công tác học sinh, sinh viên|Phòng Kế hoạch -
    Tài chính|Phòng Khảo thí và Đảm bảo chất lượng;Trung tâm Thông tin - Thư viện|Trung
    tâm Ngoại ngữ - Tin học|Trung tâm Giáo dục thường xuyên""",
    ),
    "vertical": (
        4,
        6,
        7,
        15,
        0.45,
        """Văn phòng|Phòng Tổ chức cán bộ|Phòng Nghiệp
    vụ|Thanh tra - Kiểm tra|Phòng Kế hoạch - Tài chính|Phòng Tổng hợp - Pháp chế""",
    ),
    "enterprise": (
        10,
        16,
        6,
        16,
        0.32,
        """Văn phòng Công ty|Phòng Tổ chức - Hành
    chính|Phòng Kế hoạch - Kỹ thuật|Phòng Kinh doanh|Phòng Tài chính - Kế toán|Phòng
    Vật tư|Phòng Quản lý chất lượng|Xí nghiệp số 1|Xí nghiệp số 2|Xí nghiệp số 3|Phân
    xưởng Sản xuất|Phân xưởng Cơ điện|Nhà máy|Đội Thi công số 1|Đội Thi công số 2|Đội
    Xe""",
    ),
    "industrial": (
        9,
        12,
        3,
        10,
        0.40,
        """Công ty TNHH Chế biến gỗ Tây Bắc|CP Bao bì
    QB|Công ty TNHH May xuất khẩu Nhật Lệ|CP Bê tông ly tâm QB|Công ty TNHH Nhựa Đồng
    Hới|CP Thức ăn chăn nuôi Miền Trung|CP Gỗ MDF QB|CP Cơ khí Xây dựng QB|Công ty TNHH
    Sợi Bắc Đồng Hới|CP Chế biến thủy sản Hòn La|CP Cảng Hòn La|Công ty TNHH Điện mặt
    trời Hòn La""",
    ),
}
BLOCKS = {
    "hospital": _items("Khối Nội|Khối Ngoại|Khối Cận lâm sàng|Khối Hành chính"),
    "school": _items("Khối các Khoa|Khối Phòng ban|Khối Trung tâm"),
}
BRANCH_UNITS = _items(
    "Văn phòng|Đội Nghiệp vụ số 1|Đội Nghiệp vụ số 2|Đội Nghiệp vụ số 3|Đội Kiểm tra"
)
SO_NAME = "Đảng bộ Sở Lao động - Thương binh và Xã hội"
SO_CELLS = {  # chi bộ: chính thức members on its roll all through 2022
    "Văn phòng": 14,
    "Thanh tra": 9,
    "Phòng Kế hoạch - Tài chính": 12,
    "Phòng Lao động - Việc làm": 11,
    "Phòng Giáo dục nghề nghiệp": 13,
    "Phòng Bảo trợ xã hội": 15,
    "Phòng Người có công": 14,
    "Trung tâm Dịch vụ việc làm": 22,
    "Cơ sở Cai nghiện ma túy tỉnh": 27,
    "Trung tâm Bảo trợ xã hội tổng hợp": 15,
}
MERGERS = [  # 2022: (chi bộ, merged into, on): its members move, it closes
    (
        "Chi bộ Trung tâm Xúc tiến Đầu tư tỉnh",
        "Chi bộ Trung tâm Xúc tiến đầu tư",
        dt.date(2022, 7, 1),
    ),
    (
        "Chi bộ Trung tâm Nước sạch và Vệ sinh môi trường nông thôn",
        "Chi bộ Chi cục Thủy lợi",
        dt.date(2022, 10, 1),
    ),
]
CLOSED = ("Chi bộ Công ty Cổ phần Gạch ngói Ba Đồn", dt.date(2022, 12, 15))
HANDED_OVER = ("Đảng bộ Công ty Cổ phần Cấp nước Quảng Bình", dt.date(2022, 4, 1))
TOP_CODE, SO_CODE = "DEMO-KHOI", "DEMO-LDTBXH"
USERS = [  # username, họ và tên đệm, tên, role, where
    ("canbo_ldtbxh", "Nguyễn Thị Thu", "Hằng", Role.CADRE, SO_CODE),
    ("vanphong_ldtbxh", "Trần Văn", "Hùng", Role.OFFICE, SO_CODE),
    ("vanphong_khoi", "Lê Thị", "Hương", Role.OFFICE, TOP_CODE),
    ("lanhdao_khoi", "Hoàng Minh", "Tuấn", Role.LEADER, TOP_CODE),
    ("admin", "Phan Văn", "Quản", Role.ADMIN, TOP_CODE),
]
SHARES = {"org": (22, 68, 8, 2), "member": (19, 73, 7, 1)}  # in Grade order
FOUNDED, YEAR_END = dt.date(2015, 1, 1), dt.date(2023, 12, 31)
BADGE_DAY = dt.date(2023, 9, 2)  # Huy hiệu 30 and 40 năm tuổi Đảng

# --- entry point ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    grassroots: int
    cells: int
    members: int
    users: int
    seconds: float

    def describe(self) -> str:
        head = (
            "Đã nạp dữ liệu dùng thử"
            if self.created
            else ("Dữ liệu dùng thử đã có, không tạo thêm")
        )
        return (
            f"{head}: {format_number(self.grassroots)} TCCSĐ, "
            f"{format_number(self.cells)} chi bộ trực thuộc, "
            f"{format_number(self.members)} đảng viên, {self.users} tài khoản "
            f"({format_number(Decimal(str(self.seconds)), 1)} giây)."
        )


def demo_load(*, stdout: TextIO | None = None) -> DemoSummary:
    """Load the demo deployment once; report what is there either way."""
    started = time.perf_counter()
    top = Organization.objects.filter(code=TOP_CODE).first()
    created = top is None
    if top is None:
        with transaction.atomic():
            top = _load(rng=random.Random(2024), stdout=stdout)
    counts = selectors.subtree_counts_on(root=top, day=timezone.localdate())
    users = get_user_model().objects.filter(username__in=[u[0] for u in USERS])
    return DemoSummary(
        created,
        counts.grassroots,
        counts.cells,
        counts.total,
        users.count(),
        time.perf_counter() - started,
    )


def _load(*, rng: random.Random, stdout: TextIO | None) -> Organization:
    levels = {lvl.code: lvl for lvl in OrganizationLevel.objects.all()}
    top, dong_hoi = (
        services.organization_create(
            name=name,
            level=levels["upper"],
            kind=Kind.COMMITTEE,
            parent=None,
            founded_on=FOUNDED,
            short_name=short,
            superior_name="ĐẢNG BỘ TỈNH QUẢNG BÌNH",
            code=code,
        )
        for name, short, code in (
            ("Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh", "ĐUK", TOP_CODE),
            ("Đảng bộ thành phố Đồng Hới", "TU", "DEMO-DONGHOI"),
        )
    )
    so = _load_so(rng=rng, top=top, levels=levels)
    cells = _bulk_tree(rng=rng, top=top, dong_hoi=dong_hoi, levels=levels)
    members = _bulk_members(rng=rng, cells=cells)
    _history(top=top, dong_hoi=dong_hoi, levels=levels)
    _bulk_ratings(rng=rng, top=top, so=so)
    _users(top=top, so=so)
    if stdout:
        stdout.write(
            f"  {format_number(len(cells))} chi bộ, {format_number(members)} "
            "đảng viên ghi hàng loạt\n"
        )
    return top


# --- the Sở of seed 001, through the services -----------------------------------------


def _load_so(
    *, rng: random.Random, top: Organization, levels: dict[str, OrganizationLevel]
) -> Organization:
    """Đảng bộ Sở LĐ-TB&XH and its 2023 as the seeds tell it.

    1/1/2023: 154 members, 152 chính thức + 2 dự bị admitted in 2022 (20/4, 10/8).
    2023: those two become chính thức (25/4, 16/8); 4 admitted (10/3, 15/6, 02/9,
    20/11; seed 000: "kết nạp được 04 đồng chí, đạt 2,6%" of 154); the one admitted
    10/3 moves to Quảng Trị with his job, still dự bị (16/10); a member born 01/1963
    gets his 30-year badge (03/02) and retires to his ward (01/11); a chính thức
    member transfers in from Bố Trạch (05/12).
    31/12/2023 and today: 154 - 1 + 1 + 3 = 157 = 154 chính thức + 3 dự bị.
    Ratings 2023 (seed 001): the 153 chính thức members here all year are rated
    27/124/1/1 (the December arrival was rated where he came from; dự bị are not
    rated); the 10 chi bộ 2 HTXSNV, 7 HTTNV, 1 KHTNV."""
    so = services.organization_create(
        name=SO_NAME,
        level=levels["grassroots_committee"],
        kind=Kind.AGENCY,
        parent=top,
        founded_on=FOUNDED,
        short_name="ĐU",
        code=SO_CODE,
    )
    cells = [
        services.organization_create(
            name=f"Chi bộ {name}",
            level=levels["cell"],
            kind=Kind.CELL,
            parent=so,
            founded_on=FOUNDED,
        )
        for name in SO_CELLS
    ]

    def add(
        cell: Organization,
        admitted: dt.date,
        full: dt.date | None,
        *,
        person: tuple | None = None,
        **extra: object,
    ) -> Member:
        name, sex, ethnicity, dob = person or _person(rng, 0.45, born=(1993, 2000))
        fields = {"full_name": name, "sex": sex, "date_of_birth": dob} | extra
        return services.member_create(
            **fields,
            organization=cell,
            admitted_on=admitted,
            full_member_on=full,
            ethnicity=ethnicity,
        )

    retiree = add(
        cells[0],
        dt.date(1993, 2, 3),
        dt.date(1994, 2, 3),
        sex="M",
        full_name="Võ Văn Thắng",
        date_of_birth=dt.date(1963, 1, 12),
    )
    services.member_record_event(
        member=retiree,
        kind=EventKind.BADGE,
        badge_years=30,
        occurred_on=dt.date(2023, 2, 3),
    )
    services.member_record_event(
        member=retiree,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=dt.date(2023, 11, 1),
        destination="Chi bộ Tổ dân phố 4, phường Đồng Phú, thành phố Đồng Hới",
        note="Nghỉ hưu, chuyển sinh hoạt đảng về nơi cư trú",
    )
    rated = []
    for i, (cell, size) in enumerate(zip(cells, SO_CELLS.values(), strict=True)):
        for _ in range(size - (i == 0)):  # the retiree was one of the Văn phòng's
            person = _person(rng, 0.45)
            admitted, full = _full_dates(rng, person[3], latest=dt.date(2020, 11, 30))
            rated.append(add(cell, admitted, full, person=person))
    rated.append(add(cells[4], dt.date(2022, 4, 20), dt.date(2023, 4, 25)))
    rated.append(add(cells[7], dt.date(2022, 8, 10), dt.date(2023, 8, 16)))
    mover = add(cells[3], dt.date(2023, 3, 10), None, sex="M", full_name="Lê Quang Huy")
    services.member_record_event(
        member=mover,
        kind=EventKind.TRANSFER_OUT,
        occurred_on=dt.date(2023, 10, 16),
        destination="Đảng bộ Sở Lao động - Thương binh và Xã hội tỉnh Quảng Trị",
        note="Chuyển công tác",
    )
    for cell, day in (
        (cells[5], dt.date(2023, 6, 15)),
        (cells[8], dt.date(2023, 9, 2)),
        (cells[7], dt.date(2023, 11, 20)),
    ):
        add(cell, day, None)
    add(
        cells[3],
        dt.date(2009, 5, 19),
        dt.date(2010, 5, 19),
        person=_person(rng, 0.45, born=(1978, 1985)),
        joined_on=dt.date(2023, 12, 5),
        arrival=EventKind.TRANSFER_IN,
    )
    grades = [Grade.EXCELLENT] * 27 + [Grade.GOOD] * 124 + [Grade.DONE, Grade.FAILED]
    rng.shuffle(grades)
    for member, grade in zip(rated, grades, strict=True):
        services.member_rating_set(member=member, year=2023, grade=grade)
    grades = [Grade.EXCELLENT] * 2 + [Grade.GOOD] * 7 + [Grade.FAILED]
    rng.shuffle(grades)
    for cell, grade in zip([*cells, so], [*grades, Grade.GOOD], strict=True):
        services.organization_rating_set(organization=cell, year=2023, grade=grade)
    return so


# --- the bulk: tree, members, ratings -------------------------------------------------


@dataclass
class _Cell:
    org: Organization
    size: int
    sector: str
    before: dt.date | None = None  # its members all joined before (a 2022 change)


def _bulk_tree(
    *,
    rng: random.Random,
    top: Organization,
    dong_hoi: Organization,
    levels: dict[str, OrganizationLevel],
) -> list[_Cell]:
    """Every other TCCSĐ with its đảng bộ bộ phận and chi bộ. Per generation:
    one insert, one path update, one insert of placements."""
    generations: list[list[Organization]] = [[], [], []]
    cells: list[_Cell] = []

    def org(
        name: str, level: str, kind: str, parent: Organization, gen: int
    ) -> Organization:
        short = {"grassroots_committee": "ĐU", "grassroots_cell": "CB"}.get(level, "")
        new = Organization(
            name=nfc(name),
            sort_key=vietnamese_text_sort_key(nfc(name)),
            level=levels[level],
            kind=kind,
            path="",
            parent=parent,
            founded_on=FOUNDED,
            short_name=short,
        )
        generations[gen].append(new)
        return new

    def cell(name: str, parent: Organization, sector: str, gen: int) -> None:
        new = org(f"Chi bộ {name}", "cell", Kind.CELL, parent, gen)
        cells.append(_Cell(new, rng.randint(*SECTORS[sector][2:4]), sector))

    for key, text in GRASSROOTS.items():
        letter, shape = key.split()
        for name, _, branch in (item.partition("@") for item in _items(text)):
            kind = KINDS[letter]
            sector = (
                "hospital"
                if "Bệnh viện" in name or "bệnh tật" in name
                else "school"
                if name.startswith("Trường")
                else "agri"
                if name.startswith("Sở Nông")
                else {
                    "V": "vertical",
                    "S": "enterprise",
                    "P": "enterprise",
                    "K": "industrial",
                }.get(letter, "agency")
            )
            if shape == "C":
                node = org(f"Chi bộ {name}", "grassroots_cell", kind, top, 0)
                cells.append(_Cell(node, rng.randint(8, 30), sector))
                continue
            parent = dong_hoi if f"Đảng bộ {name}" == HANDED_OVER[0] else top
            node = org(f"Đảng bộ {name}", "grassroots_committee", kind, parent, 0)
            lo, hi, *_, names = SECTORS[sector]
            pool = _items(names.replace(";", "|"))
            if sector != "agri":  # the Văn phòng first, the rest in any order
                pool = pool[:1] + rng.sample(pool[1:], len(pool) - 1)
            if shape == "B" and branch:
                for label in pool[: rng.randint(2, 4)]:
                    cell(label, node, sector, 1)
                for district in DISTRICTS[:5]:
                    sub = org(
                        f"Đảng bộ bộ phận {branch} {district}",
                        "sub_committee",
                        kind,
                        node,
                        1,
                    )
                    for unit in BRANCH_UNITS:
                        cell(f"{unit} {branch} {district}", sub, sector, 2)
            elif shape == "B":
                for block, labels in zip(BLOCKS[sector], names.split(";"), strict=True):
                    sub = org(
                        f"Đảng bộ bộ phận {block}", "sub_committee", kind, node, 1
                    )
                    for label in _items(labels):
                        cell(label, sub, sector, 2)
            else:
                for label in pool[: rng.randint(lo, hi)]:
                    cell(label, node, sector, 1)
                for district in DISTRICTS if branch else []:
                    cell(f"{branch} {district}", node, sector, 1)
    for gen in generations:
        Organization.objects.bulk_create(gen)
        for new in gen:
            new.path = new.parent.path + services.path_segment(new.id)
            new.depth = len(new.path) // PATH_STEP
        Organization.objects.bulk_update(gen, ["path", "depth"], batch_size=400)
        OrganizationPlacement.objects.bulk_create(
            OrganizationPlacement(
                organization=o,
                parent=o.parent,
                path=o.path,
                depth=o.depth,
                valid_from=o.founded_on,
            )
            for o in gen
        )
    before = {name: day for name, _, day in MERGERS} | dict([CLOSED])
    for c in cells:
        c.before = before.get(c.org.name)
    return cells


def _person(
    rng: random.Random, female: float, *, born: tuple[int, int] = (1963, 2000)
) -> tuple[str, str, str, dt.date]:
    """(full name, sex, ethnicity, date of birth) of a synthetic, plausible person."""
    ethnicity = rng.choices(list(ETHNIC), [w for w, _ in ETHNIC.values()])[0]
    sex = "F" if rng.random() < female else "M"
    if ethnicity == "Kinh":
        family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    else:
        family = rng.choice(ETHNIC[ethnicity][1].split())
    if ethnicity == "Khmer":
        name = f"{family} {'Thị ' if sex == 'F' else ''}{rng.choice(KHMER_GIVEN[sex])}"
    else:
        name = f"{family} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    first = born[0] if sex == "M" else max(born[0], 1968)  # women retire earlier
    year = rng.randint(min(first, born[1]), born[1])
    return name, sex, ethnicity, dt.date(year, 1, 1) + dt.timedelta(rng.randint(0, 364))


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _full_dates(
    rng: random.Random, dob: dt.date, *, latest: dt.date
) -> tuple[dt.date, dt.date]:
    """Admitted between 19 and 45 (mostly young), chính thức a year or so later."""
    start = max(
        dt.date(dob.year + 19, dob.month, min(dob.day, 28)), dt.date(1983, 1, 1)
    )
    span = max((min(latest, dt.date(dob.year + 45, 1, 1)) - start).days, 0)
    admitted = start + dt.timedelta(int(span * rng.random() ** 1.6))
    return admitted, admitted + dt.timedelta(days=365 + rng.randint(0, 20))


def _story(rng: random.Random, c: _Cell, sex: str, dob: dt.date) -> tuple:
    """(admitted, chính thức, joined, how, leaving) of one member of chi bộ `c`:
    ~3% dự bị admitted in 2023, ~10% came by transfer, a few left in 2023."""
    if c.before is None and dob.year >= 1985 and rng.random() < 0.07:
        admitted = _day(rng, dt.date(2023, 1, 2), dt.date(2023, 12, 20))
        return admitted, None, admitted, EventKind.ADMISSION, None
    latest = c.before - dt.timedelta(days=400) if c.before else dt.date(2022, 11, 30)
    admitted, full = _full_dates(rng, dob, latest=latest)
    joined, how, leaving = admitted, EventKind.ADMISSION, None
    if c.before is None and rng.random() < 0.1 and full < dt.date(2023, 9, 1):
        joined = _day(rng, max(full + dt.timedelta(60), FOUNDED), dt.date(2023, 11, 30))
        how = EventKind.TRANSFER_IN
    if c.before or max(joined, full) >= dt.date(2023, 6, 1):
        pass
    elif sex == "M" and dob < dt.date(1963, 4, 1):  # retires at 60 years 9 months
        leaving = (
            EventKind.TRANSFER_OUT,
            dt.date(2023, dob.month + 9, 1),
            f"Chi bộ Tổ dân phố {rng.randint(1, 12)}, {rng.choice(PLACES)}",
            "Nghỉ hưu, chuyển sinh hoạt đảng về nơi cư trú",
        )
    elif rng.random() < 0.006:
        leaving = (
            EventKind.TRANSFER_OUT,
            _day(rng, dt.date(2023, 6, 1), YEAR_END),
            rng.choice(ELSEWHERE),
            "Chuyển công tác",
        )
    elif rng.random() < 0.001:
        leaving = (EventKind.DEATH, _day(rng, dt.date(2023, 6, 1), YEAR_END), "", "")
    return admitted, full, joined, how, leaving


def _bulk_members(*, rng: random.Random, cells: list[_Cell]) -> int:
    """Members and the rows member_create writes for them (placement; kết nạp or
    chuyển đến; công nhận chính thức), plus 2023 departures and Huy hiệu."""
    rows: list[tuple[Member, dt.date, str, tuple | None, bool]] = []
    for c in cells:
        for _ in range(c.size):
            name, sex, ethnicity, dob = _person(rng, SECTORS[c.sector][4])
            admitted, full, joined, how, leaving = _story(rng, c, sex, dob)
            member = Member(
                full_name=name,
                search_name=fold_accents(name),
                sex=sex,
                sort_key=vietnamese_sort_key(name),
                date_of_birth=dob,
                ethnicity=ethnicity,
                organization=c.org,
                admitted_on=admitted,
                full_member_on=full,
                left_on=leaving[1] if leaving else None,
                party_card_number=f"44{rng.randint(0, 999999):06d}" if full else "",
            )
            badge = not (c.before or leaving) and admitted.year in (1983, 1993)
            rows.append((member, joined, how, leaving, badge and joined < BADGE_DAY))
    Member.objects.bulk_create([row[0] for row in rows], batch_size=2000)
    placements, events = [], []
    for m, joined, how, leaving, badge in rows:
        placements.append(
            MemberPlacement(
                member=m,
                organization_id=m.organization_id,
                valid_from=joined,
                valid_to=m.left_on,
            )
        )
        at = {"member": m, "organization_id": m.organization_id}
        events.append(MemberEvent(kind=how, occurred_on=joined, **at))
        if m.full_member_on and how == EventKind.ADMISSION:
            events.append(
                MemberEvent(
                    kind=EventKind.FULL_MEMBERSHIP, occurred_on=m.full_member_on, **at
                )
            )
        if leaving:
            events.append(
                MemberEvent(
                    kind=leaving[0],
                    occurred_on=leaving[1],
                    destination=leaving[2],
                    note=leaving[3],
                    **at,
                )
            )
        if badge:
            events.append(
                MemberEvent(
                    kind=EventKind.BADGE,
                    occurred_on=BADGE_DAY,
                    badge_years=2023 - m.admitted_on.year,
                    **at,
                )
            )
    MemberPlacement.objects.bulk_create(placements, batch_size=2000)
    MemberEvent.objects.bulk_create(events, batch_size=2000)
    return len(rows)


def _history(
    *, top: Organization, dong_hoi: Organization, levels: dict[str, OrganizationLevel]
) -> None:
    """2022, through the services: a handover from Đồng Hới, two mergers, a closure."""
    ministry = "Đảng bộ Sở Kế hoạch và Đầu tư"
    named = {
        HANDED_OVER[0],
        ministry,
        CLOSED[0],
        *(m[0] for m in MERGERS),
        *(m[1] for m in MERGERS),
    }
    ours = Q(path__startswith=top.path) | Q(path__startswith=dong_hoi.path)
    by_name = {
        o.name: o
        for o in Organization.objects.filter(ours, name__in=named).select_related(
            "level"
        )
    }
    services.handover_create(
        source=dong_hoi,
        moves=[(by_name[HANDED_OVER[0]], top)],
        effective_on=HANDED_OVER[1],
        decision="Quyết định số 1250-QĐ/TU ngày 15/3/2022 của Ban Thường vụ Tỉnh ủy",
    )
    by_name[MERGERS[0][1]] = services.organization_create(
        name=MERGERS[0][1],
        level=levels["cell"],
        kind=Kind.CELL,
        parent=by_name[ministry],
        founded_on=MERGERS[0][2],
    )
    for name, into, day in MERGERS:
        services.organization_dissolve(
            organization=by_name[name], on_date=day, merged_into=by_name[into]
        )
    closed = by_name[CLOSED[0]]
    for member in Member.objects.filter(organization=closed, left_on__isnull=True):
        services.member_record_event(
            member=member,
            kind=EventKind.TRANSFER_OUT,
            occurred_on=CLOSED[1],
            destination="Đảng bộ thị xã Ba Đồn",
            note="Doanh nghiệp giải thể",
        )
    services.organization_dissolve(organization=closed, on_date=dt.date(2022, 12, 31))


def _bulk_ratings(*, rng: random.Random, top: Organization, so: Organization) -> None:
    """2023 ratings of every chi bộ, TCCSĐ and chính thức member outside the Sở."""
    grades = list(Grade)
    orgs = (
        selectors.subtree_placements_on(root=top, day=YEAR_END)
        .exclude(path__startswith=so.path)
        .exclude(organization=top)
        .exclude(organization__level__code="sub_committee")
        .order_by("path")
        .values_list("organization_id", flat=True)
    )
    OrganizationRating.objects.bulk_create(
        OrganizationRating(
            organization_id=org_id,
            year=2023,
            grade=rng.choices(grades, SHARES["org"])[0],
        )
        for org_id in orgs
    )
    placements = (
        selectors.member_placements_in_subtree_on(root=top, day=YEAR_END)
        .exclude(organization__path__startswith=so.path)
        .filter(
            member__full_member_on__lte=YEAR_END, valid_from__lt=dt.date(2023, 12, 1)
        )
        .order_by("id")
        .values_list("member_id", "organization_id")
    )
    MemberRating.objects.bulk_create(
        (
            MemberRating(
                member_id=member_id,
                organization_id=org_id,
                year=2023,
                grade=rng.choices(grades, SHARES["member"])[0],
            )
            for member_id, org_id in placements
        ),
        batch_size=2000,
    )


def _users(*, top: Organization, so: Organization) -> None:
    """The demo logins. first_name holds họ và tên đệm so that get_full_name()
    reads in Vietnamese order ("Nguyễn Thị Thu Hằng")."""
    password = make_password(settings.DEMO_PASSWORD)  # hashed once: the slow part
    for username, family, given, role, where in USERS:
        is_admin = username == "admin"
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": family,
                "last_name": given,
                "password": password,
                "is_superuser": is_admin,
                "is_staff": is_admin,
            },
        )
        RoleAssignment.objects.get_or_create(
            user=user, organization=so if where == SO_CODE else top, role=role
        )
