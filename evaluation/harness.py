"""The evaluation itself, as it runs inside the child process: lm-evaluation-harness
on one checkpoint, task by task, reporting progress. Nothing here touches the database."""
import gzip
import json
import os
import platform
from pathlib import Path

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # OpenMP threads that spin while waiting lose badly to the worker's own heartbeat thread.
    "OMP_WAIT_POLICY": "PASSIVE",
}

_task_managers: dict[tuple[str, ...], object] = {}


def prepare_environment(cache_dir: Path) -> None:
    os.environ.update(OFFLINE_ENV)
    # The harness's request cache would otherwise land inside site-packages.
    os.environ.setdefault("LM_HARNESS_CACHE_PATH", str(cache_dir))


def task_manager(include_paths: tuple[str, ...]):
    """Building the task index takes seconds: once per worker per set of folders."""
    from lm_eval.tasks import TaskManager

    if include_paths not in _task_managers:
        _task_managers[include_paths] = TaskManager(include_path=list(include_paths) or None,
                                                    include_defaults=not include_paths)
    return _task_managers[include_paths]


def warm(include_paths_list: list[tuple[str, ...]]) -> None:
    """What a worker prepares once, before any run: imports and task indexes.
    Forked children inherit it."""
    import lm_eval  # noqa: F401
    import lm_eval.models.huggingface  # noqa: F401

    for include_paths in include_paths_list:
        task_manager(include_paths)


def versions() -> dict:
    import lm_eval
    import torch
    import transformers

    return {"lm_eval": lm_eval.__version__, "transformers": transformers.__version__, "torch": torch.__version__,
            "python": platform.python_version()}


def _merge(total: dict, part: dict) -> None:
    for key in ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "group_subtasks"):
        total.setdefault(key, {}).update(part.get(key) or {})
    for key in ("config", "date", "total_evaluation_time_seconds", "transformers_version", "lm_eval_version"):
        if key in part:
            total[key] = part[key]


def _collect_env_info_once() -> None:
    """simple_evaluate records the environment (it runs `pip list` and more, ~0.3 s) on every
    call; within one evaluation process it cannot change, so collect it once and reuse it."""
    from lm_eval import evaluator

    original = evaluator.add_env_info
    cached: dict = {}

    def add_env_info(storage: dict) -> None:
        if not cached:
            original(cached)
        storage.update(cached)

    evaluator.add_env_info = add_env_info


def default_threads() -> int:
    """All cores but one, which the worker keeps for heartbeats and the database."""
    return max(1, (os.cpu_count() or 1) - 1)


def evaluate(spec: dict, report) -> dict:
    """Run every task of the spec on one loaded model; `report(done, task)` between tasks.
    Writes the per-sample log (gzip JSONL) and returns the merged results."""
    import lm_eval
    from lm_eval.models.huggingface import HFLM

    if spec["device"] == "cpu":
        import torch

        torch.set_num_threads(spec.get("threads") or default_threads())
    _collect_env_info_once()
    model = HFLM(pretrained=spec["model_path"], dtype=spec["dtype"], device=spec["device"],
                 batch_size=spec["batch_size"], trust_remote_code=False)
    manager = task_manager(tuple(spec["include_paths"]))
    merged: dict = {}
    seeds = spec["seeds"]
    with gzip.open(spec["samples_file"], "wt", encoding="utf-8") as samples_out:
        for done, (task, n_shot) in enumerate(spec["tasks"]):
            report(done, task)
            out = lm_eval.simple_evaluate(
                model=model, tasks=[task], num_fewshot=n_shot, task_manager=manager,
                batch_size=spec["batch_size"], device=spec["device"], log_samples=True,
                apply_chat_template=False, fewshot_as_multiturn=False,
                random_seed=seeds["random_seed"], numpy_random_seed=seeds["numpy_random_seed"],
                torch_random_seed=seeds["torch_random_seed"], fewshot_random_seed=seeds["fewshot_random_seed"],
            )
            for sample in out.pop("samples", {}).get(task, []):
                samples_out.write(json.dumps({"task": task, **sample}, ensure_ascii=False, default=str) + "\n")
            _merge(merged, out)
    report(len(spec["tasks"]), "")
    return json.loads(json.dumps(merged, default=str))
