from django.urls import path

from . import views

urlpatterns = [
    path("", views.leaderboard_list, name="leaderboard-list"),
    path("<slug:slug>/", views.leaderboard_detail, name="leaderboard-detail"),
    path("<slug:slug>/export.<str:fmt>", views.leaderboard_export, name="leaderboard-export"),
    path("<slug:slug>/publish/", views.leaderboard_publish, name="leaderboard-publish"),
    path("<slug:slug>/snapshots/", views.snapshot_list, name="snapshot-list"),
    path("<slug:slug>/snapshots/<int:pk>/", views.snapshot_detail, name="snapshot-detail"),
]
