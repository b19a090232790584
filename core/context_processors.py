from core.permissions import Action, can
from core.roles import role_of


def roles(request):
    """The viewer's role, for the header and for showing only links they may follow."""
    user = request.user
    return {
        "viewer_role": role_of(user),
        "viewer_can_manage_registry": can(user, Action.MANAGE_REGISTRY),
        "viewer_sees_evaluation": user.is_authenticated
        and (can(user, Action.USE_EVALUATION) or can(user, Action.VIEW_AUDIT)),
        "viewer_uses_arena": can(user, Action.USE_ARENA),  # the groups are already read: no query
        "viewer_reads_audit": can(user, Action.VIEW_AUDIT),  # reviewers and admins (#17)
    }
