"""#18, data: people keep what they could do, tokens keep working (now hashed, with an expiry).

- Every user of an organisation that is (or will be) a member of a team gets a team role there:
  "lead" where the organisation holds the team's lead membership role (it led the team), else
  "submitter" (before, any member organisation's people could submit). New people get no role.
- Every DRF token (its key was stored in clear) becomes an accounts.ApiToken holding only the key's
  SHA-256, named "Token made before expiry existed", expiring TOKEN_CARRY_DAYS after this
  migration; the clear keys are deleted.
- PostgreSQL: no person holds two overlapping roles in one team (exclusion constraint)."""
import datetime
import hashlib

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from core.migration_helpers import postgres_only

TOKEN_CARRY_DAYS = 90

NO_OVERLAP = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE accounts_teamrole ADD CONSTRAINT team_role_no_overlap
    EXCLUDE USING gist (
        user_id WITH =,
        team_id WITH =,
        tstzrange(granted_at, ended_at, '[)') WITH &&
    );
"""
DROP_NO_OVERLAP = "ALTER TABLE accounts_teamrole DROP CONSTRAINT IF EXISTS team_role_no_overlap;"


def roles_forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("consortium", "Membership")
    TeamRole = apps.get_model("accounts", "TeamRole")
    now = timezone.now()
    today = timezone.localdate(now)
    memberships = Membership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
    by_organisation: dict[int, dict[int, str]] = {}
    for membership in memberships.prefetch_related("roles"):
        led = any(r.role == "lead" for r in membership.roles.all())
        teams = by_organisation.setdefault(membership.organisation_id, {})
        teams[membership.team_id] = "lead" if led or teams.get(membership.team_id) == "lead" else "submitter"
    grants = [TeamRole(user_id=user_id, team_id=team_id, role=role, granted_at=now)
              for user_id, organisation_id in User.objects.filter(organisation__isnull=False)
              .values_list("pk", "organisation_id")
              for team_id, role in by_organisation.get(organisation_id, {}).items()]
    TeamRole.objects.bulk_create(grants)


def tokens_forwards(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    expires = now + datetime.timedelta(days=TOKEN_CARRY_DAYS)
    carried = [ApiToken(user_id=t.user_id, name="Token made before expiry existed", prefix=t.key[:8],
                        key_hash=hashlib.sha256(t.key.encode()).hexdigest(), created_at=min(t.created, now),
                        expires_at=expires) for t in Token.objects.all()]
    ApiToken.objects.bulk_create(carried)
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_people_tokens_sessions"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("consortium", "0002_membership_no_overlap_postgres"),
    ]
    operations = [
        postgres_only(NO_OVERLAP, DROP_NO_OVERLAP),
        migrations.RunPython(roles_forwards, migrations.RunPython.noop),
        migrations.RunPython(tokens_forwards, migrations.RunPython.noop),
    ]
