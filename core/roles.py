"""The platform's roles. Admins and reviewers are Django groups; a member's
reach follows from their organisation's team memberships."""

from django.db import models
from django.utils.translation import gettext_lazy as _

PROGRAMME_ADMIN_GROUP = "programme_admin"
MINISTRY_REVIEWER_GROUP = "ministry_reviewer"
PANEL_MEMBER_GROUP = "panel_member"  # user-evaluation judges, invited by admins (arena)
BENCHMARK_AUTHOR_GROUP = "benchmark_author"  # reviewers or admins who write the ministry's private benchmarks


class Role(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBER = "member", _("Member firm")
    REVIEWER = "reviewer", _("Ministry reviewer")
    ADMIN = "admin", _("Programme admin")
    PANEL = "panel", _("Panel member")


def group_names(user) -> frozenset[str]:
    """The user's group names, read once per request and kept on the user."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_group_names_cache"):
        user._group_names_cache = frozenset(user.groups.values_list("name", flat=True))
    return user._group_names_cache


def is_programme_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or PROGRAMME_ADMIN_GROUP in group_names(user))


def is_ministry_reviewer(user) -> bool:
    return user.is_authenticated and MINISTRY_REVIEWER_GROUP in group_names(user)


def is_benchmark_author(user) -> bool:
    return user.is_authenticated and BENCHMARK_AUTHOR_GROUP in group_names(user)


def is_panel_member(user) -> bool:
    return user.is_authenticated and PANEL_MEMBER_GROUP in group_names(user)


def role_of(user) -> Role:
    """The strongest role a user holds, for display and for the demo."""
    if is_programme_admin(user):
        return Role.ADMIN
    if is_ministry_reviewer(user):
        return Role.REVIEWER
    if is_panel_member(user):
        return Role.PANEL
    if user.is_authenticated and user.organisation_id:
        return Role.MEMBER
    return Role.PUBLIC
