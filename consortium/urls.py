from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("teams/<slug:slug>/", views.team_detail, name="team-detail"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
]
