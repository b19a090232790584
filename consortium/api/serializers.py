from rest_framework import serializers

from consortium.models import Membership, MembershipRole, Organisation, Programme, Team, TeamStatus


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name_ko", "name_en", "kind"]


class TeamSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="slug", queryset=Programme.objects.all())
    lead_organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    status = serializers.ChoiceField(choices=TeamStatus.choices, read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "slug",
            "programme",
            "name_ko",
            "name_en",
            "model_name",
            "lead_organisation",
            "status",
            "joined_on",
        ]


class TeamUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["name_ko", "name_en", "model_name"]


class TeamStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TeamStatus.choices)
    reason = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=MembershipRole.choices), source="role_codes", allow_empty=False
    )

    class Meta:
        model = Membership
        fields = ["id", "team", "organisation", "roles", "joined_on", "left_on"]


class MembershipUpdateSerializer(MembershipSerializer):
    """Team and organisation are fixed once a membership exists (end it and create another)."""

    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
