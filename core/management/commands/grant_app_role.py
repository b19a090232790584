from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

APPEND_ONLY_TABLES = ("audit_auditevent",)


class Command(BaseCommand):
    help = (
        "PostgreSQL: give the app's database role (which must own nothing) read and write on every "
        "table, except audit rows, which it may only read and append. Run as the owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL deployments.")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s ORDER BY tablename",
                [role],
            )
            owned = [row[0] for row in cursor.fetchall()]
        if owned:
            # An owner may truncate audit rows or switch their triggers off: the app must not be one.
            raise CommandError(
                f"{role} owns {len(owned)} table(s) ({', '.join(owned[:5])}): the app's role must own "
                "nothing. Migrate as another role (the owner) and grant this one."
            )
        name = connection.ops.quote_name(role)
        statements = [
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
            *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {name}" for table in APPEND_ONLY_TABLES),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"{role}: granted; audit rows are read and append only."))
