"""The stage nominations the leaderboards' "nominated" rule shows (leaderboards.nominations)."""

from evaluation.models import RunStatus
from stages.models import Nomination, Stage


class StageNominations:
    def official_run_ids(self, *, stage_id: int, team_ids: frozenset[int] | None) -> list[int]:
        nominations = Nomination.objects.filter(
            stage_id=stage_id, official_run__status=RunStatus.SUCCEEDED, official_run__preview=False
        )
        if team_ids is not None:
            nominations = nominations.filter(team_id__in=team_ids)
        return list(nominations.values_list("official_run_id", flat=True))

    def last_change_sql(self) -> str:
        return f"(SELECT MAX(nominated_at) FROM {Nomination._meta.db_table} WHERE stage_id = %(stage)s)"

    def stage_id_by_slug(self, slug: str) -> int | None:
        return Stage.objects.filter(slug=slug).values_list("pk", flat=True).first()
