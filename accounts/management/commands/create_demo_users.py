import secrets

from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services import user_create
from consortium.models import Organisation

# username, what it shows, organisation slug, programme admin, ministry reviewer
DEMO_USERS = [
    ("admin", "programme admin", None, True, False),
    ("reviewer", "ministry reviewer", None, False, True),
    ("lg-lead", "member firm: LG AI Research (lead of the LG team)", "lg-ai-research", False, False),
    ("upstage-member", "member firm: Upstage (lead of the Upstage team)", "upstage", False, False),
]


class Command(BaseCommand):
    help = "Create one demo user per role; new passwords are printed once. Existing users are left alone."

    def handle(self, *args, **options):
        organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=[u[2] for u in DEMO_USERS if u[2]])}
        for username, label, org_slug, is_admin, is_reviewer in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username:<16} {label} (exists; password unchanged)")
                continue
            password = secrets.token_urlsafe(12)
            user_create(actor=None, username=username, password=password,
                        organisation=organisations.get(org_slug), programme_admin=is_admin,
                        ministry_reviewer=is_reviewer)
            self.stdout.write(f"  {username:<16} {label}  password: {password}")
