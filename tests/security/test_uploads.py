"""Every upload has an explicit maximum with a clear (translated) error: the sacct usage file
(budget, page and API) and the user-score CSV (stages, page and API)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from budget.models import UsageImport

HEADER = b"JobID|JobName|Account|AllocTRES|Elapsed|Start|End|State\n"


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def test_request_body_limits_are_explicit(settings):
    from config import settings as platform

    assert platform.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert platform.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440


def test_a_usage_file_over_the_limit_is_refused_on_the_page_and_the_api(world, client, settings):
    settings.BUDGET_USAGE_FILE_MAX_BYTES = 100
    admin, provider = world["users"]["admin"], world["gpu_provider"]
    before = UsageImport.objects.count()
    _en(client).force_login(admin)
    big = SimpleUploadedFile("sacct.txt", HEADER + b"x" * 200)
    page = client.post("/budget/imports/new/", {"provider": provider.pk, "file": big})
    assert page.status_code == 200
    assert "The file is too large: at most 100" in page.content.decode()
    api = _en(APIClient())
    api.force_authenticate(admin)
    response = api.post(
        "/api/budget/imports/",
        {"provider": provider.slug, "file": SimpleUploadedFile("s.txt", HEADER + b"x" * 200)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "too large" in response.json()["file"][0]
    assert UsageImport.objects.count() == before
    # Under the limit, the same upload is accepted.
    settings.BUDGET_USAGE_FILE_MAX_BYTES = 10_000
    ok = api.post(
        "/api/budget/imports/",
        {"provider": provider.slug, "file": SimpleUploadedFile("s.txt", HEADER)},
        format="multipart",
    )
    assert ok.status_code == 202


def test_the_error_is_korean_by_default(world, client, settings):
    settings.BUDGET_USAGE_FILE_MAX_BYTES = 100
    client.force_login(world["users"]["admin"])
    page = client.post(
        "/budget/imports/new/",
        {"provider": world["gpu_provider"].pk, "file": SimpleUploadedFile("s.txt", HEADER + b"x" * 200)},
    )
    assert "파일이 너무 큽니다" in page.content.decode()


def test_a_user_score_csv_over_the_limit_is_refused(world, client, settings):
    settings.STAGE_USER_SCORES_MAX_BYTES = 50
    _en(client).force_login(world["users"]["admin"])
    response = client.post(
        f"/stages/{world['stage'].slug}/user-scores/",
        {"file": SimpleUploadedFile("scores.csv", b"evaluator,team,criterion,score\n" * 10)},
        follow=True,
    )
    assert "The file is too large: at most 50" in response.content.decode()


def test_a_body_over_the_request_limit_is_refused(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = APIClient()
    api.force_authenticate(world["users"]["admin"])
    response = api.post(f"/api/stages/{world['stage'].slug}/user-scores/", {"csv": "x" * 5000}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and "detail" in response.json()
