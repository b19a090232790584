from rest_framework.routers import APIRootView, DefaultRouter

from arena.api.views import CampaignViewSet as ArenaCampaignViewSet
from arena.api.views import PromptSetViewSet
from budget.api import views as budget
from comparisons.api.views import ComparisonViewSet
from consortium.api.views import MembershipViewSet, OrganisationViewSet, TeamViewSet
from core.api.ids import ID_PATTERN, is_id_lookup
from core.permissions import Action
from datasets_registry.api.views import (
    DatasetViewSet,
    EntitlementViewSet,
    LicenceViewSet,
    ProviderViewSet,
    PurchaseViewSet,
    TrainingDeclarationViewSet,
)
from evaluation.api.views import (
    BenchmarkDataViewSet,
    CheckpointViewSet,
    PrivateBenchmarkViewSet,
    RunViewSet,
    SuiteViewSet,
)
from governance.api.views import ConflictViewSet, ObjectionViewSet
from leaderboards.api.views import LeaderboardViewSet, ReferenceModelViewSet, SnapshotViewSet
from notifications.api.views import NotificationViewSet
from originality.api.views import OriginalityReportViewSet
from originality.api.views import ReferenceModelViewSet as OriginalityReferenceViewSet
from stages.api.views import StageViewSet


class PlatformAPIRootView(APIRootView):
    read_action = Action.VIEW_REGISTRY


class PlatformRouter(DefaultRouter):
    APIRootView = PlatformAPIRootView
    # No ".json" twins of every route: nothing uses them, and a hand-written action (retrieve(request,
    # slug)) answered 500 when the twin passed it a `format` argument.
    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        """An id in a URL is 1 to 18 ASCII digits (core.api.ids), whatever the viewset says: anything
        else is an unknown URL (JSON 404) and never reaches a query."""
        if is_id_lookup(viewset):
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
            return self._base_pattern.format(
                lookup_prefix=lookup_prefix, lookup_url_kwarg=lookup_url_kwarg, lookup_value=ID_PATTERN
            )
        return super().get_lookup_regex(viewset, lookup_prefix)


router = PlatformRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("suites", SuiteViewSet, basename="suite")
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("runs", RunViewSet, basename="run")
router.register("benchmark-data", BenchmarkDataViewSet, basename="benchmark-data")
router.register("private-benchmarks", PrivateBenchmarkViewSet, basename="private-benchmark")
router.register("leaderboards", LeaderboardViewSet, basename="leaderboard")
router.register("snapshots", SnapshotViewSet, basename="snapshot")
router.register("reference-models", ReferenceModelViewSet, basename="reference-model")
router.register("stages", StageViewSet, basename="stage")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("conflicts", ConflictViewSet, basename="conflict")
router.register("arena/campaigns", ArenaCampaignViewSet, basename="arena-campaign")
router.register("arena/prompt-sets", PromptSetViewSet, basename="arena-prompt-set")
router.register("data-providers", ProviderViewSet, basename="data-provider")
router.register("licences", LicenceViewSet, basename="licence")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("data-purchases", PurchaseViewSet, basename="data-purchase")
router.register("data-entitlements", EntitlementViewSet, basename="data-entitlement")
router.register("training-declarations", TrainingDeclarationViewSet, basename="training-declaration")
router.register("originality", OriginalityReportViewSet, basename="originality")
router.register("originality-references", OriginalityReferenceViewSet, basename="originality-reference")
router.register("budget/summary", budget.SummaryViewSet, basename="budget-summary")
router.register("budget/allocations", budget.AllocationViewSet, basename="budget-allocation")
router.register("budget/usage", budget.UsageViewSet, basename="budget-usage")
router.register("budget/imports", budget.UsageImportViewSet, basename="budget-import")
router.register("budget/requests", budget.RequestViewSet, basename="budget-request")
router.register("budget/rates", budget.RateViewSet, basename="budget-rate")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("comparisons", ComparisonViewSet, basename="comparison")

urlpatterns = router.urls
