import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify, audit_chain_verify_against


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain; exit non-zero at the first tampered or missing row. With --head "
        "(SEQ:HASH, or an exported head's JSON file) also check that the log still matches that head."
    )

    def add_arguments(self, parser):
        parser.add_argument("--head", default="", help="an exported head: SEQ:HASH or the path of its JSON file")

    def handle(self, *args, head="", **options):
        if head:
            if Path(head).is_file():
                data = json.loads(Path(head).read_text())
                seq, digest = int(data["seq"]), str(data["hash"])
            else:
                seq_text, _sep, digest = head.partition(":")
                if not seq_text.isdigit() or len(digest) != 64:
                    raise CommandError("--head is SEQ:HASH (a 64-character hex digest) or an exported head's file")
                seq = int(seq_text)
            report = audit_chain_verify_against(seq=seq, digest=digest)
        else:
            report = audit_chain_verify()
        if not report.ok:
            raise CommandError(f"Audit chain broken after {report.checked} good rows: {report.problem}")
        suffix = f"; it matches the exported head #{seq}" if head else ""
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} rows verified{suffix}."))
