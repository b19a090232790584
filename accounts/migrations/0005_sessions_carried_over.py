"""#18: sessions move from django_session to accounts.UserSession (SESSION_ENGINE =
"accounts.sessions"), with the person each one signs in, so nobody is signed out by the change.
Expired and undecodable sessions are left behind."""
from django.contrib.auth import SESSION_KEY
from django.db import migrations
from django.utils import timezone


def sessions_forwards(apps, schema_editor):
    from accounts.sessions import SessionStore

    OldSession = apps.get_model("sessions", "Session")
    UserSession = apps.get_model("accounts", "UserSession")
    carried = []
    for old in OldSession.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = SessionStore().decode(old.session_data)  # {} when it does not decode
        user_id = str(data.get(SESSION_KEY, ""))
        carried.append(UserSession(session_key=old.session_key, session_data=old.session_data,
                                   expire_date=old.expire_date, user_id=int(user_id) if user_id.isdigit() else None))
    UserSession.objects.bulk_create(carried, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_team_roles_and_tokens_carried_over"), ("sessions", "0001_initial")]
    operations = [migrations.RunPython(sessions_forwards, migrations.RunPython.noop)]
