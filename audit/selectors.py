from dataclasses import dataclass

from .chain import GENESIS_HASH, columns_agree, hash_of
from .models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def audit_chain_verify() -> ChainReport:
    """Walk the chain in order and report the first row that was edited,
    removed or inserted out of turn."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(checked, f"row #{expected_seq} is missing (next row found is #{event.seq})")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, f"row #{event.seq} does not follow row #{event.seq - 1} (previous hash differs)")
        if hash_of(prev_hash, event.payload) != event.hash or not columns_agree(event):
            return ChainReport(checked, f"row #{event.seq} was altered: its contents no longer match its hash")
        expected_seq, prev_hash, checked = expected_seq + 1, event.hash, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(checked, f"rows after #{checked} are missing (the chain head records #{head_seq})")
    return ChainReport(checked)

