"""Forms of the account pages: a new API token, a team role, passwords through the services."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import TeamRoleKind
from .services.passwords import user_password_set


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_('What the token is for, e.g. "CI upload".'))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=settings.API_TOKEN_MAX_DAYS,
            initial=settings.API_TOKEN_DEFAULT_DAYS,
        )


class TeamRoleGrantForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Account"), coerce=int)
    role = forms.ChoiceField(label=_("Role"), choices=TeamRoleKind.choices)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(p.pk, f"{p.get_username()} · {p.organisation}") for p in people]


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, new twice, the validators); the write is the audited service,
    which also ends the person's other sessions."""

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        key = self.request.session.session_key if self.request is not None else None
        self.user = user_password_set(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            how="change",
            keep_session_key=key,
        )
        return self.user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The reset link's form; the service sets the password and ends every session of the person."""

    def save(self, commit=True):
        self.user = user_password_set(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"], how="reset"
        )
        return self.user
