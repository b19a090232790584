from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalogue, name="data-catalogue"),
    path("providers/", views.provider_list, name="data-providers"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="data-dataset-detail"),
    path("purchases/", views.purchase_list, name="data-purchases"),
    path("purchases/new/", views.purchase_create_view, name="data-purchase-create"),
    path("purchases/<int:pk>/", views.purchase_detail, name="data-purchase-detail"),
    path("purchases/export.csv", views.export_csv, name="data-export-csv"),
    path("purchases/export.xlsx", views.export_xlsx, name="data-export-xlsx"),
    path("spending/", views.spending, name="data-spending"),
    path("entitlements/", views.entitlement_team_list, name="data-entitlement-teams"),
    path("entitlements/<slug:slug>/", views.team_entitlements, name="data-team-entitlements"),
    path("checkpoints/<int:pk>/training-data/", views.checkpoint_declare, name="data-checkpoint-declare"),
]
