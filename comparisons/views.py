"""The comparison page: choose two checkpoints (and, if wanted, their runs); see them side by side.
Thin: core.permissions decides (in the selector, per checkpoint), selectors read."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.inputs import whole_number
from core.permissions import Action, require

from . import charts, selectors


@login_required
@require_safe
def compare(request):
    require(request.user, Action.COMPARE_CHECKPOINTS)
    a, b = whole_number(request.GET.get("a", "")), whole_number(request.GET.get("b", ""))
    run_a, run_b = whole_number(request.GET.get("run_a", "")), whole_number(request.GET.get("run_b", ""))
    comparison, error, chart = None, None, None
    if a is not None and b is not None:
        try:
            comparison = selectors.checkpoint_comparison(user=request.user, a=a, b=b, run_a=run_a, run_b=run_b)
        except ValidationError as problem:
            error = " ".join(m for ms in problem.message_dict.values() for m in ms)
        else:
            if comparison is None:
                raise Http404
            chart = charts.difference_bars(comparison.rows, label_a=comparison.a.name, label_b=comparison.b.name)
    checkpoints = list(selectors.comparable_checkpoints(request.user)[:500])
    runs = selectors.succeeded_runs([pk for pk in (a, b) if pk is not None]) if a is not None or b is not None else []
    return render(
        request,
        "comparisons/compare.html",
        {
            "checkpoints": checkpoints,
            "a": a,
            "b": b,
            "run_a": run_a,
            "run_b": run_b,
            "runs_a": [r for r in runs if r.checkpoint_id == a],
            "runs_b": [r for r in runs if r.checkpoint_id == b],
            "comparison": comparison,
            "error": error,
            "chart": chart,
        },
    )
