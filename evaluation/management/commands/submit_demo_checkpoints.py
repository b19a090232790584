from django.conf import settings
from django.core.management.base import BaseCommand

from consortium.models import Team
from evaluation.demo_checkpoints import DEMO_CHAT_PLAN, DEMO_PLAN, DEMO_TARGET_MODEL
from evaluation.models import Checkpoint
from evaluation.services.checkpoints import checkpoint_submit


class Command(BaseCommand):
    help = (
        "Submit the demo checkpoints (see make_demo_checkpoints) for their teams and evaluate them on "
        "ko-smoke, and the chat demo checkpoint on ko-chat (a chat protocol). Checkpoints already submitted "
        "are left alone."
    )

    def handle(self, *args, **options):
        plans = [(plan, "ko-smoke") for plan in DEMO_PLAN] + [(plan, "ko-chat") for plan in DEMO_CHAT_PLAN]
        teams = {t.slug: t for t in Team.objects.filter(slug__in=[plan[0] for plan, _suite in plans])}
        for (team_slug, name, _steps, _seed), suite in plans:
            team = teams.get(team_slug)
            folder = settings.CHECKPOINT_ROOT / team_slug / name
            if team is None or not folder.is_dir():
                self.stdout.write(f"  {team_slug}/{name}: skipped (team or folder missing)")
                continue
            if Checkpoint.objects.filter(team=team, source=name).exists():
                continue
            checkpoint_submit(
                actor=None,
                team=team,
                name=name,
                source=name,
                suites=[suite],
                declared_target_model=DEMO_TARGET_MODEL,
                notes="Demo checkpoint built by make_demo_checkpoints.",
            )
            self.stdout.write(f"  {team_slug}/{name}: submitted; it is validated and evaluated on {suite}")
