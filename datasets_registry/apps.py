from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetsRegistryConfig(AppConfig):
    name = "datasets_registry"
    verbose_name = _("Shared data registry")
