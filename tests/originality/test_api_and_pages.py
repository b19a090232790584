"""Who sees a verdict (the checkpoint's team, reviewers, admins), where, and in how many queries."""

import pytest
from django.urls import reverse

from originality.models import OriginalityReport, ReferenceModel, ReportStatus, TensorMatch, Verdict
from originality.selectors import originality_for_checkpoints


@pytest.fixture
def reference(db):
    return ReferenceModel.objects.create(name="Qwen2.5-VL-7B", family="Qwen", source_path="/refs/qwen")


@pytest.fixture
def flagged(ready_checkpoint, reference):
    """A checkpoint of team A with a stored component-reuse verdict (no weights needed to show it)."""
    checkpoint = ready_checkpoint("/nowhere")
    report = OriginalityReport.objects.create(
        checkpoint=checkpoint,
        status=ReportStatus.DONE,
        verdict=Verdict.COMPONENT_REUSE,
        matched_share=0.2,
        max_similarity=1.0,
        best_reference=reference,
        references_checked=1,
        components=[
            {
                "reference": reference.name,
                "reference_id": reference.pk,
                "prefix": "vision_tower.*",
                "tensors": ["vision_tower.a.weight"],
                "parameters": 10,
                "min_similarity": 0.98,
            }
        ],
        evidence={"similarity_threshold": 0.5, "derived_share": 0.5},
    )
    TensorMatch.objects.create(
        report=report,
        tensor="vision_tower.a.weight",
        shape=[2, 5],
        parameter_count=10,
        reference=reference,
        reference_tensor="visual.a.weight",
        similarity=0.98,
        matched_parameters=10,
    )
    return checkpoint


@pytest.mark.parametrize("role,visible", [("member_a", True), ("reviewer", True), ("admin", True), ("member_b", False)])
def test_the_report_is_private_to_the_team_reviewers_and_admins(people, api_client, flagged, role, visible):
    api_client.force_authenticate(people[role])
    detail = api_client.get(reverse("api:originality-detail", args=[flagged.pk]))
    listed = api_client.get(reverse("api:originality-list"))
    if visible:
        assert detail.status_code == 200
        assert detail.json()["verdict"] == "component_reuse"
        assert detail.json()["components"][0]["prefix"] == "vision_tower.*"
        assert detail.json()["matches"][0]["reference"] == "Qwen2.5-VL-7B"
        assert [r["checkpoint"] for r in listed.json()["results"]] == [flagged.pk]
    else:
        assert detail.status_code == 404
        assert listed.json()["results"] == []


def test_anonymous_callers_get_nothing(api_client, flagged):
    assert api_client.get(reverse("api:originality-list")).status_code in (401, 403)


@pytest.mark.parametrize("role", ["member_a", "reviewer"])
def test_references_are_for_admins_only(people, api_client, reference, role):
    api_client.force_authenticate(people[role])
    assert api_client.get(reverse("api:originality-reference-list")).status_code == 403
    assert api_client.post(reverse("api:originality-reference-list"), {"name": "x", "path": "/"}).status_code == 403


def test_an_admin_lists_references_and_gets_field_errors(people, api_client, reference, tmp_path):
    api_client.force_authenticate(people["admin"])
    assert [r["name"] for r in api_client.get(reverse("api:originality-reference-list")).json()["results"]] == [
        "Qwen2.5-VL-7B"
    ]
    refused = api_client.post(reverse("api:originality-reference-list"), {"name": "New", "path": str(tmp_path)})
    assert refused.status_code == 400 and "path" in refused.json()
    assert api_client.post(reverse("api:originality-reference-list"), {"path": str(tmp_path)}).status_code == 400
    assert ReferenceModel.objects.count() == 1


@pytest.fixture
def english_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's choice
    return client


def test_the_checkpoint_page_shows_the_verdict_and_its_components(
    english_client, people, flagged, django_assert_max_num_queries
):
    client = english_client
    client.force_login(people["member_a"])
    # 13: the page also carries the training-data declaration and its compliance (datasets_registry).
    with django_assert_max_num_queries(13):
        page = client.get(reverse("checkpoint-detail", args=[flagged.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Component reuse" in text and "vision_tower.*" in text and "Qwen2.5-VL-7B" in text


def test_the_checkpoint_page_says_when_nothing_was_checked(english_client, people, ready_checkpoint):
    client = english_client
    checkpoint = ready_checkpoint("/nowhere")
    client.force_login(people["member_a"])
    page = client.get(reverse("checkpoint-detail", args=[checkpoint.pk]))
    assert "Not checked yet" in page.content.decode()


def test_the_batch_selector_takes_one_query_and_respects_visibility(
    people, flagged, ready_checkpoint, django_assert_num_queries, team_b
):
    from evaluation.models import Checkpoint, CheckpointStatus

    others = [
        Checkpoint.objects.create(
            team=team_b, name=f"b{i}", source="b", status=CheckpointStatus.READY, manifest_digest="0" * 64
        )
        for i in range(5)
    ]
    for checkpoint in others:
        OriginalityReport.objects.create(checkpoint=checkpoint, status=ReportStatus.DONE, verdict=Verdict.ORIGINAL)
    ids = [flagged.pk, *(c.pk for c in others)]
    with django_assert_num_queries(1):
        verdicts = originality_for_checkpoints(ids)
    assert set(verdicts) == set(ids)
    assert verdicts[flagged.pk].flagged and verdicts[flagged.pk].components == ["vision_tower.* ← Qwen2.5-VL-7B"]
    assert not verdicts[others[0].pk].flagged
    with django_assert_num_queries(3):  # the user's roles and teams (read once a request), then the reports
        assert set(originality_for_checkpoints(ids, user=people["member_a"])) == {flagged.pk}


def test_the_page_is_korean_first(client, people, flagged, ready_checkpoint):
    original = ready_checkpoint("/nowhere", name="v2")
    OriginalityReport.objects.create(
        checkpoint=original,
        status=ReportStatus.DONE,
        verdict=Verdict.ORIGINAL,
        references_checked=3,
        max_similarity=0.05,
        evidence={"similarity_threshold": 0.5, "derived_share": 0.5},
    )
    client.force_login(people["member_a"])
    flagged_page = client.get(reverse("checkpoint-detail", args=[flagged.pk])).content.decode()
    original_page = client.get(reverse("checkpoint-detail", args=[original.pk])).content.decode()
    assert "구성 요소 재사용" in flagged_page and "vision_tower.*" in flagged_page
    assert "독자 개발" in original_page and "기준 모델 3개" in original_page


def test_the_report_list_takes_a_fixed_number_of_queries(
    people, api_client, flagged, ready_checkpoint, django_assert_max_num_queries
):
    for i in range(8):
        OriginalityReport.objects.create(
            checkpoint=ready_checkpoint("/nowhere", name=f"n{i}"), status=ReportStatus.DONE, verdict=Verdict.ORIGINAL
        )
    api_client.force_authenticate(people["reviewer"])
    with django_assert_max_num_queries(6):
        listed = api_client.get(reverse("api:originality-list"))
    assert listed.json()["count"] == 9
    with django_assert_max_num_queries(6):
        assert api_client.get(reverse("api:originality-detail", args=[flagged.pk])).status_code == 200


def test_admins_read_references_and_reports_in_the_admin(client, people, flagged):
    client.force_login(people["admin"])
    for name in ("originalityreport", "referencemodel"):
        assert client.get(reverse(f"admin:originality_{name}_changelist")).status_code == 200
    report = OriginalityReport.objects.get(checkpoint=flagged)
    assert client.get(reverse("admin:originality_originalityreport_change", args=[report.pk])).status_code == 200
    client.force_login(people["member_a"])
    assert client.get(reverse("admin:originality_originalityreport_changelist")).status_code == 302
