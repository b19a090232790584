"""Usage reported through the API by providers, corrections, and evaluation runs on GPUs."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from budget.models import EntryKind, GpuType, LedgerEntry, Provider, SlurmAccount
from core.permissions import Action, require

from .alerts import alerts_check
from .charging import Charger, UsageLine
from .rates import RateCard

log = logging.getLogger(__name__)


@transaction.atomic
def usage_report(*, actor, provider: Provider, lines: list[dict]) -> dict:
    """A provider reports finished jobs: each dict has job_id, step, account, gpu_type (code),
    gpu_count, started_at, ended_at. Every line is checked first; one bad line writes nothing."""
    require(actor, Action.REPORT_USAGE, provider)
    accounts = {a.name: a for a in SlurmAccount.objects.filter(provider=provider)}
    types = {t.code: t for t in GpuType.objects.all()}
    rates, errors, charges, unmapped = RateCard(provider), {}, [], set()
    for index, line in enumerate(lines):
        problem = None
        gpu_type = types.get(line["gpu_type"])
        started, ended = line["started_at"], line["ended_at"]
        if gpu_type is None:
            problem = _("Unknown GPU type %(code)r.") % {"code": line["gpu_type"]}
        elif ended < started:
            problem = _("The job ends before it starts.")
        elif (rate := rates.at(gpu_type.pk, timezone.localdate(started))) is None:
            problem = _("No rate for %(code)s at %(provider)s on %(day)s.") % {
                "code": gpu_type.code,
                "provider": provider,
                "day": timezone.localdate(started),
            }
        if problem:
            errors[str(index)] = [problem]
            continue
        account = accounts.get(line["account"])
        if account is None:
            unmapped.add(line["account"])
            continue
        charges.append(
            UsageLine(
                key=f"api:{provider.slug}:{line['job_id']}:{line.get('step', '')}",
                team_id=account.team_id,
                organisation_id=account.organisation_id,
                provider_id=provider.pk,
                gpu_type_id=gpu_type.pk,
                gpu_count=line["gpu_count"],
                seconds=int((ended - started).total_seconds()),
                started_at=started,
                ended_at=ended,
                krw_per_gpu_hour=rate,
                source=f"api:{provider.slug}",
                job_id=str(line["job_id"]),
                external_account=line["account"],
            )
        )
    if errors:
        raise ValidationError({"lines": [f"{i}: {m[0]}" for i, m in errors.items()]})
    charger = Charger(actor=actor)
    result = charger.charge(charges)
    alerts_check(allocation_ids=result.allocation_ids)
    summary = {
        "imported": result.imported,
        "duplicates_skipped": result.duplicates,
        "unmapped_accounts": sorted(unmapped),
        "outside_envelopes": result.outside_envelopes,
        "amount_krw": result.amount_krw,
    }
    audit_record(actor=actor, action="budget.usage.report", target=provider, after=summary)
    return summary


@transaction.atomic
def usage_correct(*, actor, entry: LedgerEntry, amount_krw: int, reason: str) -> LedgerEntry:
    """Correct a usage charge with a new entry (positive: a refund); the original is never edited."""
    require(actor, Action.MANAGE_BUDGET)
    if entry.kind != EntryKind.USAGE:
        raise ValidationError({"entry": _("Only a usage charge can be corrected.")})
    if not isinstance(amount_krw, int) or amount_krw == 0:
        raise ValidationError({"amount_krw": _("Give a non-zero whole number of won.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    corrected = sum(entry.corrections.values_list("amount_krw", flat=True))
    if amount_krw > -entry.amount_krw - corrected:
        raise ValidationError({"amount_krw": _("A refund cannot exceed what was charged.")})
    correction = LedgerEntry.objects.create(
        envelope_id=entry.envelope_id,
        allocation_id=entry.allocation_id,
        kind=EntryKind.CORRECTION,
        amount_krw=amount_krw,
        occurred_at=entry.occurred_at,
        actor=actor,
        reason=reason.strip()[:500],
        source="correction",
        corrects=entry,
    )
    audit_record(actor=actor, action="budget.usage.correct", target=correction, after=snapshot(correction))
    return correction


def budget_charge_evaluation_run(*, run) -> LedgerEntry | None:
    """Charge a finished evaluation run's GPU time to its team, once (key evaluation-run:<id>):
    the GPU-seconds its shards' evaluation processes used (shard attempts whose worker was lost,
    waiting, copying and hashing are not charged). A run on CPU, or one that used no GPU time,
    charges nothing. Never raises: a budget problem (no rate, no envelope) is logged and must not
    change the run's outcome."""
    if (
        not run.device
        or not run.device.startswith("cuda")
        or not run.gpu_seconds
        or run.started_at is None
        or run.finished_at is None
    ):
        return None
    try:
        with transaction.atomic():
            return _charge_run(run)
    except Exception:  # noqa: BLE001 — the run's terminal state matters more than its bill
        log.exception("could not charge evaluation run %s to the budget", run.pk)
        return None


def _charge_run(run) -> LedgerEntry | None:
    provider = Provider.objects.filter(slug=settings.BUDGET_EVAL_PROVIDER).first()
    gpu_type = GpuType.objects.filter(code=settings.BUDGET_EVAL_GPU_TYPE).first()
    if provider is None or gpu_type is None:
        log.warning(
            "evaluation run %s not charged: no provider %r or GPU type %r",
            run.pk,
            settings.BUDGET_EVAL_PROVIDER,
            settings.BUDGET_EVAL_GPU_TYPE,
        )
        return None
    rate = RateCard(provider).at(gpu_type.pk, timezone.localdate(run.started_at))
    if rate is None:
        log.warning("evaluation run %s not charged: no rate for %s at %s", run.pk, gpu_type, provider)
        return None
    key = f"evaluation-run:{run.pk}"
    charger = Charger()
    result = charger.charge(
        [
            UsageLine(  # GPU-seconds, as one GPU's time: shards held 1 to 8 GPUs each
                key=key,
                team_id=run.checkpoint.team_id,
                organisation_id=None,
                provider_id=provider.pk,
                gpu_type_id=gpu_type.pk,
                gpu_count=1,
                seconds=round(run.gpu_seconds),
                started_at=run.started_at,
                ended_at=run.finished_at,
                krw_per_gpu_hour=rate,
                source="evaluation",
                job_id=str(run.pk),
            )
        ]
    )
    alerts_check(allocation_ids=result.allocation_ids)
    return LedgerEntry.objects.filter(idempotency_key=key).first()
