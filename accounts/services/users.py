"""Writes to user accounts, each audited. Roles are assigned here and nowhere else."""

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from audit.admin_writes import require_admin
from audit.chain import to_json_value
from audit.services import audit_record
from core.roles import MINISTRY_REVIEWER_GROUP, PANEL_MEMBER_GROUP, PROGRAMME_ADMIN_GROUP, Role, role_of

ROLE_GROUPS = {
    Role.ADMIN: PROGRAMME_ADMIN_GROUP,
    Role.REVIEWER: MINISTRY_REVIEWER_GROUP,
    Role.PANEL: PANEL_MEMBER_GROUP,
}
USER_EDITABLE = {"first_name", "last_name", "email", "organisation", "is_active"}


def role_groups_ensure() -> dict[str, Group]:
    """The role groups (created by migration; recreated if a test flushed them)."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_GROUPS.values()}


def _snapshot(user: User) -> dict:
    return to_json_value(
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "organisation": user.organisation_id,
            "is_active": user.is_active,
            "role": role_of(user),
        }
    )


def _set_role(user: User, role: Role) -> None:
    """Admins and reviewers are groups; admins also get the Django admin (staff)."""
    groups = role_groups_ensure()
    user.groups.remove(*groups.values())
    if role in ROLE_GROUPS:
        user.groups.add(groups[ROLE_GROUPS[role]])
    user.is_staff = role == Role.ADMIN
    if role != Role.ADMIN:
        user.is_superuser = False
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_group_names_cache", None)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    organisation=None,
    role: Role = Role.MEMBER,
    email: str = "",
) -> User:
    """A person's account; password None makes one that cannot log in with a password."""
    require_admin(actor)
    user = User(username=username, email=email, organisation=organisation)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _set_role(user, Role(role))
    audit_record(actor=actor, action="user.create", target=user, after=_snapshot(user))
    return user


@transaction.atomic
def user_update(*, actor, user: User, role: Role | None = None, **changes) -> User:
    """Change a person's details, organisation (which decides their teams) or role."""
    require_admin(actor)
    unknown = set(changes) - USER_EDITABLE
    if unknown:
        raise TypeError(f"user.update: cannot change {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(user)
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save()
    if role is not None:
        _set_role(user, Role(role))
    after = _snapshot(user)
    if after != before:
        audit_record(actor=actor, action="user.update", target=user, before=before, after=after)
    return user
