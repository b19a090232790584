"""What a person is told, in the platform and by email, and what each person chose to receive.

This app sits just above core and accounts: evaluation and stages call `services.notify`, and it
imports neither of them (a stage or run is named only by the link and the once-key)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    RUN_FINISHED = "run_finished", _("A run finished")
    RUN_FAILED = "run_failed", _("A run failed")
    STAGE_OPENED = "stage_opened", _("A stage opened")
    STAGE_FROZEN = "stage_frozen", _("A stage's nominations froze")
    STAGE_FINALISED = "stage_finalised", _("A stage was finalised")
    NOMINATION_DEADLINE = "nomination_deadline", _("A nomination deadline is 24 hours away")
    OBJECTION_ANSWERED = "objection_answered", _("An objection was answered")


class EmailState(models.TextChoices):
    NOT_WANTED = "not_wanted", _("Not sent (not chosen, or no address)")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)  # a path inside the platform
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A person who wants only the email still gets a row (it carries the email), hidden from the inbox.
    in_platform = models.BooleanField(_("shown in the platform"), default=True)
    email_state = models.CharField(_("email"), max_length=16, choices=EmailState.choices, default=EmailState.NOT_WANTED)
    email_error = models.TextField(blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_known"),
            models.CheckConstraint(
                condition=Q(email_state__in=EmailState.values), name="notification_email_state_known"
            ),
            models.CheckConstraint(
                condition=Q(in_platform=True) | ~Q(email_state="not_wanted"), name="notification_goes_somewhere"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "in_platform", "read_at"], name="notification_inbox")]

    def __str__(self):
        return f"{self.recipient_id}: {self.title}"


class NotificationPreference(models.Model):
    """One person's choice for one kind; without a row, both channels are on (DEFAULTS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    in_platform = models.BooleanField(_("in the platform"), default=True)
    email = models.BooleanField(_("by email"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_preference_kind_known"
            ),
        ]


class SentOnce(models.Model):
    """A marker for a notice that must go out once (a deadline reminder per stage and team): the
    unique key makes a second beat run, or a concurrent one, send nothing."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
