import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write, as it happened: append-only and hash-chained.

    `payload` is the canonical JSON text of the whole event (who, what, when,
    before, after) and `hash` is SHA-256 over the previous row's hash and that
    exact text, so the database cannot reshape what was hashed (jsonb would
    turn 1e20 into an integer). The columns beside it are for querying and must
    agree with the payload; `manage.py verify_audit` checks both. On PostgreSQL
    a trigger refuses UPDATE and DELETE (migration 0002)."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100)
    target_type = models.CharField(_("object type"), max_length=100)
    target_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=300)
    payload = models.TextField(_("payload"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    @property
    def before(self):
        return json.loads(self.payload)["before"]

    @property
    def after(self):
        return json.loads(self.payload)["after"]


class AuditChainHead(models.Model):
    """The chain's last sequence number and hash, in one locked row: writers
    queue on it, and it reveals rows cut off the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_singleton")]


class AuditHeadExport(models.Model):
    """The chain's head as it was exported (daily, and on demand): the same seq and hash go to a
    file under AUDIT_HEAD_EXPORT_DIR for a copy kept outside. Given such a copy, `manage.py
    verify_audit --head SEQ:HASH` proves that rows up to SEQ are unchanged since."""

    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("head digest"), max_length=64)
    exported_at = models.DateTimeField(_("exported at"))
    file_path = models.CharField(_("file"), max_length=500, blank=True)

    class Meta:
        ordering = ["-exported_at", "-id"]
        verbose_name = _("audit head export")
        verbose_name_plural = _("audit head exports")
