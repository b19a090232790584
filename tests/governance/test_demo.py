"""The demo holds one declared conflict of interest (from the seed) and one objection (filed once the
demo stage is finalised)."""

import io

from django.core.management import call_command

from governance import demo as governance_demo
from governance.models import ConflictOfInterest, Objection, ObjectionStatus
from stages import demo
from stages.models import ExpertScore, ExpertSubmission, StageStatus
from stages.services.stages import stage_finalise
from tests.stages.test_demo import programme  # noqa: F401


def test_the_demo_declares_one_conflict_and_files_one_objection(programme):
    call_command("seed_demo_governance", "--conflict", stdout=io.StringIO())  # as make run: before the stage
    stage = demo.seed()
    conflict = ConflictOfInterest.objects.get()
    assert conflict.reviewer.username == demo.CONFLICTED_REVIEWER
    assert not ExpertScore.objects.filter(reviewer=conflict.reviewer, team=conflict.team).exists()
    assert ExpertSubmission.objects.filter(stage=stage).count() == 2  # submitted without the conflicted team
    demo.seed()
    call_command("seed_demo_governance", "--conflict", stdout=io.StringIO())
    assert ConflictOfInterest.objects.count() == 1

    assert governance_demo.objection_when_finalised(slug=stage.slug, wait_s=0, log=lambda line: None) is None
    stage.status = StageStatus.SCORING  # no official runs in this test: the expert and user parts decide
    stage.save()
    from accounts.models import User

    stage_finalise(actor=User.objects.get(username="admin"), stage=stage)
    call_command("seed_demo_governance", stdout=io.StringIO())
    objection = Objection.objects.get()
    assert objection.status == ObjectionStatus.OPEN and objection.filed_by.username in {"lg-lead", "upstage-member"}
    call_command("seed_demo_governance", stdout=io.StringIO())
    assert Objection.objects.count() == 1
