from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StagesConfig(AppConfig):
    name = "stages"
    verbose_name = _("Stage evaluations")

    def ready(self):
        from leaderboards import nominations
        from stages.leaderboard_source import StageNominations

        nominations.register(StageNominations())
