"""Filling RunSample from a run's per-sample logs: when a shard's log is stored (the point
where it is final), and for runs stored before the table existed (the backfill command)."""

import gzip
import json
from collections.abc import Iterable

from django.db import connection, transaction

from evaluation import artefacts
from evaluation.models import EvaluationRun, RunSample, RunShard, SuiteTask
from evaluation.sample_rows import SHARD_STRIDE, batches, metrics_of, row_fields

BATCH = 1000
COLUMNS = (
    "run_id",
    "shard_id",
    "position",
    "task",
    "subtask",
    "doc_id",
    "filter",
    "value",
    "correct",
    "search_text",
    "sample",
)


def insert_rows(run_id: int, shard_id: int | None, rows: Iterable[dict]) -> int:
    """PostgreSQL: COPY (bulk_create quotes every long prompt client-side, ~10x slower); SQLite:
    bulk_create."""
    count = 0
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {RunSample._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for fields in rows:
                # PostgreSQL's text and jsonb refuse NUL, which a generation may hold.
                fields = {
                    **fields,
                    "run_id": run_id,
                    "shard_id": shard_id,
                    "sample": json.dumps(fields["sample"], ensure_ascii=False).replace("\\u0000", "\\ufffd"),
                }
                copy.write_row([fields[column] for column in COLUMNS])
                count += 1
        return count
    for batch in batches(rows, BATCH):
        RunSample.objects.bulk_create(RunSample(run_id=run_id, shard_id=shard_id, **fields) for fields in batch)
        count += len(batch)
    return count


def _metric_of(run_id: int) -> dict:
    return metrics_of(SuiteTask.objects.filter(suite_version__runs__pk=run_id))


@transaction.atomic
def run_samples_index_shard(*, shard: RunShard) -> int:
    """The shard's logged samples as rows, replacing any from an earlier attempt (idempotent:
    a re-delivered or re-run shard leaves one row per logged sample). Streamed in batches."""
    RunSample.objects.filter(run_id=shard.run_id, shard=shard).delete()
    if not shard.samples_artefact:
        return 0
    metric_of, base = _metric_of(shard.run_id), shard.position * SHARD_STRIDE
    rows = (
        row_fields(sample, task=shard.task, position=base + line, metric_of=metric_of)
        for line, sample in enumerate(artefacts.iter_jsonl_gz(shard.samples_artefact))
    )
    return insert_rows(shard.run_id, shard.pk, rows)


@transaction.atomic
def run_samples_index_legacy(*, run: EvaluationRun) -> int:
    """A run from before sharded runs: its one per-sample log file in EVAL_RUNS_DIR."""
    from evaluation.selectors import samples_path

    RunSample.objects.filter(run=run, shard__isnull=True).delete()
    path = samples_path(run.samples_file)
    if path is None:
        return 0
    metric_of = _metric_of(run.pk)

    def rows():
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line, text in enumerate(handle):
                sample = json.loads(text)
                yield row_fields(sample, task=str(sample.get("task") or ""), position=line, metric_of=metric_of)

    return insert_rows(run.pk, None, rows())
