from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation.benchmark_data import SnapshotError
from evaluation.models import BenchmarkSnapshot
from evaluation.services.benchmark_data import snapshot_import


class Command(BaseCommand):
    help = ("Benchmark data snapshots. `import PATH --source ORG/NAME [--config NAME]`: copy a dataset's files "
            "(Parquet, JSON Lines, CSV or Arrow per split, a save_to_disk folder, or a datasets cache) under "
            "BENCHMARK_DATA_ROOT; `list`: what the platform holds. Then `manage.py load_suites` pins them.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "list"])
        parser.add_argument("path", nargs="?")
        parser.add_argument("--source", help="the dataset's hub name, as the harness's tasks read it")
        parser.add_argument("--config", default="", help="the dataset's configuration (dataset_name)")
        parser.add_argument("--revision", default="", help="the upstream revision, when known")
        parser.add_argument("--licence", default="", help="a note on the data's licence")
        parser.add_argument("--task", action="append", default=[],
                            help="a harness task that reads this dataset: checked on the data before import")

    def handle(self, *args, action, path, source, config, revision, licence, task, **options):
        if action == "list":
            for row in BenchmarkSnapshot.objects.all():
                splits = ", ".join(f"{split} {rows}" for split, rows in row.splits.items())
                self.stdout.write(f"{row.key}\t{row.digest}\t{splits}\t{row.imported_at:%Y-%m-%d}")
            return
        if not path or not source:
            raise CommandError("import needs a PATH and --source")
        try:
            snapshot, created = snapshot_import(actor=None, folder=Path(path), source=source, config=config,
                                                revision=revision, licence=licence, tasks=tuple(task))
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        splits = ", ".join(f"{split}: {rows} rows" for split, rows in snapshot.splits.items())
        self.stdout.write(f"{'imported' if created else 'already held'} {snapshot.key} {snapshot.digest} ({splits})")
