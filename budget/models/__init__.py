from .catalogue import GpuType, Provider, Rate
from .ledger import USAGE_KINDS, Allocation, EntryKind, Envelope, GpuReservation, LedgerEntry
from .requests import BudgetAlert, ReallocationRequest, RequestStatus
from .usage import ImportStatus, SlurmAccount, UsageImport

__all__ = [
    "GpuType",
    "Provider",
    "Rate",
    "USAGE_KINDS",
    "Allocation",
    "EntryKind",
    "Envelope",
    "GpuReservation",
    "LedgerEntry",
    "BudgetAlert",
    "ReallocationRequest",
    "RequestStatus",
    "ImportStatus",
    "SlurmAccount",
    "UsageImport",
]
