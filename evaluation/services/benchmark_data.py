"""Importing benchmark data snapshots: all or nothing, and idempotent (the same bytes under the
same name are the same snapshot)."""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from core.permissions import Action, require
from evaluation import benchmark_data
from evaluation.benchmark_data import SnapshotError
from evaluation.models import BenchmarkSnapshot


def import_folder_allowed(folder: Path) -> Path:
    """A folder named in a web form or the API must lie under BENCHMARK_IMPORT_ROOT (symlinks
    resolved): nobody reads arbitrary server paths into the platform through a page."""
    root = Path(settings.BENCHMARK_IMPORT_ROOT).resolve()
    resolved = (root / folder).resolve()
    if not resolved.is_relative_to(root) or not resolved.is_dir():
        raise SnapshotError(
            _("%(folder)s is not a folder under the import folder %(root)s.") % {"folder": folder, "root": root}
        )
    return resolved


def snapshot_import(
    *,
    actor,
    folder: Path,
    source: str,
    config: str = "",
    revision: str = "",
    licence: str = "",
    tasks: tuple[str, ...] = (),
) -> tuple[BenchmarkSnapshot, bool]:
    """Import a dataset's files from `folder`. Returns the snapshot and whether it is new: a folder
    imported before (same name, same bytes) adds nothing. `tasks`: harness tasks whose reading of
    the data is checked first (a column they read that the data lacks is named)."""
    if actor is not None:
        require(actor, Action.MANAGE_REGISTRY)
    source, config = source.strip(), (config or "").strip()
    if not source:
        raise SnapshotError(_("Name the dataset's source (for example skt/kobest_v1)."))
    layout = benchmark_data.discover(folder)
    splits, columns, files = {}, {}, []
    for split, paths in sorted(layout.splits.items()):
        dataset = benchmark_data.read_split(layout, split)
        if len(dataset) == 0:
            raise SnapshotError(_("Split %(split)s is empty.") % {"split": split})
        splits[split], columns[split] = len(dataset), list(getattr(dataset, "column_names", []))
        for number, path in enumerate(paths):
            files.append(
                {
                    "split": split,
                    "path": benchmark_data.stored_name(split, number, path),
                    "size": path.stat().st_size,
                    "sha256": benchmark_data.sha256(path),
                    "origin": path,
                }
            )
    digest = benchmark_data.snapshot_digest(source=source, config=config, files=files)
    existing = BenchmarkSnapshot.objects.filter(digest=digest).first()
    if existing:
        return existing, False
    if tasks:
        from evaluation import harness

        problems = harness.check_reads(
            list(tasks),
            key=f"{source}:{config}" if config else source,
            snapshot={
                "folder": str(folder),
                "format": layout.format,
                "splits": {s: [str(p.relative_to(folder)) for p in paths] for s, paths in layout.splits.items()},
            },
        )
        if problems:
            raise SnapshotError(" ".join(problems))
    target = Path(settings.BENCHMARK_DATA_ROOT) / digest
    if not target.exists():
        benchmark_data.store(layout, files, target)
    with transaction.atomic():
        created = BenchmarkSnapshot.objects.create(
            source=source,
            config=config,
            revision=revision.strip(),
            digest=digest,
            format=layout.format,
            splits=splits,
            columns=columns,
            licence=licence.strip(),
            imported_by=actor if actor else None,
            files=[{k: v for k, v in f.items() if k != "origin"} for f in files],
        )
        audit_record(
            actor=actor,
            action="benchmark_data.import",
            target=created,
            after=snapshot(created, files=None, columns=None),
        )
    return created, True


def _as_read(row: BenchmarkSnapshot) -> dict:
    """Where a worker reads a snapshot: {"digest", "folder", "format", "splits": {split: [files]}, "files"}."""
    splits: dict[str, list[str]] = {}
    for entry in row.files:
        splits.setdefault(entry["split"], []).append(entry["path"])
    return {
        "digest": row.digest,
        "folder": str(Path(settings.BENCHMARK_DATA_ROOT) / row.digest),
        "format": row.format,
        "splits": splits,
        "files": row.files,
    }


def pinned_snapshots(pins: dict[str, str]) -> dict[str, dict | None]:
    """{dataset: digest} → {dataset: how to read it}, None where the snapshot is not in the database."""
    rows = {row.digest: row for row in BenchmarkSnapshot.objects.filter(digest__in=set(pins.values()))}
    return {key: _as_read(rows[digest]) if digest in rows else None for key, digest in pins.items()}


def latest_snapshots() -> dict[str, dict]:
    """Each dataset's most recently imported snapshot, as workers read it: what a suite pins."""
    latest: dict[str, dict] = {}
    for row in BenchmarkSnapshot.objects.order_by("source", "config", "-imported_at", "-pk"):
        latest.setdefault(row.key, _as_read(row))
    return latest
