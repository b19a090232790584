"""Property: whatever sequence of allocations, splits, returns and usage charges happens,
every balance equals the sum of its ledger entries and matches an independent model of the
rules; the pool and every node without usage never go below zero; refused operations write nothing."""

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget.models import LedgerEntry
from budget.selectors import node_totals
from budget.services.allocations import allocation_grant, allocation_return, allocation_split
from budget.services.charging import Charger
from budget.services.nodes import member_node, node_balance, pool_balance, team_node
from tests.budget.test_charging import line
from tests.support.factories import MembershipFactory, OrganisationFactory

TOTAL = 1_000
keys = itertools.count()

amount = st.integers(min_value=1, max_value=600)
operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 1), st.just(0), amount),
    st.tuples(st.just("split"), st.integers(0, 1), st.integers(0, 1), amount),
    st.tuples(st.just("return_member"), st.integers(0, 1), st.integers(0, 1), amount),
    st.tuples(st.just("return_team"), st.integers(0, 1), st.just(0), amount),
    st.tuples(st.just("usage_team"), st.integers(0, 1), st.just(0), amount),
    st.tuples(st.just("usage_member"), st.integers(0, 1), st.integers(0, 1), amount),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=15))
def test_balances_are_sums_of_entries_and_obey_the_rules(people, catalogue, team_a, team_b, operations):
    from budget.services.allocations import envelope_create
    from tests.support.factories import ProgrammeFactory

    with transaction.atomic():
        envelope = envelope_create(
            actor=None,
            programme=ProgrammeFactory(),
            name="p",
            total_krw=TOTAL,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
        )
        teams = [team_a, team_b]
        orgs = [
            [MembershipFactory(team=t, organisation=OrganisationFactory()).organisation for _ in range(2)]
            for t in teams
        ]
        model = {"pool": TOTAL}  # the rules, written independently of the services
        used_nodes = set()
        admin, leads = people["admin"], [people["member_a"], people["admin"]]
        moves = {
            "grant": ("pool", "team"),
            "split": ("team", "member"),
            "return_member": ("member", "team"),
            "return_team": ("team", "pool"),
        }
        for op, t, o, krw in operations:
            team, org = teams[t], orgs[t][o]
            named = {"pool": "pool", "team": ("team", t), "member": ("member", t, o)}
            if op.startswith("usage"):  # usage is a fact: always recorded, even beyond the allocation
                usage = line(catalogue, team, key=f"prop-{next(keys)}", gpu_count=1, seconds=krw, rate=3600)
                key = named["team"]
                if op == "usage_member":
                    member_node(team_node(envelope, team), org)
                    usage.organisation_id = org.pk
                    key = named["member"]
                Charger().charge([usage])
                model[key] = model.get(key, 0) - krw
                used_nodes.add(key)
                continue
            source, target = (named[n] for n in moves[op])
            allowed = krw <= model.get(source, 0)
            try:
                if op == "grant":
                    allocation_grant(actor=admin, envelope=envelope, team=team, amount_krw=krw, reason="p")
                elif op == "split":
                    allocation_split(
                        actor=leads[t], envelope=envelope, team=team, organisation=org, amount_krw=krw, reason="p"
                    )
                elif op == "return_member":
                    allocation_return(
                        actor=leads[t],
                        allocation=member_node(team_node(envelope, team), org),
                        amount_krw=krw,
                        reason="p",
                    )
                else:
                    allocation_return(actor=admin, allocation=team_node(envelope, team), amount_krw=krw, reason="p")
            except ValidationError:
                assert not allowed, f"{op} {krw} was refused with {model.get(source, 0)} available"
                continue
            assert allowed, f"{op} {krw} went through with only {model.get(source, 0)} available"
            model[source] = model.get(source, 0) - krw
            model[target] = model.get(target, 0) + krw
        # Every balance is the sum of its entries, and matches the model.
        assert pool_balance(envelope) == model["pool"] >= 0
        for t, team in enumerate(teams):
            node = team_node(envelope, team)
            assert node_balance(node) == model.get(("team", t), 0)
            if ("team", t) not in used_nodes:
                assert node_balance(node) >= 0
            for o, org in enumerate(orgs[t]):
                child = member_node(node, org)
                assert node_balance(child) == model.get(("member", t, o), 0)
                if ("member", t, o) not in used_nodes:
                    assert node_balance(child) >= 0
            subtree = node_totals(allocation_ids=[node.pk])[node.pk]
            entries = LedgerEntry.objects.filter(allocation__team=team, envelope=envelope)
            assert subtree.remaining_krw == sum(entries.values_list("amount_krw", flat=True))
        assert sum(LedgerEntry.objects.filter(envelope=envelope).values_list("amount_krw", flat=True)) == TOTAL - sum(
            -e for e in LedgerEntry.objects.filter(envelope=envelope, kind="usage").values_list("amount_krw", flat=True)
        )
        transaction.set_rollback(True)
