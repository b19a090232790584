from rest_framework.routers import APIRootView, DefaultRouter

from consortium.api.views import MembershipViewSet, OrganisationViewSet, TeamViewSet
from core.permissions import Action
from evaluation.api.views import CheckpointViewSet, RunViewSet, SuiteViewSet
from originality.api.views import OriginalityReportViewSet, ReferenceModelViewSet


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
router.register("originality", OriginalityReportViewSet, basename="originality")
router.register("originality-references", ReferenceModelViewSet, basename="originality-reference")

urlpatterns = router.urls
