"""Demo congress term: the bloc's targets for nhiệm kỳ 2020-2025 (seed 004).

Ten targets in the words of seed 004's list ("Các chỉ tiêu chủ yếu"), two with a
"trong đó". Where each year's figure comes from, the three ways the term page
reads them:

* **the registry**: "Kết nạp đảng viên mới" (per_year, source admissions) is
  counted from the demo's member events year by year (about 600, 500, 430 and
  470 in 2020–2023 against 300/năm);
* **the bloc's own year plans**: 2020, 2021 and 2022 each get a year plan
  holding the same-label targets and one quarter-IV sheet with the year's figures
  (a rating or a year total is known at year end, so one sheet per year is what
  a committee would type); sent up to the Tỉnh ủy, so "đã gửi". In 2023 the
  bloc's existing year plan gets the two targets followed every quarter (chi bộ
  sinh hoạt, TCCSĐ quán triệt nghị quyết) and sheets for quarters I and II;
* **the roll-up**: "Bồi dưỡng nhận thức về Đảng" carries the label of the 2023
  target the bloc gave down (targets.demo), so its 2023 figure is the subtree's
  sum of approved sheets. The roll-up is rebuilt once here if the bloc has none
  yet (what the nightly job would do).

The outcome, as of quarter IV/2023: 09/10 targets met; "100% chi bộ sinh hoạt
đúng quy định" not met (about 87%: seed 004's "đạt trên 80%") and, by its trend,
"khó đạt" by 2025 — seed 004's "Chỉ tiêu cần nỗ lực phấn đấu".

Call after targets.demo.demo_targets_load (it uses the bloc's 2023 plan; without
it the 2023 figures are left out). Idempotent: nothing is written when the bloc
already has its 2020-2025 plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from organizations.models import Organization
from targets import rollups, services
from targets.demo import _date_sheets
from targets.models import Plan, Result, Rollup, RollupBasis, Sheet, Source, Target
from targets.selectors import quarter_bounds

START, END = 2020, 2025
TERM_TITLE = "Nghị quyết Đại hội đại biểu Đảng bộ Khối lần thứ VI, nhiệm kỳ 2020-2025"
TERM_RESOLUTION = "Nghị quyết Đại hội đại biểu Đảng bộ Khối lần thứ VI ngày 16/7/2020"
YEAR_TITLE = "Nghị quyết về phương hướng, nhiệm vụ năm {year}"
POLITICAL = "Chỉ tiêu về lãnh đạo thực hiện nhiệm vụ chính trị"
PARTY = "Chỉ tiêu về công tác xây dựng Đảng"
MASS = "Chỉ tiêu về công tác dân vận, đoàn thể"
OFFICE = "vanphong_khoi"
SHARES = ("rate", "all_or_nothing")  # shown to a tenth of a point: "94,7%"


@dataclass(frozen=True)
class TermSpec:
    key: str
    group: str
    wording: str
    label: str
    kind: str
    plan: int | str | None
    unit: str
    comparator: str | None = None
    plan_high: int | None = None
    parent: str | None = None
    source: str = Source.MANUAL
    places: int | None = None


# fmt: off
TERM_TARGETS = [
    TermSpec("units_done", POLITICAL,
             "Có trên 90% cơ quan, doanh nghiệp được cấp trên xếp loại hoàn thành "
             "nhiệm vụ", "Cơ quan, doanh nghiệp hoàn thành nhiệm vụ",
             "rate", 90, "%", "gt"),
    TermSpec("units_good", POLITICAL, "trong đó ít nhất 75% hoàn thành tốt nhiệm vụ",
             "Cơ quan, doanh nghiệp hoàn thành tốt nhiệm vụ", "rate", 75, "%",
             parent="units_done"),
    TermSpec("budget", POLITICAL,
             "Phấn đấu 100% doanh nghiệp hoàn thành nghĩa vụ nộp ngân sách Nhà nước",
             "Doanh nghiệp hoàn thành nghĩa vụ nộp ngân sách",
             "all_or_nothing", 100, "doanh nghiệp"),
    TermSpec("culture", POLITICAL,
             "Đến năm 2025 có 70% cơ quan, doanh nghiệp đạt chuẩn văn hóa",
             "Cơ quan, doanh nghiệp đạt chuẩn văn hóa", "rate", 70, "%"),
    TermSpec("study", PARTY,
             "100% TCCSĐ triển khai, quán triệt, học tập và xây dựng chương trình "
             "hành động thực hiện nghiêm túc nghị quyết, chỉ thị của Đảng",
             "TCCSĐ quán triệt, học tập nghị quyết", "all_or_nothing", 100, "TCCSĐ"),
    TermSpec("grassroots_good", PARTY, "Có trên 90% TCCSĐ hoàn thành tốt nhiệm vụ",
             "TCCSĐ hoàn thành tốt nhiệm vụ trở lên", "rate", 90, "%", "gt"),
    TermSpec("grassroots_excellent", PARTY, "trong đó 20% hoàn thành xuất sắc nhiệm vụ",
             "TCCSĐ hoàn thành xuất sắc nhiệm vụ", "rate", 20, "%",
             parent="grassroots_good"),
    TermSpec("members_good", PARTY, "90% đảng viên trở lên hoàn thành tốt nhiệm vụ",
             "Đảng viên hoàn thành tốt nhiệm vụ trở lên", "rate", 90, "%"),
    TermSpec("members_excellent", PARTY,
             "trong đó từ 15 - 20% hoàn thành xuất sắc nhiệm vụ",
             "Đảng viên hoàn thành xuất sắc nhiệm vụ", "rate", 15, "%", "range", 20,
             parent="members_good"),
    TermSpec("awareness", PARTY,
             "Hằng năm bồi dưỡng nhận thức về Đảng cho trên 600 quần chúng ưu tú",
             "Bồi dưỡng nhận thức về Đảng", "per_year", 600, "người", "gt"),
    TermSpec("admissions", PARTY, "Mỗi năm kết nạp từ 300 đảng viên mới trở lên",
             "Kết nạp đảng viên mới", "per_year", 300, "đảng viên",
             source=Source.ADMISSIONS_SHARE),
    TermSpec("cells_meeting", PARTY,
             "100% chi bộ sinh hoạt định kỳ, sinh hoạt chuyên đề đúng quy định",
             "Chi bộ sinh hoạt đúng quy định", "all_or_nothing", 100, "chi bộ"),
    TermSpec("mass_orgs", MASS,
             "Đoàn Thanh niên Khối, Hội Cựu chiến binh Khối, Công đoàn Viên chức và "
             "Hội Khuyến học Khối hằng năm xếp loại vững mạnh",
             "Đoàn thể trực thuộc xếp loại vững mạnh", "all_or_nothing", 100,
             "tổ chức"),
]

# The bloc's figures for 2020, 2021 and 2022: a count, or (numerator, denominator).
Figure = int | tuple[int, int]
YEARS = (2020, 2021, 2022)
YEARLY: dict[str, tuple[Figure, Figure, Figure]] = {
    "units_done": ((103, 112), (106, 113), (108, 114)),
    "units_good": ((86, 112), (88, 113), (91, 114)),
    "budget": ((41, 41), (40, 40), (40, 40)),
    "culture": ((74, 112), (78, 113), (81, 114)),
    "study": ((121, 121), (119, 119), (117, 117)),
    "grassroots_good": ((110, 121), (109, 119), (108, 117)),
    "grassroots_excellent": ((25, 121), (25, 119), (24, 117)),
    "members_good": ((10652, 11412), (11318, 12085), (11981, 12744)),
    "members_excellent": ((1838, 11412), (1996, 12085), (2143, 12744)),
    "awareness": (702, 655, 731),
    "cells_meeting": ((882, 1131), (921, 1126), (956, 1120)),
    "mass_orgs": ((4, 4), (4, 4), (4, 4)),
}
YEAR_FIGURES: dict[int, dict[str, Figure]] = {
    year: {key: figures[i] for key, figures in YEARLY.items()}
    for i, year in enumerate(YEARS)
}
# 2023, the targets followed every quarter, added to the bloc's year plan.
QUARTERS_2023: dict[int, dict[str, Figure]] = {
    1: {"study": (117, 117), "cells_meeting": (961, 1119)},
    2: {"study": (117, 117), "cells_meeting": (968, 1118)},
}
NOTES = {
    "cells_meeting": "Một số chi bộ doanh nghiệp chưa duy trì sinh hoạt định kỳ",
    "awareness": "Phối hợp Trung tâm Chính trị mở lớp",
}
# fmt: on


def demo_term_load(*, bloc: Organization) -> dict[str, int]:
    """Write the bloc's term plan and its yearly figures once; return what was added."""
    created = {"plans": 0, "targets": 0, "sheets": 0, "results": 0}
    if Plan.objects.filter(organization=bloc, start_year=START, end_year=END).exists():
        return created
    before = _counts()
    user = get_user_model().objects.filter(username=OFFICE).first()
    with transaction.atomic():
        _plan(
            bloc, START, END, TERM_TARGETS, title=TERM_TITLE, resolution=TERM_RESOLUTION
        )
        by_key = {s.key: s for s in TERM_TARGETS}
        for year, figures in YEAR_FIGURES.items():
            specs = [_for_year(by_key[key]) for key in figures]
            targets = _plan(bloc, year, year, specs, title=YEAR_TITLE.format(year=year))
            _report(
                bloc, year, 4, figures, targets, user, note=f"Số liệu cả năm {year}"
            )
        this_year = Plan.objects.filter(
            organization=bloc, start_year=2023, end_year=2023
        ).first()
        if this_year is not None:
            keys = sorted(
                {key for figures in QUARTERS_2023.values() for key in figures}
            )
            targets = _targets(this_year, [_for_year(by_key[key]) for key in keys])
            for quarter, figures in QUARTERS_2023.items():
                _report(bloc, 2023, quarter, figures, targets, user)
            has_rollup = (
                Rollup.objects.filter(
                    organization=bloc, year=2023, basis=RollupBasis.APPROVED
                )
                .exclude(subtree={})
                .exists()
            )
            if not has_rollup:
                rollups.rollup_rebuild(root=bloc, year=2023)
    after = _counts()
    return {key: after[key] - before[key] for key in created}


def _counts() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "targets": Target.objects.count(),
        "sheets": Sheet.objects.count(),
        "results": Result.objects.count(),
    }


def _for_year(spec: TermSpec) -> TermSpec:
    """A term target as a year plan words it: "600/năm" is the year's count."""
    if spec.kind != "per_year":
        return spec
    return TermSpec(
        spec.key,
        spec.group,
        spec.wording.replace("Hằng năm b", "B"),
        spec.label,
        "count",
        spec.plan,
        spec.unit,
        spec.comparator,
    )


def _plan(
    bloc: Organization,
    start: int,
    end: int,
    specs: list[TermSpec],
    *,
    title: str,
    resolution: str = "",
) -> dict[str, Target]:
    plan = services.plan_create(
        organization=bloc,
        title=title,
        start_year=start,
        end_year=end,
        resolution=resolution,
    )
    return _targets(plan, specs)


def _targets(plan: Plan, specs: list[TermSpec]) -> dict[str, Target]:
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
            plan_high=spec.plan_high,
            unit=spec.unit,
            parent=made.get(spec.parent) if spec.parent else None,
            places=spec.places if spec.kind not in SHARES else 1,
            source=spec.source,
        )
    return made


def _report(
    bloc: Organization,
    year: int,
    quarter: int,
    figures: dict[str, Figure],
    targets: dict[str, Target],
    user: AbstractBaseUser | None,
    note: str = "",
) -> None:
    """The bloc's sheet through the services, sent up and dated like a real one."""
    entries = {}
    for key, figure in figures.items():
        remark = NOTES.get(key, note)
        if isinstance(figure, tuple):
            entry = services.Entry(
                numerator=Decimal(figure[0]),
                denominator=Decimal(figure[1]),
                note=remark,
            )
        else:
            entry = services.Entry(value=Decimal(figure), note=remark)
        entries[targets[key].id] = entry
    sheet = services.sheet_save(
        organization=bloc,
        year=year,
        quarter=quarter,
        version=0,
        entries=entries,
        user=user,
    )
    services.sheet_submit(organization=bloc, year=year, quarter=quarter, user=user)
    _date_sheets([sheet.id], quarter_end=quarter_bounds(year, quarter)[1])
