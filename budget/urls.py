from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="budget-dashboard"),
    path("allocations/new/", views.allocation_grant_view, name="budget-allocation-grant"),
    path("teams/<slug:slug>/", views.team_budget, name="budget-team"),
    path("usage/", views.usage_list, name="budget-usage"),
    path("imports/new/", views.import_new, name="budget-import-new"),
    path("imports/<int:pk>/", views.import_detail, name="budget-import"),
    path("imports/<int:pk>/status.json", views.import_status, name="budget-import-status"),
    path("requests/<int:pk>/decide/", views.request_decide, name="budget-request-decide"),
]
