"""Reads of a person's own notifications: nobody reads another's (the queries filter by recipient)."""

from django.db.models import QuerySet

from .models import Notification


def inbox_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk, in_platform=True).only(
        "kind", "title", "body", "link", "created_at", "read_at"
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, in_platform=True, read_at__isnull=True).count()
