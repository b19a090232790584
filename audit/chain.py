"""The hash chain: the canonical text of an event and its hash."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def to_json_value(value):
    """Dates, decimals and UUIDs as strings; refuses NaN and infinities."""

    def refuse(text):
        raise ValueError(f"audit values must be finite numbers, got {text}")

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder), parse_constant=refuse)


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def columns_of(event) -> dict:
    """The queryable columns that the payload also carries."""
    return {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
    }


def payload_text(event, *, before, after) -> str:
    return canonical(columns_of(event) | {"before": before, "after": after})


def hash_of(prev_hash: str, payload: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def columns_agree(event) -> bool:
    stored = json.loads(event.payload)
    return all(stored.get(key) == value for key, value in columns_of(event).items())
