"""A person's password and sessions: change (knowing the old one), set from a reset link, and
"sign out everywhere". Each is audited (never the password)."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import User, UserSession
from audit.services import audit_record
from core.permissions import Action, require


@transaction.atomic
def user_password_set(*, actor, user: User, password: str, how: str, keep_session_key: str | None = None) -> User:
    """Sets the password (validated by AUTH_PASSWORD_VALIDATORS) and ends every other session of
    the person (`keep_session_key`: the one that changed it, when it stays signed in). `how`:
    "change" or "reset", for the audit log."""
    if actor is not None:
        require(actor, Action.MANAGE_ACCOUNT, user)
    validate_password(password, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "").delete()[0]
    audit_record(actor=actor, action=f"user.password_{how}", target=user, after={"sessions_ended": ended})
    return user


@transaction.atomic
def user_sessions_end(*, actor, user: User) -> int:
    """Sign out everywhere: every session of the person ends (each answers as signed out on its next
    request). Returns how many there were."""
    if actor is not None:
        require(actor, Action.MANAGE_ACCOUNT, user)
    ended = UserSession.objects.filter(user=user).delete()[0]
    audit_record(actor=actor, action="user.sessions_end", target=user, after={"sessions_ended": ended})
    return ended
