"""Loading suite definitions: a version is immutable once a run has used it."""

import dataclasses

from django.db import transaction

from audit.services import audit_record, snapshot
from core.permissions import Action, require
from evaluation.models import Suite, SuiteTask, SuiteVersion
from evaluation.suite_files import SuiteDefinition


def with_pinned_data(definition: SuiteDefinition) -> SuiteDefinition:
    """The definition with the latest imported snapshot of every dataset its tasks read pinned
    (the harness's bundled tasks; a task folder's own files are in the digest already), and the
    datasets that have none. Builds the harness's tasks on the snapshots: seconds."""
    if definition.task_dirs:
        return definition
    from evaluation import harness
    from evaluation.services.benchmark_data import latest_snapshots

    read = harness.datasets_read(
        (), [{"task": t["task"], "definition": t.get("definition")} for t in definition.tasks], latest_snapshots()
    )
    return dataclasses.replace(definition, data=read["data"], missing_data=tuple(read["missing"]))


def _write_tasks(version: SuiteVersion, definition: SuiteDefinition) -> None:
    version.tasks.all().delete()
    SuiteTask.objects.bulk_create(
        SuiteTask(suite_version=version, position=i, **definition.task_protocol(task))
        for i, task in enumerate(definition.tasks)
    )


@transaction.atomic
def suite_load(*, actor, definition: SuiteDefinition) -> tuple[SuiteVersion, str]:
    """Returns the current version and what happened: "unchanged", "created" or "updated".

    A changed definition replaces the latest version's tasks only while no run has
    used it; otherwise it becomes the next version."""
    if actor is not None:
        require(actor, Action.MANAGE_REGISTRY)
    suite, _ = Suite.objects.select_for_update().get_or_create(
        slug=definition.slug,
        defaults={"name_ko": definition.name_ko, "name_en": definition.name_en, "description": definition.description},
    )
    names = {"name_ko": definition.name_ko, "name_en": definition.name_en, "description": definition.description}
    if any(getattr(suite, k) != v for k, v in names.items()):
        Suite.objects.filter(pk=suite.pk).update(**names)
    latest = suite.versions.order_by("-number").first()
    if latest and latest.digest == definition.digest:
        return latest, "unchanged"
    fields = {
        "digest": definition.digest,
        "task_dirs": list(definition.task_dirs),
        "missing_data": list(definition.missing_data),
        "protocol": definition.protocol,
        "sandbox": definition.sandbox,
    }
    if latest and not latest.runs.exists():
        before = snapshot(latest)
        SuiteVersion.objects.filter(pk=latest.pk).update(**fields)
        latest.refresh_from_db()
        _write_tasks(latest, definition)
        audit_record(
            actor=actor,
            action="suite.update",
            target=latest,
            before=before,
            after=snapshot(latest, tasks=[definition.task_protocol(t) for t in definition.tasks]),
        )
        return latest, "updated"
    version = SuiteVersion.objects.create(suite=suite, number=(latest.number + 1) if latest else 1, **fields)
    _write_tasks(version, definition)
    Suite.objects.filter(pk=suite.pk).update(active_version=version)  # a newly loaded version is the one in use
    audit_record(
        actor=actor,
        action="suite.version",
        target=version,
        after=snapshot(version, tasks=[definition.task_protocol(t) for t in definition.tasks]),
    )
    return version, "created"


@transaction.atomic
def suite_version_activate(*, actor, version: SuiteVersion) -> SuiteVersion:
    """The suite's new runs (and its current version everywhere) use `version` from now on; runs
    already made keep theirs, and stages and leaderboards keep the version they name."""
    require(actor, Action.MANAGE_REGISTRY)
    suite = Suite.objects.select_for_update().get(pk=version.suite_id)
    before = {"active_version": suite.active_version_id}
    suite.active_version = version
    suite.save(update_fields=["active_version"])
    audit_record(
        actor=actor,
        action="suite.activate",
        target=version,
        before=before,
        after={"suite": suite.slug, "active_version": version.pk, "number": version.number},
    )
    return version
