"""Two checkpoints side by side: GET /api/comparisons/?a=<checkpoint>&b=<checkpoint>[&run_a=&run_b=]."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from comparisons import selectors
from core.inputs import whole_number
from core.permissions import Action


class ComparisonRowSerializer(serializers.Serializer):
    task = serializers.CharField()
    category = serializers.CharField()
    metric = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    hidden = serializers.BooleanField()
    score_a = serializers.FloatField(allow_null=True)
    score_b = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    shared_items = serializers.IntegerField()
    mean_item_difference = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


def _side(checkpoint, run) -> dict:
    return {
        "checkpoint": checkpoint.pk,
        "name": checkpoint.name,
        "team": checkpoint.team.slug,
        "run": run.pk,
        "finished_at": run.finished_at,
    }


class ComparisonViewSet(viewsets.ViewSet):
    read_action = Action.COMPARE_CHECKPOINTS

    @extend_schema(
        parameters=[OpenApiParameter(name, int, required=name in ("a", "b")) for name in ("a", "b", "run_a", "run_b")],
        responses=inline_serializer(
            "Comparison",
            {
                "a": serializers.DictField(),
                "b": serializers.DictField(),
                "suite_version": serializers.CharField(),
                "bootstrap": serializers.DictField(),
                "hidden_tasks_left_out": serializers.IntegerField(),
                "tasks": ComparisonRowSerializer(many=True),
            },
        ),
    )
    def list(self, request):
        """Per task: both scores, B − A, and the paired bootstrap 95% interval of the mean item
        difference over the items both runs answered (the suite metric's own filter)."""
        values = {name: whole_number(request.query_params.get(name, "")) for name in ("a", "b", "run_a", "run_b")}
        if values["a"] is None or values["b"] is None:
            raise ValidationError({"a": [_("Give two checkpoint ids, a and b.")]})
        comparison = selectors.checkpoint_comparison(user=request.user, **values)
        if comparison is None:
            raise Http404
        return Response(
            {
                "a": _side(comparison.a, comparison.run_a),
                "b": _side(comparison.b, comparison.run_b),
                "suite_version": str(comparison.run_a.suite_version),
                "bootstrap": {"samples": comparison.samples, "seed": comparison.seed, "level": comparison.level},
                "hidden_tasks_left_out": comparison.hidden_left_out,
                "tasks": ComparisonRowSerializer(comparison.rows, many=True).data,
            }
        )
