from django.conf import settings
from rest_framework import serializers

from stages.models import Criterion, Nomination, RubricPart, Stage, StageTeam


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["key", "name_ko", "name_en", "max_score"]


class RubricPartSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = RubricPart
        fields = ["key", "parent", "kind", "category", "points", "name_ko", "name_en", "criteria"]


class StageTeamSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = StageTeam
        fields = ["team", "excluded_reason", "excluded_at"]


class StageSerializer(serializers.ModelSerializer):
    suite_version = serializers.StringRelatedField()
    rubric = RubricPartSerializer(many=True, read_only=True)
    entries = StageTeamSerializer(many=True, read_only=True)

    class Meta:
        model = Stage
        fields = [
            "slug",
            "name_ko",
            "name_en",
            "order",
            "status",
            "advancing_count",
            "suite_version",
            "nomination_deadline",
            "target_goal_percent",
            "benchmark_scoring",
            "expert_aggregation",
            "trim_fraction",
            "tie_break",
            "bootstrap_samples",
            "bootstrap_seed",
            "rubric",
            "entries",
        ]


class NominationSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "team",
            "checkpoint",
            "manifest_digest",
            "nominated_at",
            "status",
            "rejection_reason",
            "official_run",
        ]


class NominateSerializer(serializers.Serializer):
    checkpoint = serializers.IntegerField()


class ExclusionSerializer(serializers.Serializer):
    team = serializers.SlugField()
    reason = serializers.CharField(allow_blank=True)


class ExpertScoreItemSerializer(serializers.Serializer):
    team = serializers.SlugField()
    criterion = serializers.SlugField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)


class ExpertScoresSerializer(serializers.Serializer):
    scores = ExpertScoreItemSerializer(many=True)
    submit = serializers.BooleanField(default=False)


class ExpertScoreViewSerializer(serializers.Serializer):
    reviewer = serializers.CharField()
    team = serializers.SlugField()
    criterion = serializers.SlugField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)


class UserScoresSerializer(serializers.Serializer):
    csv = serializers.CharField(
        max_length=settings.STAGE_USER_SCORES_MAX_BYTES,
        help_text="evaluator,team,criterion,score — one row per evaluator × team × criterion",
    )


class ResultSerializer(serializers.Serializer):
    final = serializers.BooleanField()
    inputs_digest = serializers.CharField(allow_null=True)
    outcome = serializers.DictField()
    reviewers = serializers.DictField(
        child=serializers.IntegerField(), help_text="team slug → reviewers whose expert scores count for it"
    )


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RubricCriterionInputSerializer(serializers.Serializer):
    key = serializers.SlugField()
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2)


class RubricPartInputSerializer(serializers.Serializer):
    key = serializers.SlugField()
    parent = serializers.SlugField(allow_null=True, required=False, default=None)
    kind = serializers.ChoiceField(choices=["group", "benchmark", "expert", "user"])
    category = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    criteria = RubricCriterionInputSerializer(many=True, required=False, default=list)


class RubricSerializer(serializers.Serializer):
    """The whole tree, parents before their parts; a group's points are its parts' sum."""

    rubric = RubricPartInputSerializer(many=True)
    tie_break = serializers.ListField(child=serializers.SlugField(), required=False)


class StageCreateSerializer(serializers.Serializer):
    programme = serializers.SlugField()
    slug = serializers.SlugField()
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    order = serializers.IntegerField(min_value=1, default=1)
    advancing_count = serializers.IntegerField(min_value=1)
    suite_version = serializers.IntegerField()
    nomination_deadline = serializers.DateTimeField()
    teams = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Team slugs; default: every active team"
    )
    benchmark_scoring = serializers.ChoiceField(choices=["target_ratio", "normalised"], default="target_ratio")
    expert_aggregation = serializers.ChoiceField(choices=["mean", "trimmed_mean"], default="trimmed_mean")
    trim_fraction = serializers.DecimalField(max_digits=3, decimal_places=2, default="0.10")
    target_goal_percent = serializers.DecimalField(max_digits=5, decimal_places=1, default="95")
    tie_break = serializers.ListField(child=serializers.SlugField(), required=False)
    rubric = RubricPartInputSerializer(many=True, required=False, help_text="Default: the first stage's rubric")


class RerunSerializer(serializers.Serializer):
    team = serializers.SlugField()
    reason = serializers.CharField(allow_blank=True)


class GateDecisionSerializer(serializers.Serializer):
    team = serializers.SlugField()
    decision = serializers.ChoiceField(choices=["cleared", "excluded"])
    reason = serializers.CharField(allow_blank=True)


class BlockerSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    team = serializers.IntegerField(allow_null=True)
    nomination = serializers.IntegerField(allow_null=True)
    run = serializers.IntegerField(allow_null=True)
    verdict = serializers.CharField()


class GateItemSerializer(serializers.Serializer):
    team = serializers.CharField(source="nomination.team.slug")
    checkpoint = serializers.IntegerField(source="report.checkpoint_id")
    verdict = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    decided_by = serializers.StringRelatedField()
    opened_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class BlockersSerializer(serializers.Serializer):
    blockers = BlockerSerializer(many=True)
    gate_items = GateItemSerializer(many=True)
