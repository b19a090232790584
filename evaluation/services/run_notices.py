"""Telling a team that its run ended (notifications.services.notify, inside the run's transaction:
a rolled-back ending tells nobody). Who follows a run: whoever asked for it, and the team's leads."""

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluation.models import EvaluationRun, RunStatus
from notifications.models import NotificationKind
from notifications.recipients import team_leads
from notifications.services import notify


def notify_run_ended(run: EvaluationRun) -> None:
    succeeded = run.status == RunStatus.SUCCEEDED
    names = {"checkpoint": run.checkpoint.name, "suite": str(run.suite_version)}
    # A failure's reason stays on the run page, where run_error_for decides who reads it (a hidden
    # task's harness words must not reach a team by email).
    notify(
        kind=NotificationKind.RUN_FINISHED if succeeded else NotificationKind.RUN_FAILED,
        recipients=[run.requested_by, *team_leads([run.checkpoint.team_id])],
        title=(
            _("Run finished: %(checkpoint)s on %(suite)s")
            if succeeded
            else _("Run failed: %(checkpoint)s on %(suite)s")
        )
        % names,
        body=_("Overall score: %(score)s") % {"score": f"{run.overall_score:.2f}"}
        if succeeded and run.overall_score is not None
        else ("" if succeeded else _("Open the run to read why it failed.")),
        link=reverse("run-detail", kwargs={"pk": run.pk}),
    )
