"""The worker's check before a coding suite's run: is there a sandbox here? Never run without one."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .execute import HostConfig, unavailable_reason


def sandbox_refusal(suite_version) -> str | None:
    """Why this worker refuses the suite version's run (its users' language), or None."""
    if suite_version.sandbox is None:
        return None
    why = unavailable_reason(
        HostConfig.from_settings(), forbidden=(settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR, settings.BASE_DIR)
    )
    if why is None:
        return None
    return _(
        "This suite runs the code the model writes, and this worker has no working sandbox for it "
        "(%(why)s). The code was not run; an operator must install bubblewrap (make test does) "
        "or move the run to a worker that has it."
    ) % {"why": why}
