from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="arena-list"),
    path("new-prompt-set/", views.prompt_set_upload, name="arena-prompt-set-upload"),  # before <slug>/
    path("new-campaign/", views.campaign_new, name="arena-campaign-new"),
    path("<slug:slug>/", views.result, name="arena-result"),
    path("<slug:slug>/judge/", views.judge, name="arena-judge"),
    path("<slug:slug>/close/", views.close, name="arena-close"),
    path("<slug:slug>/recompute/", views.recompute, name="arena-recompute"),
    path("<slug:slug>/invite/", views.invite, name="arena-invite"),
    path("<slug:slug>/exclude/", views.exclude, name="arena-exclude"),
    path("<slug:slug>/retry-generation/", views.retry_generation, name="arena-retry-generation"),
]
