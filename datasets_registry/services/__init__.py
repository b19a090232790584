"""Every write of the data registry (one module per entity). Each function runs in one
transaction, checks who asks (actor None = the platform itself, e.g. the seed), validates,
writes and appends its audit event in that same transaction."""

from .catalogue import (
    dataset_create,
    dataset_update,
    licence_create,
    licence_update,
    provider_create,
    provider_update,
)
from .declarations import training_declaration_set
from .entitlements import entitlement_grant, entitlement_revoke, entitlements_apply_team_elimination
from .purchases import purchase_create

__all__ = [
    "dataset_create",
    "dataset_update",
    "entitlement_grant",
    "entitlement_revoke",
    "entitlements_apply_team_elimination",
    "licence_create",
    "licence_update",
    "provider_create",
    "provider_update",
    "purchase_create",
    "training_declaration_set",
]
