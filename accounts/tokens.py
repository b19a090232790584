"""Personal API token keys: made from 32 random bytes, stored only as their SHA-256 (a key has 256
bits of entropy, so a fast hash is enough: nothing to guess, and a lookup is one indexed query)."""

import hashlib
import secrets

KEY_PREFIX = "sat_"  # "sovereign-ai token": recognisable in logs and secret scanners
PREFIX_LENGTH = 12  # stored and shown: "sat_" and 8 characters of the key


def key_new() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]
