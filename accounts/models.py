from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Belongs to at most one organisation; roles come from groups
    (programme admin, ministry reviewer) and, within a team their organisation is a member of,
    from their own team role (TeamRole)."""

    organisation = models.ForeignKey(
        "consortium.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    # The facts core.permissions decides on, read once and kept on this object for the request
    # (accounts.selectors.signed_in_user fills all three with the user in one query).
    def member_team_ids(self) -> frozenset[int]:
        """Teams in which the person's organisation holds a membership today."""
        if not self.organisation_id:
            return frozenset()
        if not hasattr(self, "_team_ids_cache"):
            from consortium.models import Membership

            self._team_ids_cache = frozenset(
                Membership.objects.active_on(timezone.localdate())
                .filter(organisation_id=self.organisation_id)
                .values_list("team_id", flat=True)
            )
        return self._team_ids_cache

    def team_roles_now(self) -> dict[int, str]:
        """{team id: TeamRoleKind value} of the person's team roles in force now. Never cached
        across requests: an ended role is gone on the next request."""
        if not hasattr(self, "_team_roles_cache"):
            self._team_roles_cache = dict(
                TeamRole.objects.in_force().filter(user_id=self.pk).values_list("team_id", "role")
            )
        return self._team_roles_cache


# ---- team roles per person (#18) -------------------------------------------------------------


class TeamRoleKind(models.TextChoices):
    """What a person may do in a team, strongest first: each includes the ones after it."""

    LEAD = "lead", _("Team lead")
    SUBMITTER = "submitter", _("Submitter")
    VIEWER = "viewer", _("Viewer")


class TeamRoleQuerySet(models.QuerySet):
    def in_force(self, at=None):
        """Grants in force at `at` (now): granted at or before it, not yet ended."""
        at = at or timezone.now()
        return self.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at), granted_at__lte=at)


class TeamRole(models.Model):
    """One person's role in one team from `granted_at` until `ended_at` (open: still held).

    It counts only while the person's organisation is a member of the team (the membership gives
    the team; the person's role gives what they may do in it). A person holds one role per team at
    a time: one open grant (a unique constraint everywhere) and no overlapping periods (PostgreSQL
    exclusion constraint, migration accounts/0004). Rows are never deleted: ending one sets
    `ended_at`, so the history stays, with who granted and who ended it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_roles", verbose_name=_("person")
    )
    team = models.ForeignKey(
        "consortium.Team", on_delete=models.PROTECT, related_name="person_roles", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRoleKind.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ended by"),
    )

    objects = TeamRoleQuerySet.as_manager()

    class Meta:
        ordering = ["team_id", "user_id", "granted_at"]
        verbose_name = _("team role")
        verbose_name_plural = _("team roles")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TeamRoleKind.values), name="team_role_known"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("granted_at")),
                name="team_role_ends_after_granted",
            ),
            models.UniqueConstraint(
                fields=["user", "team"], condition=Q(ended_at__isnull=True), name="team_role_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"


# ---- personal API tokens (#18) ---------------------------------------------------------------


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the key is stored (the key is shown once, when it
    is made); `prefix` (its first characters) tells a person's tokens apart. A token works until it
    expires or is revoked, whichever comes first; `last_used_at` is kept to the minute."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_created"),
            models.CheckConstraint(condition=~Q(name=""), name="api_token_named"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="api_token_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and at < self.expires_at


# ---- sessions that know their person (#18) ---------------------------------------------------


class UserSession(AbstractBaseSession):
    """Django's database session with its person, so a person can list their sessions and end them
    all ("sign out everywhere"); the engine is accounts.sessions (SESSION_ENGINE)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        # The configured engine (accounts.sessions), found as Django finds it: it imports this model.
        return import_module(settings.SESSION_ENGINE).SessionStore
