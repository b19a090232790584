import time

from django.conf import settings
from django.core.management.base import BaseCommand

from evaluation.demo_checkpoints import DEMO_CHAT_PLAN, DEMO_PLAN, make_demo_chat_checkpoints, make_demo_checkpoints


class Command(BaseCommand):
    help = (
        "Train the five seeded teams' tiny demo checkpoints and the chat demo checkpoint (CPU, about a "
        "minute) into CHECKPOINT_ROOT/<team>/<name>/. Complete folders are kept as they are."
    )

    def handle(self, *args, **options):
        root = settings.CHECKPOINT_ROOT
        started = time.monotonic()
        built = make_demo_checkpoints(root) + make_demo_chat_checkpoints(root)
        steps = {(team, name): steps for team, name, steps, _seed in DEMO_PLAN + DEMO_CHAT_PLAN}
        for team, folder in built:
            self.stdout.write(f"{team}: {folder} ({steps[(team, folder.name)]} steps)")
        if options["verbosity"] > 1:
            self.stdout.write(f"{len(built)} checkpoints in {time.monotonic() - started:.1f} s")
