from django.core.management.base import BaseCommand

from consortium.seed import seed_programme


class Command(BaseCommand):
    help = "Load the real programme (teams of 2025-08-04 and their members). Creates only what is missing."

    def handle(self, *args, **options):
        report = seed_programme()
        if options["verbosity"] == 0:
            return
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Programme seeded: {len(report.created)} records created."))
        else:
            self.stdout.write("Programme already loaded: nothing changed.")
