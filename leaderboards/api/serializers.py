from rest_framework import serializers

from leaderboards.models import Leaderboard, ReferenceModel, Snapshot


class LeaderboardSerializer(serializers.ModelSerializer):
    suite_version = serializers.StringRelatedField()

    class Meta:
        model = Leaderboard
        fields = ["slug", "name_ko", "name_en", "suite_version", "rule", "stage"]


class SnapshotSerializer(serializers.ModelSerializer):
    leaderboard = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    published_by = serializers.StringRelatedField()

    class Meta:
        model = Snapshot
        fields = ["id", "leaderboard", "published_at", "published_by", "note"]


class ViewQuerySerializer(serializers.Serializer):
    """The table's view options in the query string: the API refuses a scale or an order it does not
    know (400) where the page falls back to the defaults."""

    scale = serializers.ChoiceField(choices=["normalised", "raw"], required=False)
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False)


class PublishSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TableSerializer(serializers.Serializer):
    """The table as the page shows it: one record per row, the same numbers as the exports."""

    source = serializers.ChoiceField(choices=["live", "snapshot", "mixed", "none"])
    snapshot = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    scale = serializers.ChoiceField(choices=["normalised", "raw"])
    rows = serializers.ListField(child=serializers.DictField())


class FlagsSerializer(serializers.Serializer):
    """{checkpoint id: {"compliance": {...}, "originality": {...}}}"""

    def to_representation(self, instance):
        return instance


class ChartsSerializer(serializers.Serializer):
    bars = serializers.DictField()
    radar = serializers.DictField()
    history = serializers.DictField()


class FrontierReferenceSerializer(serializers.ModelSerializer):
    suite_version = serializers.PrimaryKeyRelatedField(read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = ReferenceModel
        fields = ["id", "suite_version", "name", "source", "scores"]

    def get_scores(self, reference) -> dict[str, list[float | None]]:
        return {s.task: [s.value, s.stderr] for s in reference.scores.all()}


class FrontierReferenceWriteSerializer(serializers.Serializer):
    suite_version = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    source = serializers.CharField(required=False, allow_blank=True, default="")
    scores = serializers.DictField(help_text="{task: value} or {task: [value, stderr]}")


class LeaderboardCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    suite_version = serializers.IntegerField()
    rule = serializers.ChoiceField(choices=["best", "latest", "nominated"], default="best")
    stage = serializers.SlugField(required=False, allow_null=True, default=None)
