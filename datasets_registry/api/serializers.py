from rest_framework import serializers

from consortium.models import Organisation, Team
from evaluation.models import Checkpoint

from ..models import Dataset, Entitlement, Licence, Provider, Purchase, PurchaseKind, PurchaseShare


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "slug", "name_ko", "name_en", "kind", "website"]


class LicenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Licence
        fields = [
            "id",
            "slug",
            "name_ko",
            "name_en",
            "training",
            "training_clause",
            "commercial_use",
            "commercial_use_clause",
            "redistribution",
            "redistribution_clause",
            "open_weight_release",
            "open_weight_release_clause",
            "attribution",
            "attribution_clause",
            "term_starts_on",
            "term_ends_on",
            "post_termination",
            "post_termination_clause",
        ]


class DatasetSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    licence = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "slug",
            "provider",
            "licence",
            "name_ko",
            "name_en",
            "modality",
            "size_records",
            "size_tokens",
            "size_bytes",
            "description",
        ]


class ShareSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PurchaseShare
        fields = ["team", "organisation", "basis", "percent", "fixed_krw", "amount_krw"]


class PurchaseSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    intermediary = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    datasets = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    shares = ShareSerializer(many=True, read_only=True)

    class Meta:
        model = Purchase
        fields = [
            "id",
            "kind",
            "title",
            "provider",
            "intermediary",
            "datasets",
            "contract_number",
            "contract_date",
            "price_krw",
            "vat_krw",
            "total_krw",
            "access_from",
            "access_until",
            "shares",
        ]


class ShareInputSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True)
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, allow_null=True)
    fixed_krw = serializers.IntegerField(required=False, allow_null=True)


class PurchaseCreateSerializer(serializers.Serializer):
    """Shape only; the service checks amounts, shares and overlaps (→ 400 with the same fields)."""

    kind = serializers.ChoiceField(choices=PurchaseKind.choices)
    title = serializers.CharField(max_length=300)
    provider = serializers.SlugRelatedField(slug_field="slug", queryset=Provider.objects.all())
    intermediary = serializers.SlugRelatedField(
        slug_field="slug", queryset=Provider.objects.all(), required=False, allow_null=True
    )
    datasets = serializers.SlugRelatedField(slug_field="slug", queryset=Dataset.objects.all(), many=True)
    contract_number = serializers.CharField(max_length=100)
    contract_date = serializers.DateField()
    price_krw = serializers.IntegerField()
    vat_krw = serializers.IntegerField()
    access_from = serializers.DateField()
    access_until = serializers.DateField()
    shares = ShareInputSerializer(many=True)


class EntitlementSerializer(serializers.ModelSerializer):
    dataset = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "dataset",
            "team",
            "organisation",
            "purchase",
            "valid_from",
            "valid_until",
            "revoked_on",
            "revoke_reason",
        ]


class RevokeSerializer(serializers.Serializer):
    revoked_on = serializers.DateField(required=False)
    reason = serializers.CharField()


class DeclarationItemSerializer(serializers.Serializer):
    dataset = serializers.SlugRelatedField(slug_field="slug", queryset=Dataset.objects.all())
    trained_from = serializers.DateField()
    trained_until = serializers.DateField()


class DeclarationInputSerializer(serializers.Serializer):
    checkpoint = serializers.PrimaryKeyRelatedField(queryset=Checkpoint.objects.select_related("team"))
    releases_openly = serializers.BooleanField()
    items = DeclarationItemSerializer(many=True)


class ComplianceSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
