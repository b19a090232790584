"""Every write to the registry. Each function runs in one transaction, checks
who is asking (actor None means the platform itself, e.g. the seed command),
validates, writes, and appends its audit event in that same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.admin_writes import admin_create, admin_update, require_admin
from audit.services import audit_record, snapshot

from .models import (
    Membership,
    MembershipRole,
    MembershipRoleAssignment,
    Organisation,
    Programme,
    Team,
    TeamStatus,
)

TEAM_STATUS_TRANSITIONS = {
    TeamStatus.ACTIVE: {TeamStatus.ELIMINATED, TeamStatus.WITHDRAWN},
    TeamStatus.ELIMINATED: set(),
    TeamStatus.WITHDRAWN: set(),
}


@transaction.atomic
def programme_create(*, actor, slug: str, name_ko: str, name_en: str, year: int) -> Programme:
    return admin_create(
        actor=actor, model=Programme, action="programme.create", slug=slug, name_ko=name_ko, name_en=name_en, year=year
    )


@transaction.atomic
def programme_update(*, actor, programme: Programme, **changes) -> Programme:
    return admin_update(
        actor=actor,
        instance=programme,
        action="programme.update",
        editable={"name_ko", "name_en", "year"},
        changes=changes,
    )


@transaction.atomic
def organisation_create(*, actor, slug: str, name_ko: str, name_en: str, kind: str) -> Organisation:
    return admin_create(
        actor=actor,
        model=Organisation,
        action="organisation.create",
        slug=slug,
        name_ko=name_ko,
        name_en=name_en,
        kind=kind,
    )


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **changes) -> Organisation:
    return admin_update(
        actor=actor,
        instance=organisation,
        action="organisation.update",
        editable={"name_ko", "name_en", "kind"},
        changes=changes,
    )


@transaction.atomic
def team_create(
    *,
    actor,
    programme: Programme,
    slug: str,
    name_ko: str,
    name_en: str,
    lead_organisation: Organisation,
    joined_on: datetime.date,
    model_name: str = "",
    lead_roles: tuple[str, ...] = (MembershipRole.LEAD, MembershipRole.MODEL_DEVELOPMENT),
) -> Team:
    """A new team, with its lead organisation's membership from the same day."""
    team = admin_create(
        actor=actor,
        model=Team,
        action="team.create",
        programme=programme,
        slug=slug,
        name_ko=name_ko,
        name_en=name_en,
        model_name=model_name,
        lead_organisation=lead_organisation,
        joined_on=joined_on,
    )
    membership_create(
        actor=actor, team=team, organisation=lead_organisation, roles=list(lead_roles), joined_on=joined_on
    )
    return team


@transaction.atomic
def team_update(*, actor, team: Team, **changes) -> Team:
    """Names and model name. Status has its own transition, the lead its own rules."""
    return admin_update(
        actor=actor, instance=team, action="team.update", editable={"name_ko", "name_en", "model_name"}, changes=changes
    )


@transaction.atomic
def team_change_status(*, actor, team: Team, to: TeamStatus, reason: str) -> Team:
    """Eliminate or withdraw a team; only the transitions in TEAM_STATUS_TRANSITIONS exist."""
    require_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if TeamStatus(to) not in TEAM_STATUS_TRANSITIONS[TeamStatus(team.status)]:
        raise ValidationError(
            {
                "status": _("A team cannot go from %(old)s to %(new)s.")
                % {"old": team.get_status_display(), "new": TeamStatus(to).label}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    before = snapshot(team)
    team.status = to
    team.save(update_fields=["status"])
    audit_record(actor=actor, action="team.status", target=team, before=before, after=snapshot(team, reason=reason))
    return team


def _membership_errors(*, team, organisation, roles, joined_on, left_on, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    unknown = [r for r in roles if r not in MembershipRole.values]
    if not roles:
        errors["roles"] = [_("Give at least one role.")]
    elif unknown:
        errors["roles"] = [_("Unknown role: %(role)s.") % {"role": ", ".join(map(str, unknown))}]
    elif len(set(roles)) != len(roles):
        errors["roles"] = [_("A role is listed twice.")]
    elif MembershipRole.LEAD in roles and organisation.pk != team.lead_organisation_id:
        errors["roles"] = [_("Only the team's lead organisation holds the lead role.")]
    if left_on is not None and left_on < joined_on:
        errors["left_on"] = [_("The leaving date is before the joining date.")]
        return errors
    overlapping = (
        Membership.objects.filter(team=team, organisation=organisation, joined_on__lte=left_on or datetime.date.max)
        .exclude(left_on__lt=joined_on)
        .exclude(pk=exclude_pk)
        .first()
    )
    if overlapping:
        errors["organisation"] = [
            _("%(organisation)s is already a member of this team from %(start)s to %(end)s.")
            % {
                "organisation": organisation,
                "start": overlapping.joined_on.isoformat(),
                "end": overlapping.left_on.isoformat() if overlapping.left_on else _("now"),
            }
        ]
    return errors


def _set_roles(membership: Membership, roles: list[str]) -> None:
    membership.roles.exclude(role__in=roles).delete()
    held = set(membership.roles.values_list("role", flat=True))
    MembershipRoleAssignment.objects.bulk_create(
        MembershipRoleAssignment(membership=membership, role=role) for role in roles if role not in held
    )


def _membership_snapshot(membership: Membership) -> dict:
    return snapshot(membership, roles=sorted(membership.roles.values_list("role", flat=True)))


@transaction.atomic
def membership_create(
    *,
    actor,
    team: Team,
    organisation: Organisation,
    roles: list[str],
    joined_on: datetime.date,
    left_on: datetime.date | None = None,
) -> Membership:
    require_admin(actor)
    Team.objects.select_for_update().filter(pk=team.pk).first()  # one membership writer per team
    errors = _membership_errors(team=team, organisation=organisation, roles=roles, joined_on=joined_on, left_on=left_on)
    if errors:
        raise ValidationError(errors)
    membership = Membership.objects.create(team=team, organisation=organisation, joined_on=joined_on, left_on=left_on)
    _set_roles(membership, roles)
    audit_record(actor=actor, action="membership.create", target=membership, after=_membership_snapshot(membership))
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, **changes) -> Membership:
    """Change roles or dates (e.g. record the day an organisation left)."""
    require_admin(actor)
    unknown = set(changes) - {"roles", "joined_on", "left_on"}
    if unknown:
        raise TypeError(f"membership.update: cannot change {sorted(unknown)}")
    Team.objects.select_for_update().filter(pk=membership.team_id).first()
    before = _membership_snapshot(membership)
    roles = changes.get("roles", before["roles"])
    joined_on = changes.get("joined_on", membership.joined_on)
    left_on = changes.get("left_on", membership.left_on)
    errors = _membership_errors(
        team=membership.team,
        organisation=membership.organisation,
        roles=roles,
        joined_on=joined_on,
        left_on=left_on,
        exclude_pk=membership.pk,
    )
    if MembershipRole.LEAD in before["roles"]:
        if MembershipRole.LEAD not in roles:
            errors.setdefault("roles", []).append(_("The lead organisation keeps the lead role."))
        if left_on is not None:
            errors.setdefault("left_on", []).append(_("The lead organisation cannot leave its own team."))
    if errors:
        raise ValidationError(errors)
    membership.joined_on, membership.left_on = joined_on, left_on
    membership.save(update_fields=["joined_on", "left_on"])
    _set_roles(membership, roles)
    after = _membership_snapshot(membership)
    if after != before:
        audit_record(actor=actor, action="membership.update", target=membership, before=before, after=after)
    return membership


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    """Remove a membership entered by mistake (an organisation that left keeps its row, with left_on)."""
    require_admin(actor)
    before = _membership_snapshot(membership)
    if MembershipRole.LEAD in before["roles"]:
        raise ValidationError({"roles": [_("The lead organisation's membership cannot be removed.")]})
    audit_record(actor=actor, action="membership.delete", target=membership, before=before)
    membership.delete()
