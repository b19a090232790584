"""Formatting a score cell (value and 95% interval) without a template include per cell."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _number(value: float, scale: str) -> str:
    return f"{value:.1f}" if scale == "normalised" else f"{value:.3f}"


@register.simple_tag
def score_cell(cells: dict, key: str, scale: str, show_target: bool = False):
    cell = cells.get(key)
    if cell is None or not cell.known:
        return mark_safe('<td class="num muted">—</td>')
    interval = ""
    if cell.low is not None and cell.high is not None and cell.high > cell.low:
        interval = f"{_number(cell.low, scale)}–{_number(cell.high, scale)}"
    target = f"{cell.percent_of_target:.0f}%" if show_target and cell.percent_of_target is not None else ""
    return format_html(
        '<td class="num" title="95%: {}">{}<small class="ci">{}</small>{}</td>',
        interval or "—",
        _number(cell.value, scale),
        interval,
        format_html('<small class="target">{}</small>', target) if target else "",
    )


@register.simple_tag
def overall_cell(cell, scale: str):
    return score_cell({"overall": cell}, "overall", scale)


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str):
    """A column header that sorts by `key`, flipping the order when it already does."""
    query = context["request"].GET.copy()
    options = context["options"]
    query["order"] = "asc" if options.sort == key and options.descending else "desc"
    if options.sort != key:
        query["order"] = "asc"
    query["sort"] = key
    marker = ""
    if options.sort == key:
        marker = " ↓" if options.descending else " ↑"
    return format_html('<a href="?{}">{}{}</a>', query.urlencode(), label, marker)
