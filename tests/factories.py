import datetime

import factory

from accounts.models import User
from consortium.models import Membership, MembershipRoleAssignment, Organisation, Programme, Team

START = datetime.date(2025, 8, 4)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    slug = "test-programme"
    name_ko = "시험 프로그램"
    name_en = "Test programme"
    year = 2025


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_ko = factory.Sequence(lambda n: f"기관 {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "company"


class TeamFactory(factory.django.DjangoModelFactory):
    """A team whose lead organisation holds the lead membership, as the service makes it."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"team-{n}")
    name_ko = factory.Sequence(lambda n: f"팀 {n}")
    name_en = factory.Sequence(lambda n: f"Team {n}")
    model_name = "Model"
    lead_organisation = factory.SubFactory(OrganisationFactory)
    joined_on = START

    @factory.post_generation
    def lead_membership(self, create, extracted, **kwargs):
        if create:
            MembershipFactory(team=self, organisation=self.lead_organisation, roles=["lead", "model_development"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    joined_on = START
    left_on = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            for role in extracted or ["research"]:
                MembershipRoleAssignment.objects.create(membership=self, role=role)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")
