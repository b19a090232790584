from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero at the first tampered or missing row."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(f"Audit chain broken after {report.checked} good rows: {report.problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} rows verified."))
