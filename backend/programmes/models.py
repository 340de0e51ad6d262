"""The regional programme: its rounds, partners, funders and envelopes; regional actions with
their territorial sources, funding and follow-up; the published regional plan's versions."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import Theme

TITLE_MAX_LENGTH = 200
NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10000
ANSWER_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
UNIT_MAX_LENGTH = 60

# The seven domains of daily life the regional plan is organised by (DOMAIN.md).
SEVEN_DOMAINS = [
    Theme.EMPLOI,
    Theme.MOBILITE,
    Theme.SANTE,
    Theme.LOGEMENT,
    Theme.CONSOMMATION,
    Theme.LIEN_SOCIAL,
    Theme.EDUCATION,
]


def seven_domains() -> list[str]:
    return [str(theme) for theme in SEVEN_DOMAINS]


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Stage(models.TextChoices):
    PREPARATION = "preparation", _("Preparation (territorial rounds)")
    CONSOLIDATION = "consolidation", _("Consolidation into regional actions")
    ADOPTED = "adopted", _("Adopted (follow-up)")
    CLOSED = "closed", _("Closed")


class Programme(models.Model):
    """The Region's plan-building effort: the pilot round and its replicas."""

    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    domains = ArrayField(
        models.CharField(max_length=20, choices=Theme.choices),
        verbose_name=_("domains"),
        default=seven_domains,
        blank=True,
    )
    deadline = models.DateField(_("deadline"))
    target_territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territories to cover"),
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.PREPARATION
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("regional programme")
        verbose_name_plural = _("regional programmes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ProgrammeOrganizer(models.Model):
    """A programme organizer (Region staff); territorial organizers are the organizers of
    its rounds (consultations.ConsultationRole)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="organizers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="programme_roles",
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("programme organizer")
        verbose_name_plural = _("programme organizers")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="programme_organizer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.programme}"


class ProgrammeRound(models.Model):
    """A territorial consultation taking part in the programme (a round is in one programme)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="rounds"
    )
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="programme_round",
    )
    is_pilot = models.BooleanField(_("pilot round"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("programme round")
        verbose_name_plural = _("programme rounds")
        ordering = ["programme_id", "-is_pilot", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"], condition=Q(is_pilot=True), name="programme_one_pilot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.consultation}"


class PartnerRole(models.TextChoices):
    STEERING = "steering", _("Steering")
    FUNDER = "funder", _("Funder")
    OPERATOR = "operator", _("Field operator")
    NETWORK = "network", _("Network partner")


class Partner(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=12, choices=PartnerRole.choices)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["programme_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="partner_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Funder(models.Model):
    """Who pays, and its budget envelope for the programme (whole euros)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="funders"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    envelope_eur = models.PositiveIntegerField(_("envelope (EUR)"))

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["programme_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="funder_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.envelope_eur} €)"


class RegionalDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETAINED = "retained", _("Retained")
    NOT_RETAINED = "not_retained", _("Not retained")


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class RegionalAction(models.Model):
    """One action of the regional plan, consolidating territorial candidate actions (and
    contributions) without changing them (RegionalActionSource)."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="regional_actions",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True, default="")
    easy_read_summary = models.TextField(_("easy-to-read summary (FALC)"), blank=True, default="")
    themes = ArrayField(
        models.CharField(max_length=20, choices=Theme.choices),
        verbose_name=_("themes"),
        default=list,
        blank=True,
    )
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=RegionalDecision.choices,
        default=RegionalDecision.PENDING,
    )
    public_answer = models.TextField(_("public answer"), blank=True, default="")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Costs and who carries it out.
    cost_estimate_eur = models.PositiveIntegerField(_("cost estimate (EUR)"), null=True, blank=True)
    lead_structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("lead structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    partner_structures = models.ManyToManyField(
        "structures.Structure", verbose_name=_("partners"), blank=True, related_name="+"
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Follow-up after adoption.
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.PLANNED
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    abandon_reason = models.TextField(_("reason for abandoning"), blank=True, default="")
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("regional action")
        verbose_name_plural = _("regional actions")
        ordering = ["programme_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=RegionalDecision.NOT_RETAINED) | ~Q(public_answer=""),
                name="regional_action_answer_explained",
            ),
            models.CheckConstraint(
                condition=~Q(status=FollowUpStatus.ABANDONED) | ~Q(abandon_reason=""),
                name="regional_action_abandon_reason",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="regional_action_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="regional_action_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RegionalActionSource(models.Model):
    """A link down to a territorial candidate action or to a contribution. Unlinking sets
    `removed_at` (the row stays: the consolidation log is public and complete)."""

    action = models.ForeignKey(
        RegionalAction,
        verbose_name=_("regional action"),
        on_delete=models.CASCADE,
        related_name="sources",
    )
    candidate_action = models.ForeignKey(
        "synthesis.CandidateAction",
        verbose_name=_("territorial action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="regional_links",
    )
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="regional_links",
    )
    justification = models.CharField(
        _("justification"), max_length=REASON_MAX_LENGTH, blank=True, default=""
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("linked at"), default=timezone.now)
    removed_at = models.DateTimeField(_("unlinked at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unlinked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removal_reason = models.CharField(
        _("reason for unlinking"), max_length=REASON_MAX_LENGTH, blank=True, default=""
    )

    class Meta:
        verbose_name = _("regional action source")
        verbose_name_plural = _("regional action sources")
        ordering = ["action_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(candidate_action__isnull=False, contribution__isnull=True)
                | Q(candidate_action__isnull=True, contribution__isnull=False),
                name="regional_source_one_target",
            ),
            models.UniqueConstraint(
                fields=["action", "candidate_action"],
                condition=Q(candidate_action__isnull=False, removed_at__isnull=True),
                name="regional_source_active_action_once",
            ),
            models.UniqueConstraint(
                fields=["action", "contribution"],
                condition=Q(contribution__isnull=False, removed_at__isnull=True),
                name="regional_source_active_contribution_once",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_reason=""),
                name="regional_source_unlink_reason",
            ),
        ]

    def __str__(self) -> str:
        target = (
            f"action {self.candidate_action_id}"
            if self.candidate_action_id
            else f"contribution {self.contribution_id}"
        )
        return f"{self.action_id} <- {target}"


class FundingLine(models.Model):
    """What one funder puts into one regional action (whole euros)."""

    action = models.ForeignKey(
        RegionalAction,
        verbose_name=_("regional action"),
        on_delete=models.CASCADE,
        related_name="funding_lines",
    )
    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="lines"
    )
    amount_eur = models.PositiveIntegerField(_("amount (EUR)"))

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["action_id", "funder_id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "funder"], name="funding_line_unique"),
            models.CheckConstraint(condition=Q(amount_eur__gt=0), name="funding_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} → {self.action_id}: {self.amount_eur} €"


class Milestone(models.Model):
    action = models.ForeignKey(
        RegionalAction,
        verbose_name=_("regional action"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    due_on = models.DateField(_("due on"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["action_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """What is measured (people accompanied, public internet points opened) and the target."""

    action = models.ForeignKey(
        RegionalAction,
        verbose_name=_("regional action"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    unit = models.CharField(_("unit"), max_length=UNIT_MAX_LENGTH, blank=True, default="")
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["action_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "name"], name="indicator_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorMeasure(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="measures"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    measured_on = models.DateField(_("measured on"))
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator measure")
        verbose_name_plural = _("indicator measures")
        ordering = ["indicator_id", "measured_on", "id"]

    def __str__(self) -> str:
        return f"{self.indicator} = {self.value} ({self.measured_on})"


class FollowUpEntryKind(models.TextChoices):
    STATUS_CHANGED = "status_changed", _("Status changed")
    PROGRESS_UPDATED = "progress_updated", _("Progress updated")
    MILESTONE_ADDED = "milestone_added", _("Milestone added")
    MILESTONE_REACHED = "milestone_reached", _("Milestone reached")
    INDICATOR_ADDED = "indicator_added", _("Indicator added")
    INDICATOR_MEASURED = "indicator_measured", _("Indicator measured")
    NOTE = "note", _("Note")


class FollowUpEntry(models.Model):
    """One public line of an action's follow-up timeline (never edited nor deleted)."""

    action = models.ForeignKey(
        RegionalAction,
        verbose_name=_("regional action"),
        on_delete=models.CASCADE,
        related_name="follow_up",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpEntryKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("follow-up entry")
        verbose_name_plural = _("follow-up timeline")
        ordering = ["action_id", "-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="follow_up_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.action_id} — {self.get_kind_display()}"


class RegionalPlanVersion(models.Model):
    """One publication of the regional plan. Never edited: a new publication is a new version."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
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
    snapshot = models.JSONField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    # The open-data archive frozen with the version (ZIP bytes, deterministic), so that every
    # figure of the snapshot can be recomputed from the files published with it.
    archive = models.BinaryField(_("open-data archive"))
    archive_sha256 = models.CharField(_("SHA-256 of the archive"), max_length=64)
    is_over_budget = models.BooleanField(_("published over budget"), default=False)
    is_forced = models.BooleanField(_("published with pending decisions"), default=False)

    class Meta:
        verbose_name = _("regional plan version")
        verbose_name_plural = _("regional plan versions")
        ordering = ["programme_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="regional_plan_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="regional_plan_version_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(snapshot_sha256__regex=r"^[0-9a-f]{64}$"),
                name="regional_plan_version_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — v{self.number}"
