from django.contrib.auth.models import Group
from django.db import transaction

from audit.services import audit_record
from core.permissions import Action, require

from .models import User
from .roles import MINISTRY_REVIEWER_GROUP, PROGRAMME_ADMIN_GROUP


def role_groups_ensure() -> dict[str, Group]:
    """The two role groups (created by migration; recreated if a test flushed them)."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in (PROGRAMME_ADMIN_GROUP, MINISTRY_REVIEWER_GROUP)}


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    organisation=None,
    programme_admin: bool = False,
    ministry_reviewer: bool = False,
    email: str = "",
) -> User:
    """A person's account. Programme admins also get the Django admin (staff, superuser)."""
    if actor is not None:
        require(actor, Action.MANAGE_REGISTRY)
    user = User(username=username, email=email, organisation=organisation,
                is_staff=programme_admin, is_superuser=programme_admin)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    groups = role_groups_ensure()
    if programme_admin:
        user.groups.add(groups[PROGRAMME_ADMIN_GROUP])
    if ministry_reviewer:
        user.groups.add(groups[MINISTRY_REVIEWER_GROUP])
    audit_record(actor=actor, action="user.create", target=user, after={
        "username": username,
        "organisation": organisation.pk if organisation else None,
        "programme_admin": programme_admin,
        "ministry_reviewer": ministry_reviewer,
    })
    return user
