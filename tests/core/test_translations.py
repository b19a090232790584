"""The Korean catalogue is complete, and the committed .mo is what the .po compiles to."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_korean_translation():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [e for e in entries if not e.startswith("#~") and re.search(r'msgstr(\[0\])? ""\n?$', e)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated and not fuzzy, (untranslated + fuzzy)[:3]


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True, capture_output=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run `make messages`"
