"""One small world in which every route parameter names a real object of team A: its checkpoint,
run, leaderboard and snapshot, stage, budget request, usage import, purchase, declaration…
and one user per role (anonymous, a member of team A, team A's lead, a member of team B, a
reviewer, an admin)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import TeamRole
from accounts.services.tokens import token_create
from budget.models import GpuType, Provider, Rate, UsageImport
from budget.services.allocations import allocation_grant, envelope_create
from budget.services.requests import reallocation_request_create
from datasets_registry.models import Entitlement
from datasets_registry.services.catalogue import dataset_create, licence_create, provider_create
from datasets_registry.services.declarations import training_declaration_set
from datasets_registry.services.purchases import purchase_create
from evaluation.models import BenchmarkSnapshot, PrivateBenchmark
from governance.models import Objection
from leaderboards.models import RowRule
from leaderboards.services import leaderboard_create, reference_model_save, snapshot_publish
from originality.models import OriginalityReport, ReferenceModel
from stages.models import Nomination, NominationStatus, StageStatus
from stages.services.stages import stage_create
from tests.support.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.results_builder import make_checkpoint, make_run, make_suite_version

# viewer_a: a person of a member organisation of team A with no team role of their own (viewer);
# member_a: a submitter of that organisation; lead_a: the lead of team A (#18: rights per person).
ROLES = ("anonymous", "viewer_a", "member_a", "lead_a", "member_b", "reviewer", "admin")
TARGET = {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5}
D = datetime.date
# Strings only team A, reviewers and admins may ever see (the leak test looks for them).
SECRET = {"checkpoint": "alpha-secret-ckpt", "request": "alpha-secret-request", "purchase": "alpha-secret-purchase"}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters and cached pages of one test never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, people, team_a, team_b, extra_member):
    admin = people["admin"]
    member_org = extra_member(team_a).organisation
    users = {
        "anonymous": people["anonymous"],
        "viewer_a": UserFactory(username="viewer-a", organisation=member_org, team_roles={}),
        "member_a": UserFactory(username="plain-member-a", organisation=member_org),
        "lead_a": people["member_a"],  # the user of team A's lead organisation
        "member_b": people["member_b"],
        "reviewer": people["reviewer"],
        "admin": admin,
    }
    suite_version = make_suite_version(slug="core-suite")
    reference_model_save(actor=admin, suite_version=suite_version, name="Frontier-X", scores=TARGET)
    leaderboard = leaderboard_create(
        actor=admin, slug="main", name_ko="메인", name_en="Main", suite_version=suite_version, rule=RowRule.BEST
    )
    snapshot = snapshot_publish(actor=admin, leaderboard=leaderboard, note="published before any result")
    # Team A's results exist only after the snapshot: nothing of them is public.
    checkpoint = make_checkpoint(team_a, name=SECRET["checkpoint"], target="Frontier-X")
    run = make_run(checkpoint, suite_version, {t: v * 0.9 for t, v in TARGET.items()})
    checkpoint_b = make_checkpoint(team_b, name="beta-own")
    run_b = make_run(checkpoint_b, suite_version, {t: v * 0.8 for t, v in TARGET.items()})
    stage = stage_create(
        actor=admin,
        programme=ProgrammeFactory(),
        slug="stage-1",
        name_ko="1차 평가",
        name_en="First stage",
        advancing_count=1,
        suite_version=suite_version,
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=[team_a, team_b],
        bootstrap_samples=50,
    )
    for team, nominated, official in ((team_a, checkpoint, run), (team_b, checkpoint_b, run_b)):
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=nominated,
            nominated_at=timezone.now(),
            manifest_digest=nominated.manifest_digest,
            status=NominationStatus.ACCEPTED,
            official_run=official,
        )
    stage.status = StageStatus.SCORING  # official runs done, not finalised: the result is not public yet
    stage.save()

    envelope = envelope_create(
        actor=None,
        programme=ProgrammeFactory(),
        name="2025 GPU",
        period_start=D(2025, 1, 1),
        period_end=D(2026, 12, 31),
        total_krw=10**11,
    )
    allocation = allocation_grant(actor=admin, envelope=envelope, team=team_a, reason="first period", amount_krw=10**10)
    budget_request = reallocation_request_create(
        actor=users["lead_a"], envelope=envelope, team=team_a, amount_krw=10**8, reason=SECRET["request"]
    )
    h100 = GpuType.objects.create(code="h100", name="NVIDIA H100", h100_weight=Decimal("1"))
    gpu_provider = Provider.objects.create(
        slug="cloud-x", name="Cloud X", organisation=OrganisationFactory(slug="cloud-x", kind="gpu_provider")
    )
    Rate.objects.create(gpu_type=h100, provider=gpu_provider, effective_from=D(2025, 1, 1), krw_per_gpu_hour=3600)
    usage_import = UsageImport.objects.create(
        provider=gpu_provider, file_path="/nonexistent/sacct.txt", created_by=admin, original_name="sacct.txt"
    )

    data_provider = provider_create(
        actor=None, slug="archives", name_ko="국가기록원", name_en="National Archives", kind="public_body"
    )
    licence = licence_create(
        actor=None,
        slug="open",
        name_ko="공개",
        name_en="Open",
        training="permitted",
        commercial_use="permitted",
        redistribution="prohibited",
        open_weight_release="permitted",
        attribution="conditional",
        attribution_clause="Name the provider.",
        term_starts_on=D(2025, 1, 1),
        term_ends_on=None,
        post_termination="retain",
    )
    dataset = dataset_create(
        actor=None,
        slug="ds-open",
        provider=data_provider,
        licence=licence,
        name_ko="자료",
        name_en="Data",
        modality="text",
        size_records=1000,
    )
    purchase = purchase_create(
        actor=None,
        kind="individual",
        title=SECRET["purchase"],
        provider=data_provider,
        datasets=[dataset],
        contract_number="C-1",
        contract_date=D(2025, 1, 1),
        price_krw=1_000_000,
        vat_krw=100_000,
        access_from=D(2025, 1, 1),
        access_until=D(2027, 12, 31),
        shares=[{"team": team_a, "percent": Decimal(100)}],
    )
    declaration = training_declaration_set(
        actor=users["lead_a"],
        checkpoint=checkpoint,
        releases_openly=False,
        items=[{"dataset": dataset, "trained_from": D(2025, 2, 1), "trained_until": D(2025, 3, 1)}],
    )
    reference = ReferenceModel.objects.create(name="Open-7B", family="Open", source_path="/refs/open-7b")
    OriginalityReport.objects.create(checkpoint=checkpoint, status="done", verdict="original")
    token, _key = token_create(actor=None, user=users["member_a"], name="member-a's token")
    return {
        "users": users,
        "team_a": team_a,
        "team_b": team_b,
        "organisation_a": team_a.lead_organisation,
        "suite_version": suite_version,
        "checkpoint": checkpoint,
        "checkpoint_b": checkpoint_b,
        "run": run,
        "leaderboard": leaderboard,
        "snapshot": snapshot,
        "stage": stage,
        "envelope": envelope,
        "budget_request": budget_request,
        "team_a_allocation": allocation,
        "usage_import": usage_import,
        "gpu_provider": gpu_provider,
        "data_provider": data_provider,
        "licence": licence,
        "dataset": dataset,
        "purchase": purchase,
        "entitlement": Entitlement.objects.get(purchase=purchase, team=team_a),
        "declaration": declaration,
        "reference": reference,
        "membership": team_a.memberships.first(),
        "benchmark_snapshot": BenchmarkSnapshot.objects.create(source="org/bench", digest="e" * 64, format="json"),
        "private_benchmark": PrivateBenchmark.objects.create(
            slug="matrix-bench",
            name_ko="비공개",
            name_en="Private",
            kind="multiple_choice",
            prompt_template="{{question}}",
        ),
        "team_role": TeamRole.objects.get(user=users["member_a"], team=team_a),
        "token": token,
        # Team A's open objection (written directly: the stage is not finalised, so no service would file it).
        "objection": Objection.objects.create(
            stage=stage, team=team_a, text="matrix objection", filed_by=users["lead_a"], filed_at=timezone.now()
        ),
    }
