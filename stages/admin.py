"""Stages for programme admins: define a stage (stages.services.stage_create, with the default
rubric), edit its rubric tree until it has scores (rubric_replace), and read nominations and the
originality gate. Deciding the gate, freezing and finalising stay on the stage page."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from consortium.models import Team, TeamStatus
from core.admin_site import ReadOnlyModelAdmin, ServiceForm, ServiceFormAdmin
from core.permissions import Action, can

from .api.serializers import RubricPartInputSerializer  # the API's shape check, shared
from .models import Nomination, OriginalityGateItem, Stage
from .services.rubric import rubric_is_frozen, rubric_of, rubric_replace
from .services.stages import stage_create

STAGE_FIELDS = [
    "programme",
    "slug",
    "name_ko",
    "name_en",
    "order",
    "advancing_count",
    "suite_version",
    "nomination_deadline",
    "benchmark_scoring",
    "expert_aggregation",
    "trim_fraction",
    "target_goal_percent",
    "bootstrap_samples",
    "bootstrap_seed",
]


class StageForm(ServiceForm):
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.filter(status=TeamStatus.ACTIVE), label=_("teams"), help_text=_("The teams taking part")
    )

    class Meta:
        model = Stage
        fields = STAGE_FIELDS

    def write(self):
        return stage_create(
            actor=self.actor, teams=list(self.cleaned_data["teams"]), **{f: self.cleaned_data[f] for f in STAGE_FIELDS}
        )


class RubricForm(forms.Form):
    rubric = forms.CharField(
        label=_("rubric tree (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=_(
            "A list of parts, parents before their parts: key, parent, kind (group, "
            "benchmark, expert, user), category (benchmark parts), points, name_ko, "
            "name_en, criteria [key, name_ko, name_en, max_score]. A group's points "
            "are its parts' sum."
        ),
    )
    tie_break = forms.CharField(
        label=_("tie-break order"), required=False, help_text=_("Part keys, separated by commas")
    )

    def clean_rubric(self):
        try:
            tree = json.loads(self.cleaned_data["rubric"])
        except json.JSONDecodeError as error:
            raise ValidationError(_("Not JSON: %(error)s") % {"error": error}) from error
        parts = RubricPartInputSerializer(data=tree, many=True)
        if not isinstance(tree, list) or not parts.is_valid():
            raise ValidationError(
                _("Each part needs key, kind, points, name_ko and name_en: %(errors)s")
                % {"errors": parts.errors if isinstance(tree, list) else "a list"}
            )
        return parts.validated_data

    def clean_tie_break(self):
        return [k.strip() for k in self.cleaned_data["tie_break"].split(",") if k.strip()]


@admin.register(Stage)
class StageAdmin(ServiceFormAdmin):
    list_display = [
        "slug",
        "name_ko",
        "programme",
        "status",
        "advancing_count",
        "suite_version",
        "nomination_deadline",
        "rubric_link",
    ]
    list_filter = ["status", "programme"]
    list_select_related = ["programme", "suite_version__suite"]
    form = StageForm

    def get_readonly_fields(self, request, obj=None):
        return [*STAGE_FIELDS, "status", "tie_break"] if obj else ()

    def get_fields(self, request, obj=None):
        return [*STAGE_FIELDS, "status", "tie_break"] if obj else [*STAGE_FIELDS, "teams"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("rubric"))
    def rubric_link(self, stage):
        return format_html('<a href="{}">{}</a>', reverse("admin:stages_stage_rubric", args=[stage.pk]), _("Rubric"))

    def get_urls(self):
        return [
            path("<int:pk>/rubric/", self.admin_site.admin_view(self.rubric_view), name="stages_stage_rubric"),
            *super().get_urls(),
        ]

    def rubric_view(self, request, pk: int):
        """The stage's rubric tree as an editable form; saved through rubric_replace (validated, audited)."""
        if not can(request.user, Action.MANAGE_STAGES):
            raise PermissionDenied
        stage = get_object_or_404(Stage, pk=pk)
        frozen = rubric_is_frozen(stage)
        initial = {
            "rubric": json.dumps(rubric_of(stage), ensure_ascii=False, indent=1),
            "tie_break": ", ".join(stage.tie_break),
        }
        form = RubricForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                rubric_replace(
                    actor=request.user,
                    stage=stage,
                    rubric=form.cleaned_data["rubric"],
                    tie_break=form.cleaned_data["tie_break"],
                )
                messages.success(request, _("The rubric of %(stage)s is saved.") % {"stage": stage.slug})
                return redirect("admin:stages_stage_rubric", pk=stage.pk)
            except ValidationError as error:
                form.add_error(None, error.messages)
        return TemplateResponse(
            request,
            "stages/admin_rubric.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "stage": stage,
                "form": form,
                "frozen": frozen,
                "title": _("Rubric of %(stage)s") % {"stage": stage.slug},
            },
        )


@admin.register(Nomination)
class NominationAdmin(ReadOnlyModelAdmin):
    list_display = ["stage", "team", "checkpoint", "status", "official_run", "nominated_at"]
    list_filter = ["status", "stage"]
    list_select_related = ["stage", "team", "checkpoint", "official_run"]


@admin.register(OriginalityGateItem)
class OriginalityGateItemAdmin(ReadOnlyModelAdmin):
    list_display = ["stage", "nomination", "verdict", "status", "decided_by", "decided_at", "reason"]
    list_filter = ["status", "verdict", "stage"]
    list_select_related = ["stage", "nomination__team", "decided_by"]
