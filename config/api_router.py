from rest_framework.routers import APIRootView, DefaultRouter

from budget.api import views as budget
from consortium.api.views import MembershipViewSet, OrganisationViewSet, TeamViewSet
from core.permissions import Action
from evaluation.api.views import CheckpointViewSet, RunViewSet, SuiteViewSet


class PlatformAPIRootView(APIRootView):
    read_action = Action.VIEW_REGISTRY


class PlatformRouter(DefaultRouter):
    APIRootView = PlatformAPIRootView


router = PlatformRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("suites", SuiteViewSet, basename="suite")
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("runs", RunViewSet, basename="run")
router.register("budget/summary", budget.SummaryViewSet, basename="budget-summary")
router.register("budget/allocations", budget.AllocationViewSet, basename="budget-allocation")
router.register("budget/usage", budget.UsageViewSet, basename="budget-usage")
router.register("budget/imports", budget.UsageImportViewSet, basename="budget-import")
router.register("budget/requests", budget.RequestViewSet, basename="budget-request")
router.register("budget/rates", budget.RateViewSet, basename="budget-rate")

urlpatterns = router.urls
