from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Modality, ProviderKind, TermStatus


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    modality = forms.ChoiceField(label=_("Modality"), required=False,
                                 choices=[("", _("Any modality")), *Modality.choices])
    training = forms.ChoiceField(label=_("Model training"), required=False,
                                 choices=[("", _("Any")), *TermStatus.choices])
    open_weight_release = forms.ChoiceField(label=_("Open-weight release"), required=False,
                                            choices=[("", _("Any")), *TermStatus.choices])

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("Any provider"))] + [(p.slug, p.name) for p in providers]


class ProviderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *ProviderKind.choices])


class TrainingDeclarationForm(forms.Form):
    """`rows` lines of dataset + training dates; empty lines are ignored."""

    releases_openly = forms.BooleanField(label=_("The weights will be released as open source"), required=False)

    def __init__(self, *args, datasets, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        choices = [("", "—")] + [(d.slug, f"{d.name} ({d.provider.name})") for d in datasets]
        self._datasets = {d.slug: d for d in datasets}
        for n in range(rows):
            self.fields[f"dataset_{n}"] = forms.ChoiceField(label=_("Dataset"), choices=choices, required=False)
            self.fields[f"trained_from_{n}"] = forms.DateField(label=_("Trained from"), required=False,
                                                               widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"trained_until_{n}"] = forms.DateField(label=_("Trained until"), required=False,
                                                                widget=forms.DateInput(attrs={"type": "date"}))

    def row_fields(self):
        return [(self[f"dataset_{n}"], self[f"trained_from_{n}"], self[f"trained_until_{n}"]) for n in range(self.rows)]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [{"dataset": self._datasets[data[f"dataset_{n}"]], "trained_from": data[f"trained_from_{n}"],
                 "trained_until": data[f"trained_until_{n}"]}
                for n in range(self.rows) if data.get(f"dataset_{n}")]
