"""Who may do what — the one module every view, API endpoint and export asks.

Each action has one rule: a function of the user and, where it matters, the
object. `can()` answers; `require()` raises PermissionDenied. Nothing here
writes. A user's groups and team ids are read once and kept on the user object
for the rest of the request.

Core is the bottom layer: it imports no app. The facts a rule needs come from the objects it is
given — the person (accounts.User: `member_team_ids()`, `team_roles_now()`, groups) and the
object (a team-scoped object answers `.team`; a Team answers itself).
"""

from collections.abc import Callable
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied

from core.roles import is_benchmark_author, is_ministry_reviewer, is_panel_member, is_programme_admin


class Action(StrEnum):
    VIEW_REGISTRY = "view_registry"  # teams, organisations, memberships: public facts
    MANAGE_REGISTRY = "manage_registry"
    VIEW_PEOPLE = "view_people"  # the user accounts of an organisation
    VIEW_TEAM_PRIVATE = "view_team_private"  # a team's unpublished results, budget, submissions
    SUBMIT_CHECKPOINT = "submit_checkpoint"
    LEAD_TEAM = "lead_team"  # nominate, request budget, split the team's allocation
    ENTER_EXPERT_SCORES = "enter_expert_scores"
    MANAGE_BUDGET = "manage_budget"
    PUBLISH_RESULTS = "publish_results"  # publish snapshots, exclude a team, finalise a stage
    MANAGE_STAGES = "manage_stages"  # define stages, rubrics, leaderboards, reference scores; import user scores
    VIEW_AUDIT = "view_audit"
    USE_EVALUATION = "use_evaluation"  # reach the evaluation endpoints at all; services check the team
    REPORT_USAGE = "report_usage"  # a GPU provider reports its jobs (budget usage); admins too
    MANAGE_ARENA = "manage_arena"  # prompt sets, judging campaigns, panel invitations and exclusions, closing
    JUDGE_ARENA = "judge_arena"  # panel members: judge pairs of answers (obj: a campaign, or None for the role)
    USE_ARENA = "use_arena"  # reach the arena's pages and endpoints at all: panel members, reviewers, admins
    VIEW_ARENA_RESULTS = "view_arena_results"  # a campaign's live result, who wrote which answer, panel flags
    AUTHOR_BENCHMARK = "author_benchmark"  # write, preview and publish the ministry's private benchmarks
    # --- #18: rights per person, personal tokens, one answer per right ---
    VIEW_EVALUATION = "view_evaluation"  # read the evaluation endpoints (the HTML pages' rule); rows are scoped
    MANAGE_TEAM_ROLES = "manage_team_roles"  # grant and end people's team roles (obj: the team)
    MANAGE_ACCOUNT = "manage_account"  # a person's API tokens and sessions (obj: that User): themself or an admin
    # --- #17 ---
    USE_NOTIFICATIONS = "use_notifications"  # one's own inbox and preferences (the queries filter by recipient)
    COMPARE_CHECKPOINTS = "compare_checkpoints"  # obj: a Checkpoint (its team's people; staff any), or None
    # --- #17: the cut's governance ---
    DECLARE_CONFLICT = "declare_conflict"  # a conflict of interest (obj: the reviewer): their own, or an admin
    FILE_OBJECTION = "file_objection"  # object to a finalised stage result (obj: the team): its lead
    ANSWER_OBJECTION = "answer_objection"  # answer a team's objection: reviewers and admins


def _membership_team_ids(user) -> frozenset[int]:
    """Teams in which the user's organisation holds a membership today."""
    if not user.is_authenticated:
        return frozenset()
    return user.member_team_ids()


def team_roles_of(user) -> dict[int, str]:
    """{team id: TeamRoleKind value} of the person's team roles in force now (accounts.TeamRole)."""
    if not user.is_authenticated:
        return {}
    return user.team_roles_now()


def team_ids_of(user) -> frozenset[int]:
    """Teams whose private records the person may see: their organisation is a member today, and
    they hold a role there — or hold none and TEAM_MEMBER_DEFAULT_ROLE is "viewer" (the default:
    belonging to a member organisation gives at most viewer rights)."""
    teams = _membership_team_ids(user)
    if not teams or settings.TEAM_MEMBER_DEFAULT_ROLE == "viewer":
        return teams
    return teams & frozenset(team_roles_of(user))


def _team_ids_with_role(user, roles: frozenset[str]) -> frozenset[int]:
    teams = _membership_team_ids(user)
    if not teams:
        return frozenset()
    return frozenset(t for t, role in team_roles_of(user).items() if role in roles and t in teams)


def submit_team_ids_of(user) -> frozenset[int]:
    """Teams for which the person may submit checkpoints and runs: lead or submitter, while their
    organisation is a member."""
    return _team_ids_with_role(user, frozenset({"lead", "submitter"}))


def led_team_ids_of(user) -> frozenset[int]:
    """Teams the person leads (team role "lead"), while their organisation is a member."""
    return _team_ids_with_role(user, frozenset({"lead"}))


def _team_of(obj):
    """The team a team-scoped rule is about: a Team (which is its own `.team`), or an object with
    a `team`. Anything else is a programming error, never a silent fallback."""
    if hasattr(obj, "team"):
        return obj.team
    raise TypeError(f"a team-scoped permission needs a Team or an object with .team, got {type(obj).__name__}")


def _in_team(user, obj, team_ids) -> bool:
    team = _team_of(obj)
    return team is not None and team.pk in team_ids(user)


def _may_submit(user, obj) -> bool:
    team = _team_of(obj)
    return team is not None and team.accepts_submissions and team.pk in submit_team_ids_of(user)


def _may_view_people(user, obj) -> bool:
    if getattr(obj, "_meta", None) is None or obj._meta.label != "consortium.Organisation":
        raise TypeError(f"view_people needs an Organisation, got {type(obj).__name__}")
    return _is_staff_role(user) or (user.is_authenticated and user.organisation_id == obj.pk)


def _may_report_usage(user, provider) -> bool:
    """Admins, or users of the provider's own organisation (obj: a budget Provider, or None)."""
    if is_programme_admin(user):
        return True
    return provider is not None and user.is_authenticated and user.organisation_id == provider.organisation_id


def _may_judge(user, campaign) -> bool:
    """A panel member; for a campaign, one with a seat in it that was not excluded (obj: an
    arena Campaign, or None for "holds the role")."""
    if not is_panel_member(user):
        return False
    if campaign is None:
        return True
    if not hasattr(campaign, "panel"):
        raise TypeError(f"judge_arena needs a judging campaign, got {type(campaign).__name__}")
    return campaign.panel.filter(user=user, excluded_at__isnull=True).exists()


def _may_manage_account(user, person) -> bool:
    """A person's own tokens and sessions; an admin may see and end anyone's."""
    if not user.is_authenticated:
        return False
    return is_programme_admin(user) or (person is not None and person.pk == user.pk)


def _may_compare(user, checkpoint) -> bool:
    """Reviewers and admins compare any checkpoints; a team's people its own (obj: each Checkpoint of
    the pair, or None for "may compare at all")."""
    if _is_staff_role(user):
        return True
    return bool(team_ids_of(user)) if checkpoint is None else _in_team(user, checkpoint, team_ids_of)


def _may_declare_conflict(user, reviewer) -> bool:
    """A reviewer declares their own conflicts; an admin records one for anyone (obj: the reviewer,
    or None for "may declare at all")."""
    if is_programme_admin(user):
        return True
    return is_ministry_reviewer(user) and (reviewer is None or reviewer.pk == user.pk)


def _is_staff_role(user) -> bool:
    return is_programme_admin(user) or is_ministry_reviewer(user)


RULES: dict[Action, Callable[..., bool]] = {
    Action.VIEW_REGISTRY: lambda user, obj: True,
    Action.MANAGE_REGISTRY: lambda user, obj: is_programme_admin(user),
    Action.VIEW_PEOPLE: _may_view_people,
    Action.VIEW_TEAM_PRIVATE: lambda user, obj: _is_staff_role(user) or _in_team(user, obj, team_ids_of),
    Action.SUBMIT_CHECKPOINT: _may_submit,
    Action.LEAD_TEAM: lambda user, obj: _in_team(user, obj, led_team_ids_of),
    Action.ENTER_EXPERT_SCORES: lambda user, obj: is_ministry_reviewer(user),
    Action.MANAGE_BUDGET: lambda user, obj: is_programme_admin(user),
    Action.PUBLISH_RESULTS: lambda user, obj: is_programme_admin(user),
    Action.MANAGE_STAGES: lambda user, obj: is_programme_admin(user),
    Action.VIEW_AUDIT: lambda user, obj: _is_staff_role(user),
    Action.USE_EVALUATION: lambda user, obj: is_programme_admin(user) or bool(team_ids_of(user)),
    Action.REPORT_USAGE: _may_report_usage,
    Action.MANAGE_ARENA: lambda user, obj: is_programme_admin(user),
    Action.JUDGE_ARENA: _may_judge,
    Action.USE_ARENA: lambda user, obj: _is_staff_role(user) or is_panel_member(user),
    Action.VIEW_ARENA_RESULTS: lambda user, obj: _is_staff_role(user),
    # Given to a reviewer or an admin (the benchmark_author group); never to a member firm's people.
    Action.AUTHOR_BENCHMARK: lambda user, obj: _is_staff_role(user) and is_benchmark_author(user),
    # --- #18 ---
    Action.VIEW_EVALUATION: lambda user, obj: _is_staff_role(user) or bool(team_ids_of(user)),
    Action.MANAGE_TEAM_ROLES: lambda user, obj: is_programme_admin(user) or _in_team(user, obj, led_team_ids_of),
    Action.MANAGE_ACCOUNT: _may_manage_account,
    # --- #17 ---
    Action.USE_NOTIFICATIONS: lambda user, obj: user.is_authenticated,
    Action.COMPARE_CHECKPOINTS: _may_compare,
    Action.DECLARE_CONFLICT: _may_declare_conflict,
    Action.FILE_OBJECTION: lambda user, obj: _in_team(user, obj, led_team_ids_of),
    Action.ANSWER_OBJECTION: lambda user, obj: _is_staff_role(user),
}


def private_team_scope(user) -> frozenset[int] | None:
    """For list queries: the team ids whose private records the user may see,
    or None for all teams (reviewers and admins). The same rule as VIEW_TEAM_PRIVATE."""
    return None if _is_staff_role(user) else team_ids_of(user)


def can(user, action: Action, obj=None) -> bool:
    """True when `user` may perform `action` (on `obj`, where the rule needs one)."""
    return bool(RULES[Action(action)](user, obj))


def require(user, action: Action, obj=None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(f"Not allowed: {action}")
