from rest_framework import serializers

from budget.models import (
    Envelope,
    GpuType,
    LedgerEntry,
    Provider,
    Rate,
    ReallocationRequest,
    UsageImport,
)
from consortium.models import Organisation, Team


class TotalsSerializer(serializers.Serializer):
    allocated_krw = serializers.IntegerField()
    used_krw = serializers.IntegerField()
    remaining_krw = serializers.IntegerField()
    used_percent = serializers.IntegerField()
    h100_gpu_hours = serializers.IntegerField()


class MemberBudgetSerializer(serializers.Serializer):
    allocation = serializers.IntegerField()
    organisation = serializers.CharField()
    totals = TotalsSerializer()

    def to_representation(self, instance):
        node, totals = instance  # (member's Allocation, Totals) as selectors.team_budgets gives them
        return {"allocation": node.pk, "organisation": node.organisation.slug, "totals": TotalsSerializer(totals).data}


class TeamBudgetSerializer(serializers.Serializer):
    allocation = serializers.IntegerField(source="node.pk")
    team = serializers.CharField(source="node.team.slug", read_only=True)
    totals = TotalsSerializer()
    members = MemberBudgetSerializer(many=True)


class EnvelopeFiguresSerializer(serializers.Serializer):
    total_krw = serializers.IntegerField()
    allocated_krw = serializers.IntegerField()
    unallocated_krw = serializers.IntegerField()
    used_krw = serializers.IntegerField()
    remaining_krw = serializers.IntegerField()
    h100_gpu_hours = serializers.IntegerField()


class BurnDownSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField())
    remaining_krw = serializers.ListField(child=serializers.IntegerField())
    used_krw = serializers.ListField(child=serializers.IntegerField())
    start_krw = serializers.IntegerField()
    projected_exhaustion = serializers.DateField(allow_null=True)
    monthly_burn_krw = serializers.IntegerField()


class EnvelopeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Envelope
        fields = ["id", "name", "period_start", "period_end"]


class SummarySerializer(serializers.Serializer):
    envelope = EnvelopeSerializer()
    figures = EnvelopeFiguresSerializer(allow_null=True)  # reviewers and admins only
    teams = TeamBudgetSerializer(many=True)
    burn_down = BurnDownSerializer()


class ReservationSerializer(serializers.Serializer):
    gpu_type = serializers.SlugRelatedField(slug_field="code", queryset=GpuType.objects.all())
    provider = serializers.SlugRelatedField(slug_field="slug", queryset=Provider.objects.all())
    gpu_count = serializers.IntegerField(min_value=1)
    start = serializers.DateField()
    end = serializers.DateField()


class GrantSerializer(serializers.Serializer):
    envelope = serializers.PrimaryKeyRelatedField(queryset=Envelope.objects.all())
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    amount_krw = serializers.IntegerField(min_value=1, required=False)
    reservation = ReservationSerializer(required=False)
    reason = serializers.CharField(max_length=500)


class SplitSerializer(serializers.Serializer):
    envelope = serializers.PrimaryKeyRelatedField(queryset=Envelope.objects.all())
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    amount_krw = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500)


class AmountReasonSerializer(serializers.Serializer):
    amount_krw = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500)


class ReleaseSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    reason = serializers.CharField(max_length=500)


class UsageEntrySerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(source="allocation.team", slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(source="allocation.organisation", slug_field="slug", read_only=True)
    gpu_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "team",
            "organisation",
            "amount_krw",
            "occurred_at",
            "ended_at",
            "gpu_type",
            "provider",
            "gpu_count",
            "gpu_seconds",
            "h100_gpu_seconds",
            "krw_per_gpu_hour",
            "job_id",
            "external_account",
            "source",
            "overrun",
            "corrects",
        ]


class UsageFilterSerializer(serializers.Serializer):
    team = serializers.IntegerField(required=False, source="team_id")
    provider = serializers.IntegerField(required=False, source="provider_id")
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class UsageLineSerializer(serializers.Serializer):
    job_id = serializers.CharField(max_length=80)
    step = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    account = serializers.CharField(max_length=100)
    gpu_type = serializers.CharField(max_length=32)
    gpu_count = serializers.IntegerField(min_value=1)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()


class UsageReportSerializer(serializers.Serializer):
    provider = serializers.SlugRelatedField(slug_field="slug", queryset=Provider.objects.all())
    lines = UsageLineSerializer(many=True, allow_empty=False, max_length=10000)


class UsageImportSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = UsageImport
        fields = [
            "id",
            "provider",
            "original_name",
            "status",
            "lines_total",
            "lines_done",
            "percent",
            "summary",
            "errors",
            "created_at",
            "finished_at",
        ]


class UsageImportCreateSerializer(serializers.Serializer):
    provider = serializers.SlugRelatedField(slug_field="slug", queryset=Provider.objects.all())
    file = serializers.FileField()


class RequestSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = ReallocationRequest
        fields = [
            "id",
            "envelope",
            "team",
            "amount_krw",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = ["status", "requested_by", "requested_at", "decided_by", "decided_at", "decision_note"]


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RateSerializer(serializers.ModelSerializer):
    gpu_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    h100_weight = serializers.DecimalField(
        source="gpu_type.h100_weight", max_digits=6, decimal_places=3, read_only=True
    )

    class Meta:
        model = Rate
        fields = ["id", "gpu_type", "provider", "effective_from", "krw_per_gpu_hour", "h100_weight"]
