"""Sign-in with a clear answer when too many attempts failed (accounts.login_limits), on the page
and for API tokens."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from . import login_limits
from .services.tokens import token_create

SIGN_IN_TOKEN_NAME = "/api/auth/token/"

TOO_MANY = "too_many_attempts"


class LimitedAuthenticationForm(AuthenticationForm):
    def clean(self):
        if login_limits.is_locked(self.data.get("username"), self.request):
            raise ValidationError(
                _("Too many failed sign-ins for this username from your address. Try again in %(minutes)s minutes."),
                code=TOO_MANY,
                params={"minutes": login_limits.lock_minutes()},
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = LimitedAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["too_many"] = form is not None and form.is_bound and form.has_error("__all__", TOO_MANY)
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", TOO_MANY):
            response.status_code = 429
        return response


class ObtainTokenView(ObtainAuthToken):
    """/api/auth/token/: username and password give a new personal token (named after this
    endpoint, API_TOKEN_SIGN_IN_DAYS long, listed and revocable on the person's tokens page);
    429 with Retry-After while the (username, address) pair is locked."""

    def post(self, request, *args, **kwargs):
        # A body that is not an object (a JSON list) has no username; the serializer answers it with 400.
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if login_limits.is_locked(username, request):
            raise Throttled(wait=login_limits.lock_minutes() * 60)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, key = token_create(actor=user, user=user, name=SIGN_IN_TOKEN_NAME, days=settings.API_TOKEN_SIGN_IN_DAYS)
        return Response({"token": key, "name": token.name, "expires_at": token.expires_at})


obtain_auth_token = ObtainTokenView.as_view()
