"""From the harness's results to the platform's per-task rows."""

import math


def normalised_score(raw: float, baseline: float, higher_is_better: bool = True) -> float | None:
    """Open LLM Leaderboard v2: 0 at or below the random baseline, 100 at a perfect score."""
    if not higher_is_better:
        return None
    if raw < baseline:
        return 0.0
    return 100 * (raw - baseline) / (1 - baseline)


def stderr_key(metric: str) -> str:
    """'acc,none' → 'acc_stderr,none' (the harness's naming)."""
    name, _, filter_name = metric.partition(",")
    return f"{name}_stderr,{filter_name}" if filter_name else f"{name}_stderr"


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None  # the harness writes "N/A" where it has no stderr
    return number if math.isfinite(number) else None


def task_rows(results: dict, suite_tasks) -> list[dict]:
    """One row per suite task: its primary metric, stderr, sample count, normalised score.
    A suite metric missing from the results is an error, never a silent zero."""
    rows = []
    for task in suite_tasks:
        task_results = results.get("results", {}).get(task.task)
        if task_results is None or task.metric not in task_results:
            raise KeyError(f"{task.task}: the harness reported no '{task.metric}'")
        value = float(task_results[task.metric])
        n_samples = (results.get("n-samples", {}).get(task.task) or {}).get("effective")
        rows.append(
            {
                "task": task.task,
                "metric": task.metric,
                "value": value,
                "stderr": _number(task_results.get(stderr_key(task.metric))),
                "n_samples": n_samples,
                "normalised_score": normalised_score(value, task.random_baseline, task.higher_is_better),
            }
        )
    return rows


def overall_score(rows: list[dict], suite_tasks) -> float | None:
    """The suite-weighted mean of the normalised task scores: what "best" ranks runs by.
    Tasks without a normalised score (lower-is-better metrics) are left out."""
    weights = {task.task: float(task.weight) for task in suite_tasks}
    scored = [
        (weights.get(row["task"], 0.0), row["normalised_score"]) for row in rows if row["normalised_score"] is not None
    ]
    total_weight = sum(weight for weight, _score in scored)
    if not total_weight:
        return None
    return sum(weight * score for weight, score in scored) / total_weight
