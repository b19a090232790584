from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OriginalityConfig(AppConfig):
    name = "originality"
    verbose_name = _("Checkpoint originality")
    default_auto_field = "django.db.models.BigAutoField"
