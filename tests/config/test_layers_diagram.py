"""docs/architecture.md draws the layers the import contract enforces; the picture cannot drift."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_architecture_document_draws_the_enforced_layers():
    result = subprocess.run(
        [sys.executable, "scripts/layers_diagram.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
