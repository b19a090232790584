import secrets

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import TeamRoleKind, User
from accounts.services import user_create
from accounts.services.team_roles import team_role_grant
from consortium.models import Membership, Organisation
from core.roles import Role

# username, what it shows, organisation slug, role
DEMO_USERS = [
    ("admin", "programme admin", None, Role.ADMIN),
    ("reviewer", "ministry reviewer", None, Role.REVIEWER),
    ("lg-lead", "member firm: LG AI Research (lead of the LG team)", "lg-ai-research", Role.MEMBER),
    ("upstage-member", "member firm: Upstage (lead of the Upstage team)", "upstage", Role.MEMBER),
    ("panel", "panel member: judges pairs of answers in the demo user evaluation", None, Role.PANEL),
]


def _grant_team_roles(user) -> None:
    """A member firm's demo person leads the teams their organisation leads and submits for the
    others it is a member of today (what they could do before team roles existed, #18)."""
    if not user.organisation_id:
        return
    today = timezone.localdate()
    for membership in (
        Membership.objects.active_on(today).filter(organisation_id=user.organisation_id).select_related("team")
    ):
        role = (
            TeamRoleKind.LEAD
            if membership.team.lead_organisation_id == user.organisation_id
            else TeamRoleKind.SUBMITTER
        )
        team_role_grant(actor=None, team=membership.team, user=user, role=role)


class Command(BaseCommand):
    help = "Create one demo user per role; new passwords are printed once. Existing users are left alone."

    def handle(self, *args, **options):
        organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=[u[2] for u in DEMO_USERS if u[2]])}
        for username, label, org_slug, role in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username:<16} {label} (exists; password unchanged)")
                continue
            password = secrets.token_urlsafe(12)
            user = user_create(
                actor=None, username=username, password=password, organisation=organisations.get(org_slug), role=role
            )
            _grant_team_roles(user)
            self.stdout.write(f"  {username:<16} {label}  password: {password}")
