"""Objections: a team lead objects within the window after finalisation; reviewers and admins answer
once (upheld or rejected); every step is audited; the report lists them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from governance.models import Objection, ObjectionStatus
from governance.services import objection_answer, objection_file
from stages.models import Criterion


def test_a_lead_files_and_a_reviewer_answers_both_audited(finalised, people, team_a):
    lead = people["member_a"]  # leads team A
    criterion = Criterion.objects.get(part__stage=finalised, key="technology")
    objection = objection_file(
        actor=lead,
        stage=finalised,
        team=team_a,
        text="Our nia_mc run was cut short.",
        task="nia_mc",
        criterion=criterion,
    )
    assert objection.status == ObjectionStatus.OPEN
    filed = AuditEvent.objects.get(action="governance.objection_file")
    assert (filed.actor, filed.after["team_slug"], filed.after["task"]) == (lead, "team-a", "nia_mc")

    objection_answer(
        actor=people["reviewer"], objection=objection, outcome="rejected", answer="The run log shows every item."
    )
    objection.refresh_from_db()
    assert (objection.status, objection.answered_by) == (ObjectionStatus.REJECTED, people["reviewer"])
    answered = AuditEvent.objects.get(action="governance.objection_answer")
    assert (answered.before["status"], answered.after["status"]) == ("open", "rejected")

    with pytest.raises(ValidationError, match="cannot go from"):  # answered once, for good
        objection_answer(actor=people["admin"], objection=objection, outcome="upheld", answer="Changed my mind")


def test_only_the_teams_lead_files_and_only_staff_answer(finalised, people, team_a, team_b):
    for outsider in (people["member_b"], people["reviewer"], people["admin"]):
        with pytest.raises(PermissionDenied):
            objection_file(actor=outsider, stage=finalised, team=team_a, text="Not my team")
    objection = objection_file(actor=people["member_a"], stage=finalised, team=team_a, text="Recount")
    for outsider in (people["member_a"], people["member_b"]):
        with pytest.raises(PermissionDenied):
            objection_answer(actor=outsider, objection=objection, outcome="upheld", answer="Yes")


def test_objections_only_within_the_window_after_finalisation(official_results, people, team_a, settings):
    lead = people["member_a"]
    with pytest.raises(ValidationError, match="once the stage is finalised"):
        objection_file(actor=lead, stage=official_results, team=team_a, text="Too early")
    from stages.services.stages import stage_finalise

    stage_finalise(actor=people["admin"], stage=official_results)
    official_results.refresh_from_db()
    settings.STAGE_OBJECTION_WINDOW_DAYS = 0  # the window closed at finalisation (a result is immutable)
    with pytest.raises(ValidationError, match="window closed"):
        objection_file(actor=lead, stage=official_results, team=team_a, text="Too late")
    settings.STAGE_OBJECTION_WINDOW_DAYS = 7
    objection_file(actor=lead, stage=official_results, team=team_a, text="In time")


def test_bad_input_is_refused(finalised, people, team_a):
    lead = people["member_a"]
    with pytest.raises(ValidationError) as refused:
        objection_file(actor=lead, stage=finalised, team=team_a, text=" ", task="no-such-task")
    assert set(refused.value.message_dict) == {"text", "task"}
    objection = objection_file(actor=lead, stage=finalised, team=team_a, text="Recount")
    with pytest.raises(ValidationError, match="Write the answer"):
        objection_answer(actor=people["admin"], objection=objection, outcome="upheld", answer="")
    with pytest.raises(ValidationError, match="upheld or rejected"):
        objection_answer(actor=people["admin"], objection=objection, outcome="open", answer="Hm")
    assert not AuditEvent.objects.filter(action="governance.objection_answer").exists()


def test_the_database_refuses_an_answered_objection_without_an_answer(finalised, people, team_a):
    objection = objection_file(actor=people["member_a"], stage=finalised, team=team_a, text="Recount")
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.filter(pk=objection.pk).update(status=ObjectionStatus.UPHELD)


def test_the_report_lists_objections_and_answers_and_open_ones_stay_with_the_team(finalised, people, team_a):
    open_one = objection_file(actor=people["member_a"], stage=finalised, team=team_a, text="Open objection text")
    answered = objection_file(actor=people["member_a"], stage=finalised, team=team_a, text="Answered objection text")
    objection_answer(actor=people["admin"], objection=answered, outcome="upheld", answer="We recounted: upheld.")
    public = Client().get(f"/stages/{finalised.slug}/report/").content.decode()
    assert "Answered objection text" in public and "We recounted: upheld." in public
    assert "Open objection text" not in public
    lead = Client()
    lead.force_login(people["member_a"])
    assert "Open objection text" in lead.get(f"/stages/{finalised.slug}/report/").content.decode()
    other = Client()
    other.force_login(people["member_b"])
    assert f'data-objection="{open_one.pk}"' not in other.get(f"/stages/{finalised.slug}/objections/").content.decode()


def test_the_pages_file_and_answer(finalised, people, team_a):
    lead = Client()
    lead.force_login(people["member_a"])
    response = lead.post(f"/stages/{finalised.slug}/objections/", {"team": team_a.pk, "text": "By the page"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    reviewer = Client()
    reviewer.force_login(people["reviewer"])
    reviewer.post(
        f"/stages/{finalised.slug}/objections/{objection.pk}/answer/", {"outcome": "upheld", "answer": "Agreed"}
    )
    objection.refresh_from_db()
    assert (objection.status, objection.answer) == ("upheld", "Agreed")


def test_the_api_files_lists_and_answers(finalised, people, team_a):
    lead, reviewer = APIClient(), APIClient()
    lead.force_authenticate(people["member_a"])
    reviewer.force_authenticate(people["reviewer"])
    response = lead.post(
        "/api/objections/",
        {"stage": finalised.slug, "team": "team-a", "text": "Via the API", "task": "nia_mc"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert (
        reviewer.post(
            f"/api/objections/{pk}/answer/", {"outcome": "rejected", "answer": "No"}, format="json"
        ).status_code
        == 200
    )
    assert (
        lead.post(f"/api/objections/{pk}/answer/", {"outcome": "upheld", "answer": "Yes"}, format="json").status_code
        == 403
    )
    listed = lead.get(f"/api/objections/?stage={finalised.slug}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["id"], r["status"], r["answer"]) for r in rows] == [(pk, "rejected", "No")]


def test_an_answer_tells_whoever_objected(finalised, people, team_a, mailoutbox):
    from notifications.models import Notification, NotificationKind

    objection = objection_file(actor=people["member_a"], stage=finalised, team=team_a, text="Recount, please")
    objection_answer(actor=people["reviewer"], objection=objection, outcome="upheld", answer="Recounted: upheld.")
    told = Notification.objects.get(kind=NotificationKind.OBJECTION_ANSWERED)
    assert told.recipient == people["member_a"] and told.body == "Recounted: upheld."
    assert told.link.endswith(f"/stages/{finalised.slug}/objections/")
