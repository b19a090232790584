"""What one sample's test did in the sandbox."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    TIMED_OUT = "timed_out", _("Timed out")
    KILLED = "killed", _("Killed by a limit")


LIMIT_MESSAGES = {
    "wall_time_s": _("wall time limit (%(value)s s)"),
    "cpu_time_s": _("CPU time limit (%(value)s s)"),
    "memory_mb": _("memory limit (%(value)s MB)"),
    "output_kb": _("output limit (%(value)s KB)"),
    "tmp_kb": _("file size limit (%(value)s KB)"),
    "signal": _("stopped by signal %(value)s"),
}


def limit_reached(limit: dict) -> str:
    """Which limit ended a sample, in the reader's language."""
    message = LIMIT_MESSAGES.get(limit.get("name"))
    return str(message) % {"value": limit.get("value")} if message else gettext("a limit")
