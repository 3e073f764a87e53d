"""Data for bench/rollup.py: a bloc's tree, members, a plan given down and
four quarters of results, written with bulk_create (ids assigned here).

At scale 1 (the bloc of the issue):

* 1 đảng bộ cấp trên; 100 đảng bộ cơ sở with 11 chi bộ each (every 5th has 15),
  every 10th with an đảng bộ bộ phận holding its last 3 chi bộ; 20 chi bộ cơ
  sở — 120 TCCSĐ, 1.180 chi bộ trực thuộc, 10 đảng bộ bộ phận, 1.311
  organisations;
* 14.000 members, each with an open MemberPlacement in a chi bộ (chi bộ cơ sở
  twice as likely), about 6 % admitted during 2023 (probationary);
* the bloc's 2023 plan of 30 targets in 2 groups (16 counts of which 4 are
  "trong đó" sub-targets, 8 rates and 2 "100 % đơn vị" typed as
  numerator/denominator, 4 done-of-planned), given down to every TCCSĐ: a Plan
  per TCCSĐ (source_plan = the bloc's) with 30 copies (derived_from = the
  bloc's target), what services.target_assign writes;
* a Sheet per TCCSĐ for Q1–Q4 2023 with 30 Results each: Q1–Q3 95 % approved,
  5 % submitted; Q4 75 % approved, 20 % submitted, 5 % still a draft.

Scale 10 multiplies every count (≈ 13.100 organisations, 140.000 members,
1.200 TCCSĐ, 144.000 results). Rows match what the services write, so the
roll-up engine and the dashboard read them as they would read real data.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from _common import log, random_name

PATH_STEP = 6  # organizations.models.PATH_STEP
YEAR = 2023
FOUNDED = dt.date(2000, 1, 1)
BATCH = 2000


PRO = "Chỉ tiêu về phát triển kinh tế - xã hội"
PARTY = "Chỉ tiêu về công tác xây dựng Đảng"

# (group, label, kind, bloc plan value, unit, parent label or None)
TARGETS: list[tuple[str, str, str, str, str, str | None]] = [
    (PRO, "Giải quyết việc làm", "count", "18500", "người", None),
    (
        PRO,
        "Giải quyết việc làm – lao động nữ",
        "count",
        "8000",
        "người",
        "Giải quyết việc làm",
    ),
    (
        PRO,
        "Giải quyết việc làm – thanh niên",
        "count",
        "6000",
        "người",
        "Giải quyết việc làm",
    ),
    (PRO, "Tuyển sinh đào tạo nghề", "count", "9000", "người", None),
    (PRO, "Hỗ trợ hộ nghèo", "count", "2400", "hộ", None),
    (
        PRO,
        "Hỗ trợ hộ nghèo – hộ dân tộc thiểu số",
        "count",
        "600",
        "hộ",
        "Hỗ trợ hộ nghèo",
    ),
    (
        PRO,
        "Hỗ trợ hộ nghèo – hộ có người khuyết tật",
        "count",
        "400",
        "hộ",
        "Hỗ trợ hộ nghèo",
    ),
    (PRO, "Cấp thẻ bảo hiểm y tế", "count", "35000", "thẻ", None),
    (PRO, "Tư vấn, giới thiệu việc làm", "count", "12000", "lượt", None),
    (PRO, "Thanh tra, kiểm tra doanh nghiệp", "count", "300", "cuộc", None),
    (PRO, "Hồ sơ thủ tục hành chính tiếp nhận", "count", "52000", "hồ sơ", None),
    (PRO, "Sáng kiến được công nhận", "count", "240", "sáng kiến", None),
    (PRO, "Tỷ lệ lao động qua đào tạo", "rate", "68.7", "%", None),
    (PRO, "Tỷ lệ có bằng cấp, chứng chỉ", "rate", "30.5", "%", None),
    (PRO, "Tỷ lệ doanh nghiệp chấp hành pháp luật lao động", "rate", "90", "%", None),
    (PRO, "Tỷ lệ hồ sơ giải quyết đúng hạn", "rate", "98", "%", None),
    (PRO, "Tỷ lệ bao phủ bảo hiểm xã hội", "rate", "35.2", "%", None),
    (PRO, "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp", "rate", "95", "%", None),
    (PARTY, "Tỷ lệ đảng viên HTTNV trở lên", "rate", "85", "%", None),
    (PARTY, "Tỷ lệ quần chúng ưu tú được kết nạp", "rate", "60", "%", None),
    (PARTY, "Chi bộ sinh hoạt định kỳ đủ", "all_or_nothing", "100", "%", None),
    (PARTY, "Chi bộ có nghị quyết sát thực tiễn", "all_or_nothing", "100", "%", None),
    (PARTY, "Kiểm tra, giám sát", "done_of_planned", "7", "cuộc", None),
    (PARTY, "Sinh hoạt chuyên đề", "done_of_planned", "4", "cuộc", None),
    (PARTY, "Học tập nghị quyết", "done_of_planned", "6", "cuộc", None),
    (PARTY, "Sơ kết, tổng kết", "done_of_planned", "2", "cuộc", None),
    (PARTY, "Bồi dưỡng lý luận chính trị", "count", "400", "người", None),
    (PARTY, "Quần chúng ưu tú được giới thiệu", "count", "120", "người", None),
    (PARTY, "Đảng viên được tặng Huy hiệu", "count", "80", "người", None),
    (PARTY, "Kết nạp đảng viên mới", "count", "150", "người", None),
]
assert len(TARGETS) == 30


@functools.cache
def _comparator(kind: str) -> str:
    from targets.calculations import Kind, default_comparator

    return str(default_comparator(Kind(kind)))


def _check_targets() -> None:
    """The 30 definitions pass the rules target_create applies."""
    from targets.calculations import spec_problems

    for _group, label, kind, value, _unit, _parent in TARGETS:
        problems = spec_problems(kind, _comparator(kind), Decimal(value))
        assert not problems, (label, problems)


@dataclass
class Bloc:
    """What the bench needs to know about one generated bloc."""

    label: str
    root_id: int
    grassroots_ids: list[int]
    orgs: int = 0
    members: int = 0
    targets: int = 0
    sheets: int = 0
    results: int = 0
    # grassroots org id -> Q4 status (the incremental case picks a submitted one)
    q4_status: dict[int, str] = field(default_factory=dict)


@dataclass
class Ids:
    """Next free id per model: rows are written with ids chosen here."""

    org: int
    member: int
    plan: int
    group: int
    target: int
    sheet: int

    @classmethod
    def from_database(cls) -> Ids:
        from django.db.models import Max

        from organizations.models import Member, Organization
        from targets.models import Plan, Sheet, Target, TargetGroup

        def nxt(model) -> int:  # noqa: ANN001
            return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

        return cls(
            org=nxt(Organization),
            member=nxt(Member),
            plan=nxt(Plan),
            group=nxt(TargetGroup),
            target=nxt(Target),
            sheet=nxt(Sheet),
        )

    def take(self, name: str) -> int:
        value = getattr(self, name)
        setattr(self, name, value + 1)
        return value


def self_assigned_models() -> list:
    """Models whose ids the generator assigns (PostgreSQL sequences to reset)."""
    from organizations.models import Member, Organization
    from targets.models import Plan, Sheet, Target, TargetGroup

    return [Organization, Member, Plan, TargetGroup, Target, Sheet]


def _write(model, rows: list, what: str | None = None) -> None:  # noqa: ANN001
    start = time.perf_counter()
    model.objects.bulk_create(rows, batch_size=BATCH)
    log(
        f"  {len(rows):>7} {what or model.__name__} "
        f"in {time.perf_counter() - start:.1f}s"
    )


def build_bloc(ids: Ids, rng: random.Random, *, scale: int, label: str) -> Bloc:
    """Write one bloc at `scale` (call inside a transaction)."""
    from organizations.models import (
        Member,
        MemberPlacement,
        Organization,
        OrganizationLevel,
        OrganizationPlacement,
    )
    from organizations.services import default_kind_for, path_segment
    from targets.models import Plan, Result, Sheet, SheetStatus, Target, TargetGroup

    levels = {lvl.code: lvl for lvl in OrganizationLevel.objects.all()}
    orgs: list = []
    org_placements: list = []

    def org(
        name: str, code: str, parent: tuple[int, str] | None, short_name: str = ""
    ) -> tuple[int, str]:
        org_id = ids.take("org")
        parent_id, parent_path = parent if parent else (None, "")
        path = parent_path + path_segment(org_id)
        depth = len(path) // PATH_STEP
        level = levels[code]
        orgs.append(
            Organization(
                id=org_id,
                public_id=uuid.uuid4(),
                name=name,
                short_name=short_name,
                level=level,
                kind=default_kind_for(level),
                parent_id=parent_id,
                founded_on=FOUNDED,
                path=path,
                depth=depth,
            )
        )
        org_placements.append(
            OrganizationPlacement(
                organization_id=org_id,
                parent_id=parent_id,
                path=path,
                depth=depth,
                valid_from=FOUNDED,
            )
        )
        return org_id, path

    # --- the tree --------------------------------------------------------------------
    top = org(f"Đảng bộ Khối {label}", "upper", None, short_name="ĐUK")
    grassroots: list[int] = []
    cells: list[int] = []  # where members sit; chi bộ cơ sở listed twice
    cells_of: dict[int, int] = {}  # TCCSĐ -> number of its chi bộ (the 100 % targets)
    for g in range(100 * scale):
        committee = org(
            f"Đảng bộ cơ sở {label}-{g + 1}",
            "grassroots_committee",
            top,
            short_name="ĐU",
        )
        grassroots.append(committee[0])
        n_cells = 15 if g % 5 == 0 else 11
        cells_of[committee[0]] = n_cells
        holder = committee
        for c in range(n_cells):
            if (
                g % 10 == 0 and c == n_cells - 3
            ):  # every 10th: an đảng bộ bộ phận with 3 chi bộ
                holder = org(
                    f"Đảng bộ bộ phận {label}-{g + 1}", "sub_committee", committee
                )
            cells.append(org(f"Chi bộ {label}-{g + 1}-{c + 1}", "cell", holder)[0])
    for g in range(20 * scale):
        cell_id, _ = org(f"Chi bộ cơ sở {label}-{g + 1}", "grassroots_cell", top)
        grassroots.append(cell_id)
        cells_of[cell_id] = 1
        cells.extend([cell_id, cell_id])
    bloc = Bloc(label=label, root_id=top[0], grassroots_ids=grassroots, orgs=len(orgs))
    _write(Organization, orgs)
    _write(OrganizationPlacement, org_placements)
    orgs.clear()
    org_placements.clear()

    # --- members (the dashboard's membership cards) ----------------------------------
    members: list = []
    placements: list = []
    for _ in range(14_000 * scale):
        female = rng.random() < 0.35
        full_name, search_name, sort_key = random_name(rng, female=female)
        if rng.random() < 0.06:  # admitted during the year: probationary on 31/12
            admitted = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
            full_on = None
        else:
            admitted = FOUNDED + dt.timedelta(
                days=rng.randrange((dt.date(YEAR - 1, 12, 31) - FOUNDED).days)
            )
            full_on = admitted + dt.timedelta(days=365)
            full_on = full_on if full_on.year < YEAR + 1 else None
        member_id = ids.take("member")
        cell = rng.choice(cells)
        members.append(
            Member(
                id=member_id,
                public_id=uuid.uuid4(),
                full_name=full_name,
                search_name=search_name,
                sort_key=sort_key,
                sex="F" if female else "M",
                date_of_birth=admitted
                - dt.timedelta(days=rng.randrange(18 * 365, 40 * 365)),
                admitted_on=admitted,
                full_member_on=full_on,
                organization_id=cell,
            )
        )
        placements.append(
            MemberPlacement(
                member_id=member_id, organization_id=cell, valid_from=admitted
            )
        )
    bloc.members = len(members)
    _write(Member, members)
    _write(MemberPlacement, placements)
    members.clear()
    placements.clear()

    # --- the bloc's plan, given down -------------------------------------------------
    _check_targets()
    comparators = {kind: _comparator(kind) for kind in {t[2] for t in TARGETS}}
    plans: list = []
    groups: list = []
    targets: list = []

    def plan_with_targets(
        org_id: int, source: tuple[int, dict[str, int]] | None, share: Decimal
    ) -> tuple[int, dict[str, int]]:
        """A plan and its 30 targets; `source`: (plan id, label -> target id) of
        the plan they are given down from."""
        plan_id = ids.take("plan")
        plans.append(
            Plan(
                id=plan_id,
                organization_id=org_id,
                title=f"Chỉ tiêu năm {YEAR}",
                start_year=YEAR,
                end_year=YEAR,
                resolution=f"Nghị quyết số 05-NQ/ĐU ngày 23/02/{YEAR}",
                source_plan_id=source[0] if source else None,
            )
        )
        group_ids = {}
        for order, name in enumerate((PRO, PARTY), start=1):
            group_ids[name] = ids.take("group")
            groups.append(
                TargetGroup(id=group_ids[name], plan_id=plan_id, order=order, name=name)
            )
        by_label: dict[str, int] = {}
        for order, (group, t_label, kind, value, unit, parent) in enumerate(
            TARGETS, start=1
        ):
            plan_value = Decimal(value)
            if kind in ("count", "done_of_planned") and source is not None:
                plan_value = max(Decimal(1), (plan_value * share).quantize(Decimal(1)))
            target_id = ids.take("target")
            by_label[t_label] = target_id
            targets.append(
                Target(
                    id=target_id,
                    plan_id=plan_id,
                    group_id=group_ids[group],
                    order=order,
                    parent_id=by_label[parent] if parent else None,
                    wording=f"{t_label}: kế hoạch {plan_value}",
                    label=t_label,
                    unit=unit,
                    kind=kind,
                    comparator=comparators[kind],
                    plan_value=plan_value,
                    places=1 if unit == "%" else None,
                    derived_from_id=source[1][t_label] if source else None,
                    origin_id=source[1][t_label] if source else None,
                )
            )
        return plan_id, by_label

    bloc_plan = plan_with_targets(top[0], None, Decimal(1))
    org_plans: dict[int, tuple[int, dict[str, int]]] = {}
    for org_id in grassroots:
        share = Decimal(rng.randrange(50, 150)) / 100 / len(grassroots) * scale
        org_plans[org_id] = plan_with_targets(org_id, bloc_plan, share)
    bloc.targets = len(targets)
    _write(Plan, plans)
    _write(TargetGroup, groups)
    _write(Target, targets)
    plans_values = {t.id: t.plan_value for t in targets}
    plans.clear()
    groups.clear()
    targets.clear()

    # --- sheets and results ----------------------------------------------------------
    sheets: list = []
    results: list = []
    now = dt.datetime(YEAR, 12, 20, 9, 0, tzinfo=dt.UTC)
    for org_id in grassroots:
        plan_id, by_label = org_plans[org_id]
        n_cells = cells_of[org_id]
        for quarter in (1, 2, 3, 4):
            roll = rng.random()
            if quarter < 4:
                status = SheetStatus.APPROVED if roll < 0.95 else SheetStatus.SUBMITTED
            else:
                status = (
                    SheetStatus.APPROVED
                    if roll < 0.75
                    else SheetStatus.SUBMITTED
                    if roll < 0.95
                    else SheetStatus.DRAFT
                )
            if quarter == 4:
                bloc.q4_status[org_id] = str(status)
            sheet_id = ids.take("sheet")
            sheets.append(
                Sheet(
                    id=sheet_id,
                    public_id=uuid.uuid4(),
                    organization_id=org_id,
                    plan_id=plan_id,
                    year=YEAR,
                    quarter=quarter,
                    status=status,
                    version=2 if status != SheetStatus.DRAFT else 1,
                    submitted_at=now if status != SheetStatus.DRAFT else None,
                )
            )
            for _group, t_label, kind, _value, _unit, _parent in TARGETS:
                target_id = by_label[t_label]
                value = num = den = None
                if kind == "rate":
                    den = Decimal(rng.randrange(20, 400))
                    num = min(
                        den,
                        (den * Decimal(rng.randrange(60, 101)) / 100).quantize(
                            Decimal(1)
                        ),
                    )
                elif kind == "all_or_nothing":
                    den = Decimal(n_cells)
                    num = den if rng.random() < 0.8 else den - 1
                elif kind == "done_of_planned":
                    value = Decimal(rng.randrange(0, 3))
                else:
                    plan_value = plans_values[target_id]
                    value = (
                        plan_value * Decimal(rng.randrange(15, 35)) / 100
                    ).quantize(Decimal(1))
                results.append(
                    Result(
                        sheet_id=sheet_id,
                        target_id=target_id,
                        value=value,
                        numerator=num,
                        denominator=den,
                        entered_at=now,
                    )
                )
    bloc.sheets, bloc.results = len(sheets), len(results)
    _write(Sheet, sheets)
    _write(Result, results)
    return bloc
