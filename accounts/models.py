from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Belongs to at most one organisation; roles come from groups
    (programme admin, ministry reviewer) and from that organisation's memberships."""

    organisation = models.ForeignKey(
        "consortium.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
