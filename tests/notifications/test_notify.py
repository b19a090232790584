"""Notifications: who is told of a run, a stage and a deadline; each person's choices; emails only
after commit, and a failing mail server loses no in-platform notification."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from evaluation.models import EvaluationRun, RunStatus
from evaluation.services import runs
from notifications.models import (
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    SentOnce,
)
from notifications.services import (
    notification_emails_send,
    notification_preferences_set,
    notify,
)
from stages.services.nominations import nominations_freeze
from stages.services.notices import nomination_deadline_reminders_send
from stages.services.stages import stage_create
from tests.support.brokers import broker_down
from tests.support.factories import ProgrammeFactory, UserFactory
from tests.support.results_builder import make_checkpoint, make_suite_version

RESULTS = {
    "results": {
        t: {"acc,none": 0.5, "acc_stderr,none": 0.01} for t in ("nia_mc", "global_mc", "global_gen", "chosen_gen")
    }
}


@pytest.fixture
def with_emails(people):
    for name, user in people.items():
        if user.is_authenticated:
            user.email = f"{name}@example.org"
            user.save(update_fields=["email"])
    return people


def _claimed_run(people, team_a, submitter):
    suite_version = make_suite_version()
    checkpoint = make_checkpoint(team_a)
    run = EvaluationRun.objects.create(
        checkpoint=checkpoint,
        suite_version=suite_version,
        requested_by=submitter,
        manifest_digest=checkpoint.manifest_digest,
        progress_total=4,
    )
    _, token = runs.run_claim(run_id=run.pk, worker_host="w")
    return run, token


def _told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_finished_run_tells_its_submitter_and_the_teams_leads(
    with_emails, team_a, extra_member, django_capture_on_commit_callbacks
):
    submitter = UserFactory(username="submitter-a", organisation=extra_member(team_a).organisation)
    run, token = _claimed_run(with_emails, team_a, submitter)
    with django_capture_on_commit_callbacks() as sends:
        assert runs.run_succeed(
            run_id=run.pk, token=token, results=RESULTS, versions={}, backend="hf", device="cpu", batch_size=1
        )
    assert _told(NotificationKind.RUN_FINISHED) == {"submitter-a", "member-a"}  # member-a leads team A
    assert len(sends) == 1  # the email task is sent after commit, never inside the run's transaction
    note = Notification.objects.get(recipient=with_emails["member_a"])
    assert note.link == f"/evaluation/runs/{run.pk}/" and note.email_state == EmailState.PENDING


def test_a_failed_run_tells_them_without_the_harness_words(with_emails, team_a):
    run, token = _claimed_run(with_emails, team_a, with_emails["member_a"])
    runs.run_fail(run_id=run.pk, token=token, error="item 17: the secret answer is 42")
    note = Notification.objects.get(kind=NotificationKind.RUN_FAILED)
    assert note.recipient == with_emails["member_a"] and "42" not in note.title + note.body
    assert EvaluationRun.objects.get(pk=run.pk).status == RunStatus.FAILED


def test_a_rolled_back_event_tells_nobody(with_emails, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as sends, pytest.raises(RuntimeError), transaction.atomic():
        notify(kind=NotificationKind.RUN_FINISHED, recipients=[with_emails["member_a"]], title="t")
        raise RuntimeError
    assert not Notification.objects.exists() and not sends


def test_each_person_chooses_what_they_receive(with_emails):
    member, reviewer, admin = with_emails["member_a"], with_emails["reviewer"], with_emails["admin"]
    notification_preferences_set(actor=member, choices={"stage_frozen": {"in_platform": False, "email": False}})
    notification_preferences_set(actor=reviewer, choices={"stage_frozen": {"in_platform": False, "email": True}})
    notification_preferences_set(actor=admin, choices={"stage_frozen": {"in_platform": True, "email": False}})
    notify(kind=NotificationKind.STAGE_FROZEN, recipients=[member, reviewer, admin], title="frozen")
    rows = {n.recipient.username: (n.in_platform, n.email_state) for n in Notification.objects.all()}
    assert rows == {"reviewer": (False, EmailState.PENDING), "admin": (True, EmailState.NOT_WANTED)}
    # Other kinds keep the defaults: both channels.
    notify(kind=NotificationKind.STAGE_FINALISED, recipients=[member], title="done")
    assert Notification.objects.get(kind="stage_finalised").email_state == EmailState.PENDING


def test_emails_are_sent_once_and_a_failing_mail_server_keeps_the_notification(with_emails, settings):
    (note,) = notify(
        kind=NotificationKind.RUN_FINISHED,
        recipients=[with_emails["member_a"]],
        title="Run finished",
        link="/evaluation/runs/1/",
    )
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.RefusingBackend"
    assert notification_emails_send(notification_ids=[note.pk]) == {note.pk: EmailState.FAILED}
    note.refresh_from_db()
    assert note.email_state == EmailState.FAILED and "refused" in note.email_error and note.read_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_emails_send(notification_ids=[note.pk]) == {note.pk: EmailState.SENT}  # the retry
    assert notification_emails_send(notification_ids=[note.pk]) == {}  # a repeated message sends nothing
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["member_a@example.org"]
    assert "http://localhost:8000/evaluation/runs/1/" in mail.outbox[0].body


def test_the_email_task_reaches_a_worker_only_after_commit_even_with_the_broker_down(
    with_emails, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True) as sends:
        notify(kind=NotificationKind.RUN_FINISHED, recipients=[with_emails["member_a"]], title="t")
    assert len(sends) == 1 and Notification.objects.count() == 1  # the send failed; the notification stands


@pytest.fixture
def stage(with_emails, team_a, team_b):
    return stage_create(
        actor=with_emails["admin"],
        programme=ProgrammeFactory(),
        slug="s1",
        name_ko="1차",
        name_en="First",
        advancing_count=1,
        suite_version=make_suite_version(),
        nomination_deadline=timezone.now() + datetime.timedelta(hours=20),
        teams=[team_a, team_b],
    )


def test_a_stage_opening_and_freezing_tell_the_programmes_people(stage, with_emails):
    everyone = {"member-a", "member-b", "reviewer", "admin"}  # the two teams' leads, reviewers, admins
    assert _told(NotificationKind.STAGE_OPENED) == everyone
    nominations_freeze(actor=with_emails["admin"], stage=stage)
    assert _told(NotificationKind.STAGE_FROZEN) == everyone
    assert Notification.objects.filter(kind="stage_frozen", link="/stages/s1/").count() == 4


def test_the_deadline_reminder_goes_once_per_stage_and_team(stage, with_emails):
    assert nomination_deadline_reminders_send(now=stage.nomination_deadline - datetime.timedelta(hours=30)) == []
    assert sorted(nomination_deadline_reminders_send()) == ["s1/team-a", "s1/team-b"]
    assert nomination_deadline_reminders_send() == []  # the beat runs again: nobody is told twice
    assert _told(NotificationKind.NOMINATION_DEADLINE) == {"member-a", "member-b"}
    assert Notification.objects.filter(kind="nomination_deadline").count() == 2
    assert SentOnce.objects.count() == 2


def test_the_sent_marker_is_unique_in_the_database(db):
    from django.db import IntegrityError

    SentOnce.objects.create(key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        SentOnce.objects.create(key="k")


def test_an_objection_answer_can_be_told(with_emails):
    """The objections branch (#17 B) calls this when an objection is answered."""
    notify(
        kind=NotificationKind.OBJECTION_ANSWERED,
        recipients=[with_emails["member_a"]],
        title="Your objection was answered",
        link="/stages/s1/",
    )
    assert _told(NotificationKind.OBJECTION_ANSWERED) == {"member-a"}


def test_preferences_are_one_row_per_person_and_kind(with_emails):
    member = with_emails["member_a"]
    for email in (False, True):
        notification_preferences_set(actor=member, choices={"run_failed": {"in_platform": True, "email": email}})
    assert NotificationPreference.objects.filter(user=member).count() == 1


def test_the_beat_sends_again_what_was_lost_or_refused(with_emails, settings):
    import datetime as dt

    from notifications.services import EMAIL_MAX_ATTEMPTS, notification_emails_resend

    lost, refused = (
        notify(kind=NotificationKind.RUN_FINISHED, recipients=[with_emails[who]], title=who)[0]
        for who in ("member_a", "member_b")
    )
    assert notification_emails_resend() == {}  # just written: its message may still be on its way
    Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.RefusingBackend"
    notification_emails_send(notification_ids=[refused.pk])
    assert notification_emails_resend() == {lost.pk: EmailState.FAILED, refused.pk: EmailState.FAILED}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_emails_resend() == {lost.pk: EmailState.SENT, refused.pk: EmailState.SENT}
    assert notification_emails_resend() == {} and len(mail.outbox) == 2
    # A mail server that never answers is tried EMAIL_MAX_ATTEMPTS times, then left failed.
    Notification.objects.filter(pk=lost.pk).update(email_state=EmailState.FAILED, email_attempts=EMAIL_MAX_ATTEMPTS)
    assert notification_emails_resend() == {}
