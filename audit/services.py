from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from .chain import GENESIS_HASH, hash_of, payload_text, to_json_value
from .models import AuditChainHead, AuditEvent


def snapshot(instance, **extra) -> dict:
    """A model's concrete fields (foreign keys as ids) plus `extra`, ready for JSON."""
    data = model_to_dict(instance, fields=[f.name for f in instance._meta.concrete_fields])
    data.update(extra)
    return to_json_value(data)


def _locked_head() -> AuditChainHead:
    # Insert-if-missing never fails, even when two first writers race; then lock.
    AuditChainHead.objects.bulk_create([AuditChainHead(pk=1, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True)
    return AuditChainHead.objects.select_for_update().get(pk=1)


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Append one event to the chain. Call it inside the write's own transaction,
    so the write and its audit row commit or roll back together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the write it records")
    head = _locked_head()
    actor = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        prev_hash=head.hash,
    )
    event.payload = payload_text(event, before=to_json_value(before), after=to_json_value(after))
    event.hash = hash_of(head.hash, event.payload)
    event.save()
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


def audited_create(*, actor, model, action: str, **fields):
    """Validate, save and audit a new row (the caller has checked the actor's right, inside its
    transaction)."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, action=action, target=instance, after=snapshot(instance))
    return instance


def audited_update(*, actor, instance, action: str, editable: set[str], changes: dict):
    """Change only `editable` fields, validate, save, and audit the before/after when anything changed."""
    unknown = set(changes) - editable
    if unknown:
        raise TypeError(f"{action}: cannot change {sorted(unknown)}")
    before = snapshot(instance)
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    after = snapshot(instance)
    if after != before:
        audit_record(actor=actor, action=action, target=instance, before=before, after=after)
    return instance


def audit_head_export(*, folder=None):
    """Record the chain's head now, in AuditHeadExport and (unless `folder` is "") as a JSON file in
    `folder` (AUDIT_HEAD_EXPORT_DIR). Not an audited write itself: an audit row here would move the
    head it exports. The platform's own step (the daily beat task, the command): no actor."""
    import json
    from pathlib import Path

    from django.conf import settings
    from django.db import transaction

    from .models import AuditHeadExport

    folder = settings.AUDIT_HEAD_EXPORT_DIR if folder is None else folder
    with transaction.atomic():
        head = _locked_head()  # no write slips between reading the head and recording it
        now = timezone.now()
        path = ""
        if folder:
            target = Path(folder)
            target.mkdir(parents=True, exist_ok=True)
            path = str(target / f"audit-head-{now:%Y%m%dT%H%M%S%fZ}.json")
            Path(path).write_text(
                json.dumps({"seq": head.seq, "hash": head.hash, "exported_at": now.isoformat()}, sort_keys=True) + "\n"
            )
        return AuditHeadExport.objects.create(seq=head.seq, hash=head.hash, exported_at=now, file_path=path)
