"""Vietnamese formatting: numbers, percentages, parsing, dates, names, search."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partyreports.formatting import (
    NumberParseError,
    fold_accents,
    format_date,
    format_document_date,
    format_number,
    format_percent,
    format_signed_percent,
    nfc,
    pad2,
    parse_number,
    round_display,
    vietnamese_sort_key,
)
from tests.fuzzing import is_vietnamese

# --- format_number / format_percent ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (20360, 0, "20.360"),
        (Decimal("20360"), 0, "20.360"),
        (Decimal("4.05"), 2, "4,05"),
        (Decimal("1234567.5"), 1, "1.234.567,5"),
        (Decimal("-0.95"), 2, "-0,95"),
        (Decimal("-1234.5"), 1, "-1.234,5"),
        (0, 0, "0"),
        (Decimal("999"), 0, "999"),
        (Decimal("1000"), 0, "1.000"),
        (Decimal("0.5"), 2, "0,50"),
        (Decimal("692.666"), 0, "693"),
    ],
)
def test_format_number(value: Decimal | int, places: int, expected: str) -> None:
    assert format_number(value, places) == expected


def test_format_number_none_is_empty() -> None:
    assert format_number(None) == ""
    assert format_percent(None) == ""


def test_format_number_never_prints_minus_zero() -> None:
    assert format_number(Decimal("-0.001"), 2) == "0,00"
    assert format_number(Decimal("-0.4")) == "0"


def test_format_percent_has_no_space_before_the_sign() -> None:
    assert format_percent(Decimal("110.054")) == "110,1%"
    assert format_percent(Decimal("2.5974"), 2) == "2,60%"
    assert format_percent(110, 0) == "110%"


def test_format_signed_percent() -> None:
    assert format_signed_percent(Decimal("16.301")) == "+16,3%"
    assert format_signed_percent(Decimal("-2")) == "-2,0%"
    assert format_signed_percent(Decimal("0.01")) == "0,0%"
    assert format_signed_percent(None) == ""


# --- rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("110.05", 1, "110.1"),  # half up, not banker's (which gives 110,0)
        ("118.75", 1, "118.8"),
        ("0.125", 2, "0.13"),
        ("-0.945", 2, "-0.95"),  # half away from zero
        ("2.5", 0, "3"),
        ("3.5", 0, "4"),
        ("99.996", 1, "100.0"),
    ],
)
def test_round_display_is_half_up(value: str, places: int, expected: str) -> None:
    assert round_display(Decimal(value), places) == Decimal(expected)
    assert str(round_display(Decimal(value), places)) == expected


def test_format_number_rounds_once_from_the_exact_value() -> None:
    # 0,445 rounds to 0,45 at two places; rounding first to three places and then
    # to two would not change that, but 0,4449 → 0,445 → 0,45 would be wrong.
    assert format_number(Decimal("0.4449"), 2) == "0,44"


# --- pad2 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "00"), (3, "03"), (4, "04"), (10, "10")]
)
def test_pad2(n: int, expected: str) -> None:
    assert pad2(n) == expected


def test_pad2_leaves_large_numbers_alone() -> None:
    assert pad2(123) == "123"


# --- parse_number -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20.360", "20360"),
        ("20360", "20360"),
        ("4,05", "4.05"),
        ("1.234.567", "1234567"),
        ("1.234,5", "1234.5"),
        (" 20.360 ", "20360"),
        ("\u00a020.360\t", "20360"),
        ("-0,95", "-0.95"),
        ("\u22120,95", "-0.95"),  # typographic minus, pasted from documents
        ("+3", "3"),
        ("68,9%", "68.9"),
        ("68,9 %", "68.9"),
        ("0", "0"),
        ("007", "7"),
        ("1.000", "1000"),
    ],
)
def test_parse_number_accepts(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "20,360,5",
        "abc",
        "",
        "   ",
        "%",
        "1.23",
        "1.2345",
        "12..3",
        "1,2.3",
        "1,2,3",
        ",5",
        "5,",
        ".5",
        "1.",
        "1234.567",  # a head of four digits before a thousands dot
        "20 360",
        "1e5",
        "--1",
        "1,5%%",
        "\u0661\u0662",  # Arabic-Indic digits
        "\uff11\uff12",  # full-width digits
    ],
)
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_number(text)
    assert isinstance(caught.value, ValueError)
    assert "ví dụ 20.360 hoặc 4,05" in caught.value.message


def test_parse_number_message_names_the_input_and_the_rule() -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_number("20,360,5")
    assert caught.value.message == (
        "Số không hợp lệ: “20,360,5”. Chỉ được có một dấu phẩy (phần thập phân). "
        "Dùng dấu chấm để ngăn cách hàng nghìn và dấu phẩy cho phần thập phân, "
        "ví dụ 20.360 hoặc 4,05."
    )
    assert str(caught.value) == caught.value.message


def test_parse_number_explains_an_ambiguous_dot() -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_number("1.23")
    assert "đúng 3 chữ số" in caught.value.message


def test_parse_number_explains_a_dot_after_the_comma() -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_number("1,2.3")
    assert "phải đứng trước dấu phẩy" in caught.value.message


def test_parse_number_empty_says_nothing_was_typed() -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_number("")
    assert caught.value.message.startswith("Chưa nhập số.")


# --- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2023, 7, 6), "ngày 06 tháng 7 năm 2023"),
        (date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
        (date(2024, 1, 23), "ngày 23 tháng 01 năm 2024"),
        (date(2024, 2, 23), "ngày 23 tháng 02 năm 2024"),
        (date(2023, 3, 1), "ngày 01 tháng 3 năm 2023"),
        (date(2023, 12, 25), "ngày 25 tháng 12 năm 2023"),
    ],
)
def test_format_document_date(d: date, expected: str) -> None:
    assert format_document_date(d) == expected


def test_format_date_for_tables() -> None:
    assert format_date(date(2023, 7, 6)) == "06/07/2023"
    assert format_date(date(2024, 12, 31)) == "31/12/2024"


# --- names, search, normalisation -------------------------------------------------


def test_names_sort_by_given_name_in_vietnamese_letter_order() -> None:
    names = ["Nguyễn Văn Bình", "Trần Thị An", "Lê Văn Đức", "Phạm Dũng", "Hoàng Ánh"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Trần Thị An",
        "Hoàng Ánh",
        "Nguyễn Văn Bình",
        "Phạm Dũng",
        "Lê Văn Đức",
    ]


def test_same_given_name_sorts_by_family_and_middle_names() -> None:
    names = ["Trần Văn An", "Lê Thị An", "Lê An", "Đặng An", "Dương An"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Dương An",
        "Đặng An",
        "Lê An",
        "Lê Thị An",
        "Trần Văn An",
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("A An", "A Ăn"),  # a < ă < â
        ("A Ăn", "A Ân"),
        ("A Cường", "A Dũng"),
        ("A Dũng", "A Đức"),  # d < đ
        ("A Đức", "A Em"),
        ("A Em", "A Ênh"),  # e < ê
        ("A Oanh", "A Ôn"),  # o < ô < ơ
        ("A Ôn", "A Ơn"),
        ("A Út", "A Ưng"),  # u < ư, whatever the tones
        ("A Ưng", "A Vân"),
        ("A Xuân", "A Yến"),
        ("A Hà", "A Hạ"),
        ("A Nhi", "A Nhị"),
        ("A An", "A Anh"),  # a prefix first
    ],
)
def test_letter_order(first: str, second: str) -> None:
    assert vietnamese_sort_key(first) < vietnamese_sort_key(second)


def test_tones_break_ties_in_dictionary_order() -> None:
    tones = ["A Ma", "A Mà", "A Mả", "A Mã", "A Má", "A Mạ"]
    assert sorted(reversed(tones), key=vietnamese_sort_key) == tones


def test_letters_decide_before_tones() -> None:
    # "Bình" has a tone, "Binh" has none, but the family names come after the
    # given name's letters and tones: the given name decides first.
    assert vietnamese_sort_key("Trần Binh") < vietnamese_sort_key("Lê Bình")
    assert vietnamese_sort_key("Lê Bình") < vietnamese_sort_key("Trần Bình")
    assert vietnamese_sort_key("Lê Ánh") < vietnamese_sort_key("Lê Anhs")


def test_sort_key_ignores_case_spacing_and_normal_form() -> None:
    name = "Nguyễn Thị Ánh"
    decomposed = unicodedata.normalize("NFD", name)
    assert vietnamese_sort_key(name) == vietnamese_sort_key("  NGUYỄN  thị ánh ")
    assert vietnamese_sort_key(name) == vietnamese_sort_key(decomposed)


def test_sort_key_is_plain_ascii() -> None:
    key = vietnamese_sort_key("Nguyễn Thị Ánh")
    assert key.isascii()
    assert vietnamese_sort_key("") == ""


def test_byte_order_of_keys_is_the_order_of_keys() -> None:
    # What ORDER BY does on a C/binary collation: compare the encoded bytes.
    names = ["Hoàng Ánh", "Trần Thị An", "Phạm Dũng", "Lê Văn Đức", "An", "Ông Ưng"]
    keys = [vietnamese_sort_key(n) for n in names]
    assert sorted(keys, key=lambda k: k.encode()) == sorted(keys)


def test_fold_accents() -> None:
    assert fold_accents("Nguyễn Thị Đào") == "nguyen thi dao"
    assert fold_accents("  ĐẶNG   Văn\tƯỚC ") == "dang van uoc"
    assert fold_accents(unicodedata.normalize("NFD", "Nguyễn")) == "nguyen"


def test_search_finds_nguyen_typed_without_accents() -> None:
    assert fold_accents("nguyen") in fold_accents("Nguyễn Văn Bình")


def test_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert decomposed != "Nguyễn"
    assert nfc(decomposed) == "Nguyễn"


# --- properties -------------------------------------------------------------------

two_place_decimals = st.decimals(
    min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False
)


@given(two_place_decimals)
def test_parse_number_reads_back_format_number(x: Decimal) -> None:
    assert parse_number(format_number(x, 2)) == x


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_parse_number_reads_back_whole_numbers(n: int) -> None:
    assert parse_number(format_number(n)) == n


@given(two_place_decimals)
def test_parse_number_reads_back_percentages(x: Decimal) -> None:
    assert parse_number(format_percent(x, 2)) == x


@given(st.text())
def test_fold_accents_is_idempotent(text: str) -> None:
    once = fold_accents(text)
    assert fold_accents(once) == once


@given(
    st.one_of(
        st.text(),
        # Number-like text reaches the reader's later checks (grouping, decimals).
        st.text(alphabet="0123456789.,-+ %eE٣１²", max_size=24),
    )
)
def test_parse_number_refuses_only_with_a_vietnamese_message(text: str) -> None:
    try:
        parse_number(text)
    except NumberParseError as error:
        assert is_vietnamese(str(error), echoed=[text]), str(error)


_VIETNAMESE_LETTERS = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọ"
_VIETNAMESE_LETTERS += "ôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
names = st.lists(
    st.text(alphabet=_VIETNAMESE_LETTERS, min_size=1, max_size=6),
    min_size=1,
    max_size=4,
).map(" ".join)


@given(names, names)
def test_sort_key_byte_order_matches_string_order(a: str, b: str) -> None:
    ka, kb = vietnamese_sort_key(a), vietnamese_sort_key(b)
    assert (ka < kb) == (ka.encode() < kb.encode())
    assert ka.isascii()


@given(names)
def test_sort_key_ignores_case(name: str) -> None:
    assert vietnamese_sort_key(name.upper()) == vietnamese_sort_key(name)


def test_pad2_groups_thousands_in_large_counts() -> None:
    assert pad2(1117) == "1.117"
    assert pad2(14103) == "14.103"
