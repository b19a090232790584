"""The demo's governance: one declared conflict of interest (seeded with the demo stage, before the
other reviewers score) and one objection, filed as soon as the demo admin finalises the demo stage
(by the lead of the lowest-ranked team a demo user leads), left open for the demo reviewer to answer."""

import time

from django.utils import timezone

from accounts.models import TeamRole, TeamRoleKind
from consortium.models import Team, TeamStatus
from evaluation.demo_checkpoints import DEMO_PLAN
from governance.models import ConflictOfInterest, Objection
from governance.services import conflict_declare, objection_file
from stages import demo as stages_demo
from stages.models import Stage

CONFLICT_REASON = "Demo: advised this team's lead organisation on its data licences last year."
OBJECTION_TEXT = (
    "Demo: we believe the expert panel did not see our updated technical report; "
    "please check that the version submitted before the deadline was scored."
)


def conflict_seed() -> ConflictOfInterest | None:
    """stages.demo.CONFLICTED_REVIEWER's own declared conflict with the first demo team (idempotent;
    run before the demo stage's scores are seeded, which leave that team out of theirs)."""
    team = Team.objects.filter(status=TeamStatus.ACTIVE, slug__in=[p[0] for p in DEMO_PLAN]).first()
    if team is None:
        return None
    reviewer = stages_demo.demo_reviewer(stages_demo.CONFLICTED_REVIEWER)
    found = ConflictOfInterest.objects.filter(reviewer=reviewer, team=team).first()
    return found or conflict_declare(actor=reviewer, reviewer=reviewer, team=team, reason=CONFLICT_REASON)


def objection_seed(stage: Stage) -> Objection | None:
    """Once the stage is finalised: an open objection by a demo team lead (idempotent)."""
    if not stage.is_finalised or Objection.objects.filter(stage=stage).exists():
        return Objection.objects.filter(stage=stage).first()
    leads = {
        r.team_id: r.user
        for r in TeamRole.objects.in_force()
        .filter(role=TeamRoleKind.LEAD, team__stage_entries__stage=stage)
        .select_related("user")
    }
    ranked = sorted(stage.result.outcome["rows"], key=lambda row: row["rank"], reverse=True)
    row = next((r for r in ranked if r["team"] in leads), None)
    if row is None:
        return None
    team = stage.entries.select_related("team").get(team_id=row["team"]).team
    expert = stage.rubric.filter(kind="expert").first()
    criterion = expert.criteria.first() if expert is not None else None
    return objection_file(actor=leads[row["team"]], stage=stage, team=team, text=OBJECTION_TEXT, criterion=criterion)


def objection_when_finalised(*, slug: str, wait_s: int, poll_s: float = 5.0, log=print) -> Objection | None:
    """Wait (up to wait_s) for the demo admin to finalise the stage, then file the demo objection."""
    deadline = time.monotonic() + wait_s
    stage = Stage.objects.filter(slug=slug).first()
    while stage is not None and not stage.is_finalised and time.monotonic() < deadline:
        time.sleep(poll_s)
        stage = Stage.objects.filter(slug=slug).first()
    if stage is None or not stage.is_finalised:
        log("Demo objection: the demo stage was not finalised; none filed.")
        return None
    objection = objection_seed(stage)
    if objection is not None:
        log(
            f"Demo objection by {objection.team} at {timezone.localtime(objection.filed_at):%H:%M}: "
            f"/stages/{slug}/objections/ (answer it as the reviewer)."
        )
    return objection
