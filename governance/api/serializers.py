from rest_framework import serializers

from governance.models import ConflictOfInterest, Objection, ObjectionStatus


class ObjectionSerializer(serializers.ModelSerializer):
    stage = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    criterion = serializers.SlugRelatedField(slug_field="key", read_only=True)
    filed_by = serializers.CharField(source="filed_by.get_username", read_only=True)
    answered_by = serializers.CharField(source="answered_by.get_username", read_only=True, default=None)

    class Meta:
        model = Objection
        fields = [
            "id",
            "stage",
            "team",
            "text",
            "task",
            "criterion",
            "filed_by",
            "filed_at",
            "status",
            "answer",
            "answered_by",
            "answered_at",
        ]


class ObjectionFileSerializer(serializers.Serializer):
    stage = serializers.SlugField()
    team = serializers.SlugField()
    text = serializers.CharField()
    task = serializers.CharField(required=False, allow_blank=True, default="")
    criterion = serializers.SlugField(required=False, allow_blank=True, default="")


class ObjectionAnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[ObjectionStatus.UPHELD, ObjectionStatus.REJECTED])
    answer = serializers.CharField()


class ConflictSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    declared_by = serializers.CharField(source="declared_by.get_username", read_only=True)

    class Meta:
        model = ConflictOfInterest
        fields = ["id", "reviewer", "team", "reason", "declared_at", "declared_by"]


class ConflictDeclareSerializer(serializers.Serializer):
    team = serializers.SlugField()
    reason = serializers.CharField()
    reviewer = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="username; admins only (default: yourself)"
    )
