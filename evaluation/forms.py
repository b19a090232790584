from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.models import Team
from evaluation.models import BenchmarkKind, Precision


class CheckpointSubmitForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("A folder inside your team's checkpoint folder, e.g. run-42/step-10000"),
    )
    precision = forms.ChoiceField(
        label=_("Precision"),
        required=False,
        initial="",
        choices=[("", _("As the weights are stored (read from the safetensors headers)"))] + Precision.choices,
    )
    precision_reason = forms.CharField(
        label=_("Why another precision?"),
        required=False,
        max_length=2000,
        help_text=_("Required when you choose a precision: it is recorded with every run."),
    )
    declared_target_model = forms.CharField(label=_("Declared target frontier model"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    suites = forms.MultipleChoiceField(label=_("Evaluate on"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, teams, suites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()
        self.fields["suites"].choices = [(v.suite.slug, f"{v.suite} v{v.number}") for v in suites]
        self.fields["suites"].initial = [v.suite.slug for v in suites if not v.missing_data]


class RunRequestForm(forms.Form):
    suite = forms.ChoiceField(label=_("Suite"))
    preview_limit = forms.IntegerField(
        label=_("Preview"),
        required=False,
        min_value=1,
        help_text=_(
            "Optional: score only the first N items of each task, for a quick look. A preview never "
            "reaches a leaderboard or a stage, and does not count against the weekly limit."
        ),
    )

    def __init__(self, *args, suites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suite"].choices = [(v.suite.slug, f"{v.suite} v{v.number}") for v in suites]


class BenchmarkImportForm(forms.Form):
    folder = forms.CharField(
        label=_("Folder"),
        max_length=500,
        help_text=_("A folder under the platform's import folder (BENCHMARK_IMPORT_ROOT)."),
    )
    source = forms.CharField(label=_("Source"), max_length=200, help_text=_("As the harness reads it: skt/kobest_v1"))
    config = forms.CharField(label=_("Config"), max_length=200, required=False, help_text=_("For example boolq"))
    revision = forms.CharField(label=_("Upstream revision"), max_length=100, required=False)
    licence = forms.CharField(label=_("Licence note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tasks = forms.CharField(
        label=_("Harness tasks to check"),
        max_length=1000,
        required=False,
        help_text=_("Comma-separated: each is built on the data before it is imported."),
    )

    def clean_tasks(self):
        return tuple(t.strip() for t in self.cleaned_data["tasks"].split(",") if t.strip())


class PrivateBenchmarkForm(forms.Form):
    slug = forms.SlugField(label=_("Short name"), max_length=50, help_text=_("Letters, digits and hyphens"))
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=BenchmarkKind.choices)
    prompt_template = forms.CharField(
        label=_("Prompt template"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Jinja, as lm-evaluation-harness renders it: {{ question }} and any column of the items."),
    )
    answer_pattern = forms.CharField(
        label=_("Answer extraction"),
        max_length=200,
        required=False,
        help_text=_(
            "Short answer only: a regular expression; its first match is compared with the gold answer. "
            "Empty: the first line that is not blank."
        ),
    )
    items = forms.FileField(
        label=_("Items (JSON Lines or CSV)"),
        required=False,
        help_text=_(
            "question, answer; for multiple choice also choices (a list, or A|B|C|D in CSV) and the answer "
            "as a choice or its 0-based number."
        ),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["slug"].disabled = True
