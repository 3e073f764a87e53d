"""Bad input, fuzzed: form posts to the views that write.

Hypothesis builds POST data (any text, Vietnamese text, huge text, numbers in
odd spellings, unicode digits, null bytes, missing and extra fields) for the
entry sheet, the member and organisation forms, a target and a document
section. Every answer is a page with Vietnamese errors or a redirect, never a
500; an invalid post changes nothing, a valid one changes exactly its own rows
(and what it stores fits PostgreSQL's columns: no NUL, no overlong text, no
number beyond its decimal column).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import models
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from organizations import selectors as org_selectors
from organizations.forms import (
    MemberCreateForm,
    MemberForm,
    OrganizationEditForm,
    OrganizationForm,
)
from organizations.models import Member, Organization, OrganizationLevel
from partyreports.formatting import parse_number
from reports.models import Section
from targets import selectors as target_selectors
from targets.forms import field_names
from targets.models import Result, Sheet, Target
from tests.conftest import World
from tests.fuzzing import FUZZ, changed_tables, is_vietnamese, rolled_back, snapshot

pytestmark = pytest.mark.django_db

# --- strategies -----------------------------------------------------------------------

ODD_NUMBERS = st.sampled_from(
    [
        *("20,360,5", "1e9", "NaN", "-0", "Infinity", "1.23", "20.360", "4,05", "+7"),
        *("−3", "5%", " 5 ", "0,00001", "1.000.000.000.000", "9.999.999.999.999,9999"),
        *(
            "٣٤",
            "١٢٫٥",
            "１２",
            "²",
            "9" * 40,
            "-" + "9" * 30,
            "0x10",
            "1_000",
            "5\x00",
        ),
    ]
)
VIETNAMESE = st.sampled_from(
    ["Nguyễn Thị Hoà", "Trần Văn Bê", "Chi bộ Văn phòng", "Kinh", "Tày", "Ê-đê"]
)
HUGE = st.tuples(
    st.sampled_from(["Ư", "a", "9", " ", "\u0958"]), st.integers(100, 5000)
).map(lambda pair: pair[0] * pair[1])
ANY_TEXT = st.one_of(
    st.text(max_size=30),
    VIETNAMESE,
    HUGE,
    VIETNAMESE.map(lambda text: text + "\x00"),
    st.sampled_from(["", " ", "\x00", "\r\n", "<script>alert(1)</script>", "' OR 1=1"]),
)
ODD = st.one_of(ODD_NUMBERS, ANY_TEXT)
DATES = st.one_of(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)).map(
        lambda day: day.isoformat()
    ),
    st.sampled_from(
        ["1980-05-17", "17/05/1980", "2010-02-30", "0001-01-01", "9999-12-31", "1980"]
    ),
    st.sampled_from(["١٩٨٠-٠٥-١٧", "2010-1-1", "2010-01-01T00:00", "01/13/2010"]),
)
_EXTRA_NAMES = st.text(
    "abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=12
)


def _stored_text(text: str) -> str:
    """A name as the service stores it: spaces collapsed, NFC (which may change
    the code points: U+0F69 becomes U+0F40 U+0FB5)."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _days(first: int, last: int) -> st.SearchStrategy[str]:
    """Dates between two years as a browser's date input sends them."""
    return st.dates(dt.date(first, 1, 1), dt.date(last, 12, 31)).map(dt.date.isoformat)


@st.composite
def posts(
    draw: st.DrawFn,
    valid: dict[str, st.SearchStrategy[str]],
    odd: dict[str, st.SearchStrategy[str]] | None = None,
) -> dict[str, str]:
    """A valid POST, then up to three fields given an odd value or left out,
    and maybe fields the form does not know."""
    data = {name: draw(strategy) for name, strategy in valid.items()}
    broken = draw(st.lists(st.sampled_from(sorted(valid)), max_size=3, unique=True))
    for name in broken:
        if draw(st.booleans()):
            del data[name]
        else:
            data[name] = draw(st.one_of(ODD, DATES, (odd or {}).get(name, ODD)))
    for name, value in draw(st.dictionaries(_EXTRA_NAMES, ODD, max_size=2)).items():
        data.setdefault(name, value)
    return data


# --- checks ---------------------------------------------------------------------------


def _form_errors(response: Any) -> list[str]:
    form = response.context["form"]
    return [message for errors in form.errors.values() for message in errors]


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _assert_vietnamese(errors: list[str], data: dict[str, str]) -> None:
    assert errors, "refused without saying why"
    for error in errors:
        assert is_vietnamese(error, echoed=data.values()), error


def _assert_storable(obj: models.Model) -> None:
    """What PostgreSQL would refuse and SQLite stores: a NUL in text, text
    longer than its column, a number beyond its decimal column."""
    obj.refresh_from_db()
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, str):
            assert "\x00" not in value, field.name
            if field.max_length is not None:
                assert len(value) <= field.max_length, field.name
        if isinstance(field, models.DecimalField) and value is not None:
            limit = Decimal(10) ** (field.max_digits - field.decimal_places)
            assert abs(value) < limit, field.name


def _assert_unchanged(before: dict[str, object]) -> None:
    after = snapshot()
    assert after == before, changed_tables(before, after)


def _changed_only(before: dict[str, object], allowed: set[str]) -> None:
    assert changed_tables(before, snapshot()) <= allowed


# --- the entry sheet ------------------------------------------------------------------


def _sheet_url(world: World) -> str:
    kwargs = {"public_id": world.grassroots_a.public_id, "year": 2023, "quarter": 3}
    return reverse("targets:sheet", kwargs=kwargs)


def _entry_fields(world: World) -> dict[str, st.SearchStrategy[str]]:
    numbers = st.one_of(
        st.just(""),
        st.integers(0, 30_000).map(str),
        st.decimals(0, 100, places=2).map(lambda d: str(d).replace(".", ",")),
    )
    fields: dict[str, st.SearchStrategy[str]] = {
        "version": st.just("0"),
        "action": st.sampled_from(["save", "submit"]),
        "xac_nhan": st.just("1"),
    }
    view = target_selectors.sheet_view(
        organization=world.grassroots_a, year=2023, quarter=3
    )
    assert view is not None
    for row in view.rows:
        names = field_names(row.target.id)
        for key in ("value", "numerator", "denominator"):
            fields[names[key]] = numbers
        fields[names["note"]] = st.one_of(st.just(""), VIETNAMESE)
    return fields


_SHEET_ODD = {"version": st.sampled_from(["1", "", "-1", "²", "٠", "9" * 30])}


def _parsed(raw: str | None) -> Decimal | None:
    text = (raw or "").strip()
    return parse_number(text) if text else None


@FUZZ
@given(data=st.data())
def test_any_post_of_the_entry_sheet_is_saved_whole_or_refused_in_vietnamese(
    client, world, plan_world, cadre, data
):
    client.force_login(cadre)
    post = data.draw(posts(_entry_fields(world), _SHEET_ODD))
    with rolled_back():
        before = snapshot()

        response = client.post(_sheet_url(world), post)
        event(f"status {response.status_code}")

        assert response.status_code in (302, 409, 422)
        if response.status_code != 302:
            _assert_unchanged(before)
            errors = [*response.context["errors"].values(), *_messages(response)]
            _assert_vietnamese(errors, post)
            return
        _changed_only(
            before,
            {
                "sheets",
                "sheet transitions",
                "results",
                "result changes",
                "audit events",
            },
        )
        sheet = Sheet.objects.get(organization=world.grassroots_a, year=2023, quarter=3)
        view = target_selectors.sheet_view(
            organization=world.grassroots_a, year=2023, quarter=3
        )
        for row in view.rows:
            if row.read_only:
                continue
            names = field_names(row.target.id)
            result = Result.objects.filter(sheet=sheet, target=row.target).first()
            stored = (
                (result.value, result.numerator, result.denominator, result.note)
                if result
                else (None, None, None, "")
            )
            typed = tuple(
                _parsed(post.get(names[key]))
                for key in ("value", "numerator", "denominator")
            )
            assert stored == (*typed, post.get(names["note"], "").strip()[:500])
            if result:
                _assert_storable(result)


def test_a_note_with_a_null_character_is_refused(client, world, plan_world, cadre):
    """PostgreSQL refuses a NUL in text (a 500); the sheet says so instead."""
    client.force_login(cadre)
    names = field_names(plan_world.jobs.id)
    before = snapshot()

    response = client.post(
        _sheet_url(world),
        {"version": "0", names["value"]: "5", names["note"]: "a\x00b"},
    )

    assert response.status_code == 422
    assert response.context["errors"] == {
        names["note"]: "Ghi chú có ký tự không hợp lệ (ký tự NUL); hãy xóa rồi gõ lại."
    }
    _assert_unchanged(before)


@pytest.mark.parametrize("version", ["²", "9" * 30, "١"])
def test_an_odd_version_is_an_outdated_page_not_a_crash(
    client, world, plan_world, cadre, version
):
    """ "²".isdigit() is true but int("²") fails, and a huge number overflows
    the database integer: both used to be a 500."""
    client.force_login(cadre)
    names = field_names(plan_world.jobs.id)
    before = snapshot()

    response = client.post(_sheet_url(world), {"version": version, names["value"]: "5"})

    assert response.status_code == 409
    _assert_unchanged(before)
    assert any("đã cập nhật báo cáo này" in m for m in _messages(response))


# --- members --------------------------------------------------------------------------


NAMES = st.one_of(VIETNAMESE, st.text(min_size=1, max_size=30))


def _member_fields(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "full_name": NAMES,
        "sex": st.sampled_from(["M", "F"]),
        "date_of_birth": _days(1940, 1990),
        "ethnicity": VIETNAMESE,
        "party_card_number": st.one_of(st.just(""), st.integers(0, 10**12).map(str)),
        "organization": st.sampled_from([str(world.cell_a1.pk), str(world.cell_a2.pk)]),
        "arrival": st.sampled_from(["ket_nap", "chuyen_den"]),
        "admitted_on": _days(2000, 2015),
        "full_member_on": st.one_of(st.just(""), _days(2016, 2022)),
        "joined_on": st.one_of(st.just(""), _days(2016, 2022)),
    }


def _member_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "full_name": st.one_of(HUGE, st.just("\u0958" * 100)),
        "sex": st.sampled_from(["X", "Nam", ""]),
        "organization": st.sampled_from(
            [str(world.cell_b.pk), str(world.grassroots_a.pk), "1e9", "-1", "9" * 30]
        ),
        "arrival": st.sampled_from(["xoa_ten", "KET_NAP"]),
    }


@FUZZ
@given(data=st.data())
def test_any_post_of_the_member_form_adds_one_member_or_is_refused(
    client, world, cadre, data
):
    client.force_login(cadre)
    url = reverse(
        "organizations:member_create",
        kwargs={"public_id": world.grassroots_a.public_id},
    )
    post = data.draw(posts(_member_fields(world), _member_odd(world)))
    with rolled_back():
        before = snapshot()
        last = Member.objects.order_by("-pk").values_list("pk", flat=True).first()

        response = client.post(url, post)
        event(f"status {response.status_code}")

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            _assert_unchanged(before)
            _assert_vietnamese(_form_errors(response), post)
            return
        _changed_only(
            before, {"members", "member placements", "member events", "audit events"}
        )
        [member] = Member.objects.filter(pk__gt=last)
        _assert_storable(member)
        form = MemberCreateForm(
            post, cells=org_selectors.cells_under(root=world.grassroots_a)
        )
        assert form.is_valid()
        expected = form.cleaned_data
        assert member.full_name == _stored_text(expected["full_name"])
        assert (member.sex, member.date_of_birth) == (
            expected["sex"],
            expected["date_of_birth"],
        )
        assert member.organization == expected["organization"]
        assert member.admitted_on == expected["admitted_on"]


@FUZZ
@given(data=st.data())
def test_any_post_of_the_member_edit_form_changes_that_member_or_is_refused(
    client, world, cadre, data
):
    client.force_login(cadre)
    member = world.member_a
    url = reverse("organizations:member_edit", kwargs={"public_id": member.public_id})
    fields = {
        name: strategy
        for name, strategy in _member_fields(world).items()
        if name in MemberForm.base_fields
    }
    post = data.draw(posts(fields, _member_odd(world)))
    with rolled_back():
        before = snapshot()

        response = client.post(url, post)
        event(f"status {response.status_code}")

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            _assert_unchanged(before)
            _assert_vietnamese(_form_errors(response), post)
            return
        _changed_only(before, {"members", "audit events"})
        _assert_storable(member)
        form = MemberForm(post)
        assert form.is_valid()
        assert member.full_name == _stored_text(form.cleaned_data["full_name"])
        assert member.date_of_birth == form.cleaned_data["date_of_birth"]
        assert member.date_of_birth < member.admitted_on


# --- organisations --------------------------------------------------------------------


def _organization_fields() -> dict[str, st.SearchStrategy[str]]:
    levels = OrganizationLevel.objects.filter(code__in=["sub_committee", "cell"])
    return {
        "name": st.one_of(VIETNAMESE, st.text(min_size=1, max_size=30)),
        "short_name": st.sampled_from(["", "ĐU", "ĐUK"]),
        "level": st.sampled_from([str(level.pk) for level in levels]),
        "kind": st.sampled_from(["agency", "committee"]),
        # Existing codes (see `coded`) collide.
        "code": st.sampled_from(["", "CB-MOI", " CB-2 ", "DBS-A", "KHOI-A"]),
        "superior_name": st.one_of(st.just(""), VIETNAMESE),
        "founded_on": _days(2019, 2023),
    }


_ORGANIZATION_ODD = {
    "name": st.one_of(HUGE, st.just("\u0958" * 200)),
    "short_name": st.just("x" * 21),
    "level": st.sampled_from(["1", "2", "999", "abc"]),
    "kind": st.sampled_from(["khac", ""]),
    "code": st.sampled_from(["Ư" * 41, "cb-moi"]),
}


@pytest.fixture
def coded(world: World) -> World:
    """Codes a post may collide with."""
    for org, code in ((world.grassroots_a, "DBS-A"), (world.bloc_a, "KHOI-A")):
        Organization.objects.filter(pk=org.pk).update(code=code)
        org.refresh_from_db()
    return world


@FUZZ
@given(data=st.data())
def test_any_post_of_the_organisation_form_adds_one_or_is_refused(
    client, coded, office, data
):
    world = coded
    client.force_login(office)
    url = reverse(
        "organizations:create_child", kwargs={"public_id": world.grassroots_a.public_id}
    )
    post = data.draw(posts(_organization_fields(), _ORGANIZATION_ODD))
    with rolled_back():
        before = snapshot()
        last = Organization.objects.order_by("-pk").values_list("pk", flat=True).first()

        response = client.post(url, post)
        event(f"status {response.status_code}")

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            _assert_unchanged(before)
            _assert_vietnamese(_form_errors(response), post)
            return
        _changed_only(
            before,
            {"organizations", "organization placements", "organization fields"}
            | {"audit events"},
        )
        [organization] = Organization.objects.filter(pk__gt=last)
        _assert_storable(organization)
        form = OrganizationForm(post)
        assert form.is_valid()
        assert organization.parent == world.grassroots_a
        assert organization.code == (form.cleaned_data["code"] or None)


@FUZZ
@given(data=st.data())
def test_any_post_of_the_organisation_edit_form_changes_it_or_is_refused(
    client, coded, office, data
):
    world = coded
    client.force_login(office)
    organization = world.cell_a1
    url = reverse("organizations:edit", kwargs={"public_id": organization.public_id})
    fields = {
        name: strategy
        for name, strategy in _organization_fields().items()
        if name in OrganizationEditForm.base_fields
    }
    post = data.draw(posts(fields, _ORGANIZATION_ODD))
    with rolled_back():
        before = snapshot()

        response = client.post(url, post)
        event(f"status {response.status_code}")

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            _assert_unchanged(before)
            _assert_vietnamese(_form_errors(response), post)
            return
        _changed_only(before, {"organization fields", "audit events"})
        _assert_storable(organization)
        form = OrganizationEditForm(post)
        assert form.is_valid()
        assert organization.code == (form.cleaned_data["code"] or None)


# --- a target of the plan -------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_any_post_of_the_target_form_saves_it_or_is_refused(
    client, world, plan_world, office, data
):
    client.force_login(office)
    target = plan_world.jobs
    url = reverse(
        "targets:target_edit",
        kwargs={"public_id": plan_world.plan.public_id, "target_id": target.id},
    )
    fields: dict[str, st.SearchStrategy[str]] = {
        "group": VIETNAMESE,
        "order": st.sampled_from(["", "1", "7"]),
        "wording": VIETNAMESE,
        "label": VIETNAMESE,
        "unit": st.sampled_from(["người", "%", ""]),
        "kind": st.just("count"),
        "comparator": st.just("gte"),
        "plan_value": st.integers(1, 10**6).map(str),
        "plan_high": st.just(""),
        "places": st.sampled_from(["", "0", "2"]),
        "source": st.just("manual"),
    }
    odd = {
        "order": st.sampled_from(["-1", "1e3", "9" * 30]),
        "kind": st.sampled_from(["rate", "pp_change", "yoy", "xyz"]),
        "comparator": st.sampled_from(["lte", "range", "eq_all", "?"]),
        "plan_value": ODD_NUMBERS,
        "plan_high": ODD_NUMBERS,
        "places": st.sampled_from(["5", "-1"]),
        "source": st.sampled_from(["admissions_share", "?"]),
    }
    post = data.draw(posts(fields, odd))
    with rolled_back():
        before = snapshot()
        targets = list(Target.objects.order_by("pk").values())

        response = client.post(url, post)
        event(f"status {response.status_code}")

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            _assert_unchanged(before)
            assert list(Target.objects.order_by("pk").values()) == targets
            _assert_vietnamese(_form_errors(response), post)
            return
        _assert_storable(target)
        assert target.plan_value == _parsed(post.get("plan_value"))


# --- a document section ---------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_any_post_of_a_document_section_saves_it_or_is_refused(
    client, world, office, data
):
    client.force_login(office)
    document = world.document
    section = document.sections.order_by("order", "id").first()
    url = reverse(
        "reports:section",
        kwargs={"public_id": document.public_id, "section_id": section.id},
    )
    fields = {
        "version": st.just(str(document.version)),
        "heading": VIETNAMESE,
        "body": st.one_of(VIETNAMESE, st.text(max_size=200)),
    }
    odd = {
        "version": st.sampled_from(["", "-1", "²", "٠", "9" * 30, "1e3"]),
        "heading": ANY_TEXT,
        "body": ANY_TEXT,
    }
    post = data.draw(posts(fields, odd))
    with rolled_back():
        before = snapshot()

        response = client.post(url, post)
        event(f"status {response.status_code}")

        assert response.status_code in (302, 409, 422)
        if response.status_code != 302:
            _assert_unchanged(before)
            _assert_vietnamese(_messages(response), post)
            return
        _changed_only(before, {"sections", "documents", "audit events"})
        section.refresh_from_db()
        _assert_storable(section)
        body = post.get("body", "").replace("\r\n", "\n").strip()
        assert section.body == body
        heading = post.get("heading", section.heading)[:500].strip()
        assert Section.objects.get(pk=section.pk).heading == heading


# --- the other write forms -----------------------------------------------------------


@dataclass(frozen=True)
class WriteForm:
    """A form that writes, as the fuzzing posts it: who posts, where, what a
    valid post holds and what an odd value may be, the tables a saved post
    may change, and where a refused post says why."""

    persona: str
    url: Callable[[World], str]
    fields: Callable[[World], dict[str, st.SearchStrategy[str]]]
    odd: Callable[[World], dict[str, st.SearchStrategy[str]]]
    changes: frozenset[str]
    errors: Callable[[Any], list[str]]
    #: A redirect that is not a save (the decision views always redirect).
    saved: Callable[[Any], bool] = lambda response: response.status_code == 302


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs=kwargs)


def _context_errors(response: Any) -> list[str]:
    errors = response.context.get("errors") or []
    return [*errors, *_messages(response)]


def _header_errors(response: Any) -> list[str]:
    form = response.context["header_form"]
    return [m for errors in form.errors.values() for m in errors] + _messages(response)


GRADES = st.sampled_from(["", "HTXSNV", "HTTNV", "HTNV", "KHTNV"])
ODD_GRADES = st.sampled_from(["X", "htxsnv", " HTTNV", "HTTNV\x00", "Xuất sắc"])


def _ratings(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        f"org-{world.cell_a1.public_id}": GRADES,
        f"member-{world.member_a.public_id}": GRADES,
    }


def _ratings_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return dict.fromkeys(_ratings(world), ODD_GRADES)


def _member_event(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "kind": st.sampled_from(["chuyen_di", "huy_hieu", "tu_tran", "xoa_ten"]),
        "occurred_on": _days(2016, 2024),
        "target_organization": st.sampled_from(["", str(world.cell_a2.pk)]),
        "destination": st.one_of(st.just(""), VIETNAMESE),
        "badge_years": st.sampled_from(["", "30", "40"]),
        "note": st.one_of(st.just(""), VIETNAMESE),
    }


def _member_event_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "kind": st.sampled_from(["ket_nap", "chuyen_den", "xyz"]),
        "occurred_on": st.sampled_from(["2000-01-01", "2099-01-01"]),
        "target_organization": st.sampled_from(
            [str(world.cell_b.pk), str(world.grassroots_a.pk), str(world.cell_a1.pk)]
        ),
        "badge_years": st.sampled_from(["0", "91", "-1", "1e3", "٣٠"]),
    }


def _move(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "new_parent": st.sampled_from(
            [str(world.bloc_a.pk), str(world.grassroots_a.pk)]
        ),
        "on_date": _days(2020, 2025),
    }


def _move_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "new_parent": st.sampled_from(
            [str(world.bloc_b.pk), str(world.cell_a1.pk), str(world.cell_a2.pk), "x"]
        ),
        "on_date": st.sampled_from(["1999-12-31", "01/01/1900"]),
    }


def _dissolve(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "on_date": _days(2020, 2025),
        "merged_into": st.sampled_from(["", str(world.cell_a1.pk)]),
    }


def _dissolve_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "merged_into": st.sampled_from(
            [str(world.cell_b.pk), str(world.cell_a2.pk), str(world.grassroots_a.pk)]
        ),
        "on_date": st.sampled_from(["1999-12-31", "2019-12-31"]),
    }


def _handover(world: World) -> dict[str, st.SearchStrategy[str]]:
    # One field per organisation of the Sở (to_<pk>), its value the receiver:
    # another đảng bộ cơ sở of the bloc.
    from tests.factories import make_org

    receiver = make_org(
        "Đảng bộ Sở Nhận Bàn Giao", parent=world.bloc_a, short_name="ĐU"
    )
    return {
        f"to_{world.cell_a1.pk}": st.sampled_from(["", str(receiver.pk)]),
        f"to_{world.cell_a2.pk}": st.just(str(receiver.pk)),
        "effective_on": _days(2020, 2025),
        "decision": st.one_of(st.just(""), VIETNAMESE),
        "note": st.one_of(st.just(""), VIETNAMESE),
    }


def _handover_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    odd = st.sampled_from(
        [str(world.bloc_b.pk), str(world.cell_a1.pk), str(world.grassroots_a.pk), "x"]
    )
    return {
        f"to_{world.cell_a1.pk}": odd,
        f"to_{world.cell_a2.pk}": odd,
        f"to_{world.cell_b.pk}": st.just(str(world.grassroots_a.pk)),
        "decision": HUGE,
    }


def _plan(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "title": VIETNAMESE,
        "start_year": st.sampled_from(["2024", "2025"]),
        "end_year": st.sampled_from(["2025", "2026"]),
        "resolution": st.one_of(st.just(""), VIETNAMESE),
    }


def _plan_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "start_year": st.sampled_from(["2023", "1999", "2101", "²", "9" * 30]),
        "end_year": st.sampled_from(["2000", "2023", "-1"]),
        "title": HUGE,
    }


def _deadlines(world: World) -> dict[str, st.SearchStrategy[str]]:
    def due(quarter: int) -> st.SearchStrategy[str]:
        month = 3 * quarter + 1
        first = dt.date(2024 + month // 13, (month - 1) % 12 + 1, 1)
        return st.one_of(
            st.just(""),
            st.dates(first, first + dt.timedelta(days=60)).map(dt.date.isoformat),
        )

    return {"nam": st.just("2024"), **{f"quy_{q}": due(q) for q in (1, 2, 3, 4)}}


def _deadlines_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    early = st.sampled_from(["2024-01-01", "2024-03-31", "2026-12-31", "31/02/2024"])
    return {
        "nam": st.sampled_from(["1999", "abc", ""]),
        **{f"quy_{q}": early for q in (1, 2, 3, 4)},
    }


def _header(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "version": st.just(str(world.document.version)),
        "superior_name": st.just("ĐẢNG BỘ KHỐI A"),
        "issuer_name": st.just("ĐẢNG ỦY SỞ A"),
        "place": st.sampled_from(["Quảng Bình", "Đồng Hới"]),
        "dated": _days(2023, 2024),
        "abstract": VIETNAMESE,
        "authority": st.sampled_from(["T/M BAN CHẤP HÀNH", "T/M ĐẢNG ỦY"]),
        "signer_position": st.sampled_from(["BÍ THƯ", "PHÓ BÍ THƯ"]),
        "signer_name": st.one_of(st.just(""), VIETNAMESE),
        "recipients": st.just("- Như trên,\r\n- Lưu VP."),
        "secrecy": st.sampled_from(["", "MẬT"]),
        "urgency": st.sampled_from(["", "KHẨN"]),
    }


def _header_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {
        "version": st.sampled_from(["", "-1", "²", "9" * 30]),
        "authority": st.sampled_from(["T/M", "t/m ban chấp hành"]),
        "secrecy": st.sampled_from(["mật", "BÍ MẬT"]),
        "abstract": HUGE,
        "place": HUGE,
    }


def _reason(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {"reason": st.one_of(VIETNAMESE, st.text(min_size=1, max_size=60))}


def _reason_odd(world: World) -> dict[str, st.SearchStrategy[str]]:
    return {"reason": st.sampled_from(["", " ", "\r\n", "Sai số\x00", "\x00"])}


def _decided(response: Any) -> bool:
    return response.status_code == 302 and not any(
        m.level_tag == "error" for m in get_messages(response.wsgi_request)
    )


_TREE = frozenset({"organization fields", "organization placements", "audit events"})
_MEMBERS = frozenset({"members", "member placements", "member events"})

WRITE_FORMS: dict[str, WriteForm] = {
    "ratings": WriteForm(
        "cadre",
        lambda w: _url(
            "organizations:ratings", public_id=w.cell_a1.public_id, year=2023
        ),
        _ratings,
        _ratings_odd,
        frozenset({"ratings", "audit events"}),
        _context_errors,
    ),
    "member event": WriteForm(
        "cadre",
        lambda w: _url("organizations:member_event", public_id=w.member_a.public_id),
        _member_event,
        _member_event_odd,
        _MEMBERS | {"audit events"},
        _form_errors,
    ),
    "move": WriteForm(
        "bloc_office",
        lambda w: _url("organizations:move", public_id=w.cell_a1.public_id),
        _move,
        _move_odd,
        _TREE | _MEMBERS,
        _form_errors,
    ),
    "dissolve": WriteForm(
        "office",
        lambda w: _url("organizations:dissolve", public_id=w.cell_a2.public_id),
        _dissolve,
        _dissolve_odd,
        _TREE | _MEMBERS,
        _form_errors,
    ),
    "handover": WriteForm(
        "bloc_office",
        lambda w: _url("organizations:handover", public_id=w.grassroots_a.public_id),
        _handover,
        _handover_odd,
        _TREE | _MEMBERS | {"handovers"},
        _form_errors,
    ),
    "plan": WriteForm(
        "office",
        lambda w: _url("targets:plan_create", public_id=w.grassroots_a.public_id),
        _plan,
        _plan_odd,
        frozenset({"plans", "audit events"}),
        _form_errors,
    ),
    "deadlines": WriteForm(
        "office",
        lambda w: _url("targets:deadlines", public_id=w.grassroots_a.public_id),
        _deadlines,
        _deadlines_odd,
        frozenset({"deadlines", "audit events"}),
        _form_errors,
    ),
    "document header": WriteForm(
        "office",
        lambda w: _url("reports:header", public_id=w.document.public_id),
        _header,
        _header_odd,
        frozenset({"documents", "document headers", "sections", "audit events"}),
        _header_errors,
    ),
    "return reason": WriteForm(
        "bloc_office",
        lambda w: _url(
            "targets:decide",
            public_id=w.grassroots_a.public_id,
            year=2023,
            quarter=4,
            decision="tra-lai",
        ),
        _reason,
        _reason_odd,
        frozenset({"sheets", "sheet transitions", "audit events"}),
        _messages,
        saved=_decided,
    ),
}


@pytest.mark.parametrize("name", sorted(WRITE_FORMS))
def test_any_post_of_a_write_form_is_saved_or_refused_in_vietnamese(
    client, world, request, name
):
    spec = WRITE_FORMS[name]
    client.force_login(request.getfixturevalue(spec.persona))
    url, fields, odd = spec.url(world), spec.fields(world), spec.odd(world)
    outcomes: Counter[str] = Counter()

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        post = data.draw(posts(fields, odd))
        client.cookies.pop("messages", None)  # what an earlier example left unread
        with rolled_back():
            before = snapshot()

            response = client.post(url, post)

            assert response.status_code in (200, 302, 409, 422), response.status_code
            form = response.context.get("form") if response.context else None
            if form is not None and not form.is_bound:
                # Nothing posted at all (`request.POST or None`): the empty form.
                outcomes["empty"] += 1
                _assert_unchanged(before)
                return
            if not spec.saved(response):
                outcomes["refused"] += 1
                _assert_unchanged(before)
                _assert_vietnamese(spec.errors(response), post)
                return
            outcomes["saved"] += 1
            _changed_only(before, spec.changes)
            # A saved text fits PostgreSQL's columns (no NUL, not too long).
            for model in (Organization, Member, Sheet):
                for obj in model.objects.all():
                    _assert_storable(obj)

    run()
    # Both branches ran: the valid posts save, the odd ones are refused.
    assert outcomes["saved"] and outcomes["refused"], outcomes


# --- what the fuzzing found, one test each --------------------------------------------


def test_a_null_character_in_a_text_field_is_refused_in_vietnamese(
    client, world, cadre
):
    client.force_login(cadre)
    url = reverse(
        "organizations:member_edit", kwargs={"public_id": world.member_a.public_id}
    )
    before = snapshot()

    response = client.post(
        url,
        {"full_name": "Nguyễn\x00 Thị Hoà", "sex": "F", "date_of_birth": "1980-05-17"}
        | {"ethnicity": "Kinh"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == [
        "Có ký tự không hợp lệ (ký tự NUL); hãy xóa rồi gõ lại."
    ]
    _assert_unchanged(before)


def test_a_null_character_in_a_choice_is_refused_in_vietnamese(client, world, cadre):
    """ModelChoiceField checks a NUL with a validator of its own."""
    client.force_login(cadre)
    url = reverse(
        "organizations:member_create",
        kwargs={"public_id": world.grassroots_a.public_id},
    )
    before = snapshot()

    response = client.post(url, {"full_name": "Lê Văn An", "organization": "\x00"})

    assert response.status_code == 200
    assert response.context["form"].errors["organization"] == [
        "Có ký tự không hợp lệ (ký tự NUL); hãy xóa rồi gõ lại."
    ]
    _assert_unchanged(before)


def test_a_name_is_measured_as_it_will_be_stored(client, world, cadre):
    """U+0958 is one code point typed and two in NFC, as the services store it:
    100 of them used to pass the form and overflow a 120-character column."""
    client.force_login(cadre)
    url = reverse(
        "organizations:member_edit", kwargs={"public_id": world.member_a.public_id}
    )
    before = snapshot()

    response = client.post(
        url,
        {"full_name": "\u0958" * 100, "sex": "F", "date_of_birth": "1980-05-17"}
        | {"ethnicity": "Kinh"},
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["full_name"]
    assert error.startswith("Giá trị này chỉ có tối đa 120 kí tự (hiện có 200)")
    _assert_unchanged(before)


def test_a_birth_date_after_admission_is_refused_on_edit_too(client, world, cadre):
    client.force_login(cadre)
    url = reverse(
        "organizations:member_edit", kwargs={"public_id": world.member_a.public_id}
    )
    before = snapshot()

    response = client.post(
        url,
        {"full_name": "Nguyễn Thị Hoà", "sex": "F", "date_of_birth": "2020-01-01"}
        | {"ethnicity": "Kinh"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [
        "Ngày sinh phải trước ngày vào Đảng."
    ]
    _assert_unchanged(before)


def test_a_code_already_taken_is_a_form_error_not_a_crash(client, coded, office):
    """The unique constraint used to be the only check: an IntegrityError (500)."""
    client.force_login(office)
    url = reverse(
        "organizations:create_child", kwargs={"public_id": coded.grassroots_a.public_id}
    )
    level = OrganizationLevel.objects.get(code="cell")
    before = snapshot()

    response = client.post(
        url,
        {"name": "Chi bộ Mới", "level": level.pk, "kind": "agency", "code": "DBS-A"}
        | {"founded_on": "2021-01-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Mã “DBS-A” đã có trong hệ thống."
    ]
    _assert_unchanged(before)


def test_a_plan_value_beyond_its_column_is_refused(client, world, plan_world, office):
    """A 20-digit plan value used to be stored in DECIMAL(18, 4): PostgreSQL
    refuses it, and SQLite hands back a value every later read fails on."""
    client.force_login(office)
    target = plan_world.jobs
    url = reverse(
        "targets:target_edit",
        kwargs={"public_id": plan_world.plan.public_id, "target_id": target.id},
    )
    post = {
        **{"group": "Chung", "wording": "Việc làm", "label": "Việc làm"},
        **{"kind": "count", "comparator": "gte", "source": "manual"},
        "plan_value": "9" * 20,
    }
    before = snapshot()

    response = client.post(url, post)

    assert response.status_code == 200
    assert response.context["form"].errors["plan_value"] == ["Số quá lớn."]
    _assert_unchanged(before)
    target.refresh_from_db()
    assert target.plan_value == 18500


def test_a_number_of_thousands_of_digits_is_refused_not_a_crash(
    client, world, plan_world, cadre
):
    """Showing it back used to fail in int() (more than 4.300 digits): a 500."""
    client.force_login(cadre)
    names = field_names(plan_world.jobs.id)
    before = snapshot()

    response = client.post(
        _sheet_url(world), {"version": "0", names["value"]: "9" * 5000}
    )

    assert response.status_code == 422
    assert response.context["errors"] == {
        names[
            "value"
        ]: "Số không hợp lệ: dài 5.000 ký tự (một số có nhiều nhất 40 ký tự)."
    }
    _assert_unchanged(before)


@pytest.mark.parametrize(
    ("post", "status", "message"),
    [
        (
            {"body": "a\x00b"},
            422,
            "Chưa lưu mục này: nội dung có ký tự không hợp lệ (ký tự NUL); hãy xóa "
            "rồi gõ lại.",
        ),
        ({"version": "²", "body": "Nội dung"}, 409, "Chưa lưu mục này: văn bản vừa"),
    ],
)
def test_a_section_with_a_null_character_or_an_odd_version_is_not_a_crash(
    client, world, office, post, status, message
):
    client.force_login(office)
    document = world.document
    section = document.sections.order_by("order", "id").first()
    url = reverse(
        "reports:section",
        kwargs={"public_id": document.public_id, "section_id": section.id},
    )
    before = snapshot()

    response = client.post(url, {"version": str(document.version), **post})

    assert response.status_code == status
    assert any(m.startswith(message) for m in _messages(response))
    _assert_unchanged(before)
