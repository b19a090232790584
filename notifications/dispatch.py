"""This app's Celery tasks, sent by name after commit (core.dispatch): an email never leaves
inside the transaction that wrote its notification."""

from core.dispatch import send_after_commit


def send_emails(notification_ids: list[int]) -> None:
    send_after_commit("notifications.send_emails", notification_ids)
