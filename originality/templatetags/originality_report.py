"""`{% checkpoint_originality checkpoint %}`: a checkpoint's originality verdict on its page.

A tag, so the evaluation app (below this one) shows the verdict without importing it."""

from django import template

from originality.selectors import originality_report_for_checkpoint

register = template.Library()


@register.inclusion_tag("originality/_checkpoint_verdict.html")
def checkpoint_originality(checkpoint):
    return {"originality": originality_report_for_checkpoint(checkpoint)}
