"""The bootstrap's items: one score per item, on the suite metric's own filter. The harness logs
a generative sample once per filter (GSM8K: strict-match and flexible-extract)."""

from stages.inputs import _item_scores

TASKS = [{"task": "gsm8k", "metric": "exact_match,strict-match"}, {"task": "mc", "metric": "acc,none"}]


def test_only_the_suite_metrics_filter_counts():
    rows = []
    for doc_id, (strict, flexible) in enumerate([(1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]):
        rows.append({"task": "gsm8k", "doc_id": doc_id, "filter": "strict-match", "exact_match": strict})
        rows.append({"task": "gsm8k", "doc_id": doc_id, "filter": "flexible-extract", "exact_match": flexible})
    rows += [{"task": "mc", "doc_id": 0, "filter": "none", "acc": 1.0}, {"task": "mc", "doc_id": 1, "acc": 0.0}]
    items = _item_scores(rows, TASKS)
    assert items == {"gsm8k": [1.0, 0.0, 0.0], "mc": [1.0, 0.0]}  # 3 items, not 6; mean 1/3 as the harness's
