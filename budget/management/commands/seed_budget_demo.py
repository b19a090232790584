from django.core.management.base import BaseCommand

from budget.seed import seed_budget_demo


class Command(BaseCommand):
    help = "Seed the 2025 GPU envelope, its allocations and a generated usage history. Creates only what is missing."

    def handle(self, *args, **options):
        report = seed_budget_demo()
        if options["verbosity"] == 0:
            return
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"GPU budget demo seeded: {', '.join(report.created[:8])}{'…' if len(report.created) > 8 else ''}"
                )
            )
        else:
            self.stdout.write("GPU budget demo already loaded: nothing changed.")
