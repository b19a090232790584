from django.core.management.base import BaseCommand

from audit.services import audit_head_export


class Command(BaseCommand):
    help = "Export the audit chain's head digest (what the daily beat task does): a row and a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--folder", default=None, help="where to write the file (default: AUDIT_HEAD_EXPORT_DIR)")

    def handle(self, *args, folder=None, **options):
        export = audit_head_export(folder=folder)
        self.stdout.write(
            f"Audit head #{export.seq} {export.hash} exported at {export.exported_at.isoformat()}"
            + (f" to {export.file_path}" if export.file_path else "")
        )
