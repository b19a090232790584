from django.urls import path

from . import benchmark_views, private_views, views

urlpatterns = [
    path("", views.checkpoint_list, name="checkpoint-list"),
    path("checkpoints/new/", views.checkpoint_submit_view, name="checkpoint-submit"),
    path("checkpoints/<int:pk>/", views.checkpoint_detail, name="checkpoint-detail"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/status.json", views.run_status, name="run-status"),
    path("runs/<int:pk>/cancel/", views.run_cancel_view, name="run-cancel"),
    path("runs/<int:pk>/samples/", views.run_samples, name="run-samples"),
    path("runs/<int:pk>/samples.jsonl", views.run_samples_export, name="run-samples-export"),
    path("benchmark-data/", benchmark_views.benchmark_data, name="benchmark-data"),
    path("private-benchmarks/", private_views.private_benchmark_list, name="private-benchmarks"),
    path("private-benchmarks/<slug:slug>/", private_views.private_benchmark_detail, name="private-benchmark"),
    path(
        "private-benchmarks/<slug:slug>/publish/",
        private_views.private_benchmark_publish_view,
        name="private-benchmark-publish",
    ),
]
