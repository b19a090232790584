from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import LoginView, obtain_auth_token
from core.plotly_js import plotly_js
from core.views import healthz, language_switch

urlpatterns = [
    path("", include("consortium.urls")),
    path("evaluation/compare/", include("comparisons.urls")),  # two checkpoints side by side (#17)
    path("evaluation/", include("evaluation.urls")),
    path("leaderboards/", include("leaderboards.urls")),
    path("stages/", include("stages.urls")),
    path("data/", include("datasets_registry.urls")),
    path("budget/", include("budget.urls")),
    path("arena/", include("arena.urls")),
    path("notifications/", include("notifications.urls")),  # inbox, unread count, preferences (#17)
    path("", include("governance.urls")),  # conflicts of interest; a stage's objections (#17)
    path("audit/", include("audit.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),  # account, tokens, password, sessions, team roles (#18)
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", language_switch, name="language-switch"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("assets/plotly-<str:version>.min.js", plotly_js, name="plotly-js"),
    path("api/", include(("config.api_router", "api"))),  # namespaced: api:team-detail, api:run-list, …
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "core.views.bad_request"
handler404 = "core.views.page_not_found"
