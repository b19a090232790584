from django.core.management.base import BaseCommand

from governance import demo
from stages.demo import STAGE_SLUG


class Command(BaseCommand):
    help = ("Wait for the demo admin to finalise the demo stage, then file the demo objection (a team lead's, "
            "left open for the demo reviewer to answer). The demo's conflict of interest is seeded with the stage.")

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=int, default=0, help="seconds to wait for the stage to be finalised")

    def handle(self, *args, wait=0, **options):
        demo.objection_when_finalised(slug=STAGE_SLUG, wait_s=wait, log=self.stdout.write)
