"""Arena API shapes. A pair for a panel member has the prompt and two texts, never a team."""

from rest_framework import serializers

from arena.models import Campaign, Mapping, PromptCategory, PromptSet, Verdict

MAX_ID = 10**18 - 1


class PromptSetSerializer(serializers.ModelSerializer):
    prompts = serializers.IntegerField(source="prompts.count", read_only=True)

    class Meta:
        model = PromptSet
        fields = ["id", "slug", "version", "title", "digest", "created_at", "prompts"]


class PromptInSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    category = serializers.ChoiceField(choices=PromptCategory.choices)
    text = serializers.CharField(max_length=20_000)


class PromptSetCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=50)
    title = serializers.CharField(max_length=200)
    prompts = PromptInSerializer(many=True, allow_empty=False, max_length=20_000)


class CampaignSerializer(serializers.ModelSerializer):
    stage = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    part = serializers.SlugRelatedField(slug_field="key", read_only=True)
    prompt_set = serializers.CharField(source="prompt_set.digest", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "name_ko",
            "name_en",
            "stage",
            "part",
            "prompt_set",
            "status",
            "default_quota",
            "mapping",
            "created_at",
            "closed_at",
        ]


class CampaignCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=50)
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    stage = serializers.SlugField(max_length=50)
    prompt_set = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    part = serializers.SlugField(max_length=50, required=False)
    default_quota = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    mapping = serializers.ChoiceField(choices=Mapping.choices, required=False)


class ArenaPairSerializer(serializers.Serializer):
    judgment = serializers.IntegerField()
    category = serializers.CharField()
    prompt = serializers.CharField()
    answer_a = serializers.CharField()
    answer_b = serializers.CharField()


class ArenaPairAnswerSerializer(serializers.Serializer):
    pair = ArenaPairSerializer(allow_null=True)
    judged = serializers.IntegerField()
    quota = serializers.IntegerField()


class ArenaVerdictSerializer(serializers.Serializer):
    judgment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ArenaInviteSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    quota = serializers.IntegerField(min_value=1, max_value=100_000, required=False)


class ArenaExclusionSerializer(serializers.Serializer):
    member = serializers.CharField(max_length=16)
    reason = serializers.CharField(max_length=2000)


class ArenaPanelRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    username = serializers.CharField()
    quota = serializers.IntegerField()
    judged = serializers.IntegerField()
    same_side_share = serializers.FloatField()
    median_seconds = serializers.FloatField(allow_null=True)
    disagreement_share = serializers.FloatField()
    flags = serializers.ListField(child=serializers.CharField())
    excluded_reason = serializers.CharField()


class ArenaResultSerializer(serializers.Serializer):
    closed = serializers.BooleanField()
    computed_at = serializers.DateTimeField(allow_null=True)
    judgments_digest = serializers.CharField(allow_null=True)
    result = serializers.JSONField(allow_null=True)
