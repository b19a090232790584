"""What each person chose to receive: one read for many people, defaults where they chose nothing."""

from .models import NotificationKind, NotificationPreference

DEFAULTS = {"in_platform": True, "email": True}


def choices_for(user_ids, kind: str) -> dict[int, dict]:
    """{user id: {"in_platform": bool, "email": bool}} for one kind (one query)."""
    chosen = {
        user_id: {"in_platform": in_platform, "email": email}
        for user_id, in_platform, email in NotificationPreference.objects.filter(
            user_id__in=list(user_ids), kind=kind
        ).values_list("user_id", "in_platform", "email")
    }
    return {pk: chosen.get(pk, DEFAULTS) for pk in user_ids}


def preferences_of(user) -> list[dict]:
    """Every kind, with the person's choice (or the default), for the preferences page."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return [
        {
            "kind": kind,
            "label": label,
            "in_platform": chosen[kind].in_platform if kind in chosen else DEFAULTS["in_platform"],
            "email": chosen[kind].email if kind in chosen else DEFAULTS["email"],
        }
        for kind, label in NotificationKind.choices
    ]
