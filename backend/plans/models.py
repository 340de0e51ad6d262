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


class ArtifactKind(models.TextChoices):
    OPEN_DATA = "open_data", _("Open-data archive (ZIP)")
    PLAN_CSV = "plan_csv", _("Plan as CSV")
    PLAN_JSON = "plan_json", _("Plan snapshot as JSON")
    PLAN_HTML = "plan_html", _("Plan as a readable page")


class PublicationArtifact(models.Model):
    """A published file, built once for one state of its sources and kept in storage
    (`STORAGES["artifacts"]`) under a name holding its SHA-256, so that a file is never
    read before it is whole: this row is written only once the file is.

    `state_key` names the sources: for a plan format, the version's snapshot digest; for
    the open-data archive, the consultation's `OpenDataVersion` counters
    (`backend.plans.selectors.artifacts.open_data_state`). A changed state has no artifact
    yet: it is built again.
    """

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="publication_artifacts",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ArtifactKind.choices)
    plan_number = models.PositiveIntegerField(_("plan version"), null=True, blank=True)
    state_key = models.CharField(_("state of the sources"), max_length=64)
    storage_name = models.CharField(_("name in storage"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    filename = models.CharField(_("file name"), max_length=200)
    build_seconds = models.FloatField(_("build time in seconds"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("publication artifact")
        verbose_name_plural = _("publication artifacts")
        ordering = ["consultation_id", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind", "state_key"], name="artifact_unique_state"
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="artifact_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.kind} {self.sha256[:12]}"


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A step of a build that is not a file: publishing the next plan version first.
PUBLISH_STEP = "plan_version"


class ArtifactBuild(models.Model):
    """One background job of a consultation's publication (a job of `backend.plans.tasks`),
    with its progress: building its published files for one state of their sources, and,
    when `kinds` starts with `plan_version`, publishing the next plan version first (a
    publication too large for its request: `requested_by`, `note`, `force` are its input,
    `plan_number` the version it published)."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="artifact_builds",
    )
    kinds = models.JSONField(_("kinds"), default=list)
    plan_number = models.PositiveIntegerField(_("plan version"), null=True, blank=True)
    state_key = models.CharField(_("state of the sources"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=BuildStatus.choices, default=BuildStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    error = models.TextField(_("error"), blank=True, default="")
    error_code = models.CharField(_("error code"), max_length=64, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="", max_length=NOTE_MAX_LENGTH)
    force = models.BooleanField(_("publish with missing answers"), default=False)
    task_id = models.CharField(_("background task id"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("artifact build")
        verbose_name_plural = _("artifact builds")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One build in flight per state: asking again joins it.
            models.UniqueConstraint(
                fields=["consultation", "state_key"],
                condition=Q(status__in=["queued", "running"]),
                name="artifact_build_one_in_flight",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="artifact_build_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.state_key[:12]} ({self.status})"


class OpenDataVersion(models.Model):
    """A counter per consultation that moves with every committed write to a row its
    open-data archive reads (`consultation_id` 0: the tables shared by every consultation,
    territories and structures). Kept by deferred PostgreSQL triggers (migration 0003), which
    run at commit, after every other lock of the transaction, so versions follow commit
    order; no foreign key, so that a deleted consultation's last writes still count."""

    consultation_id = models.BigIntegerField(_("consultation"), primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("open-data version")
        verbose_name_plural = _("open-data versions")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.version}"
