"""Recording a purchase: its cost shares (split.py), then one entitlement per payer
and dataset for the access period. All or nothing."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from core.krw import format_krw
from core.permissions import Action, require

from ..models import Purchase, PurchaseKind, PurchaseShare, ShareBasis
from ..split import ShareSpec, SplitError, split_total
from .entitlements import entitlement_grant_unchecked


def holder_key(*, team=None, organisation=None) -> str:
    """The key that orders equal remainders (see split.py)."""
    return f"team:{team.slug}" if team is not None else f"org:{organisation.slug}"


def _split_message(error: SplitError) -> str:
    p = error.params
    messages = {
        "negative_total": lambda: _("The total must not be negative."),
        "no_shares": lambda: _("Give at least one cost share."),
        "duplicate_holder": lambda: _("A payer is listed twice."),
        "one_basis": lambda: _("Each share gives either a percentage or a fixed amount, not both."),
        "percent_range": lambda: _("A percentage must be above 0 and at most 100."),
        "negative_fixed": lambda: _("A fixed amount must not be negative."),
        "fixed_exceed_total": lambda: (
            _("The fixed amounts (%(fixed)s) exceed the total paid (%(total)s).")
            % {"fixed": format_krw(p["fixed"]), "total": format_krw(p["total"])}
        ),
        "fixed_not_total": lambda: (
            _("The fixed amounts (%(fixed)s) must add up to the total paid (%(total)s).")
            % {"fixed": format_krw(p["fixed"]), "total": format_krw(p["total"])}
        ),
        "percent_not_hundred": lambda: _("The percentages add up to %(percent)s, not 100.") % {"percent": p["percent"]},
    }
    return messages[error.code]()


def _errors(*, kind, price_krw, vat_krw, datasets, access_from, access_until, contract_number, shares) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in PurchaseKind.values:
        errors["kind"] = [_("Unknown purchase kind.")]
    for field, value in (("price_krw", price_krw), ("vat_krw", vat_krw)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = [_("An amount in won must be a whole number, zero or more.")]
    if not datasets:
        errors["datasets"] = [_("Name at least one dataset.")]
    if access_until < access_from:
        errors["access_until"] = [_("The end date is before the start date.")]
    if Purchase.objects.filter(contract_number=contract_number).exists():
        errors["contract_number"] = [_("A purchase with this contract number is already recorded.")]
    if kind == PurchaseKind.INDIVIDUAL and len(shares) != 1:
        errors["shares"] = [_("An individual purchase has exactly one payer.")]
    for share in shares:
        if (share.get("team") is None) == (share.get("organisation") is None):
            errors["shares"] = [_("Each share names one team or one organisation.")]
    return errors


@transaction.atomic
def purchase_create(
    *,
    actor,
    kind: str,
    title: str,
    provider,
    datasets: list,
    contract_number: str,
    contract_date: datetime.date,
    price_krw: int,
    vat_krw: int,
    access_from: datetime.date,
    access_until: datetime.date,
    shares: list[dict],
    intermediary=None,
) -> Purchase:
    """Record a purchase. `shares`: [{"team" or "organisation", "percent" or "fixed_krw"}].
    The amount paid (price + VAT) is split exactly; each payer gets an entitlement to every
    dataset from `access_from` to `access_until`. Any error → ValidationError, nothing written."""
    if actor is not None:
        require(actor, Action.MANAGE_REGISTRY)
    errors = _errors(
        kind=kind,
        price_krw=price_krw,
        vat_krw=vat_krw,
        datasets=datasets,
        access_from=access_from,
        access_until=access_until,
        contract_number=contract_number,
        shares=shares,
    )
    if errors:
        raise ValidationError(errors)
    total = price_krw + vat_krw
    specs = [
        ShareSpec(
            key=holder_key(team=s.get("team"), organisation=s.get("organisation")),
            percent=None if s.get("percent") is None else Decimal(str(s["percent"])),
            fixed_krw=s.get("fixed_krw"),
        )
        for s in shares
    ]
    try:
        amounts = split_total(total, specs)
    except SplitError as error:
        raise ValidationError({"shares": [_split_message(error)]}) from None

    purchase = Purchase(
        kind=kind,
        title=title,
        provider=provider,
        intermediary=intermediary,
        contract_number=contract_number,
        contract_date=contract_date,
        price_krw=price_krw,
        vat_krw=vat_krw,
        total_krw=total,
        access_from=access_from,
        access_until=access_until,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    purchase.full_clean()
    purchase.save()
    purchase.datasets.set(datasets)
    rows = [
        PurchaseShare(
            purchase=purchase,
            team=s.get("team"),
            organisation=s.get("organisation"),
            basis=ShareBasis.PERCENT if spec.percent is not None else ShareBasis.FIXED,
            percent=spec.percent,
            fixed_krw=spec.fixed_krw,
            amount_krw=amounts[spec.key],
        )
        for s, spec in zip(shares, specs, strict=True)
    ]
    PurchaseShare.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="purchase.create",
        target=purchase,
        after=snapshot(
            purchase,
            datasets=sorted(d.pk for d in datasets),
            shares=[
                {
                    "holder": spec.key,
                    "basis": row.basis,
                    "percent": row.percent,
                    "fixed_krw": row.fixed_krw,
                    "amount_krw": row.amount_krw,
                }
                for row, spec in zip(rows, specs, strict=True)
            ],
        ),
    )
    for row in rows:
        for dataset in datasets:
            entitlement_grant_unchecked(
                actor=actor,
                dataset=dataset,
                team=row.team,
                organisation=row.organisation,
                valid_from=access_from,
                valid_until=access_until,
                purchase=purchase,
            )
    return purchase
