"""Evaluation pages: only the team (and reviewers, admins) see a team's checkpoints and runs."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from evaluation.models import Checkpoint
from evaluation.services import runs
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate

from .conftest import finish_with_samples


@pytest.fixture
def finished_run(people, team_a, folder, suite_version, settings):
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    run = runs.run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version)
    samples = [
        {
            "task": "mc_task",
            "doc_id": i,
            "target": 1,
            "acc": 1.0,
            "metrics": ["acc"],
            "arguments": [["질문 %d" % i, " 가"], ["질문 %d" % i, " 나"]],
            "filtered_resps": [[-2.0, False], [-1.0, False]],
        }
        for i in range(45)
    ]
    samples.append(
        {
            "task": "gen_task",
            "doc_id": 0,
            "target": "secret answer",
            "arguments": [["prompt", {"until": ["\n"]}]],
            "filtered_resps": [" 12"],
            "metrics": ["exact_match"],
            "exact_match": 0.0,
        }
    )
    return finish_with_samples(run, samples)


def _urls(run):
    return [
        f"/evaluation/checkpoints/{run.checkpoint_id}/",
        f"/evaluation/runs/{run.pk}/",
        f"/evaluation/runs/{run.pk}/status.json",
        f"/evaluation/runs/{run.pk}/samples/",
    ]


@pytest.mark.parametrize("role,visible", [("member_a", True), ("reviewer", True), ("admin", True), ("member_b", False)])
def test_who_sees_a_teams_checkpoints_and_runs(client, people, finished_run, role, visible):
    client.force_login(people[role])
    listing = client.get("/evaluation/").content.decode()
    # The checkpoint's link, not a bare "v1" (a random CSRF token may contain that).
    assert (f'href="/evaluation/checkpoints/{finished_run.checkpoint_id}/"' in listing) is visible
    for url in _urls(finished_run):
        assert client.get(url).status_code == (200 if visible else 404), url


def test_anonymous_is_sent_to_log_in(client, finished_run):
    for url in ["/evaluation/", *_urls(finished_run)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_run_page_shows_results_progress_and_cancel_only_while_running(client, people, finished_run):
    client.force_login(people["member_a"])
    page = client.get(f"/evaluation/runs/{finished_run.pk}/").content.decode()
    assert "mc_task" in page and "0.5000" in page and "33.3" in page  # normalised (0.5-0.25)/0.75
    assert "run-cancel" not in page and 'action="/evaluation/runs/' not in page
    status = client.get(f"/evaluation/runs/{finished_run.pk}/status.json").json()
    assert status["terminal"] and status["progress_percent"] == 100


def test_samples_are_paged_and_hidden_tasks_stay_hidden_from_teams(client, people, finished_run):
    client.force_login(people["member_a"])
    page = client.get(f"/evaluation/runs/{finished_run.pk}/samples/?task=mc_task&page=3").content.decode()
    assert "질문 44" in page and "질문 39" not in page
    assert "<td>나</td>" in page and "acc=1.0" in page  # the expected choice and the model's choice
    assert (
        "secret answer" not in client.get(f"/evaluation/runs/{finished_run.pk}/samples/?task=gen_task").content.decode()
    )
    client.force_login(people["reviewer"])
    assert "secret answer" in client.get(f"/evaluation/runs/{finished_run.pk}/samples/?task=gen_task").content.decode()


def test_member_submits_from_the_form(client, people, team_a, folder, suite_version):
    client.force_login(people["member_a"])
    form = client.get("/evaluation/checkpoints/new/")
    assert form.status_code == 200 and team_a.name_ko in form.content.decode()
    response = client.post(
        "/evaluation/checkpoints/new/",
        {"team": team_a.pk, "name": "from form", "source": "v1", "precision": "", "suites": ["unit-suite"]},
    )
    checkpoint = Checkpoint.objects.get(name="from form")
    assert response.status_code == 302 and response["Location"] == f"/evaluation/checkpoints/{checkpoint.pk}/"
    assert checkpoint.requested_suites == ["unit-suite"] and checkpoint.submitted_by == people["member_a"]
    assert checkpoint.precision_reason == ""  # evaluated in the weights' own precision once validated


def test_a_double_submitted_form_submits_once(client, people, team_a, folder):
    """The form's one-time token (core.idempotency): the second click lands on the same checkpoint."""
    client.force_login(people["member_a"])
    token = re.search(r'name="once_token" value="(\w+)"', client.get("/evaluation/checkpoints/new/").content.decode())
    data = {"team": team_a.pk, "name": "twice", "source": "v1", "precision": "", "once_token": token.group(1)}
    first, second = client.post("/evaluation/checkpoints/new/", data), client.post("/evaluation/checkpoints/new/", data)
    checkpoint = Checkpoint.objects.get(name="twice")
    assert first["Location"] == second["Location"] == f"/evaluation/checkpoints/{checkpoint.pk}/"
    assert Checkpoint.objects.count() == 1


def test_a_precision_override_needs_a_reason_which_is_recorded(client, people, team_a, folder):
    client.force_login(people["member_a"])
    refused = client.post(
        "/evaluation/checkpoints/new/", {"team": team_a.pk, "name": "fp32", "source": "v1", "precision": "float32"}
    )
    assert refused.status_code == 200 and not Checkpoint.objects.exists()
    with translation.override("ko"):  # pages speak Korean unless the viewer chose English
        assert (
            gettext("Say why the checkpoint should not be evaluated in the precision of its weights.")
            in refused.content.decode()
        )
    client.post(
        "/evaluation/checkpoints/new/",
        {
            "team": team_a.pk,
            "name": "fp32",
            "source": "v1",
            "precision": "float32",
            "precision_reason": "bf16 kernels differ",
        },
    )
    checkpoint = Checkpoint.objects.get(name="fp32")
    assert (checkpoint.precision, checkpoint.precision_reason) == ("float32", "bf16 kernels differ")


def test_a_reviewer_has_no_submit_form(client, people):
    client.force_login(people["reviewer"])
    assert client.get("/evaluation/checkpoints/new/").status_code == 403


def test_other_teams_cannot_submit_for_a_team_via_the_form(client, people, team_a, folder):
    client.force_login(people["member_b"])
    response = client.post("/evaluation/checkpoints/new/", {"team": team_a.pk, "name": "x", "source": "v1"})
    assert response.status_code == 200 and not Checkpoint.objects.exists()
