"""Prompt sets: versioned, immutable snapshots with a digest. Each upload is a new version."""

import csv
import hashlib
import io
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from arena.models import Prompt, PromptCategory, PromptSet
from audit.services import audit_record
from core.permissions import Action, require

PROMPT_COLUMNS = ("key", "category", "text")
MAX_PROMPTS = 20_000


def prompts_digest(prompts: list[dict]) -> str:
    canonical = [
        {"key": p["key"], "category": p["category"], "text": p["text"]} for p in sorted(prompts, key=lambda p: p["key"])
    ]
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _clean(prompts: list[dict]) -> list[dict]:
    errors, cleaned, keys = [], [], set()
    for number, prompt in enumerate(prompts, start=1):
        key = str(prompt.get("key") or "").strip()
        category = str(prompt.get("category") or "").strip()
        text = str(prompt.get("text") or "").strip()
        problems = []
        if not key or len(key) > 64:
            problems.append(_("a key of 1 to 64 characters"))
        elif key in keys:
            problems.append(_("the key “%(key)s” is used twice") % {"key": key})
        if category not in PromptCategory.values:
            problems.append(_("a category among %(known)s") % {"known": ", ".join(PromptCategory.values)})
        if not text or "\x00" in text:
            problems.append(_("a prompt text"))
        keys.add(key)
        if problems:
            errors.append(_("prompt %(n)s needs %(problems)s") % {"n": number, "problems": "; ".join(problems)})
        cleaned.append({"key": key, "category": category, "text": text})
    if errors:
        raise ValidationError({"prompts": errors})
    if not cleaned or len(cleaned) > MAX_PROMPTS:
        raise ValidationError({"prompts": [_("Give from 1 to %(max)s prompts.") % {"max": MAX_PROMPTS}]})
    return cleaned


def prompts_from_csv(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(PROMPT_COLUMNS):
        raise ValidationError({"file": [_("The header must be: %(columns)s") % {"columns": ",".join(PROMPT_COLUMNS)}]})
    return list(reader)


@transaction.atomic
def prompt_set_create(*, actor, slug: str, title: str, prompts: list[dict]) -> PromptSet:
    """A new version of the prompt set `slug` (version 1 if new)."""
    if actor is not None:
        require(actor, Action.MANAGE_ARENA)
    cleaned = _clean(prompts)
    if not (title or "").strip():
        raise ValidationError({"title": [_("Give the prompt set a title.")]})
    latest = PromptSet.objects.select_for_update().filter(slug=slug).aggregate(v=Max("version"))["v"] or 0
    prompt_set = PromptSet(
        slug=slug, version=latest + 1, title=title.strip(), digest=prompts_digest(cleaned), created_by=actor
    )
    prompt_set.full_clean()
    prompt_set.save()
    Prompt.objects.bulk_create(Prompt(prompt_set=prompt_set, **p) for p in cleaned)
    audit_record(
        actor=actor,
        action="arena.prompt_set.create",
        target=prompt_set,
        after={"slug": slug, "version": prompt_set.version, "digest": prompt_set.digest, "prompts": len(cleaned)},
    )
    return prompt_set
