"""Draw the app layers that the import contract in pyproject.toml enforces, into docs/architecture.md.

`python scripts/layers_diagram.py` rewrites the block between the two markers; `--check` exits 1
when the block differs (tests/config/test_layers_diagram.py runs it, so the picture cannot drift)."""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- layers:begin (scripts/layers_diagram.py) -->", "<!-- layers:end -->"


def layers() -> list[list[str]]:
    """The layers contract's layers, highest first; each a list of independent apps."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["type"] == "layers")
    return [[app.strip() for app in layer.split("|")] for layer in contract["layers"]]


def diagram() -> str:
    rows = [" │ ".join(apps) for apps in layers()]
    width = max(len(row) for row in rows)
    lines = ["```", "imports point down only (import-linter, `make test`)", ""]
    for index, row in enumerate(rows):
        lines.append(row.center(width).rstrip())
        if index < len(rows) - 1:
            lines.append("↓".center(width).rstrip())
    lines += ["", "`a │ b`: side by side, neither imports the other", "```"]
    return "\n".join(lines)


def rendered(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{diagram()}\n{END}{tail}"


if __name__ == "__main__":
    text = DOC.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"{DOC} has no {BEGIN} … {END} block")
    if "--check" in sys.argv:
        sys.exit(
            0
            if rendered(text) == text
            else "docs/architecture.md's layer diagram is stale: run scripts/layers_diagram.py"
        )
    DOC.write_text(rendered(text))
