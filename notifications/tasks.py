"""Celery tasks of notifications: they only call services."""

from celery import shared_task

from .services import notification_emails_resend, notification_emails_send


@shared_task(name="notifications.send_emails")
def send_emails(notification_ids: list[int]) -> dict:
    return notification_emails_send(notification_ids=notification_ids)


@shared_task(name="notifications.resend_emails")
def resend_emails() -> dict:
    """Beat: no wanted email waits for ever (a lost message, a mail server that was down)."""
    return notification_emails_resend()
