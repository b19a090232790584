import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.krw import format_krw, krw_english, krw_korean


@pytest.mark.parametrize(
    "amount,expected",
    [
        (157_600_000_000, "1,576억원"),
        (200_000_000_000, "2,000억원"),
        (4_830_000_000, "48억 3,000만원"),
        (1_200_000_000_000, "1조 2,000억원"),
        (123_456_789, "1억 2,345만 6,789원"),
        (10_000, "1만원"),
        (9_999, "9,999원"),
        (0, "0원"),
        (-50_000, "-5만원"),
    ],
)
def test_korean_units(amount, expected):
    assert krw_korean(amount) == expected


@pytest.mark.parametrize(
    "amount,expected",
    [
        (157_600_000_000, "KRW 157.6bn"),
        (4_830_000_000, "KRW 4.83bn"),
        (1_200_000_000_000, "KRW 1.2tn"),
        (2_500_000, "KRW 2.5m"),
        (999_999, "KRW 999,999"),
        (10_000_000_000, "KRW 10bn"),
    ],
)
def test_english_units(amount, expected):
    assert krw_english(amount) == expected


def test_follows_the_active_language():
    from django.utils import translation

    with translation.override("ko"):
        assert format_krw(157_600_000_000) == "1,576억원"
    with translation.override("en"):
        assert format_krw(157_600_000_000) == "KRW 157.6bn"
    assert format_krw(None) == "—"


def test_refuses_fractions_of_a_won():
    from decimal import Decimal

    with pytest.raises(ValueError):
        format_krw(Decimal("1.5"))


def _parse_korean(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    total = 0
    for number, unit in re.findall(r"([\d,]+)(조|억|만)?", text.lstrip("-").removesuffix("원")):
        total += int(number.replace(",", "")) * {"조": 10**12, "억": 10**8, "만": 10**4, "": 1}[unit]
    return sign * total


@given(st.integers(min_value=-(10**16), max_value=10**16))
def test_korean_form_is_exact(amount):
    text = krw_korean(amount)
    assert text.endswith("원")
    assert _parse_korean(text) == amount


def test_template_filter_is_available_everywhere():
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("ko"):
        assert Template("{{ amount|krw }}").render(Context({"amount": 62_800_000_000})) == "628억원"
