"""Telling the programme's people about a stage (notifications.services.notify, inside the stage
write's own transaction): it opened, froze or was finalised; and each team's lead, once, that the
nomination deadline is a day away."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import NotificationKind
from notifications.recipients import programme_people, team_leads
from notifications.services import notify
from stages.models import Stage, StageStatus

DEADLINE_NOTICE = datetime.timedelta(hours=24)

_TITLES = {
    NotificationKind.STAGE_OPENED: lambda: _("Stage opened for nominations: %(stage)s"),
    NotificationKind.STAGE_FROZEN: lambda: _("Nominations frozen, official runs queued: %(stage)s"),
    NotificationKind.STAGE_FINALISED: lambda: _("Stage finalised: %(stage)s"),
}


def notify_stage(stage: Stage, kind: NotificationKind) -> None:
    """Reviewers, admins and the leads of the stage's teams."""
    team_ids = list(stage.entries.values_list("team_id", flat=True))
    notify(
        kind=kind,
        recipients=programme_people(team_ids),
        title=_TITLES[kind]() % {"stage": stage.name},
        body=_("Nomination deadline: %(when)s")
        % {"when": timezone.localtime(stage.nomination_deadline).strftime("%Y-%m-%d %H:%M")}
        if kind == NotificationKind.STAGE_OPENED
        else "",
        link=reverse("stage-detail", kwargs={"slug": stage.slug}),
    )


def nomination_deadline_reminders_send(*, now=None) -> list[str]:
    """Beat: for every stage taking nominations whose deadline is at most 24 hours away, tell each
    (not excluded) team's leads, once per stage and team (a unique sent-marker: a second or
    concurrent beat run tells nobody again). Returns the "stage/team" pairs told now."""
    now = now or timezone.now()
    told = []
    stages = Stage.objects.filter(
        status=StageStatus.NOMINATING, nomination_deadline__gt=now, nomination_deadline__lte=now + DEADLINE_NOTICE
    )
    for stage in stages:
        nominated = set(stage.nominations.values_list("team_id", flat=True))
        for entry in stage.entries.filter(excluded_at__isnull=True).select_related("team"):
            sent = notify(
                kind=NotificationKind.NOMINATION_DEADLINE,
                recipients=team_leads([entry.team_id]),
                once_key=f"nomination-deadline:{stage.pk}:{entry.team_id}",
                title=_("Nominations for %(stage)s close in less than 24 hours") % {"stage": stage.name},
                body=(
                    _("%(team)s has nominated a checkpoint; it may still be changed until %(when)s.")
                    if entry.team_id in nominated
                    else _("%(team)s has not nominated a checkpoint yet; nominate one before %(when)s.")
                )
                % {
                    "team": entry.team.name,
                    "when": timezone.localtime(stage.nomination_deadline).strftime("%Y-%m-%d %H:%M"),
                },
                link=reverse("stage-detail", kwargs={"slug": stage.slug}),
            )
            if sent:
                told.append(f"{stage.slug}/{entry.team.slug}")
    return told
