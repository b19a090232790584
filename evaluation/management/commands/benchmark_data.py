from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation.benchmark_data import SnapshotError
from evaluation.models import BenchmarkSnapshot
from evaluation.services.benchmark_data import snapshot_import


class Command(BaseCommand):
    help = (
        "Benchmark data snapshots. `export SUITE FOLDER` (on a connected machine): save every dataset the "
        "suite's harness tasks read, and write FOLDER/import.sh; `import PATH --source ORG/NAME [--config NAME]`: "
        "copy a dataset's files (Parquet, JSON Lines, CSV or Arrow per split, a save_to_disk folder, or a "
        "datasets cache) under BENCHMARK_DATA_ROOT; `list`: what the platform holds. Then `manage.py "
        "load_suites` pins them."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import", "list"])
        parser.add_argument("path", nargs="?", help="import: the folder; export: the suite's slug")
        parser.add_argument("folder", nargs="?", help="export: where to save the datasets")
        parser.add_argument("--source", help="the dataset's hub name, as the harness's tasks read it")
        parser.add_argument("--config", default="", help="the dataset's configuration (dataset_name)")
        parser.add_argument("--revision", default="", help="the upstream revision, when known")
        parser.add_argument("--licence", default="", help="a note on the data's licence")
        parser.add_argument(
            "--task",
            action="append",
            default=[],
            help="a harness task that reads this dataset: checked on the data before import",
        )

    def handle(self, *args, action, path, source, config, revision, licence, task, **options):
        if action == "list":
            for row in BenchmarkSnapshot.objects.all():
                splits = ", ".join(f"{split} {rows}" for split, rows in row.splits.items())
                self.stdout.write(f"{row.key}\t{row.digest}\t{splits}\t{row.imported_at:%Y-%m-%d}")
            return
        if action == "export":
            return self._export(path, options)
        if not path or not source:
            raise CommandError("import needs a PATH and --source")
        try:
            snapshot, created = snapshot_import(
                actor=None,
                folder=Path(path),
                source=source,
                config=config,
                revision=revision,
                licence=licence,
                tasks=tuple(task),
            )
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        splits = ", ".join(f"{split}: {rows} rows" for split, rows in snapshot.splits.items())
        self.stdout.write(f"{'imported' if created else 'already held'} {snapshot.key} {snapshot.digest} ({splits})")

    def _export(self, suite: str, options) -> None:
        """`export SUITE FOLDER`: SUITE is a slug of evaluation/suites/*.yaml; FOLDER comes last."""
        from evaluation import harness
        from evaluation.suite_files import SUITES_DIR, parse_suite

        folder = Path(options["folder"] or "benchmark-export")
        definition = parse_suite(SUITES_DIR / f"{suite}.yaml")
        exported = harness.export_datasets([t["task"] for t in definition.tasks], folder)
        lines = ["#!/bin/sh", "# On the platform: import what `benchmark_data export` saved, then pin it.", "set -e"]
        for item in exported:
            config = f" --config {item['config']}" if item["config"] else ""
            lines.append(
                f'python manage.py benchmark_data import "$(dirname "$0")/{Path(item["folder"]).name}" '
                f"--source {item['source']}{config}"
            )
        lines.append("python manage.py load_suites")
        (folder / "import.sh").write_text("\n".join(lines) + "\n")
        self.stdout.write(
            f"{len(exported)} datasets saved under {folder}; copy it to the platform and run {folder / 'import.sh'}"
        )
