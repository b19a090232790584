"""Entitlements: granted from purchases (or by an admin), revoked with a reason,
and ended for an eliminated team where the licence says access ends."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.admin_writes import require_admin
from audit.services import audit_record, snapshot

from ..models import Dataset, Entitlement, PostTermination


def _overlapping(*, dataset, team, organisation, valid_from, valid_until) -> Entitlement | None:
    """An existing entitlement of the same holder to the same dataset in force on any day of the period.
    The same rule as the exclusion constraint, checked on any database."""
    holder = {"team": team} if team is not None else {"organisation": organisation}
    candidates = Entitlement.objects.filter(
        dataset=dataset, valid_from__lte=valid_until, valid_until__gte=valid_from, **holder
    )
    for existing in candidates:
        end = existing.effective_until
        if end is not None and existing.valid_from <= valid_until and valid_from <= end:
            return existing
    return None


def entitlement_grant_unchecked(
    *,
    actor,
    dataset: Dataset,
    team=None,
    organisation=None,
    valid_from: datetime.date,
    valid_until: datetime.date,
    purchase=None,
) -> Entitlement:
    """The grant itself; callers hold the transaction and have checked who asks."""
    if (team is None) == (organisation is None):
        raise ValidationError({"holder": [_("An entitlement belongs to one team or one organisation.")]})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": [_("The end date is before the start date.")]})
    Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # competing grants queue here
    clash = _overlapping(
        dataset=dataset, team=team, organisation=organisation, valid_from=valid_from, valid_until=valid_until
    )
    if clash is not None:
        raise ValidationError(
            {
                "entitlements": [
                    _("%(holder)s already holds %(dataset)s from %(start)s to %(end)s.")
                    % {
                        "holder": clash.holder,
                        "dataset": dataset,
                        "start": clash.valid_from,
                        "end": clash.effective_until,
                    }
                ]
            }
        )
    entitlement = Entitlement.objects.create(
        dataset=dataset,
        team=team,
        organisation=organisation,
        valid_from=valid_from,
        valid_until=valid_until,
        purchase=purchase,
    )
    audit_record(actor=actor, action="entitlement.grant", target=entitlement, after=snapshot(entitlement))
    return entitlement


@transaction.atomic
def entitlement_grant(
    *,
    actor,
    dataset: Dataset,
    team=None,
    organisation=None,
    valid_from: datetime.date,
    valid_until: datetime.date,
    purchase=None,
) -> Entitlement:
    require_admin(actor)
    return entitlement_grant_unchecked(
        actor=actor,
        dataset=dataset,
        team=team,
        organisation=organisation,
        valid_from=valid_from,
        valid_until=valid_until,
        purchase=purchase,
    )


def _revoke(*, actor, entitlement: Entitlement, revoked_on: datetime.date, reason: str) -> Entitlement:
    before = snapshot(entitlement)
    entitlement.revoked_on = max(revoked_on, entitlement.valid_from)
    entitlement.revoke_reason = reason
    entitlement.revoked_by = actor if actor is not None and actor.is_authenticated else None
    entitlement.save(update_fields=["revoked_on", "revoke_reason", "revoked_by"])
    audit_record(
        actor=actor, action="entitlement.revoke", target=entitlement, before=before, after=snapshot(entitlement)
    )
    return entitlement


@transaction.atomic
def entitlement_revoke(
    *, actor, entitlement: Entitlement, revoked_on: datetime.date | None = None, reason: str
) -> Entitlement:
    """End access from `revoked_on` (default today; never before the entitlement's start)."""
    require_admin(actor)
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if entitlement.revoked_on is not None:
        raise ValidationError({"revoked_on": [_("This entitlement is already revoked.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the revocation.")]})
    return _revoke(actor=actor, entitlement=entitlement, revoked_on=revoked_on or timezone.localdate(), reason=reason)


@transaction.atomic
def entitlements_apply_team_elimination(*, actor, team, on: datetime.date | None = None) -> list[Entitlement]:
    """Call when a team leaves the programme (eliminated or withdrawn). Entitlements whose
    licence says access ends on termination are revoked from `on` (default today), each
    audited; those whose licence lets access continue are left as they are. Running it
    twice changes nothing. Returns the entitlements it revoked."""
    require_admin(actor)
    on = on or timezone.localdate()
    in_force = (
        Entitlement.objects.select_for_update(of=("self",))
        .select_related("dataset__licence", "dataset")
        .filter(
            team=team,
            revoked_on__isnull=True,
            valid_until__gte=on,
            dataset__licence__post_termination=PostTermination.END_ACCESS,
        )
        .order_by("id")
    )
    reason = _("The team left the programme; the licence ends access on termination.")
    return [_revoke(actor=actor, entitlement=e, revoked_on=on, reason=reason) for e in in_force]
