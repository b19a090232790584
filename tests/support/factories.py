import datetime

import factory
from django.db.models import Q

from accounts.models import TeamRole, User
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
    """A person. By default they get the team roles accounts/0004 gave every person who existed
    before team roles did (lead in the teams their organisation leads, submitter in the others), so
    tests written before #18 keep their meaning; `team_roles={}` makes a person with no role of their
    own (a viewer), `team_roles={team: "submitter"}` exactly those roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def team_roles(self, create, extracted, **kwargs):
        if not create or not self.organisation_id:
            return
        if extracted is None:
            extracted = legacy_team_roles(self.organisation_id)
        for team, role in extracted.items():
            TeamRole.objects.create(user=self, team_id=getattr(team, "pk", team), role=role)


def legacy_team_roles(organisation_id) -> dict[int, str]:
    """The roles accounts/0004 gives a person of this organisation (its memberships now or later)."""
    roles: dict[int, str] = {}
    for team_id, role in (
        Membership.objects.filter(organisation_id=organisation_id)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=datetime.date.today()))
        .values_list("team_id", "roles__role")
    ):
        roles[team_id] = "lead" if role == "lead" or roles.get(team_id) == "lead" else "submitter"
    return roles


def api_token_key(user, *, name: str = "tests", days: int | None = None) -> str:
    """A personal API token's key for `user` (accounts.services.tokens.token_create)."""
    from accounts.services.tokens import token_create

    return token_create(actor=None, user=user, name=name, days=days)[1]
