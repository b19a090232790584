"""The one entry point for the benchmarks: runs them (all, or those named) one after another and
rewrites docs/performance.md from their results, with the machine and the date of each.

    python bench/run_all.py                 # every benchmark (make bench)
    python bench/run_all.py usage leaderboard

The latest result of every benchmark is kept in docs/performance.json, so running some of them
rewrites the page with the others' figures as they were measured (each section says when, where
and under what load). A benchmark that fails is written down as failed, with its output's end.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "performance.json"
PAGE = ROOT / "docs" / "performance.md"
NOTES = Path(__file__).resolve().parent / "notes"
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sovereign_ai_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")

# key → (script, title, environment); in the order of the page.
BENCHES = {
    "registry": ("registry_pages.py", "Registry pages", {"DATABASE_URL": BENCH_DATABASE_URL}),
    "data": ("data_registry.py", "Data registry", {"DATABASE_URL": BENCH_DATABASE_URL}),
    "usage": ("usage_import.py", "sacct usage import", {"DATABASE_URL": BENCH_DATABASE_URL}),
    "fingerprint": ("fingerprint.py", "Originality fingerprints", {}),
    "eval": ("eval_latency.py", "Evaluation latency", {"DATABASE_URL": BENCH_DATABASE_URL, "REDIS_URL": REDIS_URL}),
    "leaderboard": ("leaderboard_load.py", "Leaderboard under load", {"BENCH_DATABASE_URL": BENCH_DATABASE_URL}),
    "scale": (
        "scale.py",
        "Sharded runs on 1 and 2 workers",
        {"DATABASE_URL": BENCH_DATABASE_URL, "REDIS_URL": REDIS_URL},
    ),
    "arena": ("arena_results.py", "User evaluation (arena)", {"DATABASE_URL": BENCH_DATABASE_URL}),
    "samples": ("samples.py", "Programme-size evaluation data", {"DATABASE_URL": BENCH_DATABASE_URL}),
}


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    try:
        import psycopg

        with psycopg.connect(BENCH_DATABASE_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3) as connection:
            postgres = connection.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception as error:  # noqa: BLE001 - the page says it could not be read
        postgres = f"unknown ({type(error).__name__})"
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20),
        "python": platform.python_version(),
        "postgres": postgres,
    }


def run(key: str) -> dict:
    script, title, extra = BENCHES[key]
    with tempfile.TemporaryDirectory(prefix="bench-results-") as folder:
        # Benchmarks measure capacity: the API's rate limits (a real client's) are lifted.
        env = (
            os.environ
            | {"API_THROTTLE_ANON": "off", "API_THROTTLE_USER": "off"}
            | extra
            | {"BENCH_RESULTS_DIR": folder}
        )
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        print(f"=== {key}: bench/{script}", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / script)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        tail = []
        for line in process.stdout:
            print(line, end="", flush=True)
            tail = (tail + [line])[-30:]
        process.wait()
        produced = Path(folder, f"{key}.json")
        if produced.exists():
            section = json.loads(produced.read_text(encoding="utf-8"))
        else:
            section = {
                "key": key,
                "title": title,
                "command": f"python bench/{script}",
                "targets": [],
                "body": f"**Did not finish** (exit status {process.returncode}); the end of its output:\n\n"
                "```\n" + "".join(tail).strip() + "\n```",
                "measured": time.strftime("%Y-%m-%d"),
            }
        section |= {
            "machine": machine(),
            "load_before": round(load_before, 2),
            "seconds": round(time.monotonic() - started),
            "exit_status": process.returncode,
        }
        return section


def render(results: dict) -> str:
    out = [
        "# Performance",
        "",
        "Written by `make bench` (`bench/run_all.py`), which runs every benchmark in `bench/` and rewrites this page;",
        "`make bench-<name>` reruns one and rewrites its section. Tests never assert timings. A target that is",
        "missed is written down as a miss, with the reason.",
        "",
        "## Targets",
        "",
        "| benchmark | what | measured | target | |",
        "|---|---|---:|---:|---|",
    ]
    for key in BENCHES:
        section = results.get(key)
        if not section:
            continue
        if not section["targets"] and section.get("exit_status"):
            out.append(f"| {section['title']} | — | did not finish | | **failed** |")
        for t in section["targets"]:
            verdict = "met" if t["met"] else "**missed**"
            out.append(f"| {section['title']} | {t['name']} | {t['figure']} | {t['target']} | {verdict} |")
    for key in BENCHES:
        section = results.get(key)
        if not section:
            continue
        m = section["machine"]
        out += [
            "",
            f"## {section['title']} — `{section['command']}`",
            "",
            f"Measured {section['measured']} on {m['host']}: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
            f"Python {m['python']}, PostgreSQL {m['postgres']} on the same host; load average "
            f"{section['load_before']} when it started; {section['seconds']} s in all.",
            "",
            section["body"],
        ]
        missed = [t for t in section["targets"] if not t["met"]]
        for t in missed:
            out += ["", f"**Miss — {t['name']}: {t['figure']} against {t['target']}.** {t['reason']}"]
    for note in sorted(NOTES.glob("*.md")):
        out += ["", note.read_text(encoding="utf-8").strip()]
    return "\n".join(out) + "\n"


def main(keys: list[str]) -> int:
    unknown = [k for k in keys if k not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    failed = False
    for key in keys or list(BENCHES):
        section = run(key)
        failed |= bool(section["exit_status"]) and not section["targets"]
        results[key] = section
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        PAGE.write_text(render(results), encoding="utf-8")  # after each one: nothing measured is lost
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
