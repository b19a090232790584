"""Alerts when an allocation is 80% and 95% used: once per threshold per allocation
(a unique constraint), shown on the dashboard and emailed after the charge commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budget.models import Allocation, BudgetAlert
from budget.selectors import node_totals
from core.roles import PROGRAMME_ADMIN_GROUP


def alerts_check(*, allocation_ids) -> list[BudgetAlert]:
    """Raise the alerts that the given allocations (and their teams' nodes) have newly crossed."""
    if not allocation_ids:
        return []
    nodes = {a.pk: a for a in Allocation.objects.filter(pk__in=allocation_ids)}
    team_node_ids = {a.parent_id for a in nodes.values() if a.parent_id}
    nodes.update({a.pk: a for a in Allocation.objects.filter(pk__in=team_node_ids - set(nodes))})
    totals = node_totals(allocation_ids=set(nodes))
    crossed = []
    for pk, node in nodes.items():
        allocated, used = totals[pk].allocated_krw, totals[pk].used_krw
        for threshold in settings.BUDGET_ALERT_THRESHOLDS:
            if allocated > 0 and used * 100 >= allocated * threshold:
                crossed.append(
                    BudgetAlert(allocation=node, threshold=threshold, used_krw=used, allocated_krw=allocated)
                )
    if not crossed:
        return []
    already = set(BudgetAlert.objects.filter(allocation_id__in=set(nodes)).values_list("allocation_id", "threshold"))
    new = [a for a in crossed if (a.allocation_id, a.threshold) not in already]
    BudgetAlert.objects.bulk_create(new, ignore_conflicts=True)
    new_ids = [(a.allocation_id, a.threshold) for a in new]
    if new_ids:
        transaction.on_commit(lambda: _email(new_ids))
    return new


def _recipients(team_id: int) -> list[str]:
    admins = User.objects.filter(groups__name=PROGRAMME_ADMIN_GROUP)
    leads = User.objects.filter(organisation__led_teams__pk=team_id)
    return sorted({u.email for u in admins.union(leads) if u.email})


def _email(keys: list[tuple[int, int]]) -> None:
    for allocation_id, threshold in keys:
        alert = (
            BudgetAlert.objects.select_related("allocation__team", "allocation__organisation")
            .filter(allocation_id=allocation_id, threshold=threshold)
            .first()
        )
        recipients = _recipients(alert.allocation.team_id) if alert else []
        if not recipients:
            continue
        send_mail(
            subject=_("GPU budget: %(allocation)s has used %(threshold)d%%")
            % {"allocation": alert.allocation, "threshold": threshold},
            message=_("%(allocation)s has used %(used)s of %(allocated)s won (%(threshold)d%% alert).")
            % {
                "allocation": alert.allocation,
                "used": f"{alert.used_krw:,}",
                "allocated": f"{alert.allocated_krw:,}",
                "threshold": threshold,
            },
            from_email=None,
            recipient_list=recipients,
            fail_silently=True,
        )
