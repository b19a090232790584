"""Finalising a stage tells the programme's people (reviewers, admins, the stage's teams' leads)."""

from notifications.models import Notification, NotificationKind
from stages.services.stages import stage_finalise
from tests.stages.conftest import official_results, stage, suite_version, team_c  # noqa: F401


def test_finalising_tells_the_programmes_people(people, official_results):  # noqa: F811
    stage_finalise(actor=people["admin"], stage=official_results)
    told = set(
        Notification.objects.filter(kind=NotificationKind.STAGE_FINALISED).values_list("recipient__username", flat=True)
    )
    assert {"member-a", "member-b", "reviewer", "admin"} <= told
    assert set(Notification.objects.filter(kind="stage_finalised").values_list("link", flat=True)) == {
        "/stages/stage-1/"
    }
