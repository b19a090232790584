"""What a benchmark hands to bench/run_all.py: its section of docs/performance.md and its targets.

A benchmark prints its section (markdown) whatever happens; when run by run_all.py
(BENCH_RESULTS_DIR set) it also writes it as JSON there, with each target and whether it was met.
"""

import datetime
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Target:
    name: str
    figure: str  # as measured, with its unit
    target: str  # as the issue states it
    met: bool
    reason: str = ""  # why a missed target is missed (written down, never hidden)


def emit(*, key: str, title: str, command: str, body: str, targets: list[Target] = ()) -> None:
    section = {
        "key": key,
        "title": title,
        "command": command,
        "body": body.strip(),
        "targets": [asdict(t) for t in targets],
        "measured": datetime.date.today().isoformat(),
    }
    print(f"\n## {title}\n\n{section['body']}\n")
    for t in targets:
        print(f"target {t.name}: {t.figure} (target {t.target}) — {'met' if t.met else 'MISSED: ' + t.reason}")
    folder = os.environ.get("BENCH_RESULTS_DIR")
    if folder:
        Path(folder, f"{key}.json").write_text(json.dumps(section, ensure_ascii=False, indent=1), encoding="utf-8")


def table(header: list[str], rows: list[list], align: str = "") -> str:
    """A markdown table; `align` has one letter per column (l or r; default: first l, rest r)."""
    align = align or "l" + "r" * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
