"""The demo's leaderboard and first-stage evaluation, over the demo checkpoints on ko-smoke.

`seed` (instant, idempotent) creates the leaderboard, an illustrative reference model, the stage
with the default rubric, two other reviewers' submitted expert scores and the user panel's
scores. `nominate_when_ready` waits for the demo checkpoints' ko-smoke runs, nominates them,
freezes nominations (as the demo admin) and publishes a leaderboard snapshot. The demo reviewer
then enters their own expert scores and the demo admin finalises.
"""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from consortium.models import Team, TeamStatus
from core.roles import Role
from evaluation.demo_checkpoints import DEMO_PLAN, DEMO_TARGET_MODEL
from evaluation.models import Checkpoint, EvaluationRun, RunStatus
from evaluation.selectors import suite_version_current
from leaderboards.models import Leaderboard, ReferenceModel, RowRule
from leaderboards.services import leaderboard_create, reference_model_save, snapshot_publish
from stages.conflicts import conflicts_of
from stages.models import ExpertSubmission, Stage, StageStatus, UserScore
from stages.services.nominations import nomination_submit, nominations_freeze
from stages.services.scores import expert_scores_save, user_scores_import
from stages.services.stages import stage_create

LEADERBOARD_SLUG = "ko-smoke-best"
CHAT_LEADERBOARD_SLUG = "ko-chat-best"
STAGE_SLUG = "demo-stage-1"
# The demo checkpoints declare this target; its scores are illustrative, entered for the demo only.
DEMO_TARGET = DEMO_TARGET_MODEL
DEMO_TARGET_SCORES = {
    "ko_smoke_numeral_mc": 0.9,
    "ko_smoke_arith_mc": 0.8,
    "en_smoke_compare_mc": 0.95,
    "ko_smoke_arith_gen": 0.6,
}
OTHER_REVIEWERS = ("reviewer-2", "reviewer-3")
CONFLICTED_REVIEWER = "reviewer-3"  # declares a conflict of interest with the first team (governance.demo)
USER_PANEL = 49


def demo_reviewer(username: str) -> User:
    user = User.objects.filter(username=username).first()
    return user or user_create(actor=None, username=username, password=None, role=Role.REVIEWER)


@transaction.atomic
def seed() -> Stage | None:
    suite_version = suite_version_current(slug="ko-smoke")
    if suite_version is None:
        return None
    if not Leaderboard.objects.filter(slug=LEADERBOARD_SLUG).exists():
        leaderboard_create(
            actor=None,
            slug=LEADERBOARD_SLUG,
            name_ko="한국어 스모크 리더보드 (최고 점수)",
            name_en="Korean smoke leaderboard (best run)",
            suite_version=suite_version,
            rule=RowRule.BEST,
        )
    chat_version = suite_version_current(slug="ko-chat")
    if chat_version is not None and not Leaderboard.objects.filter(slug=CHAT_LEADERBOARD_SLUG).exists():
        # The chat demo checkpoint, scored under ko-chat's chat protocol: its own board, never a
        # column beside plain-completion scores.
        leaderboard_create(
            actor=None,
            slug=CHAT_LEADERBOARD_SLUG,
            name_ko="한국어 채팅 리더보드 (채팅 프로토콜)",
            name_en="Korean chat leaderboard (chat protocol)",
            suite_version=chat_version,
            rule=RowRule.BEST,
        )
    if not ReferenceModel.objects.filter(suite_version=suite_version, name=DEMO_TARGET).exists():
        reference_model_save(
            actor=None,
            suite_version=suite_version,
            name=DEMO_TARGET,
            scores=DEMO_TARGET_SCORES,
            source="Illustrative scores entered for the demo",
        )
    stage = Stage.objects.filter(slug=STAGE_SLUG).first()
    if stage is not None:
        return stage
    teams = list(Team.objects.filter(status=TeamStatus.ACTIVE, slug__in=[p[0] for p in DEMO_PLAN]))
    if len(teams) < 2:
        return None
    stage = stage_create(
        actor=None,
        programme=teams[0].programme,
        slug=STAGE_SLUG,
        name_ko="1차 평가 (데모)",
        name_en="First stage (demo)",
        advancing_count=len(teams) - 1,
        suite_version=suite_version,
        teams=teams,
        nomination_deadline=timezone.now() + datetime.timedelta(days=7),
    )
    rng = random.Random(20251230)
    strength = {team.slug: 0.55 + 0.08 * rng.random() for team in teams}
    for username in OTHER_REVIEWERS:
        reviewer = demo_reviewer(username)
        scores = {
            (team.pk, key): round(min(10, max(0, 10 * strength[team.slug] + rng.uniform(-1.5, 1.5))), 1)
            for team in teams
            for key in ("technology", "report", "sovereignty")
        }
        # A team the reviewer has a conflict of interest with is not theirs to score (the demo's
        # CONFLICTED_REVIEWER declared one: governance.demo.conflict_seed, run before this seed).
        barred = conflicts_of(reviewer, [team.pk for team in teams])
        scores = {(team_id, key): value for (team_id, key), value in scores.items() if team_id not in barred}
        if not ExpertSubmission.objects.filter(stage=stage, reviewer=reviewer).exists():
            expert_scores_save(actor=reviewer, stage=stage, scores=scores, submit=True)
    if not UserScore.objects.filter(stage=stage).exists():
        lines = ["evaluator,team,criterion,score"]
        for n in range(1, USER_PANEL + 1):
            for team in teams:
                for key in ("usefulness", "accuracy", "korean"):
                    score = min(5, max(1, round(5 * strength[team.slug] + rng.uniform(-1.2, 1.2))))
                    lines.append(f"user-{n:02d},{team.slug},{key},{score}")
        user_scores_import(actor=None, stage=stage, text="\n".join(lines))
    return stage


def _demo_runs_done(suite_version) -> list[Checkpoint]:
    names = {(team, name) for team, name, _steps, _seed in DEMO_PLAN}
    checkpoints = [
        c
        for c in Checkpoint.objects.select_related("team").filter(source__in=[n for _t, n in names])
        if (c.team.slug, c.source) in names
    ]
    done = set(
        EvaluationRun.objects.filter(
            checkpoint__in=checkpoints, suite_version=suite_version, status=RunStatus.SUCCEEDED
        ).values_list("checkpoint_id", flat=True)
    )
    return [c for c in checkpoints if c.pk in done]


def nominate_when_ready(*, wait_s: int = 600, poll_s: float = 3.0, log=print) -> Stage | None:
    stage = Stage.objects.filter(slug=STAGE_SLUG).first()
    if stage is None or stage.status != StageStatus.NOMINATING:
        return stage
    in_stage = set(stage.entries.values_list("team_id", flat=True))
    deadline = time.monotonic() + wait_s
    ready = _demo_runs_done(stage.suite_version)
    while len({c.team_id for c in ready} & in_stage) < len(in_stage) and time.monotonic() < deadline:
        time.sleep(poll_s)
        ready = _demo_runs_done(stage.suite_version)
    for checkpoint in ready:
        if checkpoint.team_id in in_stage:
            nomination_submit(actor=None, stage=stage, checkpoint=checkpoint)
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        log("No demo admin: nominations stay open.")
        return stage
    nominations_freeze(actor=admin, stage=stage)
    leaderboard = Leaderboard.objects.get(slug=LEADERBOARD_SLUG)
    if not leaderboard.snapshots.exists():
        snapshot_publish(actor=admin, leaderboard=leaderboard, note="Demo: first published snapshot")
    log(f"Demo stage: {len(ready)} checkpoints nominated, nominations frozen, leaderboard published.")
    return stage
