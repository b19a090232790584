"""User evaluation at programme scale: 5 teams, 1,000 prompts, 20,000 judgments. Times the fit
(Bradley–Terry with ties, 1,000 bootstrap rounds, overall and per category, plus the panel's
integrity flags) and the result page and API once computed.

Run: make bench-arena   (uses BENCH_DATABASE_URL, creates and drops its own test database)
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from report import Target, emit, table  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

TEAMS, PROMPTS, JUDGMENTS, PANEL = 5, 1000, 20_000, 100
ROUNDS, REPEAT_FIT, REPEAT_PAGE = 1000, 3, 200
STRENGTHS = np.array([0.6, 0.3, 0.0, -0.2, -0.7])
METHOD = f"""{TEAMS} teams, {PROMPTS:,} prompts (200 in each of 5 categories), {TEAMS * PROMPTS:,} answers, {PANEL} panel
members and {JUDGMENTS:,} judgments drawn from Davidson's model with known strengths (ν = 0.4), written with
`bulk_create` (the seed skips the per-judgment audit row that `judgment_submit` writes). "Recompute" is
`campaign_result_compute` as the worker runs it: read the {JUDGMENTS:,} judgments, aggregate them into
(pair, outcome) counts, fit overall and for each of the 5 categories with {ROUNDS:,} bootstrap rounds each
(6 × {ROUNDS:,} batched Newton fits), compute the panel's integrity flags and store the result; best and
worst of {REPEAT_FIT} runs. The pages are then read {REPEAT_PAGE} times each through Django's test client in one
process (a reviewer's session; no network, no gunicorn) after one warm-up request; p50/p95 of those, and the
queries of one request."""
NOTES = """Why the fit is fast: a bootstrap round over judgments (resampling the N judgments with replacement)
is exactly a multinomial draw of N over the 10 pairs × 3 outcomes, so a round costs 30 numbers instead of
20,000 rows, and all rounds are fitted together as one batched Newton iteration on a 6-parameter model
(`arena/bradley_terry.py`). The pages never fit: they read the stored result (`CampaignResult`), whose
flags were computed with it."""


def seed():
    from accounts.models import User
    from accounts.services import user_create
    from arena import bradley_terry as bt
    from arena.models import Answer, Judgment, PanelMember, PromptCategory
    from arena.services.campaigns import campaign_create
    from arena.services.generation import answers_store
    from arena.services.prompt_sets import prompt_set_create
    from consortium.models import Organisation, Programme, Team
    from core.roles import Role
    from evaluation.models import Checkpoint, Suite, SuiteVersion
    from stages.models import Nomination, NominationStatus
    from stages.services.stages import stage_create

    programme = Programme.objects.create(slug="bench", year=2025, name_ko="벤치", name_en="Bench")
    teams = []
    for i in range(TEAMS):
        org = Organisation.objects.create(slug=f"org-{i}", name_ko=f"기관{i}", name_en=f"Org {i}", kind="company")
        teams.append(
            Team.objects.create(
                programme=programme,
                slug=f"team-{i}",
                name_ko=f"팀{i}",
                name_en=f"Team {i}",
                lead_organisation=org,
                joined_on=datetime.date(2025, 8, 4),
            )
        )
    suite = Suite.objects.create(slug="bench-suite", name_ko="벤치", name_en="Bench")
    version = SuiteVersion.objects.create(suite=suite, number=1, digest="0" * 64, task_dirs=[])
    admin = user_create(actor=None, username="admin", password="x", role=Role.ADMIN)
    stage = stage_create(
        actor=None,
        programme=programme,
        slug="bench-stage",
        name_ko="단계",
        name_en="Stage",
        advancing_count=3,
        suite_version=version,
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=teams,
    )
    for team in teams:
        checkpoint = Checkpoint.objects.create(
            team=team, name="ckpt", source="ckpt", status="ready", manifest_digest="1" * 64
        )
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=checkpoint,
            nominated_at=timezone.now(),
            manifest_digest="1" * 64,
            status=NominationStatus.ACCEPTED,
        )
    categories = PromptCategory.values
    prompt_set = prompt_set_create(
        actor=None,
        slug="bench",
        title="Bench",
        prompts=[
            {"key": f"p{i:04d}", "category": categories[i % 5], "text": f"질문 {i}: 이것을 설명해 주세요."}
            for i in range(PROMPTS)
        ],
    )
    campaign = campaign_create(
        actor=None,
        stage=stage,
        prompt_set=prompt_set,
        slug="bench-panel",
        name_ko="패널",
        name_en="Panel",
        generate=False,
        bootstrap_rounds=ROUNDS,
    )
    for entry in campaign.entries.all():
        answers_store(entry=entry, answers={f"p{i:04d}": f"답변 {i} " * 20 for i in range(PROMPTS)})
    users = User.objects.bulk_create(User(username=f"judge-{i:03d}", password="!") for i in range(PANEL))
    seats = PanelMember.objects.bulk_create(
        PanelMember(campaign=campaign, user=u, code=f"P{i:03d}", quota=JUDGMENTS // PANEL, invited_at=timezone.now())
        for i, u in enumerate(users)
    )
    prompts = list(prompt_set.prompts.order_by("key").values_list("pk", "category"))
    answers = {
        (a.entry.team_id, a.prompt_id): a.pk
        for a in Answer.objects.filter(entry__campaign=campaign).select_related("entry")
    }
    rng = np.random.default_rng(20251230)
    team_ids = [t.pk for t in teams]
    p = bt.outcome_probabilities(STRENGTHS, np.log(0.4))
    first = rng.integers(0, TEAMS, JUDGMENTS)
    second = (first + rng.integers(1, TEAMS, JUDGMENTS)) % TEAMS
    u = rng.random(JUDGMENTS)
    pw, pl = p[first, second, 0], p[first, second, 1]
    verdicts = np.where(
        u < pw, "left", np.where(u < pw + pl, "right", np.where(rng.random(JUDGMENTS) < 0.2, "both_bad", "tie"))
    )
    now = timezone.now()
    rows = []
    for n in range(JUDGMENTS):
        # Member n % PANEL's k-th pair is on prompt (6k + member) mod 1,000: never the same prompt twice.
        prompt_id, category = prompts[(6 * (n // PANEL) + n % PANEL) % PROMPTS]
        left, right = team_ids[first[n]], team_ids[second[n]]
        rows.append(
            Judgment(
                campaign=campaign,
                member=seats[n % PANEL],
                prompt_id=prompt_id,
                category=category,
                left_id=answers[(left, prompt_id)],
                right_id=answers[(right, prompt_id)],
                left_team_id=left,
                right_team_id=right,
                assigned_at=now,
                verdict=str(verdicts[n]),
                judged_at=now,
                seconds=float(rng.uniform(10, 90)),
            )
        )
    Judgment.objects.bulk_create(rows, batch_size=2000)
    reviewer = user_create(actor=None, username="reviewer", password="x", role=Role.REVIEWER)
    return campaign, reviewer, admin


def timed_get(client, url, repeat) -> tuple[float, float, int]:
    assert client.get(url).status_code == 200
    executed = []
    with connection.execute_wrapper(lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)):
        client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1], len(executed)


def main() -> None:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        campaign, reviewer, admin = seed()
        seeding = time.perf_counter() - started
        from arena.services.campaigns import campaign_result_compute

        fits = []
        for _ in range(REPEAT_FIT):
            start = time.perf_counter()
            result = campaign_result_compute(campaign=campaign)
            fits.append(time.perf_counter() - start)
        data = result.data
        truth = STRENGTHS - STRENGTHS.mean()
        covered = sum(lo <= t <= hi for t, (lo, hi) in zip(truth, data["overall"]["strength_interval"]))
        client = Client()
        client.force_login(reviewer)
        page = timed_get(client, f"/arena/{campaign.slug}/", REPEAT_PAGE)
        api = timed_get(client, f"/api/arena/campaigns/{campaign.slug}/result/", REPEAT_PAGE)
        rows = [
            ["recompute (read, fit 6 × 1,000 rounds, flags, store)", f"{min(fits):.2f} s – {max(fits):.2f} s", "", ""],
            ["of which the fit and the flags (as stored with the result)", f"{result.seconds:.2f} s", "", ""],
            ["result page `/arena/<slug>/`", f"p50 {page[0]:.1f} ms", f"p95 {page[1]:.1f} ms", page[2]],
            [
                "result API `/api/arena/campaigns/<slug>/result/`",
                f"p50 {api[0]:.1f} ms",
                f"p95 {api[1]:.1f} ms",
                api[2],
            ],
        ]
        strengths = ", ".join(f"{v:+.3f}" for v in data["overall"]["strength"])
        body = (
            METHOD
            + "\n\n"
            + table(["what", "time", "p95", "queries"], rows)
            + "\n\n"
            + f"Seeding took {seeding:.0f} s. Fitted strengths {strengths} against the truth "
            f"{', '.join(f'{v:+.3f}' for v in truth)}; the 95% intervals cover {covered} of {TEAMS}.\n\n" + NOTES
        )
        emit(
            key="arena",
            title="User evaluation (arena)",
            command="make bench-arena",
            body=body,
            targets=[
                Target(
                    "recompute the fit, 20,000 judgments × 1,000 bootstrap rounds",
                    f"{max(fits):.2f} s",
                    "≤ 10 s",
                    max(fits) <= 10,
                    "The fit took longer than 10 s.",
                ),
                Target(
                    "result page p95, once computed",
                    f"{page[1]:.1f} ms",
                    "≤ 100 ms",
                    page[1] <= 100,
                    "The page took longer.",
                ),
                Target(
                    "result API p95, once computed",
                    f"{api[1]:.1f} ms",
                    "≤ 100 ms",
                    api[1] <= 100,
                    "The API took longer.",
                ),
            ],
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
