"""Shared tables: the secret keys of published pseudonyms."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PseudonymKey(models.Model):
    """The random secret of one family of pseudonyms (see `backend.core.pseudonyms`).

    Never published, never shown in the admin. Stored rather than derived from SECRET_KEY,
    so rotating SECRET_KEY leaves every published pseudonym as it was.
    """

    scope = models.CharField(_("scope"), max_length=100, unique=True)
    key = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pseudonym key")
        verbose_name_plural = _("pseudonym keys")

    def __str__(self) -> str:
        return self.scope
