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
            return ChainReport(
                checked, f"row #{event.seq} does not follow row #{event.seq - 1} (previous hash differs)"
            )
        if hash_of(prev_hash, event.payload) != event.hash or not columns_agree(event):
            return ChainReport(checked, f"row #{event.seq} was altered: its contents no longer match its hash")
        expected_seq, prev_hash, checked = expected_seq + 1, event.hash, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(checked, f"rows after #{checked} are missing (the chain head records #{head_seq})")
    return ChainReport(checked)


def audit_chain_verify_against(*, seq: int, digest: str) -> ChainReport:
    """Verify the chain, then that row `seq` still carries `digest`: the head exported then. A row
    rewritten before `seq` — even with every later hash recomputed to match — changes it."""
    report = audit_chain_verify()
    if not report.ok:
        return report
    if seq == 0:
        return (
            report
            if digest == GENESIS_HASH
            else ChainReport(report.checked, "an empty chain's head is the genesis hash")
        )
    found = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if found is None:
        return ChainReport(report.checked, f"row #{seq} of the exported head is missing")
    if found != digest:
        return ChainReport(report.checked, f"row #{seq} no longer has the exported head digest: the log was rewritten")
    return report


def audit_head() -> tuple[int, str]:
    """(seq, hash) of the chain's last row; (0, genesis) before any write."""
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return head or (0, GENESIS_HASH)


def audit_head_exports(limit: int = 10):
    from .models import AuditHeadExport

    return list(AuditHeadExport.objects.all()[:limit])


def audit_events_filtered(*, actor: str = "", action: str = "", target_type: str = "", date_from=None, date_to=None):
    """Events, newest first, filtered as the audit page and its CSV export ask (dates are local days,
    both inclusive)."""
    import datetime

    from django.utils import timezone

    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_username=actor)
    if action:
        events = events.filter(action=action)
    if target_type:
        events = events.filter(target_type=target_type)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(created_at__gte=datetime.datetime.combine(date_from, datetime.time.min, zone))
    if date_to:
        events = events.filter(
            created_at__lt=datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, zone)
        )
    return events.order_by("-seq")


def audit_filter_choices() -> dict[str, list[str]]:
    """The actions and object types that occur, for the page's filter lists."""
    return {
        "actions": list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()),
        "target_types": list(
            AuditEvent.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
        ),
    }
