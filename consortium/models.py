import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class BilingualNamed(models.Model):
    """A Korean and an English name; `name` follows the active language."""

    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        english = (translation.get_language() or "ko").startswith("en")
        return (self.name_en if english else self.name_ko) or self.name_ko or self.name_en

    def __str__(self) -> str:
        return self.name


class Programme(BilingualNamed):
    slug = models.SlugField(unique=True)
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        ordering = ["-year", "slug"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    PUBLIC_BODY = "public_body", _("Public body")
    GPU_PROVIDER = "gpu_provider", _("GPU provider")


class Organisation(BilingualNamed):
    slug = models.SlugField(unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_known"),
        ]


class TeamStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ELIMINATED = "eliminated", _("Eliminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Team(BilingualNamed):
    """A consortium competing in the programme."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="teams")
    slug = models.SlugField(unique=True)
    model_name = models.CharField(_("model name"), max_length=200, blank=True)
    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT, related_name="led_teams"
    )
    status = models.CharField(_("status"), max_length=16, choices=TeamStatus.choices, default=TeamStatus.ACTIVE)
    joined_on = models.DateField(_("joined on"))

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TeamStatus.values), name="team_status_known"),
        ]

    @property
    def team(self) -> "Team":
        """A team is its own team: every team-scoped object answers `.team` (core.permissions)."""
        return self

    @property
    def accepts_submissions(self) -> bool:
        return self.status == TeamStatus.ACTIVE


class MembershipRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MODEL_DEVELOPMENT = "model_development", _("Model development")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure / NPU")
    SERVING = "serving", _("Serving")
    SERVICE = "service", _("Services (B2C/B2B/B2G)")
    DATA = "data", _("Data")
    RESEARCH = "research", _("Research")


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        """Memberships in force on `day`; both ends are inclusive."""
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gte=day), joined_on__lte=day)


class Membership(models.Model):
    """An organisation's membership of a team over a period of time.

    An organisation may not hold two overlapping memberships of the same team:
    the service checks it everywhere, and PostgreSQL enforces it with an
    exclusion constraint (migration 0002)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.team}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    @property
    def role_codes(self) -> list[str]:
        """Role codes in the fixed order of MembershipRole (uses prefetched roles)."""
        held = {r.role for r in self.roles.all()}
        return [code for code in MembershipRole.values if code in held]

    @property
    def role_labels(self) -> list[str]:
        return [MembershipRole(code).label for code in self.role_codes]


class MembershipRoleAssignment(models.Model):
    """One role an organisation plays in a team (a membership may hold several)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=MembershipRole.choices)

    class Meta:
        verbose_name = _("membership role")
        verbose_name_plural = _("membership roles")
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="membership_role_once"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return self.get_role_display()
