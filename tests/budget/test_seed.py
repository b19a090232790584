"""The demo: the real 2025 envelope and first-period allocations, a usage history, idempotent."""

import datetime

from budget.models import Envelope, LedgerEntry
from budget.seed import seed_budget_demo
from budget.selectors import envelope_figures, node_totals
from consortium.seed import seed_programme


def test_the_demo_seeds_a_real_picture_once(db):
    seed_programme()
    report = seed_budget_demo(until=datetime.date(2026, 2, 15))
    assert report.changed
    envelope = Envelope.objects.get()
    figures = envelope_figures(envelope)
    assert figures.total_krw == 157_600_000_000
    assert 0 < figures.used_krw < figures.allocated_krw <= figures.total_krw
    teams = {n.team.slug: n for n in envelope.allocations.filter(organisation__isnull=True).select_related("team")}
    assert set(teams) == {"lg-ai-research", "upstage", "nc-ai"}  # the GPU lessors got none in the first period
    totals = node_totals(envelope=envelope)
    assert totals[teams["nc-ai"].pk].used_percent >= 95 and totals[teams["upstage"].pk].used_percent < 80
    entries = LedgerEntry.objects.count()
    assert not seed_budget_demo(until=datetime.date(2026, 2, 15)).changed
    assert LedgerEntry.objects.count() == entries
