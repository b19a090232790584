"""Loads this pack's JSONL files relative to this folder, wherever the repository is cloned.

lm-eval 0.4.13 hands `dataset_kwargs` straight to `datasets.load_dataset`, which resolves a
relative `data_files` path against the process's working directory, not the YAML's folder.
The task YAMLs therefore name `custom_dataset: !function utils.load_split`: lm-eval imports
this file from next to the YAML and calls it with the task's metadata and `dataset_kwargs`
as keyword arguments (lm_eval/api/task.py, ConfigurableTask.download).
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets

HERE = Path(__file__).resolve().parent


def load_split(data_files: dict[str, str] | None = None, **_metadata) -> datasets.DatasetDict:
    if not data_files:
        raise ValueError("ko_smoke tasks need dataset_kwargs.data_files")
    splits = {}
    for split, name in data_files.items():
        path = Path(name)
        path = path if path.is_absolute() else HERE / path
        with path.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        splits[split] = datasets.Dataset.from_list(rows)
    return datasets.DatasetDict(splits)
