"""The admin-only catalogue writes (programmes, organisations, teams, data providers, licences,
datasets, GPU types, rates, accounts): check the right, then validate, save and audit.

Call them inside the write's own transaction. `actor` None is the platform itself (the seed
command, data migrations): no right is checked, and the audit row names no one."""

from core.permissions import Action, require

from .services import audited_create, audited_update


def require_admin(actor, right: Action = Action.MANAGE_REGISTRY) -> None:
    if actor is not None:
        require(actor, right)


def admin_create(*, actor, model, action: str, right: Action = Action.MANAGE_REGISTRY, **fields):
    """A new `model(**fields)`, validated, saved and audited as `action`."""
    require_admin(actor, right)
    return audited_create(actor=actor, model=model, action=action, **fields)


def admin_update(
    *, actor, instance, action: str, editable: set[str], changes: dict, right: Action = Action.MANAGE_REGISTRY
):
    """Only `editable` fields change; audited (before and after) when anything did."""
    require_admin(actor, right)
    return audited_update(actor=actor, instance=instance, action=action, editable=editable, changes=changes)
