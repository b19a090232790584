"""Benchmark data snapshots on disk: finding a dataset's splits in a folder, reading them,
hashing and copying them under BENCHMARK_DATA_ROOT. No database.

A folder may hold Parquet, JSON Lines, CSV or Arrow files per split (`test.parquet`,
`data/test-00000-of-00001.parquet`, `test/part.jsonl`), a `datasets.save_to_disk` folder
(`dataset_dict.json` and one folder of Arrow files per split), or a Hugging Face datasets
cache copied from a connected machine (`<name>-<split>.arrow`, `<name>-<split>-00000-of-00002.arrow`)."""

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv", ".arrow": "arrow"}
METADATA = {"dataset_info.json", "dataset_dict.json", "state.json"}
SHARD_SUFFIX = re.compile(r"-\d{5}-of-\d{5}$")
CHUNK = 1 << 20


class SnapshotError(ValueError):
    """What is wrong with a folder, in words an operator can act on."""


@dataclass
class Layout:
    format: str
    splits: dict[str, list[Path]] = field(default_factory=dict)  # split → files, in name order


def _split_of(path: Path, root: Path) -> str:
    stem = SHARD_SUFFIX.sub("", path.stem)
    if stem in ("data", "part") or stem.startswith("data-"):
        return path.parent.name if path.parent != root else "train"
    if path.parent != root and path.parent.name not in ("data", root.name):
        return path.parent.name  # test/anything.jsonl
    return stem.rsplit("-", 1)[-1]  # test.parquet, kobest_v1-test.arrow, data/test-00000-of-00001.parquet


def discover(folder: Path) -> Layout:
    folder = Path(folder)
    if not folder.is_dir():
        raise SnapshotError(f"{folder} is not a folder")
    dataset_dict = folder / "dataset_dict.json"
    if dataset_dict.is_file():  # datasets.save_to_disk of a DatasetDict
        splits = json.loads(dataset_dict.read_text())["splits"]
        layout = Layout("arrow", {s: sorted((folder / s).glob("*.arrow")) for s in splits})
    else:
        files = [
            p
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in FORMATS and p.name not in METADATA and not p.name.startswith(".")
        ]
        formats = {FORMATS[p.suffix] for p in files}
        if not files:
            raise SnapshotError(f"{folder}: no Parquet, JSON Lines, CSV or Arrow files")
        if len(formats) > 1:
            raise SnapshotError(f"{folder}: files of several formats ({', '.join(sorted(formats))}); one per snapshot")
        layout = Layout(formats.pop())
        for path in files:
            layout.splits.setdefault(_split_of(path, folder), []).append(path)
    for split, files in layout.splits.items():
        if not files:
            raise SnapshotError(f"split {split!r} has no data files")
    return layout


def read_split(layout: Layout, split: str):
    """The split as a datasets.Dataset, or SnapshotError naming the file that cannot be read."""
    import datasets

    try:
        return datasets.load_dataset(
            layout.format, data_files={split: [str(p) for p in layout.splits[split]]}, split=split
        )
    except Exception as exc:  # noqa: BLE001 - any reader error is an unreadable file
        if all(_holds_no_rows(path, layout.format) for path in layout.splits[split]):
            return []  # the caller says "empty", which is what it is
        names = ", ".join(p.name for p in layout.splits[split])
        raise SnapshotError(f"split {split!r} ({names}) cannot be read: {type(exc).__name__}: {exc}") from None


def _holds_no_rows(path: Path, fmt: str) -> bool:
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows == 0
        if fmt in ("json", "csv"):
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            return len(lines) <= (1 if fmt == "csv" else 0)
        return path.stat().st_size == 0
    except Exception:  # noqa: BLE001 - not readable at all: not "empty"
        return False


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_name(split: str, number: int, path: Path) -> str:
    return f"{split}/{number:05d}{path.suffix}"


def snapshot_digest(*, source: str, config: str, files: list[dict]) -> str:
    """One digest over what a run reads: the dataset's name and every stored file's bytes."""
    content = {"source": source, "config": config, "files": sorted((f["split"], f["path"], f["sha256"]) for f in files)}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def store(layout: Layout, files: list[dict], target: Path) -> None:
    """Copy the files into `target` (platform storage) all at once: written beside it, then
    renamed into place, and made read-only."""
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for entry in files:
            destination = staging / entry["path"]
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry["origin"], destination)
            if sha256(destination) != entry["sha256"]:
                raise SnapshotError(f"{entry['origin']} changed while it was imported")
            destination.chmod(0o444)
        for folder in sorted((p for p in staging.rglob("*") if p.is_dir()), reverse=True):
            folder.chmod(0o555)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, target)
        target.chmod(0o555)
    except BaseException:
        for path in [staging, *staging.rglob("*")] if staging.exists() else []:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(staging, ignore_errors=True)
        raise


def verify(folder: Path, files: list[dict]) -> list[str]:
    """The stored files that are missing or no longer hash as imported (empty: intact)."""
    problems = []
    for entry in files:
        path = folder / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']} is missing")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{entry['path']} changed since it was imported")
    return problems
