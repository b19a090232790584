"""How a run is cut into shards, and how the shards' per-document metrics are put back
together. Pure: no database, no harness.

A shard holds documents of one suite task (one protocol, one model load): whole subtasks packed
together up to about `shard_documents`, and a larger subtask cut into document ranges, which
the harness evaluates through `simple_evaluate(samples={subtask: ids})`.

A range is cut only where a document's prompt does not depend on the documents before it. The
harness draws few-shot examples from one random generator per task, in document order, so a
shard that started at document 1,000 would draw other examples than the whole run did: such
subtasks (few-shot with a random sampler) are kept whole, and shard by subtask only. Previews
(a `limit`) and runs on chosen documents (`samples`) are not cut either.

The merge concatenates each subtask's per-document values in document order: exactly the lists
that one unsharded `simple_evaluate` would have aggregated, so the harness's own aggregation
(evaluation/harness.py `merge`) gives identical metrics and standard errors."""

from collections import defaultdict


def plan(tasks: list[dict], *, shard_documents: int) -> list[dict]:
    """`tasks`: [{"task": suite task, "subtasks": [{"name", "documents", "splittable"}]}] in
    suite order. Returns [{"task", "pieces": [{"subtask", "start", "end"}], "documents"}];
    start and end are None for a whole subtask."""
    size = max(1, shard_documents)
    shards = []
    for entry in tasks:
        pieces, documents = [], 0

        def close():
            nonlocal pieces, documents
            if pieces:
                shards.append({"task": entry["task"], "pieces": pieces, "documents": documents})
            pieces, documents = [], 0

        for subtask in entry["subtasks"]:
            count = subtask["documents"]
            if count > size and subtask["splittable"]:
                close()
                for start in range(0, count, size):
                    end = min(count, start + size)
                    shards.append(
                        {
                            "task": entry["task"],
                            "documents": end - start,
                            "pieces": [{"subtask": subtask["name"], "start": start, "end": end}],
                        }
                    )
                continue
            if pieces and documents + count > size:
                close()
            pieces.append({"subtask": subtask["name"], "start": None, "end": None})
            documents += count
        close()
    return shards


def samples_argument(pieces: list[dict]) -> dict[str, list[int]] | None:
    """simple_evaluate's `samples` for a shard: the document ids of its ranges (a subtask that is
    absent from the dict is evaluated whole)."""
    ranges = {p["subtask"]: list(range(p["start"], p["end"])) for p in pieces if p["start"] is not None}
    return ranges or None


def merge_raw_metrics(shards: list[dict]) -> dict[str, dict[str, list]]:
    """{subtask: {"metric,filter": values}} from the shards' own, each subtask's values in
    document order. `shards`: [{"pieces", "raw_metrics"}]."""
    parts: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for shard in shards:
        starts = {p["subtask"]: p["start"] or 0 for p in shard["pieces"]}
        for subtask, metrics in shard["raw_metrics"].items():
            parts[subtask].append((starts.get(subtask, 0), metrics))
    merged: dict[str, dict[str, list]] = {}
    for subtask, pieces in parts.items():
        values: dict[str, list] = {}
        for _start, metrics in sorted(pieces, key=lambda piece: piece[0]):
            for key, items in metrics.items():
                values.setdefault(key, []).extend(items)
        merged[subtask] = values
    return merged


def raw_metrics_from_samples(samples: dict[str, list[dict]]) -> dict[str, dict[str, list]]:
    """The per-document metric values of a `simple_evaluate(log_samples=True)` output, in the
    order the harness aggregated them: it logs one sample per document and filter, in the same
    loop that collects the values."""
    raw: dict[str, dict[str, list]] = {}
    for subtask, logged in samples.items():
        metrics: dict[str, list] = {}
        for sample in logged:
            for metric in sample.get("metrics", []):
                metrics.setdefault(f"{metric},{sample['filter']}", []).append(sample[metric])
        raw[subtask] = metrics
    return raw
