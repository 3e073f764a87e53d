"""A plausible demo deployment: one bloc committee, ~115 TCCSĐ, ~1.100 chi bộ,
~14.000 members, 2023 ratings, a little history and five demo logins.

Deterministic (random.Random(2024)); the data stops at 31/12/2023. The top
organisation's code marks the demo as loaded, so a second run creates nothing.
Small, exact parts (the Sở of seed 001, the history) go through the services;
the bulk rows are written the way services.organization_create / member_create
write them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
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
    OrganizationKind as Kind,
    OrganizationLevel,
    OrganizationPlacement,
    OrganizationRating,
    Role,
    RoleAssignment,
)
from partyreports.formatting import fold_accents, nfc, vietnamese_sort_key

# --- data ----------------------------------------------------------------------

TOP_CODE, SO_CODE = "DEMO-KHOI", "DEMO-LDTBXH"
FOUNDED, YEAR_END = dt.date(2015, 1, 1), dt.date(2023, 12, 31)
BADGE_DAY = dt.date(2023, 9, 2)  # Huy hiệu 30 and 40 năm tuổi Đảng, on National Day
_FAMILY = ("Nguyễn 36 Trần 10 Lê 11 Phạm 6 Hoàng 6 Huỳnh 2 Phan 5 Vũ 3 Võ 5 Đặng 3 Bùi 2 "
           "Đỗ 2 Hồ 3 Ngô 2 Dương 2 Lý 1 Trương 2 Đinh 2 Cao 1 Mai 1").split()
FAMILY, FAMILY_WEIGHTS = _FAMILY[0::2], [int(w) for w in _FAMILY[1::2]]
MIDDLE = {
    "M": "Văn Văn Văn Hữu Đức Minh Thanh Quang Công Xuân Đình Ngọc Quốc Trọng Anh".split(),
    "F": "Thị|Thị|Thị|Thị|Thị|Thị Thu|Thị Thanh|Thị Minh|Ngọc|Thanh|Thu|Phương|Hồng|Kim|"
    "Diệu|Thùy|Mai".split("|"),
}
GIVEN = {
    "M": "Anh Bình Cường Dũng Đạt Đông Giang Hải Hậu Hiếu Hoàng Hùng Huy Khánh Khoa Lâm "
    "Long Lực Mạnh Minh Nam Nghĩa Phong Phúc Quang Quân Sơn Tài Tâm Thắng Thành Tiến "
    "Toàn Trung Tuấn Tùng Việt Vinh Hưng Lợi Thịnh Hòa Định Kiên Chiến Trường".split(),
    "F": "Anh Châu Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương Lan Liên Linh "
    "Loan Mai Nga Ngân Nhung Oanh Phương Quyên Tâm Thảo Thu Thủy Trang Tuyết Uyên "
    "Vân Yến Hòa Nhàn Thúy Lý Hậu".split(),
}
ETHNIC = {  # ethnicity: (weight in ‰, family names)
    "Kinh": (955, ""), "Bru-Vân Kiều": (15, "Hồ Đinh Cao"), "Tày": (8, "Hoàng Nông Lương"),
    "Mường": (8, "Bùi Đinh Quách"), "Thái": (8, "Lò Lường Cầm Vi"),
    "Khmer": (6, "Thạch Danh Sơn Kim Lâm"),
}
KHMER_GIVEN = {"M": "Sóc Kha|Sa Rươn|Chanh Đa|Sô Phal|Phước".split("|"),
               "F": "Sa Rết|Sô Phia|Chanh Ty|Sa Ly|Mây".split("|")}
DISTRICTS = "Đồng Hới|Ba Đồn|Bố Trạch|Quảng Trạch|Quảng Ninh|Lệ Thủy|Tuyên Hóa|Minh Hóa".split("|")
PLACES = ["phường Đồng Phú, thành phố Đồng Hới", "phường Bắc Lý, thành phố Đồng Hới",
          "phường Hải Thành, thành phố Đồng Hới", "thị trấn Hoàn Lão, huyện Bố Trạch",
          "thị trấn Kiến Giang, huyện Lệ Thủy", "phường Ba Đồn, thị xã Ba Đồn"]
ELSEWHERE = ["Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Quảng Trị",
             "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Hà Tĩnh",
             "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Thừa Thiên Huế",
             "Đảng bộ Khối các cơ quan Trung ương"]
# kind letter, structure (D đảng bộ cơ sở, B with đảng bộ bộ phận, C chi bộ cơ sở), name[@branch]
GRASSROOTS = """A D Văn phòng Tỉnh ủy|A C Ban Tổ chức Tỉnh ủy|A C Ủy ban Kiểm tra Tỉnh ủy
A C Ban Tuyên giáo Tỉnh ủy|A C Ban Dân vận Tỉnh ủy|A C Ban Nội chính Tỉnh ủy
A D Trường Chính trị tỉnh|A D Báo Quảng Bình|A D Cơ quan Ủy ban Mặt trận Tổ quốc và các đoàn thể tỉnh
A D Văn phòng Đoàn Đại biểu Quốc hội và Hội đồng nhân dân tỉnh|A D Văn phòng Ủy ban nhân dân tỉnh
A D Sở Tài chính|A D Sở Kế hoạch và Đầu tư|A D Sở Nội vụ|A D Sở Tư pháp|A D Sở Công Thương
A D Sở Nông nghiệp và Phát triển nông thôn|A D Sở Xây dựng|A D Sở Giao thông vận tải
A D Sở Tài nguyên và Môi trường|A D Sở Thông tin và Truyền thông|A D Sở Văn hóa và Thể thao
A D Sở Du lịch|A D Sở Khoa học và Công nghệ|A D Sở Giáo dục và Đào tạo|A D Sở Y tế
A C Sở Ngoại vụ|A C Thanh tra tỉnh|A C Ban Dân tộc tỉnh|A D Ban Quản lý Khu kinh tế tỉnh
A D Đài Phát thanh và Truyền hình Quảng Bình|A B Bệnh viện Hữu nghị Việt Nam - Cu Ba Đồng Hới
A D Bệnh viện Đa khoa tỉnh Quảng Bình|A D Bệnh viện Y dược cổ truyền tỉnh
A D Bệnh viện Lao và Bệnh phổi tỉnh|A C Bệnh viện Tâm thần tỉnh
A D Bệnh viện Đa khoa khu vực Bắc Quảng Bình
A D Bệnh viện Đa khoa khu vực Nam Quảng Bình|A D Trường Cao đẳng Nghề Quảng Bình|A D Trung tâm Kiểm soát bệnh tật tỉnh
A B Trường Đại học Quảng Bình|A D Trường Cao đẳng Kỹ thuật Công nông nghiệp Quảng Bình
A D Vườn Quốc gia Phong Nha - Kẻ Bàng|A C Ban Quản lý rừng phòng hộ Nam Quảng Bình
A D Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh
A D Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh
A C Ban Quản lý dự án đầu tư xây dựng công trình nông nghiệp và phát triển nông thôn tỉnh
A C Liên minh Hợp tác xã tỉnh|A C Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh
A C Hội Văn học Nghệ thuật tỉnh|A C Quỹ Đầu tư phát triển Quảng Bình|A C Hội Chữ thập đỏ tỉnh
A C Trung tâm Phát triển quỹ đất tỉnh|A C Trung tâm Xúc tiến Đầu tư tỉnh|A C Bảo tàng tổng hợp tỉnh
A C Trung tâm Phục vụ hành chính công tỉnh|A C Trung tâm Văn hóa - Điện ảnh tỉnh|A C Thư viện tỉnh
V B Cục Thuế tỉnh@Chi cục Thuế khu vực|V D Cục Hải quan tỉnh@Chi cục Hải quan
V D Kho bạc Nhà nước Quảng Bình@Kho bạc Nhà nước|V D Bảo hiểm xã hội tỉnh@Bảo hiểm xã hội
V D Cục Thống kê tỉnh@Chi cục Thống kê|V D Cục Thi hành án dân sự tỉnh@Chi cục Thi hành án dân sự
V D Cục Quản lý thị trường tỉnh@Đội Quản lý thị trường
V D Chi nhánh Ngân hàng Chính sách xã hội tỉnh@Phòng giao dịch Ngân hàng Chính sách xã hội
V C Ngân hàng Nhà nước Chi nhánh tỉnh Quảng Bình|V C Đài Khí tượng Thủy văn tỉnh
V C Cảng vụ Hàng hải Quảng Bình|V C Chi nhánh Ngân hàng Phát triển Quảng Bình
V C Trung tâm Đăng kiểm xe cơ giới Quảng Bình|S B Công ty Điện lực Quảng Bình@Điện lực
S D Viễn thông Quảng Bình@Trung tâm Viễn thông|S D Viettel Quảng Bình@Viettel
S D Bưu điện tỉnh Quảng Bình@Bưu điện
S D Ngân hàng Nông nghiệp và Phát triển nông thôn Chi nhánh tỉnh Quảng Bình@Agribank Chi nhánh
S D Ngân hàng TMCP Ngoại thương Chi nhánh Quảng Bình|S D Ngân hàng TMCP Công Thương Chi nhánh Quảng Bình
S D Ngân hàng TMCP Đầu tư và Phát triển Chi nhánh Quảng Bình|S D Công ty Xăng dầu Quảng Bình
S C Công ty TNHH MTV Xổ số kiến thiết Quảng Bình|S D Công ty TNHH MTV Lâm công nghiệp Long Đại
S D Công ty TNHH MTV Lâm nghiệp Bắc Quảng Bình|S D Công ty TNHH MTV Khai thác công trình thủy lợi Quảng Bình
S D Công ty Cổ phần Cấp nước Quảng Bình|S D Công ty Cổ phần Môi trường và Phát triển đô thị Quảng Bình
S D Công ty TNHH MTV Cao su Lệ Ninh|S C Bảo Việt Quảng Bình
S D Công ty Cổ phần Quản lý và Xây dựng giao thông Quảng Bình
P D Công ty Cổ phần Tập đoàn Trường Thịnh|P D Công ty Cổ phần Tập đoàn Hoàng Phúc
P D Công ty Cổ phần Xi măng Sông Gianh
P D Công ty Cổ phần Đầu tư và Xây dựng Nhật Lệ|P D Công ty Cổ phần Du lịch Phong Nha
P D Công ty Cổ phần Vận tải ô tô Quảng Bình|P D Công ty Cổ phần Dược phẩm Quảng Bình
P C Công ty Cổ phần Gạch ngói Ba Đồn|P C Công ty Cổ phần In Quảng Bình
P C Công ty Cổ phần Sách và Thiết bị trường học Quảng Bình|P C Công ty Cổ phần Khoáng sản Quảng Bình
P C Công ty Cổ phần Tư vấn Thiết kế Xây dựng Quảng Bình|P C Công ty TNHH Xây dựng Sông Gianh
P C Công ty Cổ phần Thủy sản Nhật Lệ|P C Công ty Cổ phần Nhựa Quảng Bình
P C Công ty Cổ phần Giống cây trồng Quảng Bình|P C Công ty Cổ phần Bia Quảng Bình
P D Công ty Cổ phần Xây lắp điện Quảng Bình|P C Công ty Cổ phần Thương mại Quảng Bình
P C Công ty Cổ phần Đầu tư Phát triển Đô thị Bảo Ninh|P C Công ty Cổ phần Thực phẩm Quảng Bình
P C Công ty Cổ phần Chế biến lâm sản Lệ Thủy|P C Công ty Cổ phần Xây dựng và Thương mại Đồng Hới
K D các doanh nghiệp Khu công nghiệp Tây Bắc Đồng Hới|K D các doanh nghiệp Khu kinh tế Hòn La
K C các doanh nghiệp Khu công nghiệp Bắc Đồng Hới|K C các doanh nghiệp Khu kinh tế cửa khẩu Cha Lo"""
SHORT = {"grassroots_committee": "ĐU", "grassroots_cell": "CB"}
KINDS = {"A": Kind.AGENCY, "V": Kind.VERTICAL, "S": Kind.STATE_ENTERPRISE,
         "P": Kind.PRIVATE_ENTERPRISE, "K": Kind.INDUSTRIAL_ZONE}
# sector: (chi bộ per đảng bộ lo, hi, members per chi bộ lo, hi, female share, chi bộ names)
SECTORS = {
    "agency": (12, 19, 8, 17, 0.45, "Văn phòng|Thanh tra|Phòng Kế hoạch - Tài chính|Phòng Tổ chức "
               "cán bộ|Phòng Pháp chế|Phòng Quản lý chuyên ngành|Phòng Nghiệp vụ 1|Phòng Nghiệp vụ 2|"
               "Phòng Nghiệp vụ 3|Phòng Thông tin - Tổng hợp|Ban Quản lý dự án|Trung tâm Dịch vụ "
               "tổng hợp|Trung tâm Thông tin|Trung tâm Tư vấn và Dịch vụ|Trung tâm Kỹ thuật|Phòng "
               "Kiểm tra|Phòng Quản lý đầu tư|Trung tâm Đào tạo và Bồi dưỡng|Phòng Quản lý chất lượng"),
    "agri": (17, 17, 8, 16, 0.35, "Văn phòng Sở|Chi cục Thủy lợi|Trung tâm Nước sạch và Vệ sinh "
             "môi trường nông thôn|Thanh tra Sở|Phòng Kế hoạch - Tài chính|Phòng Tổ chức cán bộ|"
             "Chi cục Kiểm lâm|Chi cục Thủy sản|Chi cục Trồng trọt và Bảo vệ thực vật|Chi cục "
             "Chăn nuôi và Thú y|Chi cục Phát triển nông thôn|Trung tâm Khuyến nông|Ban Quản lý "
             "Cảng cá|Hạt Kiểm lâm Bố Trạch|Hạt Kiểm lâm Minh Hóa|Hạt Kiểm lâm Lệ Thủy|Trung tâm "
             "Giống cây trồng, vật nuôi"),
    "hospital": (16, 26, 9, 22, 0.62, "Khoa Khám bệnh|Khoa Nội tổng hợp|Khoa Nội tim mạch|Khoa "
                 "Nhi|Khoa Truyền nhiễm|Khoa Y học cổ truyền|Khoa Ung bướu;Khoa Ngoại tổng hợp|Khoa "
                 "Ngoại chấn thương|Khoa Phụ sản|Khoa Gây mê hồi sức|Khoa Mắt|Khoa Tai mũi họng|"
                 "Khoa Răng hàm mặt;Khoa Xét nghiệm|Khoa Chẩn đoán hình ảnh|Khoa Dược|Khoa Dinh "
                 "dưỡng|Khoa Kiểm soát nhiễm khuẩn|Khoa Giải phẫu bệnh;Phòng Kế hoạch tổng hợp|"
                 "Phòng Điều dưỡng|Phòng Tổ chức cán bộ|Phòng Tài chính - Kế toán|Phòng Hành chính "
                 "quản trị|Phòng Vật tư - Thiết bị y tế"),
    "school": (10, 18, 8, 18, 0.55, "Khoa Khoa học Xã hội|Khoa Khoa học Tự nhiên|Khoa Kinh tế - "
               "Du lịch|Khoa Kỹ thuật - Công nghệ thông tin|Khoa Nông - Lâm - Ngư|Khoa Sư phạm|"
               "Khoa Ngoại ngữ|Khoa Lý luận chính trị|Khoa Cơ khí - Điện|Sinh viên;Phòng Đào tạo|Phòng Tổ "
               "chức - Hành chính|Phòng Công tác học sinh, sinh viên|Phòng Kế hoạch - Tài chính|"
               "Phòng Khảo thí và Đảm bảo chất lượng;Trung tâm Thông tin - Thư viện|Trung tâm "
               "Ngoại ngữ - Tin học|Trung tâm Giáo dục thường xuyên"),
    "vertical": (4, 6, 7, 15, 0.45, "Văn phòng|Phòng Tổ chức cán bộ|Phòng Nghiệp vụ|Thanh tra - "
                 "Kiểm tra|Phòng Kế hoạch - Tài chính|Phòng Tổng hợp - Pháp chế"),
    "enterprise": (10, 16, 6, 16, 0.32, "Văn phòng Công ty|Phòng Tổ chức - Hành chính|Phòng Kế "
                   "hoạch - Kỹ thuật|Phòng Kinh doanh|Phòng Tài chính - Kế toán|Phòng Vật tư|Phòng "
                   "Quản lý chất lượng|Xí nghiệp số 1|Xí nghiệp số 2|Xí nghiệp số 3|Phân xưởng Sản "
                   "xuất|Phân xưởng Cơ điện|Nhà máy|Đội Thi công số 1|Đội Thi công số 2|Đội Xe"),
    "industrial": (9, 12, 3, 10, 0.40, "Công ty TNHH Chế biến gỗ Tây Bắc|Công ty Cổ phần Bao bì "
                   "Quảng Bình|Công ty TNHH May xuất khẩu Nhật Lệ|Công ty Cổ phần Bê tông ly tâm "
                   "Quảng Bình|Công ty TNHH Nhựa Đồng Hới|Công ty Cổ phần Thức ăn chăn nuôi Miền "
                   "Trung|Công ty Cổ phần Gỗ MDF Quảng Bình|Công ty Cổ phần Cơ khí Xây dựng Quảng "
                   "Bình|Công ty TNHH Sợi Bắc Đồng Hới|Công ty Cổ phần Chế biến thủy sản Hòn La|Công "
                   "ty Cổ phần Cảng Hòn La|Công ty TNHH Điện mặt trời Hòn La"),
}
BLOCKS = {"hospital": "Khối Nội|Khối Ngoại|Khối Cận lâm sàng|Khối Hành chính",
          "school": "Khối các Khoa|Khối Phòng ban|Khối Trung tâm"}
BRANCH_UNITS = ["Văn phòng", "Đội Nghiệp vụ số 1", "Đội Nghiệp vụ số 2", "Đội Nghiệp vụ số 3",
                "Đội Kiểm tra"]
SO_NAME = "Đảng bộ Sở Lao động - Thương binh và Xã hội"
SO_CELLS = {  # chi bộ: full members on the roll all through 2022
    "Văn phòng": 14, "Thanh tra": 9, "Phòng Kế hoạch - Tài chính": 12,
    "Phòng Lao động - Việc làm": 11, "Phòng Giáo dục nghề nghiệp": 13,
    "Phòng Bảo trợ xã hội": 15, "Phòng Người có công": 14,
    "Trung tâm Dịch vụ việc làm": 22, "Cơ sở Cai nghiện ma túy tỉnh": 27,
    "Trung tâm Bảo trợ xã hội tổng hợp": 15,
}
MERGERS = [  # (chi bộ, merged into, date): the members move, the chi bộ closes
    ("Chi bộ Trung tâm Xúc tiến Đầu tư tỉnh", "Chi bộ Trung tâm Xúc tiến đầu tư", dt.date(2022, 7, 1)),
    ("Chi bộ Trung tâm Nước sạch và Vệ sinh môi trường nông thôn", "Chi bộ Chi cục Thủy lợi",
     dt.date(2022, 10, 1)),
]
CLOSED = ("Chi bộ Công ty Cổ phần Gạch ngói Ba Đồn", dt.date(2022, 12, 15))  # company dissolved
HANDED_OVER = ("Đảng bộ Công ty Cổ phần Cấp nước Quảng Bình", dt.date(2022, 4, 1))
USERS = [  # username, họ và tên đệm, tên, role, where (None: the bloc)
    ("canbo_ldtbxh", "Nguyễn Thị Thu", "Hằng", Role.CADRE, SO_CODE),
    ("vanphong_ldtbxh", "Trần Văn", "Hùng", Role.OFFICE, SO_CODE),
    ("vanphong_khoi", "Lê Thị", "Hương", Role.OFFICE, TOP_CODE),
    ("lanhdao_khoi", "Hoàng Minh", "Tuấn", Role.LEADER, TOP_CODE),
    ("admin", "Phan Văn", "Quản", Role.ADMIN, TOP_CODE),
]
GRADE_SHARES = {"org": (22, 68, 8, 2), "member": (19, 73, 7, 1)}  # HTXSNV, HTTNV, HTNV, KHTNV


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    grassroots: int
    cells: int
    members: int
    users: int
    seconds: float

    def describe(self) -> str:
        head = "Đã nạp dữ liệu dùng thử" if self.created else "Dữ liệu dùng thử đã có sẵn, không tạo thêm"
        return (f"{head}: {self.grassroots} TCCSĐ, {self.cells} chi bộ trực thuộc, "
                f"{self.members} đảng viên, {self.users} tài khoản ({self.seconds:.1f} giây).")


@dataclass
class _Cell:
    org: Organization
    size: int
    sector: str
    before: dt.date | None = None  # all its members joined before (history follows)


# --- entry point -----------------------------------------------------------------


def demo_load(*, stdout: TextIO | None = None) -> DemoSummary:
    """Load the demo deployment once; report what is there either way."""
    started = time.perf_counter()
    top = Organization.objects.filter(code=TOP_CODE).first()
    created = top is None
    if created:
        with transaction.atomic():
            top = _load(rng=random.Random(2024), stdout=stdout)
    counts = selectors.subtree_counts_on(root=top, day=timezone.localdate())
    users = get_user_model().objects.filter(username__in=[u[0] for u in USERS]).count()
    return DemoSummary(created, counts.grassroots, counts.cells, counts.total, users,
                       time.perf_counter() - started)


def _load(*, rng: random.Random, stdout: TextIO | None) -> Organization:
    levels = {lvl.code: lvl for lvl in OrganizationLevel.objects.all()}
    top = services.organization_create(
        name="Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh", level=levels["upper"],
        kind=Kind.COMMITTEE, parent=None, founded_on=FOUNDED, short_name="ĐUK",
        superior_name="ĐẢNG BỘ TỈNH QUẢNG BÌNH", code=TOP_CODE)
    dong_hoi = services.organization_create(
        name="Đảng bộ thành phố Đồng Hới", level=levels["upper"], kind=Kind.COMMITTEE,
        parent=None, founded_on=FOUNDED, short_name="TU",
        superior_name="ĐẢNG BỘ TỈNH QUẢNG BÌNH", code="DEMO-DONGHOI")
    so = _load_so(rng=rng, top=top, levels=levels)
    cells = _bulk_tree(rng=rng, top=top, dong_hoi=dong_hoi, levels=levels)
    members = _bulk_members(rng=rng, cells=cells)
    _history(top=top, dong_hoi=dong_hoi, levels=levels)
    _bulk_ratings(rng=rng, top=top, so=so)
    _users(top=top, so=so)
    if stdout:
        stdout.write(f"  {len(cells)} chi bộ, {members} đảng viên ghi hàng loạt\n")
    return top


# --- the Sở of seed 001 ------------------------------------------------------------


def _load_so(*, rng: random.Random, top: Organization, levels: dict[str, OrganizationLevel]) -> Organization:
    """Đảng bộ Sở LĐ-TB&XH, through the services. Its 2023, as the seeds tell it:
    1/1/2023: 154 members (152 chính thức + 2 dự bị admitted 2022); 2023: the two
    become chính thức (25/4, 16/8); 4 admitted (10/3, 15/6, 02/9, 20/11 — seed 000:
    "kết nạp được 04 đồng chí, đạt 2,6%" of 154); the one admitted 10/3 moves to
    Quảng Trị with his job (16/10, dự bị); a member born 01/1963 retires and moves
    to his ward (01/11); a chính thức member transfers in from Bố Trạch (05/12).
    31/12/2023 (and today): 154 - 1 + 1 + 3 = 157 = 154 chính thức + 3 dự bị.
    Ratings 2023: the 153 chính thức members here all year (the December arrival
    was rated where he came from; dự bị are not rated): 27/124/1/1; chi bộ 2/7/0/1."""
    so = services.organization_create(
        name=SO_NAME, level=levels["grassroots_committee"], kind=Kind.AGENCY, parent=top,
        founded_on=FOUNDED, short_name="ĐU", code=SO_CODE)
    cells = [services.organization_create(name=f"Chi bộ {name}", level=levels["cell"],
                                          kind=Kind.CELL, parent=so, founded_on=FOUNDED)
             for name in SO_CELLS]

    def add(cell: Organization, admitted: dt.date, full: dt.date | None, *,
            born: tuple[int, int] = (1993, 2000), sex: str = "", **extra: object) -> Member:
        name, sex, ethnicity, dob = _person(rng, 0.45, born=born, sex=sex)
        dob = extra.pop("date_of_birth", dob)
        return services.member_create(full_name=name, sex=sex, date_of_birth=dob,
                                      organization=cell, admitted_on=admitted,
                                      full_member_on=full, ethnicity=ethnicity, **extra)

    retiree = add(cells[0], dt.date(1993, 2, 3), dt.date(1994, 2, 3), sex="M",
                  date_of_birth=dt.date(1963, 1, 12))
    services.member_record_event(member=retiree, kind=EventKind.BADGE, badge_years=30,
                                 occurred_on=dt.date(2023, 2, 3))
    services.member_record_event(
        member=retiree, kind=EventKind.TRANSFER_OUT, occurred_on=dt.date(2023, 11, 1),
        destination="Chi bộ Tổ dân phố 4, phường Đồng Phú, thành phố Đồng Hới",
        note="Nghỉ hưu, chuyển sinh hoạt đảng về nơi cư trú")
    rated = []
    for i, (cell, size) in enumerate(zip(cells, SO_CELLS.values(), strict=True)):
        for _ in range(size - (i == 0)):  # the retiree was one of the Văn phòng's
            name, sex, ethnicity, dob = _person(rng, 0.45)
            admitted, full = _full_dates(rng, dob, latest=dt.date(2020, 11, 30))
            rated.append(services.member_create(
                full_name=name, sex=sex, date_of_birth=dob, organization=cell,
                admitted_on=admitted, full_member_on=full, ethnicity=ethnicity))
    rated.append(add(cells[4], dt.date(2022, 4, 20), dt.date(2023, 4, 25)))
    rated.append(add(cells[7], dt.date(2022, 8, 10), dt.date(2023, 8, 16)))
    mover = add(cells[3], dt.date(2023, 3, 10), None)
    services.member_record_event(
        member=mover, kind=EventKind.TRANSFER_OUT, occurred_on=dt.date(2023, 10, 16),
        destination="Đảng bộ Sở Lao động - Thương binh và Xã hội tỉnh Quảng Trị",
        note="Chuyển công tác")
    for cell, day in ((cells[5], dt.date(2023, 6, 15)), (cells[8], dt.date(2023, 9, 2)),
                      (cells[7], dt.date(2023, 11, 20))):
        add(cell, day, None)
    add(cells[3], dt.date(2009, 5, 19), dt.date(2010, 5, 19), born=(1978, 1985),
        joined_on=dt.date(2023, 12, 5), arrival=EventKind.TRANSFER_IN)
    grades = [Grade.EXCELLENT] * 27 + [Grade.GOOD] * 124 + [Grade.DONE, Grade.FAILED]
    rng.shuffle(grades)
    for member, grade in zip(rated, grades, strict=True):
        services.member_rating_set(member=member, year=2023, grade=grade)
    cell_grades = [Grade.EXCELLENT] * 2 + [Grade.GOOD] * 7 + [Grade.FAILED]
    rng.shuffle(cell_grades)
    for cell, grade in zip(cells, cell_grades, strict=True):
        services.organization_rating_set(organization=cell, year=2023, grade=grade)
    services.organization_rating_set(organization=so, year=2023, grade=Grade.GOOD)
    return so


# --- the bulk: tree, members, ratings ------------------------------------------------


def _pool(sector: str) -> list[str]:
    return SECTORS[sector][5].replace(";", "|").split("|")


def _bulk_tree(*, rng: random.Random, top: Organization, dong_hoi: Organization,
               levels: dict[str, OrganizationLevel]) -> list[_Cell]:
    """Every other TCCSĐ with its đảng bộ bộ phận and chi bộ, by generation:
    one bulk insert, one path update and one placement insert per generation."""
    generations: list[list[Organization]] = [[], [], []]
    cells: list[_Cell] = []

    def org(name: str, level: str, kind: str, parent: Organization, gen: int) -> Organization:
        new = Organization(name=nfc(name), level=levels[level], kind=kind, parent=parent,
                           founded_on=FOUNDED, path="", short_name=SHORT.get(level, ""))
        generations[gen].append(new)
        return new

    def cell(name: str, parent: Organization, sector: str, gen: int) -> None:
        lo, hi = SECTORS[sector][2:4]
        new = org(f"Chi bộ {name}", "cell", Kind.CELL, parent, gen)
        cells.append(_Cell(new, rng.randint(lo, hi), sector))

    for line in GRASSROOTS.replace("\n", "|").split("|"):
        letter, shape, rest = line.split(" ", 2)
        name, _, branch = rest.partition("@")
        kind = KINDS[letter]
        sector = ("hospital" if "Bệnh viện" in name or "bệnh tật" in name else
                  "school" if name.startswith("Trường") else
                  "agri" if name.startswith("Sở Nông") else
                  {"V": "vertical", "S": "enterprise", "P": "enterprise",
                   "K": "industrial"}.get(letter, "agency"))
        if shape == "C":
            node = org(f"Chi bộ {name}", "grassroots_cell", kind, top, 0)
            cells.append(_Cell(node, rng.randint(7, 28), sector))
            continue
        parent = dong_hoi if f"Đảng bộ {name}" == HANDED_OVER[0] else top
        node = org(f"Đảng bộ {name}", "grassroots_committee", kind, parent, 0)
        lo, hi, *_ = SECTORS[sector]
        pool = _pool(sector)
        if sector != "agri":  # the Văn phòng first, the rest in any order
            pool = pool[:1] + rng.sample(pool[1:], len(pool) - 1)
        if shape == "B" and branch:
            for label in pool[: rng.randint(2, 4)]:
                cell(label, node, sector, 1)
            for district in DISTRICTS[:5]:
                sub = org(f"Đảng bộ bộ phận {branch} {district}", "sub_committee", kind,
                          node, 1)
                for unit in BRANCH_UNITS:
                    cell(f"{unit} {branch} {district}", sub, sector, 2)
        elif shape == "B":
            blocks = SECTORS[sector][5].split(";")
            for block, labels in zip(BLOCKS[sector].split("|"), blocks, strict=True):
                sub = org(f"Đảng bộ bộ phận {block}", "sub_committee", kind, node, 1)
                for label in labels.split("|"):
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
            OrganizationPlacement(organization=o, parent=o.parent, path=o.path, depth=o.depth,
                                  valid_from=o.founded_on) for o in gen)
    before = {name: day for name, _, day in MERGERS} | dict([CLOSED])
    for c in cells:
        c.before = before.get(c.org.name)
    return cells


def _person(rng: random.Random, female: float, *, born: tuple[int, int] = (1963, 2000),
            sex: str = "") -> tuple[str, str, str, dt.date]:
    """(full name, sex, ethnicity, date of birth): a synthetic but plausible person."""
    ethnicity = rng.choices(list(ETHNIC), [w for w, _ in ETHNIC.values()])[0]
    sex = sex or ("F" if rng.random() < female else "M")
    if ethnicity == "Kinh":
        family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    else:
        family = rng.choice(ETHNIC[ethnicity][1].split())
    if ethnicity == "Khmer":
        name = f"{family} {'Thị ' if sex == 'F' else ''}{rng.choice(KHMER_GIVEN[sex])}"
    else:
        name = f"{family} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    first = born[0] if sex == "M" else max(born[0], 1968)  # women retire earlier
    dob = dt.date(rng.randint(first, born[1]), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    return name, sex, ethnicity, dob


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _full_dates(rng: random.Random, dob: dt.date, *, latest: dt.date) -> tuple[dt.date, dt.date]:
    """Admitted between 19 and 45 (mostly young), chính thức a year or so later."""
    earliest = max(dt.date(dob.year + 19, dob.month, min(dob.day, 28)), dt.date(1983, 1, 1))
    latest = min(latest, dt.date(dob.year + 45, 1, 1))
    span = max((latest - earliest).days, 0)
    admitted = earliest + dt.timedelta(days=int(span * rng.random() ** 1.6))
    return admitted, admitted + dt.timedelta(days=365 + rng.randint(0, 20))


def _story(rng: random.Random, c: _Cell, sex: str, dob: dt.date) -> tuple:
    """(admitted, chính thức, joined, how, leaving) for one member of chi bộ `c`:
    ~3% dự bị admitted in 2023, ~10% arrived by transfer, a few left in 2023."""
    if c.before is None and dob.year >= 1985 and rng.random() < 0.07:
        admitted = _day(rng, dt.date(2023, 1, 2), dt.date(2023, 12, 20))
        return admitted, None, admitted, EventKind.ADMISSION, None
    latest = c.before - dt.timedelta(days=400) if c.before else dt.date(2022, 11, 30)
    admitted, full = _full_dates(rng, dob, latest=latest)
    joined, how, leaving = admitted, EventKind.ADMISSION, None
    if c.before is None and rng.random() < 0.1 and full < dt.date(2023, 9, 1):
        joined = _day(rng, max(full + dt.timedelta(days=60), FOUNDED), dt.date(2023, 11, 30))
        how = EventKind.TRANSFER_IN
    if c.before or max(joined, full) >= dt.date(2023, 6, 1):
        pass
    elif sex == "M" and dob < dt.date(1963, 4, 1):  # retires at 60 years 9 months
        leaving = (EventKind.TRANSFER_OUT, dt.date(2023, dob.month + 9, 1),
                   f"Chi bộ Tổ dân phố {rng.randint(1, 12)}, {rng.choice(PLACES)}",
                   "Nghỉ hưu, chuyển sinh hoạt đảng về nơi cư trú")
    elif rng.random() < 0.006:
        leaving = (EventKind.TRANSFER_OUT, _day(rng, dt.date(2023, 6, 1), YEAR_END),
                   rng.choice(ELSEWHERE), "Chuyển công tác")
    elif rng.random() < 0.001:
        leaving = (EventKind.DEATH, _day(rng, dt.date(2023, 6, 1), YEAR_END), "", "")
    return admitted, full, joined, how, leaving


def _bulk_members(*, rng: random.Random, cells: list[_Cell]) -> int:
    """Members with the rows member_create writes (placement; kết nạp or chuyển
    đến; công nhận chính thức), plus their 2023 departures and Huy hiệu."""
    rows: list[tuple[Member, dt.date, str, tuple | None, bool]] = []
    for c in cells:
        for _ in range(c.size):
            name, sex, ethnicity, dob = _person(rng, SECTORS[c.sector][4])
            admitted, full, joined, how, leaving = _story(rng, c, sex, dob)
            card = f"44{rng.randint(0, 999999):06d}" if full else ""
            member = Member(full_name=name, search_name=fold_accents(name),
                            sort_key=vietnamese_sort_key(name), sex=sex, date_of_birth=dob,
                            ethnicity=ethnicity, admitted_on=admitted, full_member_on=full,
                            organization=c.org, left_on=leaving[1] if leaving else None,
                            party_card_number=card)
            badge = c.before is None and not leaving and admitted.year in (1983, 1993)
            rows.append((member, joined, how, leaving, badge))
    Member.objects.bulk_create([row[0] for row in rows], batch_size=2000)
    placements, events = [], []
    for m, joined, how, leaving, badge in rows:
        placements.append(MemberPlacement(member=m, organization_id=m.organization_id,
                                          valid_from=joined, valid_to=m.left_on))
        at = {"member": m, "organization_id": m.organization_id}
        events.append(MemberEvent(kind=how, occurred_on=joined, **at))
        if m.full_member_on and how == EventKind.ADMISSION:
            events.append(MemberEvent(kind=EventKind.FULL_MEMBERSHIP,
                                      occurred_on=m.full_member_on, **at))
        if leaving:
            events.append(MemberEvent(kind=leaving[0], occurred_on=leaving[1],
                                      destination=leaving[2], note=leaving[3], **at))
        if badge and joined < BADGE_DAY:
            events.append(MemberEvent(kind=EventKind.BADGE, occurred_on=BADGE_DAY,
                                      badge_years=2023 - m.admitted_on.year, **at))
    MemberPlacement.objects.bulk_create(placements, batch_size=2000)
    MemberEvent.objects.bulk_create(events, batch_size=2000)
    return len(rows)


def _history(*, top: Organization, dong_hoi: Organization,
             levels: dict[str, OrganizationLevel]) -> None:
    """2022, through the services: a handover from Đồng Hới, two mergers, a closure."""
    named = {HANDED_OVER[0], "Đảng bộ Sở Kế hoạch và Đầu tư", CLOSED[0]}
    named |= {name for merger in MERGERS for name in merger[:2]}
    by_name = {o.name: o for o in Organization.objects.filter(name__in=named)
               .select_related("level")}
    services.handover_create(source=dong_hoi, moves=[(by_name[HANDED_OVER[0]], top)],
                             effective_on=HANDED_OVER[1],
                             decision="Quyết định số 1250-QĐ/TU của Ban Thường vụ Tỉnh ủy")
    by_name[MERGERS[0][1]] = services.organization_create(
        name=MERGERS[0][1], level=levels["cell"], kind=Kind.CELL, founded_on=MERGERS[0][2],
        parent=by_name["Đảng bộ Sở Kế hoạch và Đầu tư"])
    for name, into, day in MERGERS:
        services.organization_dissolve(organization=by_name[name], on_date=day,
                                       merged_into=by_name[into])
    closed, day = by_name[CLOSED[0]], CLOSED[1]
    for member in Member.objects.filter(organization=closed, left_on__isnull=True):
        services.member_record_event(member=member, kind=EventKind.TRANSFER_OUT,
                                     occurred_on=day, destination="Đảng bộ thị xã Ba Đồn",
                                     note="Doanh nghiệp giải thể")
    services.organization_dissolve(organization=closed, on_date=dt.date(2022, 12, 31))


def _bulk_ratings(*, rng: random.Random, top: Organization, so: Organization) -> None:
    """2023 ratings for every chi bộ, TCCSĐ and chính thức member outside the Sở."""
    grades = list(Grade)
    orgs = (selectors.subtree_placements_on(root=top, day=YEAR_END)
            .exclude(path__startswith=so.path).exclude(organization=top)
            .exclude(organization__level__code="sub_committee")
            .values_list("organization_id", flat=True))
    OrganizationRating.objects.bulk_create(
        OrganizationRating(organization_id=oid, year=2023,
                           grade=rng.choices(grades, GRADE_SHARES["org"])[0]) for oid in orgs)
    placements = (selectors.member_placements_in_subtree_on(root=top, day=YEAR_END)
                  .exclude(organization__path__startswith=so.path)
                  .filter(member__full_member_on__lte=YEAR_END, valid_from__lt=dt.date(2023, 12, 1))
                  .order_by("id").values_list("member_id", "organization_id"))
    MemberRating.objects.bulk_create(
        (MemberRating(member_id=mid, organization_id=oid, year=2023,
                      grade=rng.choices(grades, GRADE_SHARES["member"])[0])
         for mid, oid in placements), batch_size=2000)


def _users(*, top: Organization, so: Organization) -> None:
    password = make_password(settings.DEMO_PASSWORD)  # hashed once: the slow part
    user_model = get_user_model()
    for username, family, given, role, where in USERS:
        user, made = user_model.objects.get_or_create(
            username=username, defaults={"first_name": family, "last_name": given,
                                         "password": password})
        if made and username == "admin":
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        RoleAssignment.objects.get_or_create(
            user=user, organization=so if where == SO_CODE else top, role=role)
