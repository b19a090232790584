from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance of the cut")

    def ready(self):
        from governance.selectors import conflicts_of
        from stages import conflicts

        conflicts.register(conflicts_of)  # the expert scores obey it (stages.services.scores)
