"""Any rubric tree, created and edited through the API (and the admin: tests/stages/test_admin.py),
validated as at creation, and frozen once the stage has scores."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from stages.inputs import stage_inputs
from stages.models import Criterion, PartKind, RubricPart, Stage
from stages.rubric import PART_KINDS
from stages.scoring import compute_outcome
from stages.services.rubric import rubric_of, rubric_replace
from stages.services.scores import expert_scores_save, user_scores_import

# Three levels: a group of groups, two expert parts, no user part.
TREE = [
    {"key": "bench", "parent": None, "kind": "group", "points": "50", "name_ko": "벤치", "name_en": "Benchmarks"},
    {"key": "korean", "parent": "bench", "kind": "group", "points": "30", "name_ko": "한국어", "name_en": "Korean"},
    {
        "key": "nia",
        "parent": "korean",
        "kind": "benchmark",
        "category": "nia",
        "points": "30",
        "name_ko": "N",
        "name_en": "NIA",
    },
    {
        "key": "global",
        "parent": "bench",
        "kind": "benchmark",
        "category": "global_common",
        "points": "20",
        "name_ko": "G",
        "name_en": "Global",
    },
    {
        "key": "tech",
        "parent": None,
        "kind": "expert",
        "points": "30",
        "name_ko": "기술",
        "name_en": "Technology",
        "criteria": [
            {"key": "architecture", "name_ko": "아키텍처", "name_en": "Architecture", "max_score": "5"},
            {"key": "training", "name_ko": "학습", "name_en": "Training", "max_score": "5"},
        ],
    },
    {
        "key": "plan",
        "parent": None,
        "kind": "expert",
        "points": "20",
        "name_ko": "계획",
        "name_en": "Plan",
        "criteria": [{"key": "roadmap", "name_ko": "로드맵", "name_en": "Roadmap", "max_score": "10"}],
    },
]


def _client(user):
    client = APIClient()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_the_rubric_kinds_are_the_models_kinds():
    assert set(PART_KINDS) == set(PartKind.values)


def test_any_tree_is_stored_through_the_api_audited_and_scored(official_results, people):
    stage = official_results
    url = f"/api/stages/{stage.slug}/rubric/"
    assert _client(people["member_a"]).put(url, {"rubric": TREE}, format="json").status_code == 403
    response = _client(people["admin"]).put(url, {"rubric": TREE, "tie_break": ["tech", "bench"]}, format="json")
    assert response.status_code == 200, response.json()
    assert [p["key"] for p in response.json()["rubric"]] == [p["key"] for p in TREE]
    assert RubricPart.objects.get(stage=stage, key="nia").parent.key == "korean"
    assert list(Criterion.objects.filter(part__stage=stage).values_list("key", flat=True).order_by("key")) == [
        "architecture",
        "roadmap",
        "training",
    ]
    assert Stage.objects.get(pk=stage.pk).tie_break == ["tech", "bench"]
    event = AuditEvent.objects.get(action="stage.rubric_replace")
    assert event.actor == people["admin"] and event.before["rubric"][0]["key"] == "benchmarks"
    assert _client(people["member_b"]).get(url).json()["rubric"] == rubric_of(stage)  # public, like the stage
    outcome = compute_outcome(stage_inputs(Stage.objects.get(pk=stage.pk)))
    assert {"bench", "korean", "nia", "global", "tech", "plan"} <= set(outcome["rows"][0]["parts"])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t[1].update(points="25"), "add up"),  # korean's 25 ≠ nia's 30
        (lambda t: t.insert(0, t.pop(2)), "listed before"),  # a part before its parent
        (lambda t: t[4]["criteria"].append(dict(t[5]["criteria"][0])), "unique"),  # roadmap twice
        (lambda t: t[5].update(criteria=[]), "criterion"),
        (lambda t: t[2].update(category=""), "category"),
    ],
)
def test_a_bad_tree_is_refused_and_nothing_changes(stage, people, change, message):
    tree = [dict(p, criteria=[dict(c) for c in p.get("criteria", [])]) for p in TREE]
    change(tree)
    before = rubric_of(stage)
    response = _client(people["admin"]).put(
        f"/api/stages/{stage.slug}/rubric/", {"rubric": tree, "tie_break": []}, format="json"
    )
    assert response.status_code == 400 and message in str(response.json()), response.json()
    assert rubric_of(stage) == before


def test_a_tie_break_naming_a_removed_part_is_refused(stage, people):
    with pytest.raises(ValidationError, match="Unknown rubric parts: benchmarks, expert"):
        rubric_replace(actor=people["admin"], stage=stage, rubric=TREE)  # the stage breaks ties on "expert"


def test_the_rubric_is_frozen_once_the_stage_has_scores(official_results, people, team_a):
    stage = official_results
    expert_scores_save(actor=people["reviewer"], stage=stage, scores={(team_a.pk, "technology"): "7"})
    with pytest.raises(ValidationError, match="frozen"):
        rubric_replace(actor=people["admin"], stage=stage, rubric=TREE, tie_break=[])
    response = _client(people["admin"]).put(
        f"/api/stages/{stage.slug}/rubric/", {"rubric": TREE, "tie_break": []}, format="json"
    )
    assert response.status_code == 400 and "frozen" in str(response.json())


def test_user_scores_freeze_it_too(official_results, people, team_a):
    user_scores_import(
        actor=people["admin"],
        stage=official_results,
        text=f"evaluator,team,criterion,score\np1,{team_a.slug},usefulness,4\n",
    )
    with pytest.raises(ValidationError, match="frozen"):
        rubric_replace(actor=people["admin"], stage=official_results, rubric=TREE, tie_break=[])


def test_a_stage_is_created_with_any_rubric_through_the_api(people, suite_version, team_a, team_b):
    from tests.support.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    response = _client(people["admin"]).post(
        "/api/stages/",
        {
            "programme": programme.slug,
            "slug": "stage-2",
            "name_ko": "2차",
            "name_en": "Second",
            "advancing_count": 1,
            "suite_version": suite_version.pk,
            "nomination_deadline": timezone.now().isoformat(),
            "teams": [team_a.slug, team_b.slug],
            "rubric": TREE,
            "tie_break": ["bench"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [p["key"] for p in response.json()["rubric"]] == [p["key"] for p in TREE]
