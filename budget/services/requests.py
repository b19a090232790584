"""Reallocation requests: a team lead asks for more (or gives some back), an admin decides."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from budget.models import Envelope, ReallocationRequest, RequestStatus
from core.permissions import Action, require

from .allocations import allocation_grant, allocation_return
from .nodes import team_node


@transaction.atomic
def reallocation_request_create(
    *, actor, envelope: Envelope, team, amount_krw: int, reason: str
) -> ReallocationRequest:
    require(actor, Action.LEAD_TEAM, team)
    if not isinstance(amount_krw, int) or amount_krw == 0:
        raise ValidationError({"amount_krw": _("Give a non-zero whole number of won.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    request = ReallocationRequest.objects.create(
        envelope=envelope, team=team, amount_krw=amount_krw, reason=reason.strip(), requested_by=actor
    )
    audit_record(actor=actor, action="budget.request.create", target=request, after=snapshot(request))
    return request


def _decide(actor, request: ReallocationRequest, status: RequestStatus, note: str) -> ReallocationRequest:
    require(actor, Action.MANAGE_BUDGET)
    request = ReallocationRequest.objects.select_for_update().select_related("team", "envelope").get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise ValidationError({"status": _("This request was already decided.")})
    before = snapshot(request)
    request.status, request.decided_by, request.decided_at = status, actor, timezone.now()
    request.decision_note = note.strip()
    request.save()
    audit_record(actor=actor, action=f"budget.request.{status}", target=request, before=before, after=snapshot(request))
    return request


@transaction.atomic
def reallocation_request_approve(*, actor, request: ReallocationRequest, note: str = "") -> ReallocationRequest:
    """Approve and move the money in the same transaction: both happen, or neither."""
    request = _decide(actor, request, RequestStatus.APPROVED, note)
    reason = _("Reallocation request %(id)s: %(reason)s") % {"id": request.pk, "reason": request.reason}
    if request.amount_krw > 0:
        allocation_grant(
            actor=actor, envelope=request.envelope, team=request.team, amount_krw=request.amount_krw, reason=reason
        )
    else:
        allocation_return(
            actor=actor,
            allocation=team_node(request.envelope, request.team),
            amount_krw=-request.amount_krw,
            reason=reason,
        )
    return request


@transaction.atomic
def reallocation_request_refuse(*, actor, request: ReallocationRequest, note: str) -> ReallocationRequest:
    require(actor, Action.MANAGE_BUDGET)  # before looking at the input: a non-admin learns nothing from a 400
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the request is refused.")})
    return _decide(actor, request, RequestStatus.REFUSED, note)
