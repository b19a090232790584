"""Celery tasks of notifications: they only call services."""
from celery import shared_task

from .services import notification_emails_send


@shared_task(name="notifications.send_emails")
def send_emails(notification_ids: list[int]) -> dict:
    return notification_emails_send(notification_ids=notification_ids)
