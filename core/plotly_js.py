"""Plotly's JavaScript, served from the installed `plotly` package.

The machines have no internet (no CDN), and copying the bundle into static/
by hand would drift from the pinned package. The URL carries the version, so
browsers may cache it for a year. Templates load it with
`{% load charts %}{% plotly_script %}`.
"""

from functools import lru_cache

import plotly
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

PLOTLY_VERSION = plotly.__version__
ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=1)
def _bundle() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


@require_GET
def plotly_js(request, version: str):
    if version != PLOTLY_VERSION:
        raise Http404("Unknown plotly version")
    response = HttpResponse(_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
