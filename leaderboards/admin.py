"""Leaderboards and frontier reference scores for programme admins. New ones are written through
leaderboards.services (validated and audited like the API); what exists is read here, and a
reference's scores are replaced by saving it again with all of them."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_site import ServiceForm, ServiceFormAdmin

from .models import Leaderboard, ReferenceModel, ReferenceScore
from .services import leaderboard_create, reference_model_save


class LeaderboardForm(ServiceForm):
    class Meta:
        model = Leaderboard
        fields = ["slug", "name_ko", "name_en", "suite_version", "rule", "stage"]

    def write(self):
        return leaderboard_create(actor=self.actor, **{f: self.cleaned_data.get(f) for f in self.Meta.fields})


@admin.register(Leaderboard)
class LeaderboardAdmin(ServiceFormAdmin):
    """Added here; a saved leaderboard is read-only (its rows follow its rule and suite version)."""

    list_display = ["slug", "name_ko", "name_en", "suite_version", "rule", "stage", "created_at"]
    list_filter = ["rule"]
    list_select_related = ["suite_version__suite", "stage"]
    form = LeaderboardForm

    def get_readonly_fields(self, request, obj=None):
        return LeaderboardForm.Meta.fields if obj else ()

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


class ReferenceScoreInline(admin.TabularInline):
    model = ReferenceScore
    fields = ["task", "value", "stderr"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReferenceModelForm(ServiceForm):
    scores = forms.CharField(
        label=_("scores (JSON)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_('Every task of the suite version: {"task": value} or {"task": [value, stderr]}'),
    )

    class Meta:
        model = ReferenceModel
        fields = ["suite_version", "name", "source"]

    def clean_scores(self):
        try:
            scores = json.loads(self.cleaned_data["scores"])
        except json.JSONDecodeError as error:
            raise ValidationError(_("Not JSON: %(error)s") % {"error": error}) from error
        if not isinstance(scores, dict):
            raise ValidationError(_('Write an object: {"task": value, …}.'))
        return scores

    def write(self):
        source = self.stored or self.instance  # on change, suite version and name are read-only
        return reference_model_save(
            actor=self.actor,
            suite_version=self.cleaned_data.get("suite_version") or source.suite_version,
            name=self.cleaned_data.get("name") or source.name,
            scores=self.cleaned_data["scores"],
            source=self.cleaned_data.get("source", ""),
        )


@admin.register(ReferenceModel)
class ReferenceModelAdmin(ServiceFormAdmin):
    """A frontier model's scores; saving again replaces them all (audited before and after)."""

    list_display = ["name", "suite_version", "source", "created_at"]
    list_select_related = ["suite_version__suite"]
    search_fields = ["name"]
    form = ReferenceModelForm
    inlines = [ReferenceScoreInline]

    def get_readonly_fields(self, request, obj=None):
        return ["suite_version", "name"] if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields["scores"].initial = json.dumps(
                {s.task: s.value if s.stderr is None else [s.value, s.stderr] for s in obj.scores.all()}, indent=1
            )
        return form
