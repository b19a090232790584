"""A person's own account pages: their roles and sessions ("sign out everywhere"), their API tokens.
Thin: core.permissions decides, accounts.services writes, accounts.selectors reads."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.permissions import Action, require

from . import selectors
from .forms import TokenCreateForm
from .models import ApiToken
from .services.passwords import user_sessions_end
from .services.tokens import token_create, token_revoke


@login_required
@require_safe
def account(request):
    require(request.user, Action.MANAGE_ACCOUNT, request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "team_roles": selectors.team_roles_held_by(request.user),
            "sessions": selectors.sessions_of(request.user),
            "current_session": request.session.session_key,
        },
    )


@login_required
@require_POST
def sessions_end_all(request):
    """Sign out everywhere, this browser included."""
    user_sessions_end(actor=request.user, user=request.user)
    logout(request)
    messages.success(request, _("Signed out everywhere."))
    return redirect("login")


@login_required
def tokens(request):
    require(request.user, Action.MANAGE_ACCOUNT, request.user)
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = token_create(actor=request.user, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request, _("Token “%(name)s” made. Copy its key now: it is not shown again.") % {"name": token.name}
            )
            form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.api_tokens_of(request.user), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, user=request.user)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("account-tokens")
