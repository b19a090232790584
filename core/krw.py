"""KRW amounts as people here read them: 1,576억원 in Korean, KRW 157.6bn in English.

Every page, export label and chart uses `format_krw`, so an amount never
appears in two styles. Amounts are integer won; there is no float anywhere.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

KOREAN_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))
ENGLISH_UNITS = ((10**12, "tn"), (10**9, "bn"), (10**6, "m"))


def krw_korean(amount: int) -> str:
    """Exact, in 조/억/만 groups: 4,830,000,000 → '48억 3,000만원'."""
    sign, rest = ("-" if amount < 0 else ""), abs(int(amount))
    if rest == 0:
        return "0원"
    parts = []
    for size, unit in KOREAN_UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count:,}{unit}")
    if rest:
        parts.append(f"{rest:,}")
    return sign + " ".join(parts) + "원"


def krw_english(amount: int) -> str:
    """Rounded to two decimals of the largest unit: 4,830,000,000 → 'KRW 4.83bn'."""
    sign, rest = ("-" if amount < 0 else ""), abs(int(amount))
    for size, suffix in ENGLISH_UNITS:
        if rest >= size:
            value = (Decimal(rest) / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = f"{value:,.2f}".rstrip("0").rstrip(".")
            return f"{sign}KRW {text}{suffix}"
    return f"{sign}KRW {rest:,}"


def format_krw(amount: int | Decimal | None, language: str | None = None) -> str:
    if amount is None:
        return "—"
    if Decimal(amount) != Decimal(int(amount)):
        raise ValueError(f"KRW amounts are whole won, got {amount!r}")
    language = language or translation.get_language() or "ko"
    return krw_english(int(amount)) if language.startswith("en") else krw_korean(int(amount))
