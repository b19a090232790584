"""Splitting what a purchase costs among its payers, exactly to the won.

What is split is the total paid, price + VAT. Fixed-amount shares are taken first;
the rest is divided among the percentage shares (whose percentages must add up to
exactly 100) by the largest-remainder method:

1. every percentage share gets floor(rest × percent / 100) won;
2. the won left over (fewer than the number of percentage shares) go one each to
   the shares with the largest fractional parts;
3. equal fractional parts are ordered by the holder key ("org:<slug>" or
   "team:<slug>") alphabetically, so the result depends on nothing else — not on
   the order in which the shares were entered.

Without percentage shares, the fixed amounts must add up to the total exactly.
Pure functions: no database, so the property test can try any input."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

HUNDRED = Decimal(100)


class SplitError(ValueError):
    """The shares cannot divide the total; the message says why (translated by the caller)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ShareSpec:
    key: str
    percent: Decimal | None = None
    fixed_krw: int | None = None


def split_total(total_krw: int, specs: list[ShareSpec]) -> dict[str, int]:
    """Amount per share key; the amounts add up to `total_krw` exactly."""
    if not isinstance(total_krw, int) or total_krw < 0:
        raise SplitError("negative_total")
    if not specs:
        raise SplitError("no_shares")
    if len({s.key for s in specs}) != len(specs):
        raise SplitError("duplicate_holder")
    for spec in specs:
        if (spec.percent is None) == (spec.fixed_krw is None):
            raise SplitError("one_basis", holder=spec.key)
        if spec.percent is not None and not (0 < Decimal(spec.percent) <= HUNDRED):
            raise SplitError("percent_range", holder=spec.key)
        if spec.fixed_krw is not None and spec.fixed_krw < 0:
            raise SplitError("negative_fixed", holder=spec.key)

    fixed = {s.key: int(s.fixed_krw) for s in specs if s.fixed_krw is not None}
    percentage = [s for s in specs if s.percent is not None]
    rest = total_krw - sum(fixed.values())
    if rest < 0:
        raise SplitError("fixed_exceed_total", fixed=sum(fixed.values()), total=total_krw)
    if not percentage:
        if rest != 0:
            raise SplitError("fixed_not_total", fixed=sum(fixed.values()), total=total_krw)
        return fixed
    percent_sum = sum((Decimal(s.percent) for s in percentage), Decimal(0))
    if percent_sum != HUNDRED:
        raise SplitError("percent_not_hundred", percent=percent_sum)

    exact = {s.key: Fraction(rest) * Fraction(Decimal(s.percent)) / 100 for s in percentage}
    amounts = {key: value.numerator // value.denominator for key, value in exact.items()}
    left_over = rest - sum(amounts.values())
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - amounts[key]), key))
    for key in by_remainder[:left_over]:
        amounts[key] += 1
    return {**fixed, **amounts}
