from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import account_views, team_role_views
from .forms import PasswordChangeForm, SetPasswordForm


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"request": self.request}


urlpatterns = [
    path("", account_views.account, name="account"),
    path("sessions/end-all/", account_views.sessions_end_all, name="account-sessions-end-all"),
    path("tokens/", account_views.tokens, name="account-tokens"),
    path("tokens/<int:pk>/revoke/", account_views.token_revoke_view, name="account-token-revoke"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("teams/<slug:slug>/roles/", team_role_views.team_roles, name="team-roles"),
    path("teams/<slug:slug>/roles/<int:pk>/end/", team_role_views.team_role_end_view, name="team-role-end"),
]
