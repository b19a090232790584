from django.core.management.base import BaseCommand

from datasets_registry.seed import seed_data_registry


class Command(BaseCommand):
    help = (
        "Load the 2025 data providers, licences, datasets and purchases (and demo training-data "
        "declarations). Creates only what is missing, so it is idempotent."
    )

    def handle(self, *args, **options):
        report = seed_data_registry()
        if options["verbosity"] == 0:
            return
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped {line}."))
        if report.created:
            self.stdout.write(self.style.SUCCESS(f"Data registry seeded: {len(report.created)} records created."))
        else:
            self.stdout.write("Data registry already loaded: nothing changed.")
