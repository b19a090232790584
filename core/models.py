from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """A write the platform has done for a caller's key (`Idempotency-Key` header, or a form's one-time
    token), kept with a hash of the request and the answer, so that a retry is answered without a
    second write (core.idempotency). Written in the same transaction as the write it guards."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    response_status = models.PositiveSmallIntegerField(default=0)
    # The JSON answer as it was rendered, text (jsonb would reorder its keys): replayed byte for byte.
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self):
        return f"{self.key} ({self.method} {self.path})"
