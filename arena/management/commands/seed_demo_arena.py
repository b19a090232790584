from django.core.management.base import BaseCommand

from arena import demo


class Command(BaseCommand):
    help = (
        "The demo judging campaign (idempotent): waits for the demo stage's nominations, has the demo "
        "checkpoints answer the demo prompt set on the worker, then seats a panel and seeds judgments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=int, default=900, help="seconds to wait at each step")

    def handle(self, *args, wait=900, **options):
        demo.seed_when_ready(wait_s=wait, log=self.stdout.write)
