"""Demo targets: the Sở LĐ-TB&XH's 2023 and 2024 resolutions (seeds 001, 000) and
a bloc-level 2023 plan handed down to every other grassroots organisation.

Called by ``load_demo`` after :func:`organizations.demo.demo_load` has built the
tree, the registry and the users. Deterministic (``random.Random(2023)``) and
idempotent: when the Sở already has a 2023 plan nothing is written.

* The Sở goes through the services (plan_create, target_create, sheet_save,
  sheet_submit, sheet_approve): 2023 Q1–Q3 approved, Q4 submitted. Its quarters
  add up to seed 001's year figures (20.360/18.500 jobs → 110,1%, cao đẳng
  269/250 → 107,6%, sơ cấp 14.873/14.950 chưa đạt, ...). Its six party-work
  targets of 2023 (seed 000's footnotes) come out 04 đạt / 02 chưa đạt: the
  chi bộ ratings and the admissions are read from the registry.
* The rest of the bloc: six targets assigned with services.target_assign, then
  the four quarters of 2023 written in bulk the way sheet_save / sheet_submit /
  sheet_approve / sheet_return write them (sheet version, transitions, result
  history). Q1–Q2 approved, Q3 mostly approved, Q4 mixed (approved, submitted,
  returned, draft, not started).
* The bloc's deadlines for 2023: the 10th of the month after each quarter. A few
  organisations sent quarters I–III one to three days late, so the office's
  late list has names (in quarter IV, those that have not sent are late).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from organizations.models import PATH_STEP, Member, Organization
from partyreports.formatting import format_number, pad2
from targets import services
from targets.models import (
    Plan,
    Result,
    ResultChange,
    Sheet,
    SheetStatus,
    SheetTransition,
    Source,
    Target,
)
from targets.selectors import quarter_bounds

YEAR = 2023
PRO = "Chỉ tiêu về công tác chuyên môn"
PARTY = "Chỉ tiêu về công tác Đảng"
BLOC_PARTY = "Chỉ tiêu về công tác xây dựng Đảng"
BLOC_MASS = "Chỉ tiêu về công tác dân vận, an sinh xã hội"
PLAN_TITLE = "Nghị quyết về phương hướng, nhiệm vụ năm {year}"
SO_RESOLUTION = {
    year: f"Nghị quyết số {number}-NQ/ĐU ngày {day} của Hội nghị Ban Chấp hành "
    "Đảng bộ Sở mở rộng"
    for year, number, day in ((2023, 25, "16/02/2023"), (2024, 38, "23/02/2024"))
}
BLOC_RESOLUTION = (
    "Nghị quyết số 18-NQ/ĐUK ngày 06/01/2023 của Ban Chấp hành Đảng bộ Khối "
    "các cơ quan và doanh nghiệp tỉnh"
)
ASSIGNED_TITLE = "Chỉ tiêu năm 2023 do Ban Thường vụ Đảng ủy Khối giao"
CADRE, SO_OFFICE, BLOC_OFFICE = "canbo_ldtbxh", "vanphong_ldtbxh", "vanphong_khoi"


@dataclass(frozen=True)
class Spec:
    """One target as the resolution words it; `key` names it in this module."""

    key: str
    group: str
    wording: str
    label: str
    kind: str
    plan: Decimal | int | str | None = None
    unit: str = ""
    parent: str | None = None
    comparator: str | None = None
    places: int | None = None
    source: str = Source.MANUAL


# How seed 001 words each result ("Có 20.360/18.500 lao động …, đạt 110%"), so
# the demo's documents read like the seed with the numbers computed.
REPORT_PHRASES = {
    "jobs": (
        "Có {thuc_hien}/{ke_hoach} lao động được giải quyết việc làm, đạt {ty_le} so "
        "với kế hoạch"
    ),
    "overseas": (
        "trong đó có khoảng {thuc_hien}/{ke_hoach} lao động được tuyển chọn đi làm "
        "việc có thời hạn ở nước ngoài theo hợp đồng, đạt {ty_le} so với kế hoạch"
    ),
    "vocational": (
        "Tuyển sinh giáo dục nghề nghiệp {thuc_hien}/{ke_hoach} người (đạt {ty_le})"
    ),
    "college": "trong đó: cao đẳng {thuc_hien}/{ke_hoach} người (đạt {ty_le})",
    "intermediate": "trung cấp {thuc_hien}/{ke_hoach} người (đạt {ty_le})",
    "elementary": "sơ cấp và dưới 3 tháng {thuc_hien}/{ke_hoach} người (đạt {ty_le})",
    "trained": "Tỷ lệ lao động qua đào tạo: {thuc_hien}% (đạt {ty_le} so với kế hoạch)",
    "certified": (
        "trong đó: tỷ lệ lao động có bằng cấp, chứng chỉ: {thuc_hien}% (đạt {ty_le} "
        "so với kế hoạch)"
    ),
    "poor": (
        "Tỷ lệ hộ nghèo giảm {thuc_hien}/{ke_hoach}% so với năm {nam_truoc}, đạt "
        "{ty_le}"
    ),
    "near_poor": (
        "Tỷ lệ hộ cận nghèo giảm {thuc_hien}/{ke_hoach}% so với năm {nam_truoc}, đạt "
        "{ty_le}"
    ),
}

# fmt: off
# --- the Sở: seed 001 ("Về chỉ tiêu"), seed 000 (2023 party work, its footnotes) ------

SO_2023 = [
    Spec("jobs", PRO, "Phấn đấu tạo việc làm cho 18.500 người",
         "Giải quyết việc làm", "count", 18500, "người"),
    Spec("overseas", PRO, "trong đó có khoảng 3.700 người lao động đi làm việc có "
         "thời hạn ở nước ngoài theo hợp đồng",
         "Đi làm việc ở nước ngoài theo hợp đồng", "count", 3700, "người",
         parent="jobs"),
    Spec("vocational", PRO, "Tuyển sinh giáo dục nghề nghiệp 17.000 người",
         "Tuyển sinh giáo dục nghề nghiệp", "count", 17000, "người"),
    Spec("college", PRO, "trong đó: cao đẳng 250 người",
         "Tuyển sinh cao đẳng", "count", 250, "người", parent="vocational"),
    Spec("intermediate", PRO, "trung cấp 1.750 người",
         "Tuyển sinh trung cấp", "count", 1750, "người", parent="vocational"),
    Spec("elementary", PRO, "sơ cấp và dạy nghề dưới 03 tháng: 14.950 người",
         "Tuyển sinh sơ cấp và dưới 3 tháng", "count", 14950, "người",
         parent="vocational"),
    Spec("trained", PRO, "Tỷ lệ lao động qua đào tạo đạt 68,7%",
         "Tỷ lệ lao động qua đào tạo", "rate", "68.7", "%", places=1),
    Spec("certified", PRO, "trong đó: tỷ lệ lao động qua đào tạo có bằng cấp, chứng "
         "chỉ đạt 29,5%", "Tỷ lệ lao động có bằng cấp, chứng chỉ", "rate", "29.5", "%",
         parent="trained", places=1),
    Spec("poor", PRO, "Phấn đấu giảm tỷ lệ hộ nghèo 0,8% so với năm 2022",
         "Giảm tỷ lệ hộ nghèo", "pp_change", "-0.8", "%"),
    Spec("near_poor", PRO, "Giảm tỷ lệ hộ cận nghèo 0,5% so với năm 2022",
         "Giảm tỷ lệ hộ cận nghèo", "pp_change", "-0.5", "%"),
    Spec("cells_good", PARTY, "100% chi bộ xếp loại hoàn thành tốt nhiệm vụ trở lên",
         "Chi bộ hoàn thành tốt nhiệm vụ trở lên", "all_or_nothing", 100, "chi bộ",
         source=Source.CELLS_GOOD),
    Spec("cells_excellent", PARTY, "trong đó có 20% xếp loại “Hoàn thành xuất sắc "
         "nhiệm vụ”", "Chi bộ hoàn thành xuất sắc nhiệm vụ", "rate", 20, "%",
         parent="cells_good", source=Source.CELLS_EXCELLENT),
    Spec("study", PARTY, "100% chi bộ và 100% đảng viên được học tập, quán triệt và "
         "triển khai thực hiện các Nghị quyết, kết luận của Đảng cấp trên",
         "Học tập, quán triệt nghị quyết", "all_or_nothing", 100, "chi bộ"),
    Spec("ho_chi_minh", PARTY, "100% chi bộ tiếp tục triển khai thực hiện tốt các nội "
         "dung học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
         "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
         "all_or_nothing", 100, "chi bộ"),
    Spec("admissions", PARTY, "Kết nạp đảng viên đạt tỷ lệ 4% so với tổng số đảng "
         "viên đầu năm của Đảng bộ", "Kết nạp đảng viên", "base_share", 4, "%",
         source=Source.ADMISSIONS_SHARE),
    Spec("members_good", PARTY, "Có trên 95% đảng viên được đánh giá hoàn thành tốt "
         "nhiệm vụ", "Đảng viên hoàn thành tốt nhiệm vụ trở lên", "rate", 95, "%",
         comparator="gt", source=Source.MEMBERS_GOOD),
    Spec("members_excellent", PARTY, "trong đó có 20% hoàn thành xuất sắc nhiệm vụ",
         "Đảng viên hoàn thành xuất sắc nhiệm vụ", "rate", 20, "%",
         parent="members_good", source=Source.MEMBERS_EXCELLENT),
    Spec("mass_orgs", PARTY, "Lãnh đạo xây dựng các tổ chức đoàn thể đạt danh hiệu "
         "vững mạnh", "Tổ chức đoàn thể vững mạnh", "all_or_nothing", 100, "tổ chức"),
]

# seed 000, "1.1" and "1.2"; 2023's labels, so the sheet shows last year's figures
SO_2024 = [
    Spec("jobs", PRO, "Phấn đấu tạo việc làm cho 19.500 người",
         "Giải quyết việc làm", "count", 19500, "người"),
    Spec("overseas", PRO, "trong đó có khoảng trên 5.000 người lao động đi làm việc "
         "có thời hạn ở nước ngoài theo hợp đồng",
         "Đi làm việc ở nước ngoài theo hợp đồng", "count", 5000, "người",
         parent="jobs", comparator="gt"),
    Spec("vocational", PRO, "Tuyển sinh giáo dục nghề nghiệp 17.000 người",
         "Tuyển sinh giáo dục nghề nghiệp", "count", 17000, "người"),
    Spec("college", PRO, "trong đó cao đẳng 250 người",
         "Tuyển sinh cao đẳng", "count", 250, "người", parent="vocational"),
    Spec("intermediate", PRO, "trung cấp 1.750 người",
         "Tuyển sinh trung cấp", "count", 1750, "người", parent="vocational"),
    Spec("elementary", PRO, "sơ cấp và dạy nghề dưới 03 tháng: 15.000 người",
         "Tuyển sinh sơ cấp và dưới 3 tháng", "count", 15000, "người",
         parent="vocational"),
    Spec("trained", PRO, "Tỷ lệ lao động qua đào tạo đạt 70%",
         "Tỷ lệ lao động qua đào tạo", "rate", 70, "%", places=1),
    Spec("certified", PRO, "trong đó: tỷ lệ lao động qua đào tạo có bằng cấp, chứng "
         "chỉ đạt 30,5%", "Tỷ lệ lao động có bằng cấp, chứng chỉ", "rate", "30.5", "%",
         parent="trained", places=1),
    Spec("poor", PRO, "Phấn đấu giảm tỷ lệ hộ nghèo 0,8% so với năm 2023",
         "Giảm tỷ lệ hộ nghèo", "pp_change", "-0.8", "%"),
    Spec("poor_households", PRO, "(giảm 2.000 hộ)", "Số hộ nghèo giảm", "count",
         2000, "hộ", parent="poor"),
    Spec("cells_good", PARTY, "100% chi bộ xếp loại hoàn thành tốt nhiệm vụ",
         "Chi bộ hoàn thành tốt nhiệm vụ trở lên", "all_or_nothing", 100, "chi bộ",
         source=Source.CELLS_GOOD),
    Spec("cells_excellent", PARTY, "trong đó có 20% xếp loại “Hoàn thành xuất sắc "
         "nhiệm vụ”", "Chi bộ hoàn thành xuất sắc nhiệm vụ", "rate", 20, "%",
         parent="cells_good", source=Source.CELLS_EXCELLENT),
    # The Sở's own grade, given by the bloc at year end: typed as 1 of 1.
    Spec("so_excellent", PARTY, "Đảng bộ Sở đạt danh hiệu “Hoàn thành xuất sắc "
         "nhiệm vụ”", "Đảng bộ Sở hoàn thành xuất sắc nhiệm vụ", "all_or_nothing",
         100, "đảng bộ"),
    Spec("study", PARTY, "100% Chi bộ và 100% đảng viên được học tập, quán triệt và "
         "triển khai thực hiện các Nghị quyết, kết luận của Đảng cấp trên",
         "Học tập, quán triệt nghị quyết", "all_or_nothing", 100, "chi bộ"),
    Spec("ho_chi_minh", PARTY, "100% Chi bộ tiếp tục triển khai thực hiện tốt các nội "
         "dung học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
         "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
         "all_or_nothing", 100, "chi bộ"),
    Spec("admissions", PARTY, "Kết nạp đảng viên đạt tỷ lệ 4% so với tổng số đảng "
         "viên đầu năm của Đảng bộ", "Kết nạp đảng viên", "base_share", 4, "%",
         source=Source.ADMISSIONS_SHARE),
    Spec("members_good", PARTY, "Có trên 95% đảng viên được đánh giá hoàn thành tốt "
         "nhiệm vụ", "Đảng viên hoàn thành tốt nhiệm vụ trở lên", "rate", 95, "%",
         comparator="gt", source=Source.MEMBERS_GOOD),
    Spec("members_excellent", PARTY, "trong đó có 20% hoàn thành xuất sắc nhiệm vụ",
         "Đảng viên hoàn thành xuất sắc nhiệm vụ", "rate", 20, "%",
         parent="members_good", source=Source.MEMBERS_EXCELLENT),
    Spec("mass_orgs", PARTY, "Lãnh đạo xây dựng các tổ chức đoàn thể đạt danh hiệu "
         "vững mạnh", "Tổ chức đoàn thể vững mạnh", "all_or_nothing", 100, "tổ chức"),
]

# 2023 quarters of the Sở's typed targets: a value or (numerator, denominator), a note.
# Flows add up to seed 001's year; stocks (rates, changes) end at its year figure.
Q = tuple[Decimal | int | str | tuple[int, int] | None, str]
SO_QUARTERS: dict[str, list[Q]] = {
    "jobs": [(4215, "Tổ chức 06 phiên giao dịch việc làm"), (5380, ""), (5126, ""),
             (5639, "Cả năm vượt kế hoạch nhờ xuất khẩu lao động tăng mạnh")],
    "overseas": [(1286, "Chủ yếu thị trường Nhật Bản, Hàn Quốc"), (1573, ""),
                 (1502, "Tăng thực tập sinh kỹ năng đi Nhật Bản"), (1681, "")],
    "vocational": [(2975, ""), (4259, ""), (5186, ""), (4830, "")],
    "college": [(0, "Chưa đến kỳ tuyển sinh cao đẳng"), (12, ""),
                (198, "Tuyển sinh chính vào tháng 8, tháng 9"), (59, "")],
    "intermediate": [(35, ""), (142, ""), (1376, ""), (555, "")],
    "elementary": [(2940, ""), (4105, ""), (3612, ""),
                   (4216, "Nhu cầu học nghề ngắn hạn ở nông thôn giảm")],
    "trained": [("68.0", ""), ("68.3", ""), ("68.6", ""),
                ("68.9", "Ước tính theo kết quả điều tra lao động - việc làm")],
    "certified": [("28.9", ""), ("29.1", ""), ("29.4", ""), ("29.6", "")],
    "poor": [("-0.2", "Ước tính"), ("-0.45", "Ước tính"), ("-0.7", "Ước tính"),
             ("-0.95", "Rà soát cuối năm: còn 10.473 hộ nghèo, chiếm 4,05%")],
    "near_poor": [("-0.15", "Ước tính"), ("-0.35", "Ước tính"), ("-0.55", "Ước tính"),
                  ("-0.75", "Rà soát cuối năm: còn 10.379 hộ cận nghèo, chiếm 4,01%")],
    "study": [((10, 10), "Quán triệt Nghị quyết Hội nghị Trung ương 6 khóa XIII"),
              ((10, 10), ""), ((10, 10), ""), ((10, 10), "")],
    "ho_chi_minh": [((10, 10), "Chuyên đề “Tăng cường tính tiên phong, gương mẫu của "
                               "cán bộ, đảng viên”"),
                    ((10, 10), ""), ((10, 10), ""), ((10, 10), "")],
    "mass_orgs": [(None, ""), (None, ""), (None, ""),
                  ((4, 4), "Công đoàn, Đoàn Thanh niên, Hội Cựu chiến binh, "
                           "Chi hội Khuyến học")],
}
SO_STATUS = {1: SheetStatus.APPROVED, 2: SheetStatus.APPROVED,
             3: SheetStatus.APPROVED, 4: SheetStatus.SUBMITTED}

# --- the bloc's 2023 plan, handed to each grassroots organisation ---------------------
# "{}" in a wording is the plan value: each organisation's own, the bloc's total.

BLOC_2023 = [
    Spec("awareness", BLOC_PARTY, "Bồi dưỡng nhận thức về Đảng cho {} quần chúng ưu tú",
         "Bồi dưỡng nhận thức về Đảng", "count", None, "người"),
    Spec("admissions", BLOC_PARTY, "Kết nạp đảng viên mới đạt từ 3% trở lên so với "
         "tổng số đảng viên đầu năm", "Kết nạp đảng viên", "base_share", 3, "%",
         source=Source.ADMISSIONS_SHARE),
    Spec("inspections", BLOC_PARTY, "Thực hiện {} cuộc kiểm tra, giám sát theo chương "
         "trình năm", "Kiểm tra, giám sát theo kế hoạch", "done_of_planned", None,
         "cuộc"),
    Spec("themed", BLOC_PARTY, "100% chi bộ tổ chức sinh hoạt chuyên đề ít nhất 01 "
         "lần/quý", "Chi bộ sinh hoạt chuyên đề", "all_or_nothing", 100, "chi bộ"),
    Spec("attendance", BLOC_PARTY, "Tỷ lệ đảng viên tham dự sinh hoạt chi bộ thường kỳ "
         "đạt trên 95%", "Đảng viên dự sinh hoạt chi bộ", "rate", 95, "%",
         comparator="gt", places=1),
    Spec("funds", BLOC_MASS, "Vận động ủng hộ Quỹ “Vì người nghèo”, Quỹ “Đền ơn đáp "
         "nghĩa” {} triệu đồng", "Ủng hộ các quỹ an sinh xã hội", "count", None,
         "triệu đồng", places=1),
]
BLOC_NOTES = {
    "awareness": "Phối hợp Trung tâm Chính trị mở lớp",
    "themed": "01 chi bộ chưa sinh hoạt chuyên đề do đơn vị thiếu cán bộ",
    "attendance": "Một số đảng viên đi công tác, học tập dài ngày",
    "funds": "Hưởng ứng Tháng cao điểm “Vì người nghèo”",
}
RETURN_REASON = ("Số liệu tỷ lệ đảng viên dự sinh hoạt chưa khớp với sổ biên bản; "
                 "đề nghị kiểm tra lại.")
# fmt: on


def demo_targets_load(*, bloc: Organization, so: Organization) -> dict[str, int]:
    """Write the demo's plans, targets and 2023 results once; return what was added."""
    created = {"plans": 0, "targets": 0, "sheets": 0, "results": 0}
    if Plan.objects.filter(
        organization=so, start_year__lte=YEAR, end_year__gte=YEAR
    ).exists():
        return created
    before = _counts()
    rng = random.Random(2023)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=[CADRE, SO_OFFICE, BLOC_OFFICE]
        )
    }
    with transaction.atomic():
        units = _units(bloc, so)
        plans = {u.org.pk: _plans_of(rng, u) for u in units}
        bloc_targets = _bloc_plan(bloc, plans)
        so_2023 = _plan(
            so, 2023, SO_2023, derived={"admissions": bloc_targets["admissions"]}
        )
        _plan(so, 2024, SO_2024)
        _so_results(so, so_2023, users)
        _bloc_results(
            rng,
            units=units,
            plans=plans,
            targets=bloc_targets,
            approver=users.get(BLOC_OFFICE),
        )
        _deadlines(bloc, units, office=users.get(BLOC_OFFICE))
    after = _counts()
    return {key: after[key] - before[key] for key in created}


def _counts() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "targets": Target.objects.count(),
        "sheets": Sheet.objects.count(),
        "results": Result.objects.count(),
    }


def _plan(
    org: Organization,
    year: int,
    specs: list[Spec],
    *,
    derived: dict[str, Target] | None = None,
) -> dict[str, Target]:
    plan = services.plan_create(
        organization=org,
        title=PLAN_TITLE.format(year=year),
        start_year=year,
        resolution=SO_RESOLUTION[year],
    )
    made: dict[str, Target] = {}
    for spec in specs:
        made[spec.key] = services.target_create(
            plan=plan,
            group=spec.group,
            wording=spec.wording,
            label=spec.label,
            kind=spec.kind,
            plan_value=spec.plan,
            comparator=spec.comparator,
            unit=spec.unit,
            parent=made[spec.parent] if spec.parent else None,
            places=spec.places,
            source=spec.source,
            derived_from=(derived or {}).get(spec.key),
            report_phrase=REPORT_PHRASES.get(spec.key, ""),
        )
    return made


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _figures(raw: object) -> services.Entry | None:
    if raw is None:
        return None
    if isinstance(raw, tuple):
        return services.Entry(numerator=Decimal(raw[0]), denominator=Decimal(raw[1]))
    return services.Entry(value=Decimal(str(raw)))


def _so_results(
    so: Organization, targets: dict[str, Target], users: dict[str, AbstractBaseUser]
) -> None:
    """The Sở's four quarters through the services, dated like the real ones."""
    cadre, office = users.get(CADRE), users.get(BLOC_OFFICE)
    for quarter in range(1, 5):
        entries = {}
        for key, quarters in SO_QUARTERS.items():
            raw, note = quarters[quarter - 1]
            entry = _figures(raw)
            if entry is not None:
                entries[targets[key].id] = services.Entry(
                    value=entry.value,
                    numerator=entry.numerator,
                    denominator=entry.denominator,
                    note=note,
                )
        sheet = services.sheet_save(
            organization=so,
            year=YEAR,
            quarter=quarter,
            version=0,
            entries=entries,
            user=cadre,
        )
        services.sheet_submit(organization=so, year=YEAR, quarter=quarter, user=cadre)
        if SO_STATUS[quarter] == SheetStatus.APPROVED:
            services.sheet_approve(sheet=sheet, user=office)
        end = quarter_bounds(YEAR, quarter)[1]
        _date_sheets([sheet.id], quarter_end=end)


def _date_sheets(
    sheet_ids: list[int],
    *,
    quarter_end: dt.date,
    offset: int = 0,
    keep_sent: bool = False,
) -> None:
    """Move the timestamps of freshly written sheets to the quarter they report on:
    typed a few days before the quarter ends, sent after it, approved a week later."""
    typed, sent = (
        _at(quarter_end - dt.timedelta(days=3), 15),
        _at(quarter_end + dt.timedelta(days=6 + offset), 10),
    )
    checked = _at(quarter_end + dt.timedelta(days=13 + offset), 14, 30)
    Result.objects.filter(sheet_id__in=sheet_ids).update(entered_at=typed)
    # By ids, not through a join: on PostgreSQL a freshly filled, not yet analysed
    # table made the joined UPDATE a nested loop that ran for minutes.
    result_ids = list(
        Result.objects.filter(sheet_id__in=sheet_ids).values_list("id", flat=True)
    )
    ResultChange.objects.filter(result_id__in=result_ids).update(changed_at=typed)
    transitions = SheetTransition.objects.filter(sheet_id__in=sheet_ids)
    transitions.filter(to_status=SheetStatus.SUBMITTED).update(at=sent)
    transitions.exclude(to_status=SheetStatus.SUBMITTED).update(at=checked)
    sheets = Sheet.objects.filter(id__in=sheet_ids)
    sent_now = sheets.exclude(status=SheetStatus.DRAFT)
    if keep_sent:  # already dated one by one
        sent_now = sent_now.filter(submitted_at__isnull=True)
    sent_now.update(submitted_at=sent)
    sheets.filter(status=SheetStatus.DRAFT).update(updated_at=typed)
    sheets.filter(status=SheetStatus.SUBMITTED).update(updated_at=F("submitted_at"))
    sheets.exclude(status__in=[SheetStatus.DRAFT, SheetStatus.SUBMITTED]).update(
        updated_at=checked
    )


# --- the rest of the bloc -------------------------------------------------------------


@dataclass
class _Unit:
    org: Organization
    members: int
    cells: int


def _units(bloc: Organization, so: Organization) -> list[_Unit]:
    """The bloc's grassroots organisations today (except the Sở), with their
    members and chi bộ (a chi bộ cơ sở counts as its own one chi bộ)."""
    orgs = list(
        Organization.objects.filter(
            parent=bloc,
            level__is_grassroots=True,
            dissolved_on__isnull=True,
        )
        .exclude(pk=so.pk)
        .order_by("path")
    )
    width = len(bloc.path) + PATH_STEP
    members = Counter(
        p[:width]
        for p in Member.objects.filter(
            left_on__isnull=True,
            organization__path__startswith=bloc.path,
        ).values_list("organization__path", flat=True)
    )
    cells = Counter(
        p[:width]
        for p in Organization.objects.filter(
            level__code="cell",
            dissolved_on__isnull=True,
            path__startswith=bloc.path,
        ).values_list("path", flat=True)
    )
    return [_Unit(o, members[o.path], cells[o.path] or 1) for o in orgs]


def _bloc_plan(bloc: Organization, plans: dict[int, dict]) -> dict[str, Target]:
    """The bloc's own targets; its counts are the sums of what it hands down."""
    plan = services.plan_create(
        organization=bloc,
        title=PLAN_TITLE.format(year=YEAR),
        start_year=YEAR,
        resolution=BLOC_RESOLUTION,
    )
    made = {}
    for spec in BLOC_2023:
        value = spec.plan
        if value is None:
            value = sum(p[spec.key] for p in plans.values())
        made[spec.key] = services.target_create(
            plan=plan,
            group=spec.group,
            wording=_worded(spec, value),
            label=spec.label,
            kind=spec.kind,
            plan_value=value,
            comparator=spec.comparator,
            unit=spec.unit,
            places=spec.places,
            source=spec.source,
        )
    return made


def _worded(spec: Spec, value: Decimal | int | None) -> str:
    """The wording with its own figure: "Thực hiện 03 cuộc ..." (below ten padded)."""
    if "{}" not in spec.wording:
        return spec.wording
    padded = isinstance(value, int) and value < 10 and spec.unit in ("người", "cuộc")
    return spec.wording.format(pad2(value) if padded else format_number(value))


def _round_half(value: float) -> Decimal:
    return Decimal(round(value * 2)) / 2


def _split(total: int, weights: tuple[int, ...], rng: random.Random) -> list[int]:
    """`total` units spread over the quarters by weight (each unit drawn)."""
    counts = Counter(rng.choices(range(len(weights)), weights, k=total))
    return [counts[q] for q in range(len(weights))]


def _plans_of(rng: random.Random, unit: _Unit) -> dict[str, Decimal | int | None]:
    return {
        "awareness": max(2, round(unit.members * rng.uniform(0.03, 0.06))),
        "admissions": 3,
        "inspections": rng.randint(2, 4) + (unit.members > 150) + (unit.members > 400),
        "themed": 100,
        "attendance": 95,
        "funds": max(5, 5 * round(unit.members * rng.uniform(0.3, 0.6) / 5)),
    }


def _quarters_of(
    rng: random.Random, unit: _Unit, plans: dict
) -> dict[str, list[tuple]]:
    """Each manual target's four quarters as (value, numerator, denominator, note)."""
    awareness = _split(
        round(plans["awareness"] * rng.uniform(0.75, 1.35)), (2, 3, 2, 3), rng
    )
    done = plans["inspections"] + rng.choices((0, -1, 1), (85, 10, 5))[0]
    inspections = _split(max(done, 0), (1, 2, 3, 3), rng)
    funds_total = plans["funds"] * rng.uniform(0.8, 1.6)
    funds_split = (0.08, 0.12, 0.3, 0.5)
    rows: dict[str, list[tuple]] = {
        key: [] for key in ("awareness", "inspections", "themed", "attendance", "funds")
    }
    for q in range(4):
        rows["awareness"].append(
            (
                awareness[q],
                None,
                None,
                BLOC_NOTES["awareness"] if awareness[q] >= 10 else "",
            )
        )
        rows["inspections"].append((inspections[q], None, None, ""))
        missed = unit.cells > 1 and rng.random() < 0.1
        rows["themed"].append(
            (
                None,
                unit.cells - missed,
                unit.cells,
                BLOC_NOTES["themed"] if missed else "",
            )
        )
        expected = unit.members * 3  # monthly meetings
        absent = round(expected * rng.uniform(0.005, 0.07))
        rows["attendance"].append(
            (
                None,
                expected - absent if expected else None,
                expected or None,
                BLOC_NOTES["attendance"] if absent > expected * 0.05 else "",
            )
        )
        funds = _round_half(funds_total * funds_split[q] * rng.uniform(0.7, 1.3))
        rows["funds"].append(
            (
                funds,
                None,
                None,
                BLOC_NOTES["funds"] if q == 3 and rng.random() < 0.2 else "",
            )
        )
    return rows


def _status_of(rng: random.Random, quarter: int) -> str | None:
    """Q1–Q2 approved, Q3 mostly approved, Q4 mixed; None: not started."""
    if quarter <= 2:
        return SheetStatus.APPROVED
    if quarter == 3:
        return rng.choices([SheetStatus.APPROVED, SheetStatus.SUBMITTED], (90, 10))[0]
    return rng.choices(
        [
            SheetStatus.APPROVED,
            SheetStatus.SUBMITTED,
            SheetStatus.RETURNED,
            SheetStatus.DRAFT,
            None,
        ],
        (45, 30, 4, 11, 10),
    )[0]


_VERSION = {
    SheetStatus.DRAFT: 1,
    SheetStatus.SUBMITTED: 2,
    SheetStatus.APPROVED: 3,
    SheetStatus.RETURNED: 3,
}
_STEPS = {  # the transitions sheet_submit / sheet_approve / sheet_return leave behind
    SheetStatus.DRAFT: [],
    SheetStatus.SUBMITTED: [(SheetStatus.DRAFT, SheetStatus.SUBMITTED)],
    SheetStatus.APPROVED: [
        (SheetStatus.DRAFT, SheetStatus.SUBMITTED),
        (SheetStatus.SUBMITTED, SheetStatus.APPROVED),
    ],
    SheetStatus.RETURNED: [
        (SheetStatus.DRAFT, SheetStatus.SUBMITTED),
        (SheetStatus.SUBMITTED, SheetStatus.RETURNED),
    ],
}


def _bloc_results(
    rng: random.Random,
    *,
    units: list[_Unit],
    plans: dict[int, dict],
    targets: dict[str, Target],
    approver: AbstractBaseUser | None,
) -> None:
    """Assign the bloc's targets, then write 2023's sheets in bulk."""
    assigned: dict[str, dict[int, Target]] = {}
    for spec in BLOC_2023:
        copies = services.target_assign(
            target=targets[spec.key],
            title=ASSIGNED_TITLE,
            plan_values={u.org: plans[u.org.pk][spec.key] for u in units},
        )
        assigned[spec.key] = {t.plan.organization_id: t for t in copies}
        if "{}" in spec.wording:  # target_assign copied the bloc's total into it
            for copy in copies:
                copy.wording = _worded(spec, plans[copy.plan.organization_id][spec.key])
            Target.objects.bulk_update(copies, ["wording"], batch_size=500)
    sheets: list[Sheet] = []
    pending: list[tuple[Sheet, dict[str, tuple]]] = []
    for unit in units:
        rows = _quarters_of(rng, unit, plans[unit.org.pk])
        plan_id = assigned["awareness"][unit.org.pk].plan_id
        for quarter in range(1, 5):
            status = _status_of(rng, quarter)
            if status is None:
                continue
            end = quarter_bounds(YEAR, quarter)[1]
            sheet = Sheet(
                organization=unit.org,
                plan_id=plan_id,
                year=YEAR,
                quarter=quarter,
                status=status,
                version=_VERSION[status],
                return_reason=RETURN_REASON if status == SheetStatus.RETURNED else "",
                submitted_at=None
                if status == SheetStatus.DRAFT
                else _at(
                    end + dt.timedelta(days=rng.randint(3, 12)), rng.randint(8, 16)
                ),
                updated_by=approver
                if status in (SheetStatus.APPROVED, SheetStatus.RETURNED)
                else None,
            )
            sheets.append(sheet)
            values = {key: row[quarter - 1] for key, row in rows.items()}
            if status == SheetStatus.DRAFT:  # half typed
                values = {
                    k: v for k, v in values.items() if k in ("awareness", "inspections")
                }
            pending.append((sheet, values))
    Sheet.objects.bulk_create(sheets, batch_size=500)
    results: list[Result] = []
    for sheet, values in pending:
        for key, (value, numerator, denominator, note) in values.items():
            if value is None and numerator is None and not note:
                continue  # nothing typed: sheet_save writes no row
            results.append(
                Result(
                    sheet=sheet,
                    target=assigned[key][sheet.organization_id],
                    value=None if value is None else Decimal(value),
                    numerator=None if numerator is None else Decimal(numerator),
                    denominator=None if denominator is None else Decimal(denominator),
                    note=note,
                )
            )
    Result.objects.bulk_create(results, batch_size=1000)
    ResultChange.objects.bulk_create(
        (
            ResultChange(
                result=r,
                new_value=r.value,
                new_numerator=r.numerator,
                new_denominator=r.denominator,
                new_note=r.note,
            )
            for r in results
        ),
        batch_size=1000,
    )
    SheetTransition.objects.bulk_create(
        (
            SheetTransition(
                sheet=s,
                from_status=old,
                to_status=new,
                by=None if new == SheetStatus.SUBMITTED else approver,
                reason=RETURN_REASON if new == SheetStatus.RETURNED else "",
            )
            for s in sheets
            for old, new in _STEPS[s.status]
        ),
        batch_size=1000,
    )
    for quarter in range(1, 5):
        end = quarter_bounds(YEAR, quarter)[1]
        _date_sheets(
            [s.id for s in sheets if s.quarter == quarter],
            quarter_end=end,
            offset=1,
            keep_sent=True,
        )


# --- deadlines, and a few organisations late ------------------------------------------

DEADLINE_DAYS = 10  # after the quarter's end: 10/4, 10/7, 10/10, 10/01


def _deadlines(
    bloc: Organization, units: list[_Unit], *, office: AbstractBaseUser | None
) -> None:
    """The bloc's 2023 deadlines, and quarters I–III of a few organisations sent
    after them (an own generator: the figures drawn above stay as they are)."""
    from targets.completeness import deadlines_save

    due = {
        q: quarter_bounds(YEAR, q)[1] + dt.timedelta(days=DEADLINE_DAYS)
        for q in range(1, 5)
    }
    deadlines_save(organization=bloc, year=YEAR, due_dates=due, user=office)
    rng = random.Random(YEAR + 10)
    late_count = max(1, len(units) // 25)
    for quarter in (1, 2, 3):
        sheets = list(
            Sheet.objects.filter(
                organization__in=[u.org for u in units],
                year=YEAR,
                quarter=quarter,
                status__in=[SheetStatus.SUBMITTED, SheetStatus.APPROVED],
            ).order_by("organization__path")
        )
        for sheet in rng.sample(sheets, min(late_count, len(sheets))):
            # Before the approval, dated 13 days after the quarter's end (_date_sheets).
            sent = _at(due[quarter] + dt.timedelta(days=rng.randint(1, 3)), 16)
            Sheet.objects.filter(pk=sheet.pk).update(submitted_at=sent)
            SheetTransition.objects.filter(
                sheet=sheet, to_status=SheetStatus.SUBMITTED
            ).update(at=sent)
