from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Dataset, Modality, Provider, ProviderKind, PurchaseKind, TermStatus


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=[("", _("Any modality")), *Modality.choices]
    )
    training = forms.ChoiceField(
        label=_("Model training"), required=False, choices=[("", _("Any")), *TermStatus.choices]
    )
    open_weight_release = forms.ChoiceField(
        label=_("Open-weight release"), required=False, choices=[("", _("Any")), *TermStatus.choices]
    )

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
            self.fields[f"trained_from_{n}"] = forms.DateField(
                label=_("Trained from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields[f"trained_until_{n}"] = forms.DateField(
                label=_("Trained until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def row_fields(self):
        return [(self[f"dataset_{n}"], self[f"trained_from_{n}"], self[f"trained_until_{n}"]) for n in range(self.rows)]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "dataset": self._datasets[data[f"dataset_{n}"]],
                "trained_from": data[f"trained_from_{n}"],
                "trained_until": data[f"trained_until_{n}"],
            }
            for n in range(self.rows)
            if data.get(f"dataset_{n}")
        ]


class PurchaseForm(forms.Form):
    """What an admin records; the service splits the total and refuses anything inconsistent.
    `share_rows` payer lines: a team or an organisation, and a percentage or a fixed amount."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PurchaseKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.order_by("name_ko"))
    intermediary = forms.ModelChoiceField(
        label=_("Intermediary"), required=False, queryset=Provider.objects.filter(kind=ProviderKind.INTERMEDIARY)
    )
    datasets = forms.ModelMultipleChoiceField(label=_("Datasets"), queryset=Dataset.objects.order_by("name_ko"))
    contract_number = forms.CharField(label=_("Contract number"), max_length=100)
    contract_date = forms.DateField(label=_("Contract date"), widget=forms.DateInput(attrs={"type": "date"}))
    price_krw = forms.IntegerField(label=_("Price (KRW, excl. VAT)"))
    vat_krw = forms.IntegerField(label=_("VAT (KRW)"))
    access_from = forms.DateField(label=_("Access from"), widget=forms.DateInput(attrs={"type": "date"}))
    access_until = forms.DateField(label=_("Access until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, teams, organisations, share_rows: int = 8, **kwargs):
        super().__init__(*args, **kwargs)
        self.share_rows = share_rows
        self._payers = {f"team:{t.slug}": {"team": t} for t in teams}
        self._payers.update({f"org:{o.slug}": {"organisation": o} for o in organisations})
        choices = [
            ("", "—"),
            (_("Teams"), [(f"team:{t.slug}", t.name) for t in teams]),
            (_("Organisations"), [(f"org:{o.slug}", o.name) for o in organisations]),
        ]
        for n in range(share_rows):
            self.fields[f"payer_{n}"] = forms.ChoiceField(label=_("Payer"), choices=choices, required=False)
            self.fields[f"percent_{n}"] = forms.DecimalField(
                label=_("Percent"), required=False, max_digits=7, decimal_places=4
            )
            self.fields[f"fixed_{n}"] = forms.IntegerField(label=_("Fixed amount (KRW)"), required=False)

    def row_fields(self):
        return [(self[f"payer_{n}"], self[f"percent_{n}"], self[f"fixed_{n}"]) for n in range(self.share_rows)]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        shares = []
        for n in range(self.share_rows):
            payer = data.pop(f"payer_{n}")
            percent, fixed = data.pop(f"percent_{n}"), data.pop(f"fixed_{n}")
            if payer:
                shares.append({**self._payers[payer], "percent": percent, "fixed_krw": fixed})
        data["datasets"] = list(data["datasets"])
        return {**data, "shares": shares}
