"""The ko-chat tasks ask the ko-smoke pack's items in another form; they read its data files
with its own loader (relative paths resolve against the ko_smoke folder)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "ko_smoke_utils", Path(__file__).resolve().parent.parent / "ko_smoke" / "utils.py"
)
_ko_smoke = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ko_smoke)

load_split = _ko_smoke.load_split
