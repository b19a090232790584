from django import template
from django.urls import reverse
from django.utils.html import format_html

from core.plotly_js import PLOTLY_VERSION

register = template.Library()


@register.simple_tag
def plotly_script():
    """The <script> tag that loads Plotly from this server (see core/plotly_js.py)."""
    return format_html('<script src="{}"></script>', reverse("plotly-js", kwargs={"version": PLOTLY_VERSION}))
