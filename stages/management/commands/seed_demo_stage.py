from django.core.management.base import BaseCommand

from stages import demo


class Command(BaseCommand):
    help = (
        "Create the demo leaderboard and first-stage evaluation (idempotent). With --nominate-when-ready, "
        "wait for the demo checkpoints' ko-smoke runs, nominate them, freeze and publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("--nominate-when-ready", action="store_true")
        parser.add_argument("--wait", type=int, default=600, help="seconds to wait for the demo runs")

    def handle(self, *args, nominate_when_ready=False, wait=600, **options):
        if nominate_when_ready:
            demo.nominate_when_ready(wait_s=wait, log=self.stdout.write)
            return
        stage = demo.seed()
        if stage is None:
            self.stdout.write("  demo stage skipped (ko-smoke suite or teams missing)")
        else:
            self.stdout.write(
                f"  {stage.name_en}: /stages/{stage.slug}/ · leaderboard: /leaderboards/{demo.LEADERBOARD_SLUG}/"
            )
