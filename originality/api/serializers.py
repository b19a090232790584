import os

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..models import OriginalityReport, ReferenceModel, TensorMatch


class TensorMatchSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="reference.name", default="")

    class Meta:
        model = TensorMatch
        fields = [
            "tensor",
            "shape",
            "parameter_count",
            "reference",
            "reference_tensor",
            "similarity",
            "exact",
            "rows_compared",
            "matched_parameters",
        ]


class OriginalityReportSerializer(serializers.ModelSerializer):
    checkpoint = serializers.IntegerField(source="checkpoint_id")
    best_reference = serializers.CharField(source="best_reference.name", default="")

    class Meta:
        model = OriginalityReport
        fields = [
            "checkpoint",
            "status",
            "verdict",
            "matched_share",
            "max_similarity",
            "best_reference",
            "components",
            "evidence",
            "references_checked",
            "error",
            "requested_at",
            "checked_at",
        ]


class OriginalityReportDetailSerializer(OriginalityReportSerializer):
    matches = TensorMatchSerializer(many=True)

    class Meta(OriginalityReportSerializer.Meta):
        fields = [*OriginalityReportSerializer.Meta.fields, "matches"]


class ReferenceModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferenceModel
        fields = ["id", "name", "family", "source_path", "notes", "tensor_count", "parameter_count", "registered_at"]


class ReferenceRegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    path = serializers.CharField(max_length=1000, help_text="An HF-format folder on the platform's server.")
    family = serializers.CharField(max_length=100, required=False, default="")
    notes = serializers.CharField(required=False, default="", allow_blank=True)

    def validate_path(self, value: str) -> str:
        """A name no file system holds (a part over 255 bytes) is not a folder: the check for the folder
        raised OSError (ENAMETOOLONG), a 500."""
        if any(len(os.fsencode(part)) > 255 for part in value.split("/")):
            raise serializers.ValidationError(_("Folder not found: %(path)s") % {"path": value[:100] + "…"})
        return value
