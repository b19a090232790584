"""Private benchmarks written by the ministry: items uploaded as a benchmark data snapshot, a
prompt template, a preview, and publication as a hidden task of a new version of the
`nia-private` suite. Only benchmark authors (AUTHOR_BENCHMARK) reach any of it."""

import json
import shutil
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.permissions import Action, require
from evaluation import private_tasks
from evaluation.benchmark_data import SnapshotError
from evaluation.models import BenchmarkKind, PrivateBenchmark, SuiteVersion
from evaluation.services.benchmark_data import snapshot_import
from evaluation.suite_files import SuiteDefinition

SUITE_SLUG = "nia-private"


def _invalid(field: str, error: Exception) -> ValidationError:
    return ValidationError({field: [str(error)]})


def items_of(benchmark: PrivateBenchmark) -> list[dict]:
    """The benchmark's items, read from its snapshot (authors only: the caller checked)."""
    from evaluation.services.benchmark_data import pinned_snapshots

    if benchmark.snapshot is None:
        return []
    where = pinned_snapshots({benchmark.source: benchmark.snapshot.digest})[benchmark.source]
    with open(Path(where["folder"]) / where["splits"]["test"][0], encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _store_items(*, actor, benchmark: PrivateBenchmark, items: list[dict]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="private-benchmark-"))
    try:
        with open(folder / "test.jsonl", "w", encoding="utf-8") as out:
            out.writelines(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n" for item in items)
        snapshot, _created = snapshot_import(
            actor=None,
            folder=folder,
            source=benchmark.source,
            licence=_("Private benchmark of the ministry: never shown to teams."),
        )
    except SnapshotError as exc:
        raise _invalid("items", exc) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    benchmark.snapshot = snapshot


@transaction.atomic
def private_benchmark_save(
    *,
    actor,
    slug: str,
    name_ko: str,
    name_en: str,
    kind: str,
    prompt_template: str,
    answer_pattern: str = "",
    items_file: tuple[str, bytes] | None = None,
    demo: bool = False,
) -> PrivateBenchmark:
    """Create a benchmark or change one (its texts, and its items when a file is given). The
    template must render every item; a published benchmark changes teams' scores only when it is
    published again (a new suite version)."""
    if actor is not None:
        require(actor, Action.AUTHOR_BENCHMARK)
    if kind not in BenchmarkKind.values:
        raise ValidationError({"kind": [_("Choose multiple choice or short answer.")]})
    try:
        private_tasks.valid_pattern(answer_pattern)
    except private_tasks.ItemsError as exc:
        raise _invalid("answer_pattern", exc) from None
    benchmark, created = PrivateBenchmark.objects.select_for_update().get_or_create(
        slug=slug,
        defaults={
            "name_ko": name_ko,
            "name_en": name_en,
            "kind": kind,
            "prompt_template": prompt_template,
            "answer_pattern": answer_pattern,
            "created_by": actor,
            "demo": demo,
        },
    )
    benchmark.name_ko, benchmark.name_en, benchmark.kind = name_ko, name_en, kind
    benchmark.prompt_template, benchmark.answer_pattern = prompt_template, answer_pattern
    if items_file is not None:
        try:
            items = private_tasks.parse_items(*items_file, kind=kind)
        except private_tasks.ItemsError as exc:
            raise _invalid("items", exc) from None
        _store_items(actor=actor, benchmark=benchmark, items=items)
    elif created:
        raise ValidationError({"items": [_("Upload the items (JSON Lines or CSV).")]})
    try:
        private_tasks.preview(
            items_of(benchmark), prompt_template=prompt_template, kind=kind, count=private_tasks.MAX_ITEMS
        )
    except private_tasks.ItemsError as exc:
        raise _invalid("prompt_template", exc) from None
    benchmark.save()
    # The audit names what changed, never an item or the template's text.
    audit_record(
        actor=actor,
        action="private_benchmark.save",
        target=benchmark,
        after={"slug": slug, "kind": kind, "items": benchmark.snapshot.digest if benchmark.snapshot else None},
    )
    return benchmark


def private_benchmark_preview(*, actor, benchmark: PrivateBenchmark, count: int = 5) -> list[dict]:
    require(actor, Action.AUTHOR_BENCHMARK)
    return private_tasks.preview(
        items_of(benchmark), prompt_template=benchmark.prompt_template, kind=benchmark.kind, count=count
    )


def _suite_definition(benchmarks: list[PrivateBenchmark]) -> SuiteDefinition:
    tasks = []
    for benchmark in benchmarks:
        items = items_of(benchmark)
        tasks.append(
            {
                "task": benchmark.task,
                "n_shot": 0,
                "metric": private_tasks.metric(benchmark.kind),
                "higher_is_better": True,
                "category": "nia",
                "weight": "1",
                "hidden": True,
                "random_baseline": private_tasks.random_baseline(benchmark.kind, items),
                "protocol": {},
                "definition": private_tasks.definition(
                    task=benchmark.task,
                    source=benchmark.source,
                    kind=benchmark.kind,
                    prompt_template=benchmark.prompt_template,
                    answer_pattern=benchmark.answer_pattern,
                ),
            }
        )
    # Each task reads its own items' snapshot, pinned as it stands.
    data = {b.task: {b.task: {b.source: b.snapshot.digest}} for b in benchmarks}
    return SuiteDefinition(
        slug=SUITE_SLUG,
        name_ko="NIA 비공개 벤치마크",
        name_en="NIA private benchmarks",
        description="Benchmarks the ministry wrote; teams see their scores only.",
        tasks=tuple(tasks),
        data=data,
    )


@transaction.atomic
def private_benchmark_publish(*, actor, benchmark: PrivateBenchmark) -> SuiteVersion:
    """Publish the benchmark as it stands: a new version of the nia-private suite holding every
    published benchmark, each a hidden task on its pinned snapshot."""
    from evaluation.services.suites import suite_load

    if actor is not None:
        require(actor, Action.AUTHOR_BENCHMARK)
    benchmark = PrivateBenchmark.objects.select_for_update().get(pk=benchmark.pk)
    if benchmark.snapshot is None:
        raise ValidationError({"items": [_("Upload the items before publishing.")]})
    benchmark.published_at = timezone.now()
    benchmark.save(update_fields=["published_at"])
    published = list(
        PrivateBenchmark.objects.filter(published_at__isnull=False).select_related("snapshot").order_by("slug")
    )
    version, _outcome = suite_load(actor=None, definition=_suite_definition(published))
    audit_record(
        actor=actor,
        action="private_benchmark.publish",
        target=benchmark,
        after={"suite_version": str(version), "items": benchmark.snapshot.digest},
    )
    return version
