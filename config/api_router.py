from rest_framework.routers import DefaultRouter

from consortium.api.views import MembershipViewSet, OrganisationViewSet, TeamViewSet

router = DefaultRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = router.urls
