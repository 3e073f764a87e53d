"""The cadre's quarterly sheet: entry, live preview, conflicts, workflow."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Role
from targets import calculations as calc
from targets import selectors, services
from targets.models import Result, ResultChange, Sheet, SheetStatus, Source
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def _url(world, name: str = "targets:sheet", quarter: int = 3, **extra) -> str:  # noqa: ANN001
    return reverse(
        name,
        kwargs={
            "public_id": world.grassroots_a.public_id,
            "year": 2023,
            "quarter": quarter,
            **extra,
        },
    )


def _post(plan_world, **figures: str) -> dict[str, str]:  # noqa: ANN001
    data = {"version": "0", "action": "save"}
    for key, value in figures.items():
        name, field = key.rsplit("_", 1)
        target = getattr(plan_world, name)
        data[f"{field}-{target.id}"] = value
    return data


def test_the_sheet_shows_plan_and_groups(client, world, plan_world, cadre):
    client.force_login(cadre)
    body = client.get(_url(world)).content.decode()
    assert (
        "Chỉ tiêu về công tác chuyên môn" in body
        and "Chỉ tiêu về công tác Đảng" in body
    )
    assert "18.500" in body and "68,7%" in body and "chưa có số liệu" in body


@pytest.mark.parametrize(
    ("quarter", "label"),
    [(1, "Lũy kế quý I"), (2, "Lũy kế 6 tháng"), (3, "Lũy kế 9 tháng"), (4, "Cả năm")],
)
def test_the_year_to_date_column_says_what_it_covers(
    client, world, plan_world, cadre, quarter, label
):
    client.force_login(cadre)
    body = client.get(_url(world, quarter=quarter)).content.decode()
    assert f'<th class="num" data-testid="to-date-label">{label}</th>' in body


def test_saving_vietnamese_numbers_stores_exact_figures_and_history(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    response = client.post(
        _url(world),
        _post(
            plan_world,
            jobs_v="20.360",
            overseas_v="6042",
            trained_v="68,9",
            poor_v="-0,95",
        ),
    )
    assert response.status_code == 302
    sheet = Sheet.objects.get(organization=world.grassroots_a, year=2023, quarter=3)
    values = {r.target_id: r.value for r in sheet.results.all()}
    assert values[plan_world.jobs.id] == Decimal("20360")
    assert values[plan_world.trained.id] == Decimal("68.9")
    assert values[plan_world.poor.id] == Decimal("-0.95")
    assert ResultChange.objects.filter(result__sheet__quarter=3).count() == 4
    body = client.get(_url(world)).content.decode()
    assert (
        "110,1%" in body and "163,3%" in body and "100,3%" in body and "118,8%" in body
    )
    assert 'value="20.360"' in body


def test_the_preview_computes_attainment_without_saving(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    response = client.post(
        _url(world, "targets:preview"), _post(plan_world, jobs_v="20.360")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "110,1%" in body
        and "đạt, vượt kế hoạch" in body
        and 'hx-swap-oob="true"' in body
    )
    # Each group's header and the sheet's summary are refreshed too.
    group = plan_world.jobs.group_id
    assert (
        f'id="group-verdicts-{group}" data-testid="group-verdicts-{group}" '
        'hx-swap-oob="true">01/03 chỉ tiêu đạt<'
    ) in body
    assert (
        'id="verdict-summary" data-testid="verdict-summary" hx-swap-oob="true">01/06 '
        "chỉ tiêu đạt<" in body
    )
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_bad_numbers_are_refused_next_to_the_field_and_nothing_is_saved(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    response = client.post(
        _url(world),
        _post(plan_world, jobs_v="20,360,5", overseas_v="abc", inspections_v="5"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "“20,360,5”" in body and "“abc”" in body
    assert (
        not Sheet.objects.filter(quarter=3).exists()
        and not Result.objects.filter(sheet__quarter=3).exists()
    )


def test_a_numerator_above_its_denominator_is_an_error(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    response = client.post(
        _url(world), _post(plan_world, trained_n="120", trained_d="100")
    )
    assert response.status_code == 422
    assert "Tử số không được lớn hơn mẫu số" in response.content.decode()
    assert not Result.objects.filter(sheet__quarter=3).exists()


def test_a_value_far_from_last_quarter_asks_for_confirmation(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    client.post(_url(world, quarter=2), _post(plan_world, jobs_v="5.000"))
    data = _post(plan_world, jobs_v="50.000")
    response = client.post(_url(world, quarter=3), data)
    assert response.status_code == 422
    assert "khác nhiều so với quý trước" in response.content.decode()
    assert not Sheet.objects.filter(quarter=3).exists()
    response = client.post(_url(world, quarter=3), {**data, "xac_nhan": "1"})
    assert response.status_code == 302


def test_the_second_of_two_concurrent_saves_gets_the_conflict_and_the_others_values(
    client, world, plan_world, cadre, office
):
    client.force_login(cadre)
    client.post(_url(world), _post(plan_world, jobs_v="100"))
    # Both open the sheet at version 1.
    first = _post(plan_world, jobs_v="20.360")
    first["version"] = "1"
    second = _post(plan_world, jobs_v="19.999")
    second["version"] = "1"
    assert client.post(_url(world), first).status_code == 302
    client.force_login(office)
    response = client.post(_url(world), second)
    assert response.status_code == 409
    body = response.content.decode()
    assert (
        "đã cập nhật báo cáo này" in body
        and "20.360" in body
        and 'value="19.999"' in body
    )
    result = Result.objects.get(target=plan_world.jobs, sheet__quarter=3)
    assert result.value == Decimal("20360")


def test_cumulative_adds_quarters_and_stocks_take_the_latest(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    for quarter, jobs, trained in (
        (1, "5.000", "60"),
        (2, "6.000", "65"),
        (3, "9.360", "68,9"),
    ):
        response = client.post(
            _url(world, quarter=quarter),
            {**_post(plan_world, jobs_v=jobs, trained_v=trained), "xac_nhan": "1"},
        )
        assert response.status_code == 302
    body = client.get(_url(world, quarter=3)).content.decode()
    assert "20.360" in body and "110,1%" in body and "68,9%" in body


def test_computed_admissions_come_from_the_registry(client, world, plan_world, cadre):
    client.force_login(cadre)
    # world has 1 member on 1 January 2023 in the Sở; admit one in Q2.
    make_member(world.cell_a2, admitted_on=dt.date(2023, 5, 5), full_member_on=None)
    body = client.get(_url(world)).content.decode()
    assert "kết nạp 1 từ đầu năm / 1 đảng viên ngày 01/01/2023" in body
    assert "100,00%" in body


def test_workflow_submit_return_resubmit_approve_lock(
    client, world, plan_world, cadre, bloc_office
):
    client.force_login(cadre)
    client.post(_url(world), {**_post(plan_world, jobs_v="20.360"), "action": "submit"})
    sheet = Sheet.objects.get(quarter=3)
    assert sheet.status == SheetStatus.SUBMITTED
    # Submitted sheets are locked for the cadre.
    response = client.post(
        _url(world), {**_post(plan_world, jobs_v="1"), "version": str(sheet.version)}
    )
    assert response.status_code == 422
    # The cadre cannot approve its own sheet.
    assert (
        client.post(_url(world, "targets:decide", decision="duyet")).status_code == 403
    )
    client.force_login(bloc_office)
    client.post(
        _url(world, "targets:decide", decision="tra-lai"),
        {"reason": "Thiếu số liệu đi làm việc ở nước ngoài"},
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED
    client.force_login(cadre)
    body = client.get(_url(world)).content.decode()
    assert "Thiếu số liệu đi làm việc ở nước ngoài" in body
    client.post(
        _url(world),
        {
            **_post(plan_world, jobs_v="20.360", overseas_v="6.042"),
            "version": str(sheet.version),
            "action": "submit",
        },
    )
    client.force_login(bloc_office)
    client.post(_url(world, "targets:decide", decision="duyet"))
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.APPROVED
    assert [t.to_status for t in sheet.transitions.all()] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    client.force_login(cadre)
    body = client.get(_url(world)).content.decode()
    assert "không thể sửa" in body and 'name="v-' in body and "disabled" in body
    client.force_login(bloc_office)
    client.post(
        _url(world, "targets:decide", decision="mo-lai"), {"reason": "Sửa số liệu quý"}
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED


def test_return_needs_a_reason(client, world, plan_world, cadre, bloc_office):
    client.force_login(cadre)
    client.post(_url(world), {**_post(plan_world, jobs_v="1"), "action": "submit"})
    client.force_login(bloc_office)
    client.post(_url(world, "targets:decide", decision="tra-lai"), {"reason": "  "})
    assert Sheet.objects.get(quarter=3).status == SheetStatus.SUBMITTED


def _history_rows(body: str) -> list[list[str]]:
    """The history table's rows as the cells' text."""
    rows = re.findall(r'<tr data-testid="change">(.*?)</tr>', body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_the_target_history_lists_each_change(client, world, plan_world, cadre, office):
    office.first_name, office.last_name = "Trần Thị", "Hoa"
    office.save()
    client.force_login(cadre)
    client.post(_url(world), _post(plan_world, jobs_v="100"))
    client.force_login(office)
    client.post(_url(world), {**_post(plan_world, jobs_v="20.360"), "version": "1"})
    url = reverse(
        "targets:history",
        kwargs={
            "public_id": world.grassroots_a.public_id,
            "target_id": plan_world.jobs.id,
        },
    )
    rows = _history_rows(client.get(url).content.decode())
    # Newest first: who, which quarter, old → new, through which channel.
    assert [row[1:] for row in rows] == [
        ["Trần Thị Hoa", "Quý 3/2023", "100", "20.360", "Web"],
        ["cadre_a", "Quý 3/2023", "–", "100", "Web"],
    ]


def _add_mixed_targets(
    world, plan_world, plan_2022, sheets, count: int, start: int = 0
) -> None:  # noqa: ANN001
    """`count` targets of every sort the sheet reads differently, with results:
    counts and sub-targets, rates and 100% targets typed as ratios, changes on
    last year (with last year's figure), each registry source, and targets given
    down to a chi bộ (summed from subordinates)."""
    kinds = [
        ("count", {}),
        ("sub", {}),
        ("rate", {}),
        ("all_or_nothing", {}),
        ("yoy", {}),
        ("base_share", {"source": Source.ADMISSIONS_SHARE}),
        ("rate", {"source": Source.MEMBERS_GOOD}),
        ("all_or_nothing", {"source": Source.CELLS_GOOD}),
        ("count", {"source": Source.MEMBER_TOTAL}),
        ("rate", {"source": Source.MEMBERS_EXCELLENT}),
        ("rate", {"source": Source.CELLS_EXCELLENT}),
        ("given", {}),
    ]
    for i in range(start, start + count):
        kind, extra = kinds[i % len(kinds)]
        label = f"CT {i} {kind}"
        spec = {
            "kind": "count" if kind in ("sub", "given") else kind,
            "plan_value": 10,
            **extra,
        }
        if kind == "sub":
            spec["parent"] = plan_world.jobs
        if kind == "all_or_nothing":
            spec["plan_value"] = None
        target = services.target_create(
            plan=plan_world.plan,
            group=f"Nhóm {i % 3}",
            wording=label,
            label=label,
            **spec,
        )
        if kind == "given":
            services.target_assign(target=target, plan_values={world.cell_a1: 5})
        if target.is_computed:
            continue
        ratio = kind in ("rate", "all_or_nothing")
        for sheet in sheets:
            Result.objects.create(
                sheet=sheet,
                target=target,
                value=None if ratio else Decimal(i),
                numerator=Decimal(8) if ratio else None,
                denominator=Decimal(10) if ratio else None,
            )
        if kind == "yoy":
            last = services.target_create(
                plan=plan_2022, group="Nhóm", wording=label, label=label, kind="yoy"
            )
            Result.objects.create(
                sheet=sheets[-1].__class__.objects.get(year=2022, quarter=3),
                target=last,
                value=Decimal(i + 1),
            )


def test_a_sheet_with_40_targets_of_every_sort_renders_in_a_fixed_number_of_queries(
    client, world, plan_world, cadre
):
    from organizations import services as org_services
    from organizations.models import Grade

    org_services.member_rating_set(member=world.member_a, year=2023, grade=Grade.GOOD)
    org_services.organization_rating_set(
        organization=world.cell_a1, year=2023, grade=Grade.GOOD
    )
    plan_2022 = services.plan_create(
        organization=world.grassroots_a, title="Kế hoạch 2022", start_year=2022
    )
    seed = services.target_create(
        plan=plan_2022,
        group="Nhóm",
        wording="Việc làm",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=1,
    )
    services.sheet_save(
        organization=world.grassroots_a,
        year=2022,
        quarter=3,
        version=0,
        user=None,
        entries={seed.id: services.Entry(value=Decimal(90))},
    )
    client.force_login(cadre)
    client.post(
        _url(world), _post(plan_world, jobs_v="100", trained_n="80", trained_d="100")
    )
    sheets = list(
        Sheet.objects.filter(
            organization=world.grassroots_a, year=2023, quarter__in=[3, 4]
        ).order_by("quarter")
    )
    _add_mixed_targets(world, plan_world, plan_2022, sheets, 12)  # one of each sort

    def form_data() -> dict[str, str]:
        view = selectors.sheet_view(
            organization=world.grassroots_a, year=2023, quarter=3
        )
        data = {"version": str(view.version)}
        for row in view.rows:
            if not row.read_only:
                data[f"v-{row.target.id}"] = "7"
        return data

    def queries(method: str, url: str, data: dict[str, str] | None = None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, data) if method == "post" else client.get(url)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    before = (
        queries("get", _url(world)),  # quarter III: ratings are not read
        queries("get", _url(world, quarter=4)),  # quarter IV: they are
        queries("post", _url(world, "targets:preview"), form_data()),
    )
    _add_mixed_targets(
        world,
        plan_world,
        plan_2022,
        sheets,
        40 - plan_world.plan.targets.count(),
        start=12,
    )
    assert plan_world.plan.targets.count() == 40
    assert {t.source for t in plan_world.plan.targets.all()} == set(Source.values)
    assert plan_world.plan.targets.filter(assigned__isnull=False).count() == 2
    after = (
        queries("get", _url(world)),
        queries("get", _url(world, quarter=4)),
        queries("post", _url(world, "targets:preview"), form_data()),
    )
    assert after == before, (before, after)


def test_a_reviewer_must_be_above_the_organisation(
    client, world, plan_world, cadre, office
):
    client.force_login(cadre)
    client.post(_url(world), {**_post(plan_world, jobs_v="1"), "action": "submit"})
    # The Sở's own office cannot approve its own sheet; only the bloc's office.
    client.force_login(office)
    assert (
        client.post(_url(world, "targets:decide", decision="duyet")).status_code == 403
    )
    leader = make_user("leader_x", role=Role.LEADER, organization=world.bloc_a)
    client.force_login(leader)
    assert (
        client.post(_url(world, "targets:decide", decision="duyet")).status_code == 403
    )


# --- per-year targets of a term plan -------------------------------------------------


def _term_plan(world):  # noqa: ANN001, ANN202
    """The bloc's 2020-2025 term plan (seed 004): "trên 600/năm" typed, "300/năm"
    admissions read from the registry."""
    plan = services.plan_create(
        organization=world.bloc_a,
        title="Nghị quyết Đại hội nhiệm kỳ 2020-2025",
        start_year=2020,
        end_year=2025,
    )
    awareness = services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác xây dựng Đảng",
        label="Bồi dưỡng nhận thức về Đảng",
        wording="Hằng năm bồi dưỡng nhận thức về Đảng cho trên 600 quần chúng ưu tú",
        kind="per_year",
        comparator="gt",
        plan_value=600,
        unit="người",
    )
    admissions = services.target_create(
        plan=plan,
        group="Chỉ tiêu về công tác xây dựng Đảng",
        label="Kết nạp đảng viên mới",
        wording="Mỗi năm kết nạp 2 đảng viên mới trở lên",
        kind="per_year",
        plan_value=2,
        unit="đảng viên",
        source=Source.ADMISSIONS_SHARE,
    )
    return awareness, admissions


def test_a_per_year_target_compares_the_year_to_date_with_the_yearly_plan(
    client, world, bloc_office
):
    awareness, _ = _term_plan(world)
    url = reverse(
        "targets:sheet",
        kwargs={"public_id": world.bloc_a.public_id, "year": 2024, "quarter": 2},
    )
    client.force_login(bloc_office)
    assert (
        client.post(
            url, {"version": "0", "action": "save", f"v-{awareness.id}": "800"}
        ).status_code
        == 302
    )
    view = selectors.sheet_view(organization=world.bloc_a, year=2024, quarter=2)
    row = next(r for r in view.rows if r.target == awareness)
    assert (
        row.plan_text,
        row.to_date_text,
        row.evaluation.attainment_text,
        row.verdict_text,
    ) == ("trên 600/năm", "800", "133,3%", "đạt")
    body = client.get(url).content.decode()
    assert f'data-testid="att-{awareness.id}">133,3%<' in body


def test_a_per_year_target_read_from_the_registry_gets_a_figure(
    client, world, bloc_office
):
    _, admissions = _term_plan(world)
    make_member(world.cell_a2, admitted_on=dt.date(2024, 2, 5), full_member_on=None)
    make_member(world.cell_a1, admitted_on=dt.date(2024, 5, 5), full_member_on=None)
    make_member(
        world.cell_a1, admitted_on=dt.date(2024, 8, 5), full_member_on=None
    )  # after Q2
    view = selectors.sheet_view(organization=world.bloc_a, year=2024, quarter=2)
    row = next(r for r in view.rows if r.target == admissions)
    assert (
        row.to_date_text,
        row.evaluation.attainment_text,
        row.evaluation.verdict,
    ) == ("2", "100,0%", calc.Verdict.DAT)


# --- whole numbers --------------------------------------------------------------------

WHOLE_20360 = (
    "Chỉ tiêu này nhận số nguyên; “20,360” có phần thập phân — nếu ý bạn là 20.360, "
    "hãy gõ 20360."
)


def test_a_fraction_for_a_count_of_people_is_refused_beside_the_field(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    response = client.post(
        _url(world), _post(plan_world, jobs_v="20,360", trained_v="68,9")
    )
    assert response.status_code == 422
    assert WHOLE_20360 in response.content.decode()
    assert not Result.objects.filter(sheet__quarter=3).exists()
    # Rates take decimals; a count given decimal places too ("12,5 triệu đồng").
    funds = services.target_create(
        plan=plan_world.plan,
        group="Khác",
        wording="Ủng hộ quỹ 20 triệu đồng",
        label="Ủng hộ quỹ",
        kind="count",
        plan_value=20,
        unit="triệu đồng",
        places=1,
    )
    data = {
        **_post(plan_world, jobs_v="20.360", trained_v="68,9"),
        f"v-{funds.id}": "12,5",
    }
    assert client.post(_url(world), data).status_code == 302
    values = dict(
        Result.objects.filter(sheet__quarter=3).values_list("target_id", "value")
    )
    assert values == {
        plan_world.jobs.id: Decimal(20360),
        plan_world.trained.id: Decimal("68.9"),
        funds.id: Decimal("12.5"),
    }


def test_a_fraction_that_is_no_thousands_group_is_refused_without_a_guess(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    response = client.post(_url(world), _post(plan_world, inspections_v="4,5"))
    assert response.status_code == 422
    assert (
        "Chỉ tiêu này nhận số nguyên; “4,5” có phần thập phân: hãy gõ số nguyên."
        in response.content.decode()
    )


def test_the_service_refuses_a_fraction_for_a_whole_number_target(world, plan_world):
    with pytest.raises(ValidationError) as error:
        services.sheet_save(
            organization=world.grassroots_a,
            year=2023,
            quarter=3,
            version=0,
            user=None,
            entries={
                plan_world.inspections.id: services.Entry(value=Decimal("4.2505"))
            },
        )
    assert (
        "Chỉ tiêu này nhận số nguyên; “4,2505” có phần thập phân: hãy gõ số nguyên."
        in error.value.messages
    )
    assert not Sheet.objects.filter(quarter=3).exists()


# --- plausibility ---------------------------------------------------------------------


def test_a_ratio_far_from_last_quarter_asks_for_confirmation(
    client, world, plan_world, cadre
):
    client.force_login(cadre)
    assert (
        client.post(
            _url(world, quarter=2),
            _post(plan_world, trained_n="690", trained_d="1.000"),
        ).status_code
        == 302
    )
    # A zero too many in both: the rate looks right, the figures do not.
    data = _post(plan_world, trained_n="6.900", trained_d="10.000")
    response = client.post(_url(world, quarter=3), data)
    assert response.status_code == 422
    assert (
        "Tử số 6.900 khác nhiều so với quý trước (690). Kiểm tra lại hoặc xác nhận."
        in response.content.decode()
    )
    assert not Sheet.objects.filter(quarter=3).exists()
    assert (
        client.post(_url(world, quarter=3), {**data, "xac_nhan": "1"}).status_code
        == 302
    )
    # Confirmed once: saving the sheet again does not ask about it again.
    again = {**data, "version": "1", f"note-{plan_world.trained.id}": "Theo điều tra"}
    assert client.post(_url(world, quarter=3), again).status_code == 302


def test_a_value_far_from_the_same_quarter_last_year_asks_for_confirmation(
    client, world, plan_world, cadre
):
    plan_2022 = services.plan_create(
        organization=world.grassroots_a, title="Kế hoạch 2022", start_year=2022
    )
    jobs_2022 = services.target_create(
        plan=plan_2022,
        group="Chỉ tiêu về công tác chuyên môn",
        wording="Việc làm 18.000 người",
        label="Giải quyết việc làm",
        kind="count",
        plan_value=18000,
        unit="người",
    )
    services.sheet_save(
        organization=world.grassroots_a,
        year=2022,
        quarter=3,
        version=0,
        user=None,
        entries={jobs_2022.id: services.Entry(value=Decimal(5000))},
    )
    client.force_login(cadre)
    # No quarter II this year: last year's quarter III is the comparison.
    response = client.post(_url(world, quarter=3), _post(plan_world, jobs_v="20.000"))
    assert response.status_code == 422
    assert (
        "Giá trị 20.000 khác nhiều so với cùng kỳ năm trước (5.000)."
        in response.content.decode()
    )
    assert not Sheet.objects.filter(year=2023, quarter=3).exists()
    assert (
        client.post(
            _url(world, quarter=3), _post(plan_world, jobs_v="6.000")
        ).status_code
        == 302
    )


# --- targets set up wrongly --------------------------------------------------------


def test_a_wrongly_set_up_target_is_shown_unassessed_and_never_breaks_the_sheet(
    client, world, plan_world, cadre
):
    from targets.models import Target, TargetGroup

    group = TargetGroup.objects.get(
        plan=plan_world.plan, name="Chỉ tiêu về công tác Đảng"
    )
    # As the admin could store them before it checked: a rate reading admissions,
    # a count reading ratings, an "100%" target with a "từ … trở lên" condition.
    wrong = [
        Target.objects.create(
            plan=plan_world.plan,
            group=group,
            order=90,
            wording="Tỷ lệ kết nạp",
            label="Tỷ lệ kết nạp",
            kind="rate",
            comparator="gte",
            plan_value=4,
            source=Source.ADMISSIONS_SHARE,
        ),
        Target.objects.create(
            plan=plan_world.plan,
            group=group,
            order=91,
            wording="Số đảng viên HTTNV",
            label="Số đảng viên HTTNV",
            kind="count",
            comparator="gte",
            plan_value=140,
            source=Source.MEMBERS_GOOD,
        ),
        Target.objects.create(
            plan=plan_world.plan,
            group=group,
            order=92,
            wording="100% chi bộ",
            label="100% chi bộ",
            kind="all_or_nothing",
            comparator="gte",
            plan_value=100,
        ),
    ]
    client.force_login(cadre)
    response = client.get(_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "Chỉ tiêu khai báo chưa đúng, chưa đánh giá được: Nguồn số liệu này cho số "
        "đảng viên kết nạp (từ sổ đảng viên)" in body
    )
    view = selectors.sheet_view(organization=world.grassroots_a, year=2023, quarter=3)
    rows = {r.target.id: r for r in view.rows}
    for target in wrong:
        assert rows[target.id].evaluation.verdict is calc.Verdict.NOT_ASSESSED
        assert rows[target.id].evaluation.note == "chỉ tiêu khai báo chưa đúng"
        assert (
            f'data-testid="ver-{target.id}"><span class="badge text-bg-light">không '
            "đánh giá</span>" in body
        )
    # Not counted: the plan's six sound top-level targets are the ones assessed.
    assert (view.verdicts.total, view.verdicts.assessed) == (9, 6)
    # The preview, a save and the Excel file work around them.
    assert (
        client.post(
            _url(world, "targets:preview"), _post(plan_world, jobs_v="20.360")
        ).status_code
        == 200
    )
    data = {**_post(plan_world, jobs_v="20.360"), f"v-{wrong[2].id}": ""}
    assert client.post(_url(world), data).status_code == 302
    assert client.get(_url(world, "targets:download")).status_code == 200


# --- not assessed ------------------------------------------------------------------


def test_rating_targets_are_assessed_at_quarter_iv_and_not_counted_before(
    client, world, plan_world, cadre
):
    from organizations import services as org_services
    from organizations.models import Grade

    good = services.target_create(
        plan=plan_world.plan,
        group="Chỉ tiêu về công tác Đảng",
        label="Đảng viên HTTNV trở lên",
        wording="Có trên 95% đảng viên được đánh giá hoàn thành tốt nhiệm vụ",
        kind="rate",
        comparator="gt",
        plan_value=95,
        unit="%",
        source=Source.MEMBERS_GOOD,
    )
    client.force_login(cadre)
    client.post(_url(world), _post(plan_world, jobs_v="20.360"))
    body = client.get(_url(world)).content.decode()
    assert (
        f'data-testid="ver-{good.id}"><span class="badge text-bg-light">không đánh '
        'giá</span><div class="small text-muted">đánh giá vào quý IV</div>' in body
    )
    view = selectors.sheet_view(organization=world.grassroots_a, year=2023, quarter=3)
    # 7 top-level targets, the rating one left out: 01/06, not 01/07.
    assert view.verdicts.summary_text == "01/06 chỉ tiêu đạt"
    assert (
        'id="verdict-summary" data-testid="verdict-summary">01/06 chỉ tiêu đạt<' in body
    )
    # At quarter IV the year's ratings judge it.
    org_services.member_rating_set(member=world.member_a, year=2023, grade=Grade.GOOD)
    view = selectors.sheet_view(organization=world.grassroots_a, year=2023, quarter=4)
    row = next(r for r in view.rows if r.target == good)
    assert (row.to_date_text, row.evaluation.verdict) == ("100,00%", calc.Verdict.DAT)


def test_a_change_on_a_last_year_of_zero_is_not_assessed(
    client, world, plan_world, cadre
):
    plan_2022 = services.plan_create(
        organization=world.grassroots_a, title="Kế hoạch 2022", start_year=2022
    )
    for plan in (plan_2022, plan_world.plan):
        target = services.target_create(
            plan=plan,
            group="Chỉ tiêu về công tác chuyên môn",
            wording="Thu ngân sách tăng 10% so với cùng kỳ",
            label="Thu ngân sách",
            kind="yoy",
            plan_value=10,
            unit="tỷ đồng",
        )
    services.sheet_save(
        organization=world.grassroots_a,
        year=2022,
        quarter=3,
        version=0,
        user=None,
        entries={plan_2022.targets.get().id: services.Entry(value=Decimal(0))},
    )
    client.force_login(cadre)
    assert (
        client.post(
            _url(world), {**_post(plan_world, jobs_v="20.360"), f"v-{target.id}": "12"}
        ).status_code
        == 302
    )
    body = client.get(_url(world)).content.decode()
    assert (
        f'data-testid="ver-{target.id}"><span class="badge text-bg-light">không đánh '
        'giá</span><div class="small text-muted">cùng kỳ năm trước bằng 0, không '
        "tính được mức tăng, giảm</div>"
    ) in body
    view = selectors.sheet_view(organization=world.grassroots_a, year=2023, quarter=3)
    assert view.verdicts.summary_text == "01/06 chỉ tiêu đạt"
