"""Small helpers the journeys share."""

import re

from django.utils import translation
from django.utils.translation import gettext

PASSWORD = "pw-for-tests-only"  # tests.support.factories.UserFactory's
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def in_language(code: str, message: str) -> str:
    """A message as the catalogue says it in `code` (the pages are Korean unless switched)."""
    with translation.override(code):
        return gettext(message)


def plotted(page, element_id: str) -> list[dict]:
    """The traces plotly.js drew into the element (plotly keeps them on the element as `.data`)."""
    return page.evaluate(
        """id => (document.getElementById(id).data || []).map(t => ({
               type: t.type, name: t.name || null, x: Array.from(t.x || []), y: Array.from(t.y || []),
               r: Array.from(t.r || [])}))""",
        element_id,
    )
