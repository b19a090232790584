import django_filters

from consortium import selectors
from consortium.models import Membership, Organisation, Team


class TeamFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__slug")

    class Meta:
        model = Team
        fields = ["status", "programme"]


class OrganisationFilter(django_filters.FilterSet):
    class Meta:
        model = Organisation
        fields = ["kind"]


class MembershipFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="team__slug")
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on (YYYY-MM-DD)")

    class Meta:
        model = Membership
        fields = ["team", "organisation", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return selectors.membership_active_filter(queryset, value)
