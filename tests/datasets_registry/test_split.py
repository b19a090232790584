"""The split itself: exact to the won, deterministic, largest remainder with a documented tie-break."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datasets_registry.split import ShareSpec, SplitError, split_total


@st.composite
def percent_shares(draw):
    """2–12 payers whose percentages (4 decimals) add up to exactly 100, plus optional fixed amounts."""
    count = draw(st.integers(1, 12))
    cuts = sorted(draw(st.lists(st.integers(1, 999_999), min_size=count - 1, max_size=count - 1, unique=True)))
    bounds = [0, *cuts, 1_000_000]
    percents = [Decimal(b - a) / Decimal(10_000) for a, b in zip(bounds, bounds[1:])]
    specs = [ShareSpec(key=f"team:t{n:02d}", percent=p) for n, p in enumerate(percents)]
    fixed = draw(st.lists(st.integers(0, 10**9), max_size=3))
    specs += [ShareSpec(key=f"org:o{n}", fixed_krw=f) for n, f in enumerate(fixed)]
    return specs


@settings(max_examples=400, deadline=None)
@given(rest=st.integers(0, 10**13), specs=percent_shares(), seed=st.randoms(use_true_random=False))
def test_any_price_and_shares_split_exactly_and_deterministically(rest, specs, seed):
    total = rest + sum(s.fixed_krw for s in specs if s.fixed_krw is not None)
    amounts = split_total(total, specs)
    assert sum(amounts.values()) == total
    assert set(amounts) == {s.key for s in specs}
    for spec in specs:
        if spec.fixed_krw is not None:
            assert amounts[spec.key] == spec.fixed_krw
        else:  # never more than one won from the exact share
            exact = Fraction(rest) * Fraction(spec.percent) / 100
            assert abs(amounts[spec.key] - exact) < 1
    shuffled = list(specs)
    seed.shuffle(shuffled)
    assert split_total(total, shuffled) == amounts  # the order of entry changes nothing


def test_largest_remainder_and_tie_break_by_holder_key():
    # 100 won in thirds: 33.3333… each, one won left over; equal remainders → alphabetical key.
    specs = [
        ShareSpec("team:c", percent=Decimal("33.3333")),
        ShareSpec("team:a", percent=Decimal("33.3333")),
        ShareSpec("team:b", percent=Decimal("33.3334")),
    ]
    assert split_total(100, specs) == {"team:a": 33, "team:b": 34, "team:c": 33}
    equal = [ShareSpec(f"team:{k}", percent=Decimal(20)) for k in "edcba"]
    assert split_total(3, equal) == {"team:a": 1, "team:b": 1, "team:c": 1, "team:d": 0, "team:e": 0}


def test_largest_fraction_wins_the_left_over_won():
    specs = [ShareSpec("team:a", percent=Decimal("10.5")), ShareSpec("team:b", percent=Decimal("89.5"))]
    # 10 won: a = 1.05, b = 8.95 → floors 1 + 8, the won left goes to b (0.95 > 0.05)
    assert split_total(10, specs) == {"team:a": 1, "team:b": 9}


def test_fixed_first_then_percentages_on_the_rest():
    specs = [
        ShareSpec("org:nia", fixed_krw=1_000),
        ShareSpec("team:a", percent=Decimal(50)),
        ShareSpec("team:b", percent=Decimal(50)),
    ]
    assert split_total(2_001, specs) == {"org:nia": 1_000, "team:a": 501, "team:b": 500}


@pytest.mark.parametrize(
    "total,specs,code",
    [
        (-1, [ShareSpec("team:a", percent=Decimal(100))], "negative_total"),
        (100, [], "no_shares"),
        (
            100,
            [ShareSpec("team:a", percent=Decimal(60)), ShareSpec("team:b", percent=Decimal(30))],
            "percent_not_hundred",
        ),
        (100, [ShareSpec("team:a", fixed_krw=60), ShareSpec("team:b", fixed_krw=30)], "fixed_not_total"),
        (100, [ShareSpec("team:a", fixed_krw=160), ShareSpec("team:b", percent=Decimal(100))], "fixed_exceed_total"),
        (100, [ShareSpec("team:a", percent=Decimal(100)), ShareSpec("team:a", fixed_krw=0)], "duplicate_holder"),
        (100, [ShareSpec("team:a", percent=Decimal(100), fixed_krw=100)], "one_basis"),
        (100, [ShareSpec("team:a", percent=Decimal(0)), ShareSpec("team:b", percent=Decimal(100))], "percent_range"),
        (100, [ShareSpec("team:a", fixed_krw=-5), ShareSpec("team:b", fixed_krw=105)], "negative_fixed"),
    ],
)
def test_shares_that_cannot_split_are_refused(total, specs, code):
    with pytest.raises(SplitError) as error:
        split_total(total, specs)
    assert error.value.code == code
