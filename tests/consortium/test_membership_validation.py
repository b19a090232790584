"""Memberships: the service's checks, the database's own constraints, and the API's 400s."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from consortium import services
from consortium.models import Membership, MembershipRoleAssignment
from tests.support.factories import OrganisationFactory

D = datetime.date


def _create(team, organisation, **kwargs):
    fields = {"roles": ["research"], "joined_on": D(2025, 8, 4)} | kwargs
    return services.membership_create(actor=None, team=team, organisation=organisation, **fields)


class TestService:
    def test_creates_membership_with_roles_and_audit(self, team_a):
        org = OrganisationFactory()
        membership = _create(team_a, org, roles=["data", "service"])
        assert sorted(membership.role_codes) == ["data", "service"]
        event = AuditEvent.objects.get(action="membership.create", target_id=str(membership.pk))
        assert event.after["roles"] == ["data", "service"]

    @pytest.mark.parametrize(
        "first,second",
        [
            ((D(2025, 8, 4), None), (D(2026, 1, 1), None)),  # open-ended overlaps anything later
            ((D(2025, 8, 4), D(2025, 12, 31)), (D(2025, 12, 31), None)),  # ends are inclusive
            ((D(2026, 1, 1), D(2026, 3, 1)), (D(2025, 8, 4), D(2026, 1, 1))),
        ],
    )
    def test_overlapping_periods_are_refused(self, team_a, first, second):
        org = OrganisationFactory()
        _create(team_a, org, joined_on=first[0], left_on=first[1])
        with pytest.raises(ValidationError) as error:
            _create(team_a, org, joined_on=second[0], left_on=second[1])
        assert "organisation" in error.value.message_dict

    def test_rejoining_after_leaving_is_allowed(self, team_a):
        org = OrganisationFactory()
        _create(team_a, org, left_on=D(2025, 12, 31))
        _create(team_a, org, joined_on=D(2026, 1, 1))
        assert Membership.objects.filter(team=team_a, organisation=org).count() == 2

    def test_same_organisation_in_two_teams_is_fine(self, team_a, team_b):
        """The overlap rule is per team: one organisation may be in two teams over the same days."""
        org = OrganisationFactory()
        in_a, in_b = _create(team_a, org), _create(team_b, org)
        day = D(2026, 1, 1)
        assert {m.team_id for m in Membership.objects.filter(organisation=org).active_on(day)} == {team_a.pk, team_b.pk}
        assert in_a.role_codes == in_b.role_codes == ["research"]
        assert (
            AuditEvent.objects.filter(action="membership.create", target_id__in=[str(in_a.pk), str(in_b.pk)]).count()
            == 2
        )

    def test_left_before_joined_is_refused(self, team_a):
        with pytest.raises(ValidationError) as error:
            _create(team_a, OrganisationFactory(), joined_on=D(2026, 1, 1), left_on=D(2025, 12, 1))
        assert "left_on" in error.value.message_dict

    @pytest.mark.parametrize("roles", [[], ["astrology"], ["data", "data"], ["lead"]])
    def test_bad_roles_are_refused(self, team_a, roles):
        with pytest.raises(ValidationError) as error:
            _create(team_a, OrganisationFactory(), roles=roles)
        assert "roles" in error.value.message_dict

    def test_update_records_leaving_and_checks_overlap(self, team_a):
        org = OrganisationFactory()
        first = _create(team_a, org, left_on=D(2025, 12, 31))
        second = _create(team_a, org, joined_on=D(2026, 2, 1))
        with pytest.raises(ValidationError):
            services.membership_update(actor=None, membership=first, left_on=None)
        services.membership_update(actor=None, membership=second, left_on=D(2026, 6, 30), roles=["data"])
        second.refresh_from_db()
        assert second.left_on == D(2026, 6, 30)
        assert second.role_codes == ["data"]

    def test_nothing_is_written_when_refused(self, team_a):
        org = OrganisationFactory()
        _create(team_a, org)
        before = (Membership.objects.count(), AuditEvent.objects.count())
        with pytest.raises(ValidationError):
            _create(team_a, org, joined_on=D(2026, 1, 1))
        assert (Membership.objects.count(), AuditEvent.objects.count()) == before


class TestDatabaseConstraints:
    """What the database refuses even when the service is bypassed."""

    def test_left_before_joined(self, team_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(
                team=team_a, organisation=OrganisationFactory(), joined_on=D(2026, 1, 1), left_on=D(2025, 1, 1)
            )

    def test_unknown_role(self, team_a):
        membership = Membership.objects.create(team=team_a, organisation=OrganisationFactory(), joined_on=D(2025, 8, 4))
        with pytest.raises(IntegrityError), transaction.atomic():
            MembershipRoleAssignment.objects.create(membership=membership, role="astrology")

    def test_role_held_twice(self, team_a):
        membership = Membership.objects.create(team=team_a, organisation=OrganisationFactory(), joined_on=D(2025, 8, 4))
        MembershipRoleAssignment.objects.create(membership=membership, role="data")
        with pytest.raises(IntegrityError), transaction.atomic():
            MembershipRoleAssignment.objects.create(membership=membership, role="data")

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")
    def test_overlapping_memberships(self, team_a):
        org = OrganisationFactory()
        Membership.objects.create(team=team_a, organisation=org, joined_on=D(2025, 8, 4), left_on=D(2025, 12, 31))
        Membership.objects.create(team=team_a, organisation=org, joined_on=D(2026, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(team=team_a, organisation=org, joined_on=D(2025, 12, 31), left_on=D(2026, 1, 1))


class TestApi:
    url = "/api/memberships/"

    def _post(self, api_client, people, **body):
        api_client.force_authenticate(people["admin"])
        return api_client.post(self.url, body, format="json")

    def test_admin_creates_a_membership(self, api_client, people, team_a):
        org = OrganisationFactory()
        response = self._post(
            api_client, people, team=team_a.slug, organisation=org.slug, roles=["serving"], joined_on="2026-02-01"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["roles"] == ["serving"]
        assert Membership.objects.filter(team=team_a, organisation=org).exists()

    @pytest.mark.parametrize(
        "body,field",
        [
            ({"roles": ["astrology"]}, "roles"),
            ({"roles": []}, "roles"),
            ({"joined_on": "2026-02-01", "left_on": "2026-01-01"}, "left_on"),
            ({"joined_on": "2025-09-01"}, "organisation"),  # overlaps the existing membership
            ({"team": "no-such-team"}, "team"),
        ],
    )
    def test_bad_input_gets_400_with_field_errors_and_writes_nothing(self, api_client, people, team_a, body, field):
        org = OrganisationFactory()
        _create(team_a, org)
        counts = (Membership.objects.count(), MembershipRoleAssignment.objects.count(), AuditEvent.objects.count())
        payload = {"team": team_a.slug, "organisation": org.slug, "roles": ["data"], "joined_on": "2026-03-01"} | body
        response = self._post(api_client, people, **payload)
        assert response.status_code == 400
        assert field in response.json(), response.json()
        assert (
            Membership.objects.count(),
            MembershipRoleAssignment.objects.count(),
            AuditEvent.objects.count(),
        ) == counts

    def test_patch_records_leaving(self, api_client, people, team_a, extra_member):
        membership = extra_member(team_a)
        api_client.force_authenticate(people["admin"])
        response = api_client.patch(f"{self.url}{membership.pk}/", {"left_on": "2026-05-31"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["left_on"] == "2026-05-31"
        bad = api_client.patch(f"{self.url}{membership.pk}/", {"left_on": "2020-01-01"}, format="json")
        assert bad.status_code == 400 and "left_on" in bad.json()

    @pytest.mark.parametrize("role", ["anonymous", "member_a", "member_b", "reviewer"])
    def test_only_admins_write(self, api_client, people, team_a, role):
        if role != "anonymous":
            api_client.force_authenticate(people[role])
        response = api_client.post(
            self.url,
            {
                "team": team_a.slug,
                "organisation": OrganisationFactory().slug,
                "roles": ["data"],
                "joined_on": "2026-03-01",
            },
            format="json",
        )
        assert response.status_code in (401, 403)
        assert not Membership.objects.filter(joined_on=D(2026, 3, 1)).exists()


class TestLeadMembership:
    def _lead(self, team):
        return team.memberships.get(organisation=team.lead_organisation)

    def test_keeps_the_lead_role(self, team_a):
        with pytest.raises(ValidationError) as error:
            services.membership_update(actor=None, membership=self._lead(team_a), roles=["research"])
        assert "roles" in error.value.message_dict

    def test_cannot_leave(self, team_a):
        with pytest.raises(ValidationError) as error:
            services.membership_update(actor=None, membership=self._lead(team_a), left_on=D(2026, 1, 1))
        assert "left_on" in error.value.message_dict

    def test_cannot_be_removed(self, team_a):
        with pytest.raises(ValidationError):
            services.membership_delete(actor=None, membership=self._lead(team_a))
        assert self._lead(team_a)

    def test_other_members_can_be_removed(self, team_a, extra_member):
        services.membership_delete(actor=None, membership=extra_member(team_a))
        assert AuditEvent.objects.filter(action="membership.delete").count() == 1


def test_patch_cannot_move_a_membership_to_another_team(api_client, people, team_a, team_b, extra_member):
    membership = extra_member(team_a)
    api_client.force_authenticate(people["admin"])
    response = api_client.patch(f"/api/memberships/{membership.pk}/", {"team": team_b.slug}, format="json")
    assert response.status_code == 200
    assert response.json()["team"] == team_a.slug
