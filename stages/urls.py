from django.urls import path

from . import views

urlpatterns = [
    path("", views.stage_list, name="stage-list"),
    path("<slug:slug>/", views.stage_detail, name="stage-detail"),
    path("<slug:slug>/report/", views.stage_report, name="stage-report"),
    path("<slug:slug>/export.<str:fmt>", views.stage_export, name="stage-export"),
    path("<slug:slug>/nominate/", views.nominate, name="stage-nominate"),
    path("<slug:slug>/freeze/", views.freeze, name="stage-freeze"),
    path("<slug:slug>/exclude/", views.exclude, name="stage-exclude"),
    path("<slug:slug>/official-run/", views.rerun_official, name="stage-rerun-official"),
    path("<slug:slug>/originality-gate/", views.gate_decide, name="stage-gate-decide"),
    path("<slug:slug>/finalise/", views.finalise, name="stage-finalise"),
    path("<slug:slug>/user-scores/", views.import_user_scores, name="stage-user-scores"),
    path("<slug:slug>/expert-scores/", views.expert_scores, name="stage-expert-scores"),
]
