from django import template

from core.krw import format_krw

register = template.Library()


@register.filter(name="krw")
def krw(amount):
    """{{ amount|krw }} → 1,576억원 (Korean) or KRW 157.6bn (English)."""
    return format_krw(amount)
