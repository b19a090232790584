"""One logged harness sample as a RunSample row's fields (pure: no database)."""

from itertools import islice

from .selectors import _sample_view

SHARD_STRIDE = 10**9  # position = shard position × SHARD_STRIDE + line: the log's order across shards
SEARCH_PROMPT_CHARS = 800  # the end of the prompt: the question itself, after the few-shot examples
SEARCH_ANSWER_CHARS = 600  # and of the answers: each indexed trigram costs at every insert


def metrics_of(suite_tasks) -> dict[str, tuple[str, str, bool]]:
    """{suite task: (metric, filter, higher is better)} from "exact_match,strict-match"."""
    return {
        t.task: (t.metric.partition(",")[0], t.metric.partition(",")[2] or "none", t.higher_is_better)
        for t in suite_tasks
    }


def _number(value) -> float | None:
    try:
        return None if value is None or isinstance(value, bool | str) else float(value)
    except (TypeError, ValueError):
        return None


def row_fields(sample: dict, *, task: str, position: int, metric_of: dict) -> dict:
    metric, own_filter, higher_is_better = metric_of.get(task, (None, None, True))
    sample_filter = str(sample.get("filter") or "none")
    value = _number(sample.get(metric)) if metric and sample_filter == own_filter else None
    correct = None if value is None else (value >= 1.0 if higher_is_better else value <= 0.0)
    view = _sample_view(sample)
    answers = " \n".join(str(part) for part in (view["target"], view["response"], view["output"]) if part is not None)
    doc_id = sample.get("doc_id")
    return {
        "position": position,
        "task": task,
        "subtask": str(sample.get("subtask") or "")[:200],
        "doc_id": doc_id if isinstance(doc_id, int) and abs(doc_id) < 2**31 else None,
        "filter": sample_filter[:100],
        "value": value,
        "correct": correct,
        "search_text": f"{str(view['prompt'] or '')[-SEARCH_PROMPT_CHARS:]}\n{answers[:SEARCH_ANSWER_CHARS]}".replace(
            "\x00", "\ufffd"
        ),
        "sample": sample,
    }


def batches(iterable, size: int):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch
