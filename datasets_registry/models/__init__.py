from .catalogue import LICENCE_TERMS, Dataset, Licence, Modality, PostTermination, Provider, ProviderKind, TermStatus
from .declarations import TrainingDataItem, TrainingDeclaration
from .entitlements import Entitlement
from .purchases import Purchase, PurchaseKind, PurchaseShare, ShareBasis

__all__ = [
    "LICENCE_TERMS",
    "Dataset",
    "Entitlement",
    "Licence",
    "Modality",
    "PostTermination",
    "Provider",
    "ProviderKind",
    "Purchase",
    "PurchaseKind",
    "PurchaseShare",
    "ShareBasis",
    "TermStatus",
    "TrainingDataItem",
    "TrainingDeclaration",
]
