"""Is a checkpoint's training data allowed? Pure rules over rows already loaded;
selectors.compliance_for_checkpoints does the reading.

For every declared dataset:
- the team must hold entitlements that cover every day from `trained_from` to
  `trained_until` (revoked days do not count);
- the licence must not prohibit model training;
- when the team declares an open release of the weights, the licence must not
  prohibit releasing derived weights openly.
A "conditional" term is allowed but named among the reasons, with its clause."""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .models import Entitlement, TermStatus, TrainingDataItem


class ComplianceStatus(StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    UNDECLARED = "undeclared"


STATUS_LABELS = {
    ComplianceStatus.COMPLIANT: _("Compliant"),
    ComplianceStatus.NON_COMPLIANT: _("Non-compliant"),
    ComplianceStatus.UNDECLARED: _("Training data not declared"),
}


@dataclass
class Compliance:
    status: ComplianceStatus
    reasons: list[str] = field(default_factory=list)  # in the language active when computed; problems first
    releases_openly: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def ok(self) -> bool:
        return self.status == ComplianceStatus.COMPLIANT


def _uncovered_day(start: datetime.date, end: datetime.date, entitlements: list[Entitlement]) -> datetime.date | None:
    """The first day of [start, end] that no entitlement covers, or None."""
    day = start
    for e in sorted(entitlements, key=lambda e: e.valid_from):
        last = e.effective_until
        if last is None or e.valid_from > day:
            continue
        if last >= day:
            day = last + datetime.timedelta(days=1)
        if day > end:
            return None
    return day if day <= end else None


def check_item(item: TrainingDataItem, *, releases_openly: bool, entitlements: list[Entitlement]) -> tuple[list, list]:
    """(problems, notes) for one declared dataset; `entitlements`: the team's, for that dataset."""
    dataset, licence = item.dataset, item.dataset.licence
    problems, notes = [], []
    if not entitlements:
        problems.append(_("%(dataset)s: the team holds no entitlement to this dataset.") % {"dataset": dataset})
    else:
        gap = _uncovered_day(item.trained_from, item.trained_until, entitlements)
        if gap is not None:
            problems.append(
                _("%(dataset)s: no entitlement in force on %(day)s (trained %(start)s – %(end)s).")
                % {"dataset": dataset, "day": gap, "start": item.trained_from, "end": item.trained_until}
            )
    checks = [("training", _("model training"))]
    if releases_openly:
        checks.append(("open_weight_release", _("open-source release of the weights")))
    for term, what in checks:
        status, clause = getattr(licence, term), getattr(licence, f"{term}_clause")
        if status == TermStatus.PROHIBITED:
            problems.append(
                _("%(dataset)s: the licence %(licence)s prohibits %(what)s.")
                % {"dataset": dataset, "licence": licence, "what": what}
            )
        elif status == TermStatus.CONDITIONAL:
            notes.append(
                _("%(dataset)s: %(what)s is conditional: %(clause)s")
                % {"dataset": dataset, "what": what, "clause": clause or "—"}
            )
    return problems, notes


def compliance_of(declaration, entitlements_by_dataset: dict[int, list[Entitlement]]) -> Compliance:
    if declaration is None:
        return Compliance(ComplianceStatus.UNDECLARED, [_("The team has not declared the training data.")])
    problems, notes = [], []
    for item in declaration.items.all():
        p, n = check_item(
            item,
            releases_openly=declaration.releases_openly,
            entitlements=entitlements_by_dataset.get(item.dataset_id, []),
        )
        problems += p
        notes += n
    status = ComplianceStatus.NON_COMPLIANT if problems else ComplianceStatus.COMPLIANT
    return Compliance(status, problems + notes, releases_openly=declaration.releases_openly)
