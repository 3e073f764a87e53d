"""Pages and forms of the organisations app, as their users see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations import selectors
from organizations.models import EventKind, Grade, Member, Organization
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, cells: int, members_per_cell: int) -> None:
    for i in range(cells):
        cell = make_org(f"Chi bộ thêm {i}", parent=world.grassroots_a)
        for _ in range(members_per_cell):
            make_member(cell)


@pytest.mark.parametrize(
    "url_name",
    ["organizations:tree", "organizations:detail", "organizations:member_list"],
)
def test_page_queries_do_not_grow_with_organisations_or_members(
    client, world, bloc_office, url_name
):
    client.force_login(bloc_office)
    kwargs = (
        {}
        if url_name == "organizations:tree"
        else {"public_id": world.bloc_a.public_id}
    )
    url = reverse(url_name, kwargs=kwargs) + "?tat_ca=1"
    small = _count_queries(client, url)
    _grow(world, cells=6, members_per_cell=4)
    extra_grassroots = make_org("Đảng bộ thêm", parent=world.bloc_a)
    make_member(make_org("Chi bộ sâu", parent=extra_grassroots))
    assert _count_queries(client, url) == small


def test_member_page_queries_do_not_grow_with_events(client, world, office):
    client.force_login(office)
    url = reverse(
        "organizations:member_detail", kwargs={"public_id": world.member_a.public_id}
    )
    before = _count_queries(client, url)
    from organizations import services

    for years in (30, 40):
        services.member_record_event(
            member=world.member_a,
            kind=EventKind.BADGE,
            occurred_on=dt.date(2024, 1, years - 20),
            badge_years=years,
        )
    assert _count_queries(client, url) == before


def test_the_tree_shows_counts_as_of_the_chosen_date(client, world, bloc_office):
    client.force_login(bloc_office)
    make_member(world.cell_a2, admitted_on=dt.date(2024, 2, 3), full_member_on=None)
    url = reverse("organizations:tree")
    old = client.get(url, {"ngay": "2023-12-31", "tat_ca": "1"}).content.decode()
    new = client.get(url, {"ngay": "2024-12-31", "tat_ca": "1"}).content.decode()
    assert "1 đảng viên" in old and "2 đảng viên" in new
    assert "Đảng bộ Khối B" not in new


def test_member_search_ignores_accents_and_sorts_the_vietnamese_way(
    client, world, office
):
    client.force_login(office)
    for name in ("Nguyễn Văn Đức", "Lê Thị Dung", "Phạm Văn Ánh", "Trần An"):
        make_member(world.cell_a2, full_name=name)
    url = reverse(
        "organizations:member_list", kwargs={"public_id": world.grassroots_a.public_id}
    )
    body = client.get(url, {"q": "nguyen van duc"}).content.decode()
    assert "Nguyễn Văn Đức" in body and "Lê Thị Dung" not in body
    body = client.get(url).content.decode()
    order = [
        body.index(n)
        for n in (
            "Trần An",
            "Phạm Văn Ánh",
            "Lê Thị Dung",
            "Nguyễn Văn Đức",
            "Nguyễn Thị Hoà",
        )
    ]
    assert order == sorted(order)


def test_member_list_filters_by_status_sex_and_cell(client, world, office):
    client.force_login(office)
    make_member(
        world.cell_a2,
        full_name="Vũ Dự Bị",
        full_member_on=None,
        admitted_on=dt.date(2024, 5, 5),
    )
    make_member(world.cell_a2, full_name="Đỗ Văn Nam")
    url = reverse(
        "organizations:member_list", kwargs={"public_id": world.grassroots_a.public_id}
    )
    body = client.get(url, {"trang_thai": "du_bi"}).content.decode()
    assert "Vũ Dự Bị" in body and "Đỗ Văn Nam" not in body
    body = client.get(url, {"gioi_tinh": "F"}).content.decode()
    assert "Nguyễn Thị Hoà" in body and "Đỗ Văn Nam" not in body
    body = client.get(url, {"chi_bo": str(world.cell_a1.public_id)}).content.decode()
    assert "Nguyễn Thị Hoà" in body and "Đỗ Văn Nam" not in body


def test_office_creates_edits_and_moves_an_organisation(client, world, bloc_office):
    client.force_login(bloc_office)
    response = client.post(
        reverse(
            "organizations:create_child",
            kwargs={"public_id": world.grassroots_a.public_id},
        ),
        {
            "name": "Chi bộ Mới",
            "short_name": "",
            "level": world.cell_a1.level_id,
            "kind": "cell",
            "founded_on": "2024-01-02",
        },
    )
    assert response.status_code == 302
    new = Organization.objects.get(name="Chi bộ Mới")
    assert new.parent == world.grassroots_a and new.path.startswith(
        world.grassroots_a.path
    )

    client.post(
        reverse("organizations:edit", kwargs={"public_id": new.public_id}),
        {"name": "Chi bộ Đổi Tên", "short_name": "CB", "kind": "cell"},
    )
    new.refresh_from_db()
    assert new.name == "Chi bộ Đổi Tên"

    other = make_org("Đảng bộ Sở C", parent=world.bloc_a)
    response = client.post(
        reverse("organizations:move", kwargs={"public_id": new.public_id}),
        {"new_parent": other.id, "on_date": "2024-06-01"},
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.parent == other


def test_a_cell_cannot_get_children_and_the_form_says_why(client, world, bloc_office):
    client.force_login(bloc_office)
    response = client.post(
        reverse(
            "organizations:create_child", kwargs={"public_id": world.cell_a1.public_id}
        ),
        {
            "name": "Con của chi bộ",
            "level": world.cell_a1.level_id,
            "kind": "cell",
            "founded_on": "2024-01-02",
        },
    )
    assert response.status_code == 200
    assert "là chi bộ, không thể có tổ chức trực thuộc" in response.content.decode()
    assert not Organization.objects.filter(name="Con của chi bộ").exists()


def test_dissolving_a_cell_with_members_asks_for_a_merger(client, world, office):
    client.force_login(office)
    url = reverse(
        "organizations:dissolve", kwargs={"public_id": world.cell_a1.public_id}
    )
    response = client.post(url, {"on_date": "2024-03-01"})
    assert "còn 0 tổ chức trực thuộc và 1 đảng viên" in response.content.decode()
    response = client.post(
        url, {"on_date": "2024-03-01", "merged_into": world.cell_a2.id}
    )
    assert response.status_code == 302
    world.member_a.refresh_from_db()
    assert world.member_a.organization == world.cell_a2


def test_handover_form_moves_many_organisations_in_one_act(client, world, bloc_office):
    client.force_login(bloc_office)
    g2 = make_org("Đảng bộ Sở A2", parent=world.bloc_a)
    target = make_org("Đảng bộ Khối mới", parent=None)
    from organizations.models import Role, RoleAssignment

    RoleAssignment.objects.create(
        user=bloc_office, organization=target, role=Role.OFFICE
    )
    response = client.post(
        reverse("organizations:handover", kwargs={"public_id": world.bloc_a.public_id}),
        {
            f"to_{world.grassroots_a.id}": target.id,
            f"to_{g2.id}": target.id,
            "effective_on": "2025-07-01",
            "decision": "QĐ 1",
        },
    )
    assert response.status_code == 302
    assert (
        selectors.subtree_counts_on(root=target, day=dt.date(2025, 7, 2)).grassroots
        == 2
    )
    assert (
        selectors.subtree_counts_on(root=world.bloc_a, day=dt.date(2025, 6, 30)).total
        == 1
    )


def test_handover_form_gives_each_organisation_its_own_receiver_in_one_act(
    client, world, bloc_office, django_assert_max_num_queries
):
    from organizations.models import Handover, Role, RoleAssignment

    client.force_login(bloc_office)
    g2 = make_org("Đảng bộ Sở A2", parent=world.bloc_a)
    g3 = make_org("Đảng bộ Sở A3", parent=world.bloc_a)
    north = make_org("Đảng bộ Khối Bắc", parent=None)
    south = make_org("Đảng bộ Khối Nam", parent=None)
    for receiver in (north, south):
        RoleAssignment.objects.create(
            user=bloc_office, organization=receiver, role=Role.OFFICE
        )
    url = reverse(
        "organizations:handover", kwargs={"public_id": world.bloc_a.public_id}
    )

    page = client.get(url).content.decode()
    for org in (world.grassroots_a, g2, g3):
        assert f'name="to_{org.id}"' in page
    # A chi bộ trực thuộc of A is no receiver for a đảng bộ cơ sở.
    assert page.count(f'<option value="{north.id}">') == 3
    assert f'<option value="{world.grassroots_a.id}">' not in page
    with django_assert_max_num_queries(
        12
    ):  # one select per organisation, no query each
        client.get(url)

    response = client.post(url, {"effective_on": "2025-07-01"})
    assert "Chọn nơi nhận cho ít nhất một tổ chức." in response.content.decode()
    response = client.post(
        url,
        {
            f"to_{world.grassroots_a.id}": north.id,
            f"to_{g2.id}": south.id,
            f"to_{g3.id}": "",
            "effective_on": "2025-07-01",
            "decision": "QĐ 5",
        },
    )
    assert response.status_code == 302
    [handover] = Handover.objects.all()
    assert {(i.organization, i.new_parent) for i in handover.items.all()} == {
        (world.grassroots_a, north),
        (g2, south),
    }
    day = dt.date(2025, 7, 2)
    assert selectors.subtree_counts_on(root=north, day=day).total == 1  # A's member
    assert selectors.subtree_counts_on(root=south, day=day).grassroots == 1
    g3.refresh_from_db()
    assert g3.parent == world.bloc_a


def test_cadre_admits_a_member_and_records_events(client, world, cadre):
    client.force_login(cadre)
    response = client.post(
        reverse(
            "organizations:member_create",
            kwargs={"public_id": world.grassroots_a.public_id},
        ),
        {
            "full_name": "  Hồ  Thị   Mới ",
            "sex": "F",
            "date_of_birth": "1995-04-05",
            "ethnicity": "Tày",
            "organization": world.cell_a2.id,
            "arrival": "ket_nap",
            "admitted_on": "2024-03-02",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(full_name="Hồ Thị Mới")
    assert member.status_on(dt.date(2024, 12, 31)) == "du_bi"
    url = reverse("organizations:member_event", kwargs={"public_id": member.public_id})
    client.post(url, {"kind": "cong_nhan_chinh_thuc", "occurred_on": "2025-03-02"})
    member.refresh_from_db()
    assert member.full_member_on == dt.date(2025, 3, 2)
    response = client.post(url, {"kind": "chuyen_di", "occurred_on": "2025-05-01"})
    assert "Chọn chi bộ chuyển đến hoặc ghi nơi chuyển đến" in response.content.decode()
    client.post(
        url,
        {
            "kind": "chuyen_di",
            "occurred_on": "2025-05-01",
            "target_organization": world.cell_a1.id,
        },
    )
    member.refresh_from_db()
    assert member.organization == world.cell_a1
    page = client.get(
        reverse("organizations:member_detail", kwargs={"public_id": member.public_id})
    ).content.decode()
    assert (
        "Kết nạp" in page
        and "Công nhận chính thức" in page
        and "Chuyển sinh hoạt đến" in page
    )


def test_a_member_cannot_be_moved_to_a_cell_of_another_tree(client, world, office):
    client.force_login(office)
    url = reverse(
        "organizations:member_event", kwargs={"public_id": world.member_a.public_id}
    )
    response = client.post(
        url,
        {
            "kind": "chuyen_di",
            "occurred_on": "2025-05-01",
            "target_organization": world.cell_b.id,
        },
    )
    assert response.status_code == 200
    world.member_a.refresh_from_db()
    assert world.member_a.organization == world.cell_a1


def test_ratings_are_entered_as_one_table_and_counted(client, world, office):
    client.force_login(office)
    second = make_member(world.cell_a1, full_name="Bùi Văn Hai")
    url = reverse(
        "organizations:ratings",
        kwargs={"public_id": world.cell_a1.public_id, "year": 2023},
    )
    response = client.post(
        url,
        {
            f"org-{world.cell_a1.public_id}": Grade.EXCELLENT,
            f"member-{world.member_a.public_id}": Grade.GOOD,
            f"member-{second.public_id}": Grade.EXCELLENT,
        },
    )
    assert response.status_code == 302
    counts = selectors.rating_counts(root=world.grassroots_a, year=2023)
    assert counts.organizations[Grade.EXCELLENT] == 1
    assert counts.members == {"HTXSNV": 1, "HTTNV": 1, "HTNV": 0, "KHTNV": 0}
    assert counts.member_share(Grade.GOOD) == 50.0


def test_a_bad_grade_saves_nothing(client, world, office):
    client.force_login(office)
    url = reverse(
        "organizations:ratings",
        kwargs={"public_id": world.cell_a1.public_id, "year": 2023},
    )
    response = client.post(
        url,
        {
            f"org-{world.cell_a1.public_id}": "HTTNV",
            f"member-{world.member_a.public_id}": "XYZ",
        },
    )
    assert response.status_code == 200
    assert "không hợp lệ" in response.content.decode()
    assert (
        selectors.rating_counts(root=world.grassroots_a, year=2023).organizations_rated
        == 0
    )


def test_an_invalid_as_of_date_falls_back_to_today_with_a_message(
    client, world, office
):
    client.force_login(office)
    url = reverse(
        "organizations:detail", kwargs={"public_id": world.grassroots_a.public_id}
    )
    response = client.get(url, {"ngay": "31/02/2023"})
    assert response.status_code == 200
    assert "Ngày không hợp lệ" in response.content.decode()


def test_the_organisation_page_writes_membership_and_ratings_the_seed_way(
    client, world, office
):
    from organizations import services

    client.force_login(office)
    make_member(world.cell_a1, full_member_on=None, admitted_on=dt.date(2023, 4, 4))
    services.organization_rating_set(
        organization=world.cell_a1, year=2023, grade=Grade.EXCELLENT
    )
    services.organization_rating_set(
        organization=world.cell_a2, year=2023, grade=Grade.FAILED
    )
    services.member_rating_set(member=world.member_a, year=2023, grade=Grade.GOOD)
    url = reverse(
        "organizations:detail", kwargs={"public_id": world.grassroots_a.public_id}
    )
    body = client.get(url, {"ngay": "2023-12-31", "nam": "2023"}).content.decode()
    assert (
        "hiện có 02 chi bộ, với 2 đảng viên, trong đó: chính thức 1, dự bị 01" in body
    )
    assert "01 chi bộ HTXSNV, 01 chi bộ KHTNV; 01 đảng viên (100,00%) HTTNV" in body


def test_the_organisation_page_opens_on_the_latest_year_with_ratings(
    client, world, office
):
    from organizations import services

    client.force_login(office)
    url = reverse(
        "organizations:detail", kwargs={"public_id": world.grassroots_a.public_id}
    )
    # Nothing rated yet: one sentence, the year inside it, no table of zeros.
    body = client.get(url).content.decode()
    assert "Chưa có kết quả xếp loại năm 20" in body and "năm. " not in body
    assert 'data-testid="ratings"' not in body
    services.organization_rating_set(
        organization=world.cell_a1, year=2022, grade=Grade.GOOD
    )
    services.organization_rating_set(
        organization=world.cell_a1, year=2023, grade=Grade.EXCELLENT
    )
    services.organization_rating_set(
        organization=world.cell_a2, year=2023, grade=Grade.FAILED
    )
    body = client.get(url).content.decode()  # no ?nam=, today is years later
    assert "Xếp loại chất lượng năm 2023" in body
    assert "01 chi bộ HTXSNV, 01 chi bộ KHTNV." in body
    # Chi bộ shares of those rated; no member is rated: a dash, not 0,00%.
    row = body[body.index('data-grade="HTXSNV"') :]
    row = row[: row.index("</tr>")]
    assert row.count("50,00%") == 1 and row.count("–") == 1 and ">0,00%" not in row
    table = body[body.index('data-testid="ratings"') :]
    assert "TCCSĐ" not in table[: table.index("</table>")]  # none below a Sở
    # An as-of date before any rating falls back to that date's year.
    body = client.get(url, {"ngay": "2021-12-31"}).content.decode()
    assert "Chưa có kết quả xếp loại năm 2021." in body


def test_ratings_of_grassroots_organisations_are_counted_apart_from_chi_bo(
    client, world, bloc_office
):
    from organizations import services

    client.force_login(bloc_office)
    second = make_org("Đảng bộ Sở C", parent=world.bloc_a)
    small = make_org(
        "Chi bộ Thư viện", parent=world.bloc_a, level_code="grassroots_cell"
    )
    for org, grade in (
        (world.grassroots_a, Grade.EXCELLENT),
        (second, Grade.GOOD),
        (small, Grade.GOOD),
        (world.cell_a1, Grade.GOOD),
    ):
        services.organization_rating_set(organization=org, year=2023, grade=grade)
    services.member_rating_set(member=world.member_a, year=2023, grade=Grade.GOOD)

    counts = selectors.rating_counts(root=world.bloc_a, year=2023)
    assert counts.grassroots == {"HTXSNV": 1, "HTTNV": 2, "HTNV": 0, "KHTNV": 0}
    assert counts.organizations == {"HTXSNV": 0, "HTTNV": 1, "HTNV": 0, "KHTNV": 0}
    assert counts.grassroots_share(Grade.GOOD) * 3 == 200
    # A TCCSĐ's own rating is not one of its subtree's.
    assert (
        selectors.rating_counts(root=world.grassroots_a, year=2023).grassroots_rated
        == 0
    )

    url = reverse("organizations:detail", kwargs={"public_id": world.bloc_a.public_id})
    body = client.get(url, {"nam": "2023"}).content.decode()
    assert (
        "01 TCCSĐ HTXSNV, 02 TCCSĐ HTTNV; 01 chi bộ HTTNV; 01 đảng viên (100,00%) "
        "HTTNV." in body
    )
    row = body[body.index('data-grade="HTTNV"') :]
    row = row[: row.index("</tr>")]
    assert "66,67%" in row  # 2 of 3 TCCSĐ

    # The dashboard's per-subordinate counts agree.
    member_counts = selectors.member_counts_by_child(
        root=world.bloc_a, days=[dt.date(2023, 12, 31)]
    )
    total, by_child = selectors.rating_counts_by_child(
        root=world.bloc_a, year=2023, counts=member_counts[dt.date(2023, 12, 31)]
    )
    assert total.grassroots == counts.grassroots
    assert by_child[world.grassroots_a.id].grassroots_rated == 0
    assert by_child[world.grassroots_a.id].organizations[Grade.GOOD] == 1


VIETNAMESE_ORDER = [
    "Chi bộ Ban Tổ chức",
    "Chi bộ Ban Tuyên giáo",
    "Chi bộ Văn phòng",
    "Chi bộ Viettel",
]


def test_organisations_sort_in_vietnamese_letter_order_not_byte_order(
    client, world, office
):
    client.force_login(office)
    unit = make_org("Đảng bộ Tập đoàn", parent=world.bloc_a)
    for name in (
        "Chi bộ Viettel",
        "Chi bộ Ban Tuyên giáo",
        "Chi bộ Văn phòng",
        "Chi bộ Ban Tổ chức",
    ):
        make_org(name, parent=unit)
    assert sorted(VIETNAMESE_ORDER) != VIETNAMESE_ORDER  # byte order differs

    def order(body: str) -> list[str]:
        found = [(body.index(n), n) for n in VIETNAMESE_ORDER]
        return [n for _, n in sorted(found)]

    from organizations.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=office, organization=unit, role=Role.OFFICE)
    tree = selectors.organization_tree_on(root=unit, day=dt.date(2024, 1, 1))
    assert [c.organization.name for c in tree.children] == VIETNAMESE_ORDER
    assert [o.name for o in selectors.cells_under(root=unit)] == VIETNAMESE_ORDER
    detail = client.get(
        reverse("organizations:detail", kwargs={"public_id": unit.public_id})
    )
    assert order(detail.content.decode()) == VIETNAMESE_ORDER
    members = client.get(
        reverse("organizations:member_list", kwargs={"public_id": unit.public_id})
    )
    assert order(members.content.decode()) == VIETNAMESE_ORDER

    # A rename re-sorts; the migration fills the key of rows written before it.
    from organizations import services

    viettel = Organization.objects.get(name="Chi bộ Viettel")
    services.organization_update(
        organization=viettel, name="Chi bộ An ninh", short_name="", kind="cell"
    )
    assert selectors.cells_under(root=unit)[0] == viettel
    import importlib

    from django.apps import apps

    Organization.objects.update(sort_key="")
    importlib.import_module(
        "organizations.migrations.0005_organization_sort_key"
    ).fill_sort_keys(apps, None)
    assert [o.name for o in selectors.cells_under(root=unit)][1:] == VIETNAMESE_ORDER[
        :3
    ]


def test_a_member_transferred_in_needs_the_date_and_a_chi_bo_that_existed_then(
    client, world, cadre
):
    client.force_login(cadre)
    url = reverse(
        "organizations:member_create",
        kwargs={"public_id": world.grassroots_a.public_id},
    )
    data = {
        "full_name": "Lê Văn Đến",
        "sex": "M",
        "date_of_birth": "1980-04-05",
        "ethnicity": "Kinh",
        "organization": world.cell_a2.id,
        "arrival": "chuyen_den",
        "admitted_on": "2005-03-02",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Nhập ngày chuyển sinh hoạt đến." in response.content.decode()
    # The chi bộ was founded on 01/01/2020.
    response = client.post(url, {**data, "joined_on": "2019-06-01"})
    assert (
        "“Chi bộ Phòng Kế hoạch A” chưa được thành lập hoặc không còn vào ngày "
        "01/06/2019." in (response.content.decode())
    )
    assert not Member.objects.filter(full_name="Lê Văn Đến").exists()

    response = client.post(url, {**data, "joined_on": "2024-06-01"})
    assert response.status_code == 302
    member = Member.objects.get(full_name="Lê Văn Đến")
    assert member.placements.get().valid_from == dt.date(2024, 6, 1)
    assert (
        selectors.subtree_counts_on(
            root=world.grassroots_a, day=dt.date(2024, 5, 31)
        ).total
        == 1
    )
    assert (
        selectors.subtree_counts_on(
            root=world.grassroots_a, day=dt.date(2024, 6, 1)
        ).total
        == 2
    )


def test_the_member_list_shows_and_filters_the_status_as_of_today(
    client, world, office
):
    from django.utils import timezone

    client.force_login(office)
    soon = timezone.localdate() + dt.timedelta(days=20)
    make_member(
        world.cell_a2,
        full_name="Vũ Sắp Chính Thức",
        admitted_on=dt.date(2025, 1, 1),
        full_member_on=soon,
    )
    url = reverse(
        "organizations:member_list", kwargs={"public_id": world.grassroots_a.public_id}
    )
    body = client.get(url, {"trang_thai": "du_bi"}).content.decode()
    assert "Vũ Sắp Chính Thức" in body and "Nguyễn Thị Hoà" not in body
    assert 'badge text-bg-warning">Dự bị' in body
    body = client.get(url, {"trang_thai": "chinh_thuc"}).content.decode()
    assert "Vũ Sắp Chính Thức" not in body and "Nguyễn Thị Hoà" in body


def test_dates_default_to_today_in_vietnam_when_the_form_is_shown(
    client, world, office, monkeypatch
):
    import datetime as real_dt

    from django.utils import timezone

    from organizations.forms import AsOfForm, OrganizationDissolveForm

    # 31/03 18:30 UTC is already 01/04 in Hà Nội, and the server started before.
    fake_now = real_dt.datetime(2031, 3, 31, 18, 30, tzinfo=real_dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fake_now)
    assert AsOfForm({}).day() == dt.date(2031, 4, 1)
    form = OrganizationDissolveForm(targets=Organization.objects.none())
    assert 'value="2031-04-01"' in str(form["on_date"])
    client.force_login(office)
    page = client.get(
        reverse(
            "organizations:member_event", kwargs={"public_id": world.member_a.public_id}
        )
    )
    assert 'value="2031-04-01"' in page.content.decode()


def test_the_breadcrumb_links_the_parent_only_for_who_may_open_it(
    client, world, cadre, bloc_office
):
    parent_url = reverse(
        "organizations:detail", kwargs={"public_id": world.bloc_a.public_id}
    )
    page = reverse(
        "organizations:detail", kwargs={"public_id": world.grassroots_a.public_id}
    )
    client.force_login(cadre)
    body = client.get(page).content.decode()
    assert world.bloc_a.name in body and parent_url not in body
    assert client.get(parent_url).status_code == 404
    client.force_login(bloc_office)
    assert parent_url in client.get(page).content.decode()
