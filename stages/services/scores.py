"""Expert scores (entered by reviewers, final once submitted) and user scores (imported from CSV)."""

import csv
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from consortium.models import Team
from core.permissions import Action, require
from stages.conflicts import conflicts_of
from stages.models import Criterion, ExpertScore, ExpertSubmission, PartKind, Stage, StageTeam, UserScore
from stages.services.stages import locked_open_stage


def _score(value, criterion: Criterion) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not score.is_finite() or score < 0 or score > criterion.max_score:
        raise ValidationError(
            _("A %(criterion)s score is between 0 and %(max)s.")
            % {"criterion": criterion.name, "max": criterion.max_score}
        )
    return score


def expert_scores_save(*, actor, stage: Stage, scores: dict[tuple[int, str], object], submit: bool = False) -> int:
    """Save a reviewer's scores {(team id, criterion key): score}; `submit` makes them final,
    which needs every team × criterion the reviewer may score. A team the reviewer has a conflict
    of interest with (stages.conflicts: the governance app's rule) is refused here, so on every path, and
    the refusal is audited. Returns the number of scores saved."""
    require(actor, Action.ENTER_EXPERT_SCORES)
    conflicts = conflicts_of(actor, {team_id for team_id, _key in scores})
    barred = sorted(
        {team_id for (team_id, _key), value in scores.items() if team_id in conflicts and value not in (None, "")}
    )
    if barred:
        with transaction.atomic():  # its own transaction: the refusal stays on record
            audit_record(
                actor=actor,
                action="stage.expert_conflict_refused",
                target=stage,
                after={"teams": barred, "reasons": [conflicts[t] for t in barred]},
            )
        raise ValidationError(
            {
                f"{team_id}": [_("You may not score this team: %(reason)s") % {"reason": conflicts[team_id]}]
                for team_id in barred
            }
        )
    return _expert_scores_save(actor=actor, stage=stage, scores=scores, submit=submit)


@transaction.atomic
def _expert_scores_save(*, actor, stage: Stage, scores: dict[tuple[int, str], object], submit: bool) -> int:
    stage = locked_open_stage(stage)
    if ExpertSubmission.objects.filter(stage=stage, reviewer=actor).exists():
        raise ValidationError(_("You have submitted your scores for this stage; they are final."))
    criteria = {c.key: c for c in Criterion.objects.filter(part__stage=stage, part__kind=PartKind.EXPERT)}
    team_ids = set(StageTeam.objects.filter(stage=stage).values_list("team_id", flat=True))
    conflicted = set(conflicts_of(actor, team_ids))  # read again under the stage's lock
    errors, cleaned = {}, {}
    for (team_id, key), value in scores.items():
        field = f"{team_id}:{key}"
        if team_id not in team_ids or key not in criteria:
            errors[field] = [_("Unknown team or criterion.")]
            continue
        if value in (None, ""):
            continue
        if team_id in conflicted:
            errors[field] = [_("You may not score this team (conflict of interest).")]
            continue
        try:
            cleaned[(team_id, key)] = _score(value, criteria[key])
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    for (team_id, key), score in cleaned.items():
        ExpertScore.objects.update_or_create(
            stage=stage, reviewer=actor, team_id=team_id, criterion=criteria[key], defaults={"score": score}
        )
    # A draft kept from before a conflict arose never counts.
    ExpertScore.objects.filter(stage=stage, reviewer=actor, team_id__in=conflicted).delete()
    if submit:
        have = set(ExpertScore.objects.filter(stage=stage, reviewer=actor).values_list("team_id", "criterion__key"))
        missing = {(t, k) for t in team_ids - conflicted for k in criteria} - have
        if missing:
            raise ValidationError(
                _("Score every team on every criterion before submitting (%(n)s missing).") % {"n": len(missing)}
            )
        ExpertSubmission.objects.create(stage=stage, reviewer=actor, submitted_at=timezone.now())
    audit_record(
        actor=actor,
        action="stage.expert_submit" if submit else "stage.expert_save",
        target=stage,
        after={"scores": {f"{t}:{k}": str(v) for (t, k), v in sorted(cleaned.items())}, "submitted": submit},
    )
    return len(cleaned)


USER_SCORE_COLUMNS = ("evaluator", "team", "criterion", "score")


@transaction.atomic
def user_scores_import(*, actor, stage: Stage, text: str) -> int:
    """Import user-evaluation scores from CSV (evaluator, team slug, criterion key, score). Every bad
    row is reported with its line number, and then nothing is imported."""
    if actor is not None:  # None: the platform itself (seeding)
        require(actor, Action.MANAGE_STAGES)
    stage = locked_open_stage(stage)
    if UserScore.objects.filter(stage=stage, evaluator__startswith="arena:").exists():
        # A closed judging campaign filled the user part (arena.services.campaigns): one source per stage.
        raise ValidationError({"file": [_("This stage's user part comes from a closed judging campaign.")]})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(USER_SCORE_COLUMNS):
        raise ValidationError(
            {"file": [_("The header must be: %(columns)s") % {"columns": ",".join(USER_SCORE_COLUMNS)}]}
        )
    criteria = {c.key: c for c in Criterion.objects.filter(part__stage=stage, part__kind=PartKind.USER)}
    teams = {t.slug: t for t in Team.objects.filter(stage_entries__stage=stage)}
    existing = set(UserScore.objects.filter(stage=stage).values_list("evaluator", "team__slug", "criterion__key"))
    errors, rows, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        evaluator = (row.get("evaluator") or "").strip()
        team, key = (row.get("team") or "").strip(), (row.get("criterion") or "").strip()
        problems = []
        if not evaluator:
            problems.append(_("no evaluator"))
        if team not in teams:
            problems.append(_("unknown team “%(team)s”") % {"team": team})
        if key not in criteria:
            problems.append(_("unknown criterion “%(criterion)s”") % {"criterion": key})
        else:
            try:
                score = _score(row.get("score"), criteria[key])
            except ValidationError as error:
                problems.extend(error.messages)
        identity = (evaluator, team, key)
        if identity in seen or identity in existing:
            problems.append(_("a score for this evaluator, team and criterion already exists"))
        seen.add(identity)
        if problems:
            errors.append(_("line %(line)s: %(problems)s") % {"line": line, "problems": "; ".join(problems)})
        else:
            rows.append(
                UserScore(
                    stage=stage,
                    evaluator=evaluator,
                    team=teams[team],
                    criterion=criteria[key],
                    score=score,
                    imported_at=timezone.now(),
                )
            )
    if errors:
        raise ValidationError({"file": errors})
    if not rows:
        raise ValidationError({"file": [_("The file has no rows.")]})
    UserScore.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="stage.user_scores_import",
        target=stage,
        after={"rows": len(rows), "evaluators": len({r.evaluator for r in rows})},
    )
    return len(rows)
