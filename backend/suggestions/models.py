"""Suggestion runs, and the change log that keeps every process's similarity index current."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SuggestionRun(models.Model):
    """One computation of the suggested clusters of a consultation (a background job).

    `result` holds the clusters as computed: `[{"ids": [...], "cohesion": 0.41,
    "representative_id": 8}, ...]`, largest first; titles are read at display time.

    A running run holds a lease (`lease_expires_at`) that its worker renews while it computes;
    a run whose lease expired (its worker was killed or lost) is queued again, or failed after
    `SUGGESTION_RUN_MAX_ATTEMPTS`. `attempts` counts the claims and fences the writes: a worker
    only writes while the run is still running under the attempt it claimed.
    """

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="suggestion_runs",
    )
    threshold = models.FloatField(_("threshold"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    contribution_count = models.PositiveIntegerField(_("contributions compared"), default=0)
    result = models.JSONField(_("suggested clusters"), default=list, blank=True)
    calibration = models.JSONField(_("learned from organizer decisions"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    task_id = models.CharField(_("background task id"), max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("suggestion run")
        verbose_name_plural = _("suggestion runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0) & Q(threshold__lt=1),
                name="suggestion_run_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="suggestion_run_done_within_total"
            ),
        ]
        indexes = [
            models.Index(fields=["consultation", "-created_at"], name="suggestion_run_list_idx"),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status="running"),
                name="suggestion_run_lease_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} @ {self.threshold} ({self.status})"


class IndexVersion(models.Model):
    """A counter per consultation, raised in the transaction of every change of a public
    contribution. The row lock it takes orders the changes of a consultation by commit."""

    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("similarity index version")
        verbose_name_plural = _("similarity index versions")

    def __str__(self) -> str:
        return f"{self.consultation_id} v{self.version}"


class IndexChange(models.Model):
    """Contribution `contribution_id` changed at `version`: processes holding an older index
    re-read it (published: add or replace; anything else: remove)."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    version = models.PositiveBigIntegerField(_("version"))
    contribution_id = models.BigIntegerField(_("contribution"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("similarity index change")
        verbose_name_plural = _("similarity index changes")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "version"], name="index_change_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} v{self.version}: {self.contribution_id}"


class IndexSnapshot(models.Model):
    """The pickled similarity index of a consultation at `version`, so that a new process
    loads it (tens of milliseconds) instead of refitting every contribution (seconds).

    `signature`: HMAC-SHA256 (keyed from SECRET_KEY) of the consultation, version, engine and
    data; a row whose signature does not verify is never unpickled (see `indexes`)."""

    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    version = models.PositiveBigIntegerField(_("version"))
    engine = models.CharField(_("engine version"), max_length=64)
    document_count = models.PositiveIntegerField(_("documents"))
    data = models.BinaryField(_("pickled index"))
    signature = models.BinaryField(_("signature"), default=b"", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("similarity index snapshot")
        verbose_name_plural = _("similarity index snapshots")

    def __str__(self) -> str:
        return f"{self.consultation_id} v{self.version} ({self.document_count})"


class ContributionEmbedding(models.Model):
    """The sentence embedding of a contribution's current text, computed once per version.

    Written in the transaction that publishes or edits the contribution
    (``embeddings.contribution_embedding_refresh``); ``digest`` identifies the text and the
    encoder it was computed from, so an unchanged text is never encoded again and a stale row
    (text or encoder changed) is recomputed once. ``vector``: little-endian float32.
    """

    contribution = models.OneToOneField(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="embedding",
    )
    encoder = models.CharField(_("encoder"), max_length=64)
    digest = models.CharField(_("text digest"), max_length=64)
    vector = models.BinaryField(_("vector"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("contribution embedding")
        verbose_name_plural = _("contribution embeddings")

    def __str__(self) -> str:
        return f"{self.contribution_id} ({self.encoder})"
