"""Suite definitions in YAML (evaluation/suites/*.yaml): parsing and validation, no database."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import protocol as protocols
from .models import TaskCategory
from .sandbox import limits as sandbox_limits

APP_DIR = Path(__file__).resolve().parent
SUITES_DIR = APP_DIR / "suites"
HARNESS_TASKS_DIR = APP_DIR / "harness_tasks"
TASK_KEYS = {
    "task",
    "n_shot",
    "metric",
    "higher_is_better",
    "category",
    "weight",
    "random_baseline",
    "hidden",
    "protocol",
}


class SuiteDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class SuiteDefinition:
    slug: str
    name_ko: str
    name_en: str
    description: str = ""
    task_dirs: tuple[str, ...] = ()
    # Pinned from the platform's snapshots when loaded (evaluation/services/suites.py), not written:
    # {task: {subtask: {dataset: digest}}}, and the datasets read that have no snapshot.
    data: dict = field(default_factory=dict)
    missing_data: tuple[str, ...] = ()
    tasks: tuple[dict, ...] = field(default_factory=tuple)
    protocol: dict = field(default_factory=dict)  # the suite's `protocol:` block as written
    # A coding suite's effective sandbox limits (evaluation/sandbox/limits.py); None: runs no code.
    sandbox: dict | None = None

    @property
    def digest(self) -> str:
        """What makes a version: the tasks, where they come from, every byte of the task
        folders (their YAML, data and code) and the snapshot pinned for every dataset the tasks
        read, but not the display names."""
        files = {
            path.relative_to(HARNESS_TASKS_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in self.include_paths()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }
        content = {
            "task_dirs": list(self.task_dirs),
            "data": self.data,
            "missing_data": list(self.missing_data),
            "tasks": [self.task_protocol(t) for t in self.tasks],
            "files": files,
        }
        if self.sandbox is not None:  # only coding suites: the others keep their digests
            content["sandbox"] = self.sandbox
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def task_protocol(self, task: dict) -> dict:
        """The task as stored: with its whole effective protocol (defaults < suite < task)."""
        return {
            **task,
            "protocol": task.get("protocol") or protocols.merge(self.protocol),
            "data": self.data.get(task["task"], {}),
        }

    def include_paths(self) -> list[Path]:
        return [HARNESS_TASKS_DIR / name for name in self.task_dirs]


def _task(entry: dict, where: str, suite_protocol: dict) -> dict:
    if not isinstance(entry, dict) or "task" not in entry:
        raise SuiteDefinitionError(f"{where}: each task needs at least a 'task' name")
    unknown = set(entry) - TASK_KEYS
    if unknown:
        raise SuiteDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("metric", "category", "random_baseline"):
        if key not in entry:
            raise SuiteDefinitionError(f"{where} ({entry['task']}): '{key}' is required")
    if entry["category"] not in TaskCategory.values:
        raise SuiteDefinitionError(f"{where} ({entry['task']}): category must be one of {TaskCategory.values}")
    baseline = float(entry["random_baseline"])
    if not 0 <= baseline < 1:
        raise SuiteDefinitionError(f"{where} ({entry['task']}): random_baseline must be in [0, 1)")
    try:
        effective = protocols.merge(
            suite_protocol, protocols.parse(entry.get("protocol"), f"{where} ({entry['task']})")
        )
        protocols.check(effective, f"{where} ({entry['task']})")
    except protocols.ProtocolError as exc:
        raise SuiteDefinitionError(str(exc)) from None
    return {
        "task": str(entry["task"]),
        "n_shot": int(entry.get("n_shot", 0)),
        "metric": str(entry["metric"]),
        "higher_is_better": bool(entry.get("higher_is_better", True)),
        "category": entry["category"],
        "weight": str(entry.get("weight", 1)),
        "random_baseline": baseline,
        "hidden": bool(entry.get("hidden", False)),
        "protocol": effective,
    }


def parse_suite(path: Path) -> SuiteDefinition:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SuiteDefinitionError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise SuiteDefinitionError(f"{path.name}: expected a mapping at the top")
    missing = {"slug", "name_ko", "name_en", "tasks"} - set(raw)
    if missing:
        raise SuiteDefinitionError(f"{path.name}: missing {sorted(missing)}")
    try:
        suite_protocol = protocols.parse(raw.get("protocol"), path.name)
    except protocols.ProtocolError as exc:
        raise SuiteDefinitionError(str(exc)) from None
    try:
        sandbox = sandbox_limits.parse(raw["sandbox"], path.name) if "sandbox" in raw else None
    except sandbox_limits.LimitsError as exc:
        raise SuiteDefinitionError(str(exc)) from None
    tasks = tuple(_task(entry, path.name, suite_protocol) for entry in raw["tasks"] or [])
    if not tasks:
        raise SuiteDefinitionError(f"{path.name}: a suite needs at least one task")
    names = [t["task"] for t in tasks]
    if len(set(names)) != len(names):
        raise SuiteDefinitionError(f"{path.name}: a task is listed twice")
    task_dirs = tuple(raw.get("task_dirs") or ())
    for name in task_dirs:
        if not (HARNESS_TASKS_DIR / name).is_dir():
            raise SuiteDefinitionError(f"{path.name}: task folder {name!r} not found under evaluation/harness_tasks/")
    return SuiteDefinition(
        slug=raw["slug"],
        name_ko=raw["name_ko"],
        name_en=raw["name_en"],
        description=raw.get("description", ""),
        task_dirs=task_dirs,
        tasks=tasks,
        protocol=suite_protocol,
        sandbox=sandbox,
    )


def suite_files() -> list[Path]:
    return sorted(SUITES_DIR.glob("*.yaml"))


def missing_harness_tasks(definition: SuiteDefinition) -> list[str]:
    """Task names the harness does not know (builds a task index: seconds, not milliseconds)."""
    from lm_eval.tasks import TaskManager

    manager = TaskManager(
        include_path=[str(p) for p in definition.include_paths()] or None, include_defaults=not definition.task_dirs
    )
    known = set(manager.all_tasks)
    return [t["task"] for t in definition.tasks if t["task"] not in known]
