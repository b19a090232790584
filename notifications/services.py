"""Writes of notifications. `notify` is what other apps call (evaluation for runs, stages for
stages and deadlines, objections when answered): it writes the in-platform rows inside the caller's
transaction, so a rolled-back event tells nobody, and queues the emails after commit."""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import dispatch
from .models import (
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    SentOnce,
)
from .preferences import choices_for

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *, kind: str, recipients: Iterable, title: str, body: str = "", link: str = "", once_key: str | None = None
) -> list[Notification]:
    """Tell each recipient (Users; duplicates and inactive people dropped) what happened, on the
    channels they chose. With `once_key`, a second call with the same key tells nobody."""
    kind = NotificationKind(kind)
    if once_key is not None:
        try:
            with transaction.atomic():  # a savepoint: a duplicate key must not break the caller's transaction
                SentOnce.objects.create(key=once_key)
        except IntegrityError:
            return []
    people = {person.pk: person for person in recipients if person is not None and person.is_active}
    choices = choices_for(people, kind)
    rows = []
    for pk, person in sorted(people.items()):
        wants = choices[pk]
        email = EmailState.PENDING if wants["email"] and person.email else EmailState.NOT_WANTED
        if not wants["in_platform"] and email == EmailState.NOT_WANTED:
            continue
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                title=title[:300],
                body=body,
                link=link,
                in_platform=wants["in_platform"],
                email_state=email,
            )
        )
    created = Notification.objects.bulk_create(rows)
    emails = [n.pk for n in created if n.email_state == EmailState.PENDING]
    if emails:
        dispatch.send_emails(emails)
    return created


def notification_emails_send(*, notification_ids: list[int]) -> dict[int, str]:
    """The worker's half: send each pending email once. A mail server that refuses is recorded on
    the row (failed, with why); the in-platform notification was committed before and stays."""
    outcome = {}
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=pk, email_state__in=[EmailState.PENDING, EmailState.FAILED])
                .first()
            )
            if notification is None:
                continue  # sent already (a repeated message) or never wanted
            link = f"{settings.PLATFORM_BASE_URL.rstrip('/')}{notification.link}" if notification.link else ""
            notification.email_attempts += 1
            try:
                send_mail(
                    notification.title,
                    "\n\n".join(p for p in (notification.body, link) if p),
                    settings.DEFAULT_FROM_EMAIL,
                    [notification.recipient.email],
                )
            except Exception as error:  # noqa: BLE001 - any mail failure is recorded, never lost
                logger.warning("notification %s: email failed: %s", pk, error)
                notification.email_state, notification.email_error = EmailState.FAILED, str(error)[:2000]
            else:
                notification.email_state, notification.email_error = EmailState.SENT, ""
            notification.save(update_fields=["email_state", "email_error", "email_attempts"])
            outcome[pk] = notification.email_state
    return outcome


EMAIL_RESEND_AFTER = datetime.timedelta(minutes=10)
EMAIL_MAX_ATTEMPTS = 5


def notification_emails_resend(*, waiting_for: datetime.timedelta = EMAIL_RESEND_AFTER) -> dict[int, str]:
    """The beat's half: emails whose message was lost (the broker was down at commit) or whose mail
    server refused, tried again up to EMAIL_MAX_ATTEMPTS times. A message that still arrives later
    finds the row sent and sends nothing (the row is locked and its state checked)."""
    since = timezone.now() - waiting_for
    waiting = list(
        Notification.objects.filter(
            Q(email_state=EmailState.PENDING, created_at__lt=since)
            | Q(email_state=EmailState.FAILED, email_attempts__lt=EMAIL_MAX_ATTEMPTS)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    return notification_emails_send(notification_ids=waiting)


def notification_mark_read(*, actor, notification_id: int) -> int:
    """The person's own notification only; marking twice keeps the first time. Returns rows marked."""
    return Notification.objects.filter(pk=notification_id, recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, in_platform=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, actor, choices: dict[str, dict]) -> None:
    """{kind: {"in_platform": bool, "email": bool}} for the person themself; audited."""
    unknown = sorted(set(choices) - set(NotificationKind.values))
    if unknown:
        raise ValidationError({"kind": [_("Unknown notification kinds: %(kinds)s") % {"kinds": ", ".join(unknown)}]})
    before = {
        p.kind: {"in_platform": p.in_platform, "email": p.email}
        for p in NotificationPreference.objects.select_for_update().filter(user=actor)
    }
    for kind, wants in choices.items():
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"in_platform": bool(wants["in_platform"]), "email": bool(wants["email"])}
        )
    audit_record(actor=actor, action="notifications.preferences", target=actor, before=before, after=choices)
