"""The harness's data loading, pointed at the platform's pinned snapshots.

lm-evaluation-harness builds every task (its own bundled definitions: prompts, metrics,
filters) by calling `datasets.load_dataset(dataset_path, dataset_name, ...)`. Inside an
evaluation process that call is replaced: a dataset the run pinned is read from its snapshot
folder under BENCHMARK_DATA_ROOT, a task folder's own local files are read as before, and
anything else fails at once with the dataset's name — the platform never fetches data from a
hub. The same wrapper records which datasets a suite's tasks read, when a suite is loaded."""

import datasets

from evaluation.benchmark_data import FORMATS

_original = getattr(datasets.load_dataset, "original", datasets.load_dataset)
LOCAL_BUILDERS = set(FORMATS.values()) | {"text"}


class BenchmarkDataMissing(RuntimeError):
    """A dataset the run reads has no usable snapshot here: the platform's problem, not the team's."""


def dataset_key(path: str, name: str | None) -> str:
    """How a dataset is named in pins and on pages: `skt/kobest_v1:boolq`, `openai/gsm8k:main`."""
    return f"{path}:{name}" if name else path


def install(snapshots: dict[str, dict], *, record: set | None = None, fetch: bool = False) -> None:
    """Serve these datasets from their snapshots: {key: {"folder", "format", "splits": {split: [files]}}}.
    `record` collects the key of every dataset a task asks for. `fetch` lets a dataset with no
    snapshot come from the hub: only for `benchmark_data export`, on a connected machine."""

    def load_dataset(path, name=None, *args, split=None, **kwargs):
        if path in LOCAL_BUILDERS:  # a task folder's own files (data_files=...)
            return _original(path, name, *args, split=split, **kwargs)
        key = dataset_key(path, name)
        if record is not None:
            record.add(key)
        snapshot = snapshots.get(key)
        if snapshot is None and fetch:
            return _original(path, name, *args, split=split, **kwargs)
        if snapshot is None:
            raise BenchmarkDataMissing(
                f"no snapshot of {key} is pinned here: import it with "
                f"`manage.py benchmark_data import PATH --source {path}" + (f" --config {name}`" if name else "`")
            )
        files = {s: [f"{snapshot['folder']}/{f}" for f in names] for s, names in snapshot["splits"].items()}
        return _original(snapshot["format"], data_files=files, split=split)

    load_dataset.original = _original
    datasets.load_dataset = load_dataset


def uninstall() -> None:
    datasets.load_dataset = _original
