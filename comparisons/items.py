"""A run's per-item scores, keyed by document, for comparing two runs item by item: the one place
the comparison reads per-sample results."""

from evaluation.models import EvaluationRun, RunSample
from evaluation.selectors import run_sample_log


def item_scores(run: EvaluationRun, metrics: dict[str, str]) -> dict[str, dict]:
    """{task: {(subtask, doc_id): score}} for the tasks in `metrics` ({task: "metric,filter"}), each
    item on the suite metric's own filter only (GSM8K's strict-match and flexible-extract rows are one
    item, not two). Read from the run's RunSample rows, whose `value` is set on that filter only; a
    run stored before the table, from its per-sample log."""
    items: dict[str, dict] = {task: {} for task in metrics}
    rows = RunSample.objects.filter(run_id=run.reused_from_id or run.pk)
    values = rows.filter(task__in=list(metrics), value__isnull=False, doc_id__isnull=False).values_list(
        "task", "subtask", "doc_id", "value"
    )
    found = False
    for task, subtask, doc_id, value in values.iterator(chunk_size=20000):
        items[task][(subtask, doc_id)] = value
        found = True
    if not found and not rows.exists():
        return _items_from_log(run, metrics)
    return items


def _items_from_log(run: EvaluationRun, metrics: dict[str, str]) -> dict[str, dict]:
    wanted = {task: tuple(metric.partition(",")[::2]) for task, metric in metrics.items()}
    items: dict[str, dict] = {task: {} for task in metrics}
    for sample in run_sample_log(run):
        task = sample.get("task")
        if task not in wanted:
            continue
        metric, sample_filter = wanted[task]
        if (
            sample.get("filter", "none") == (sample_filter or "none")
            and sample.get(metric) is not None
            and sample.get("doc_id") is not None
        ):
            items[task][(str(sample.get("subtask") or "")[:200], sample["doc_id"])] = float(sample[metric])
    return items
