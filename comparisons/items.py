"""A run's per-item scores, keyed by document, for comparing two runs item by item.

The one place the comparison reads per-sample results: where they are stored is changing (#24: a
table instead of the logged files), so repoint this function and nothing else."""
from evaluation.models import EvaluationRun
from evaluation.selectors import run_sample_log


def item_scores(run: EvaluationRun, metrics: dict[str, str]) -> dict[str, dict]:
    """{task: {doc_id: score}} for the tasks in `metrics` ({task: "metric,filter"}), each item on
    the suite metric's own filter only (the harness logs a generative sample once per filter: GSM8K's
    strict-match and flexible-extract rows are one item, not two) — as stages.inputs._item_scores."""
    wanted = {task: tuple(metric.partition(",")[::2]) for task, metric in metrics.items()}
    items: dict[str, dict] = {task: {} for task in metrics}
    for sample in run_sample_log(run):
        task = sample.get("task")
        if task not in wanted:
            continue
        metric, sample_filter = wanted[task]
        if sample.get("filter", "none") == (sample_filter or "none") and sample.get(metric) is not None \
                and sample.get("doc_id") is not None:
            items[task][sample["doc_id"]] = float(sample[metric])
    return items
