"""Suites: parsed strictly, loaded idempotently, and never edited once a run has used a version."""

import pytest
from django.core.management import call_command

from evaluation.models import EvaluationRun, Suite, SuiteVersion
from evaluation.services.suites import suite_load
from evaluation.suite_files import SuiteDefinition, SuiteDefinitionError, parse_suite

from .conftest import TWO_TASKS


def _definition(**changes):
    return SuiteDefinition(**({"slug": "s", "name_ko": "스위트", "name_en": "Suite", "tasks": TWO_TASKS} | changes))


def test_loading_twice_changes_nothing(db):
    first, outcome = suite_load(actor=None, definition=_definition())
    assert outcome == "created" and first.number == 1 and first.tasks.count() == 2
    again, outcome = suite_load(actor=None, definition=_definition(name_en="Renamed"))
    assert outcome == "unchanged" and again.pk == first.pk
    assert Suite.objects.get().name_en == "Renamed"  # names are not part of a version


def test_an_unused_version_is_edited_in_place(db):
    suite_load(actor=None, definition=_definition())
    version, outcome = suite_load(actor=None, definition=_definition(tasks=TWO_TASKS[:1]))
    assert outcome == "updated" and version.number == 1 and version.tasks.count() == 1


def test_a_used_version_is_never_edited(people, team_a, folder, checkpoint_root):
    from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
    from evaluation.services.runs import run_request

    used, _ = suite_load(actor=None, definition=_definition())
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=used)
    changed = dict(TWO_TASKS[0], n_shot=5)
    version, outcome = suite_load(actor=None, definition=_definition(tasks=(changed, TWO_TASKS[1])))
    assert outcome == "created" and version.number == 2
    assert [t.n_shot for t in SuiteVersion.objects.get(pk=used.pk).tasks.all()] == [0, 0]
    assert EvaluationRun.objects.get().suite_version_id == used.pk


def test_only_admins_load_suites(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        suite_load(actor=people["reviewer"], definition=_definition())
    suite_load(actor=people["admin"], definition=_definition())


@pytest.mark.parametrize(
    "body,problem",
    [
        ("slug: x\nname_ko: x\nname_en: x\ntasks: []\n", "at least one task"),
        ("slug: x\nname_ko: x\ntasks: [{task: a, metric: m, category: nia, random_baseline: 0}]\n", "missing"),
        (
            "slug: x\nname_ko: x\nname_en: x\ntasks: [{task: a, metric: m, category: fun, random_baseline: 0}]\n",
            "category",
        ),
        ("slug: x\nname_ko: x\nname_en: x\ntasks: [{task: a, category: nia, random_baseline: 0}]\n", "'metric'"),
        (
            "slug: x\nname_ko: x\nname_en: x\ntasks: [{task: a, metric: m, category: nia, random_baseline: 1}]\n",
            "random_baseline",
        ),
        (
            "slug: x\nname_ko: x\nname_en: x\ntasks: [{task: a, metric: m, category: nia, random_baseline: 0},"
            " {task: a, metric: m, category: nia, random_baseline: 0}]\n",
            "twice",
        ),
        (
            "slug: x\nname_ko: x\nname_en: x\ntask_dirs: [nowhere]\n"
            "tasks: [{task: a, metric: m, category: nia, random_baseline: 0}]\n",
            "not found",
        ),
        (
            "slug: x\nname_ko: x\nname_en: x\ntasks: [{task: a, metric: m, category: nia, random_baseline: 0, x: 1}]\n",
            "unknown keys",
        ),
    ],
)
def test_definitions_are_checked(tmp_path, body, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(SuiteDefinitionError, match=problem):
        parse_suite(path)


def test_the_shipped_ko_smoke_suite_loads_with_its_harness_tasks(db):
    call_command("load_suites", verbosity=0)
    version = SuiteVersion.objects.get(suite__slug="ko-smoke")
    assert [t.task for t in version.tasks.all()] == [
        "ko_smoke_numeral_mc",
        "ko_smoke_arith_mc",
        "en_smoke_compare_mc",
        "ko_smoke_arith_gen",
    ]
    call_command("load_suites", verbosity=0)
    assert SuiteVersion.objects.count() == 5  # ko-smoke, ko-chat, ko-code, k-foundation-core, code-core: once each
