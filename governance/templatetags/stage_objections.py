"""`{% stage_objections stage %}`: a finalised stage's objections and answers, on its report.

A tag, so the stages app (below this one) shows them without importing governance."""

from django import template

from governance.selectors import objections_visible

register = template.Library()


@register.inclusion_tag("governance/_objection_list.html", takes_context=True)
def stage_objections(context, stage):
    return {
        "objections": objections_visible(context["request"].user, stage),
        "stage": stage,
        "can_answer": False,
        "csrf_token": context.get("csrf_token"),
    }
