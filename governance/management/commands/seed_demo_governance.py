from django.core.management.base import BaseCommand

from governance import demo
from stages.demo import STAGE_SLUG


class Command(BaseCommand):
    help = (
        "--conflict: a demo reviewer declares a conflict of interest with the first demo team (before the demo "
        "stage's scores). Otherwise wait for the demo admin to finalise the demo stage, then file the demo "
        "objection (a team lead's, left open for the demo reviewer to answer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conflict", action="store_true", help="seed the demo's conflict of interest")
        parser.add_argument("--wait", type=int, default=0, help="seconds to wait for the stage to be finalised")

    def handle(self, *args, conflict=False, wait=0, **options):
        if conflict:
            found = demo.conflict_seed()
            if found is not None:
                self.stdout.write(f"Demo conflict of interest: {found.reviewer} with {found.team}.")
            return
        demo.objection_when_finalised(slug=STAGE_SLUG, wait_s=wait, log=self.stdout.write)
