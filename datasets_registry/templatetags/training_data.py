"""`{% checkpoint_training_data checkpoint %}`: the training-data panel of a checkpoint's page.

A tag, so the evaluation app (below this one) shows the panel without importing it."""

from django import template

from datasets_registry.views import checkpoint_training_context

register = template.Library()


@register.inclusion_tag("datasets_registry/_checkpoint_training_data.html", takes_context=True)
def checkpoint_training_data(context, checkpoint):
    """The page has checked VIEW_TEAM_PRIVATE on the checkpoint."""
    user = context["request"].user
    return {
        **checkpoint_training_context(user=user, checkpoint=checkpoint),
        "checkpoint": checkpoint,
        "csrf_token": context.get("csrf_token"),
    }
