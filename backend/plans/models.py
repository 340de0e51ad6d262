"""Published versions of a consultation's action plan: frozen, numbered snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 2000


class PlanVersion(models.Model):
    """One publication of the plan. Never edited: a new publication is a new version."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="plan_versions",
    )
    number = models.PositiveIntegerField(_("number"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="", max_length=NOTE_MAX_LENGTH)
    # The frozen plan (see frontend-contract/plan.schema.json) and the SHA-256 of its
    # canonical JSON (sorted keys, no spaces, UTF-8).
    snapshot = models.JSONField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    # Published although some contributions had no answer yet (their ids are in the snapshot).
    is_forced = models.BooleanField(_("published with missing answers"), default=False)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["consultation_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="plan_version_unique_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="plan_version_number_positive"),
            models.CheckConstraint(
                condition=Q(snapshot_sha256__regex=r"^[0-9a-f]{64}$"),
                name="plan_version_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} — v{self.number}"
