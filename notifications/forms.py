from django import forms

from .models import NotificationKind


class PreferencesForm(forms.Form):
    """Two checkboxes per kind: `<kind>-in_platform` and `<kind>-email`."""

    def __init__(self, *args, initial_choices: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for choice in initial_choices:
            kind = choice["kind"]
            for channel in ("in_platform", "email"):
                self.fields[f"{kind}-{channel}"] = forms.BooleanField(required=False, initial=choice[channel], label="")
            self.rows.append(
                {
                    "kind": kind,
                    "label": choice["label"],
                    "in_platform": self[f"{kind}-in_platform"],
                    "email": self[f"{kind}-email"],
                }
            )

    def choices(self) -> dict[str, dict]:
        return {
            kind: {"in_platform": self.cleaned_data[f"{kind}-in_platform"], "email": self.cleaned_data[f"{kind}-email"]}
            for kind in NotificationKind.values
        }
