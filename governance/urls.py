from django.urls import path

from . import views

urlpatterns = [
    path("conflicts/", views.conflicts, name="conflicts"),
    path("stages/<slug:slug>/objections/", views.stage_objections, name="stage-objections"),
    path("stages/<slug:slug>/objections/<int:pk>/answer/", views.objection_answer_view, name="stage-objection-answer"),
]
