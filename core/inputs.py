"""Reading numbers people (or crafted requests) type into query strings and forms."""


def whole_number(text: str, *, max_digits: int = 18) -> int | None:
    """The text as a non-negative whole number, or None. isascii: "²".isdigit() is true and int()
    refuses it; max_digits keeps int() from refusing a huge one and the number within a bigint."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
