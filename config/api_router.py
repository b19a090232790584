from rest_framework.routers import APIRootView, DefaultRouter

from consortium.api.views import MembershipViewSet, OrganisationViewSet, TeamViewSet
from core.permissions import Action


class PlatformAPIRootView(APIRootView):
    read_action = Action.VIEW_REGISTRY


class PlatformRouter(DefaultRouter):
    APIRootView = PlatformAPIRootView


router = PlatformRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = router.urls
