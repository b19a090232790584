"""How the evaluation child routes the harness's code execution into the sandbox.

`install` replaces `evaluate.load("code_eval")` for the rest of the process: with a suite's
limits it returns the sandboxed metric, without them (a suite that declares no sandbox, or a
machine without one) it refuses, so code is never run outside the sandbox and never fetched
from the hub. `confirm_arguments` tells the harness to run a coding task only after checking
that each of its metrics that runs code goes through that metric."""

from __future__ import annotations

from django.utils.translation import gettext

from .code_eval import SandboxedCodeEval, SandboxRefused, execution_key, executions, no_sandbox
from .code_eval import current as _state
from .execute import HostConfig, tool_version

__all__ = ["HostConfig", "SandboxRefused", "attach", "confirm_arguments", "install", "versions"]


def install(limits: dict | None, config: HostConfig | None = None) -> None:
    import evaluate

    _state.update(limits=limits, config=config or HostConfig())
    original = getattr(evaluate.load, "original", evaluate.load)

    def load(path, *args, **kwargs):
        if str(path).rstrip("/").split("/")[-1] in ("code_eval", "code_eval.py"):
            if _state["limits"] is None:
                raise no_sandbox()
            return SandboxedCodeEval()
        return original(path, *args, **kwargs)

    load.original = original
    evaluate.load = load


def _runs_code_here(function) -> bool:
    """The metric function's module holds the sandboxed metric (humaneval's `compute_`, mbpp's
    `pass_at_k`, our packs'): its code runs in the sandbox."""
    function = getattr(function, "__self__", function)  # the harness keeps `fn.__call__`
    return any(isinstance(v, SandboxedCodeEval) for v in getattr(function, "__globals__", {}).values())


def confirm_arguments(task: str, manager) -> dict:
    """{"confirm_run_unsafe_code": True} for a task whose code runs only in the sandbox; {} for a
    task that runs no code; SandboxRefused for a task that runs code by other means."""
    if _state["limits"] is None:
        return {}
    unsafe = [t for t in manager.load([task])["tasks"].values() if getattr(t, "UNSAFE_CODE", False)]
    for task_object in unsafe:
        others = [name for name, fn in task_object._metric_fn_list.items() if not _runs_code_here(fn)]
        if others:
            raise SandboxRefused(
                gettext(
                    "Task %(task)s runs model-written code through %(metrics)s, which the "
                    "platform cannot sandbox: it is not run."
                )
                % {"task": task_object.config.task, "metrics": ", ".join(others)}
            )
    return {"confirm_run_unsafe_code": True} if unsafe else {}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def attach(sample: dict) -> None:
    """The sandbox's outcome for each program of this sample, in the per-sample log."""
    target = sample.get("target")
    if not executions or not isinstance(target, str):
        return
    found = [
        executions[key]
        for key in (execution_key(target, c) for c in _strings(sample.get("filtered_resps")))
        if key in executions
    ]
    if found:
        sample["code_execution"] = found


def versions() -> dict:
    """The sandbox that ran this evaluation's code, for the run's record."""
    if _state["limits"] is None:
        return {}
    config = _state["config"]
    return {"sandbox": tool_version(config), "sandbox_python": config.interpreter()}
