"""The ko_code pack's functions: local data, and humaneval's metric and filter.

`pass_at_k` and `build_predictions` are those of lm_eval/tasks/humaneval/utils.py: the metric is
`evaluate.load("code_eval")`, loaded when the harness reads this file, as humaneval loads it. On
the platform that call returns the sandboxed, offline metric (evaluation/sandbox/hook.py)."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import evaluate as hf_evaluate

HERE = Path(__file__).resolve().parent
compute_ = hf_evaluate.load("code_eval")


def load_split(data_files: dict[str, str] | None = None, **_metadata) -> datasets.DatasetDict:
    """data_files relative to this folder (the harness would resolve them against the cwd)."""
    if not data_files:
        raise ValueError("ko_code tasks need dataset_kwargs.data_files")
    splits = {}
    for split, name in data_files.items():
        path = Path(name) if Path(name).is_absolute() else HERE / name
        with path.open(encoding="utf-8") as handle:
            splits[split] = datasets.Dataset.from_list([json.loads(line) for line in handle if line.strip()])
    return datasets.DatasetDict(splits)


def pass_at_k(references: list[str], predictions: list[list[str]], k: list[int] = None):
    global compute_
    assert k is not None
    if isinstance(k, int):
        k = [k]
    res = compute_.compute(
        references=references,
        predictions=predictions,
        k=k,
    )
    return res[0]


def build_predictions(resps: list[list[str]], docs: list[dict]) -> list[list[str]]:
    return [[doc["prompt"] + r for r in resp] for resp, doc in zip(resps, docs)]
