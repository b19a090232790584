from django.core.management.base import BaseCommand

from evaluation.models import EvaluationRun, RunSample, RunShard, ShardStatus
from evaluation.services.samples import run_samples_index_legacy, run_samples_index_shard


class Command(BaseCommand):
    help = (
        "Fill the sample browser's table (RunSample) for runs stored before it existed, from their per-sample "
        "logs; the runs that have rows are left alone (`--run ID` re-indexes one run). Until then those runs' "
        "pages read their logs, without the correct/incorrect filter or search."
    )

    def add_arguments(self, parser):
        parser.add_argument("--run", type=int, action="append", default=[], help="re-index this run (repeatable)")

    def handle(self, *args, run, **options):
        runs = EvaluationRun.objects.filter(reused_from__isnull=True)
        runs = runs.filter(pk__in=run) if run else runs.exclude(pk__in=RunSample.objects.values("run_id"))
        for each in runs.order_by("pk"):
            shards = RunShard.objects.filter(run=each, status=ShardStatus.SUCCEEDED).exclude(samples_artefact="")
            count = sum(run_samples_index_shard(shard=shard) for shard in shards.order_by("position"))
            if not shards.exists() and each.samples_file:
                count = run_samples_index_legacy(run=each)
            if count:
                self.stdout.write(f"run {each.pk}: {count} samples")
