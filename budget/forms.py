from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.models import Team

from .models import GpuType, Provider


class GrantForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    amount_krw = forms.IntegerField(label=_("Amount (KRW)"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class SplitForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Member organisation"), queryset=None)
    amount_krw = forms.IntegerField(label=_("Amount (KRW)"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class RequestForm(forms.Form):
    amount_krw = forms.IntegerField(label=_("Amount (KRW; negative to give back)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class UsageFilterForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.all(), required=False)
    gpu_type = forms.ModelChoiceField(label=_("GPU type"), queryset=GpuType.objects.all(), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overrun = forms.NullBooleanField(
        label=_("Overrun only"),
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ImportForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None)
    file = forms.FileField(label=_("sacct --parsable2 file"))

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
