"""In-app notifications of contributors, and each person's delivery preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_MAX_LENGTH = 200


class NotificationKind(models.TextChoices):
    CONTRIBUTION_MERGED = "contribution_merged", _("Contribution taken up in a candidate action")
    CANDIDATE_ACTION_DECIDED = "candidate_action_decided", _("Decision on a candidate action")
    REGIONAL_ACTION_DECIDED = "regional_action_decided", _("Decision on a regional action")
    REGIONAL_ACTION_STATUS_CHANGED = (
        "regional_action_status_changed",
        _("Follow-up of a regional action"),
    )


class Notification(models.Model):
    """One thing that happened to an action a person's contributions fed. The action's title,
    the decision, the answer and the status are copied when it is written: the notification
    says what was true then, even if the action changes later."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    candidate_action = models.ForeignKey(
        "synthesis.CandidateAction",
        verbose_name=_("candidate action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("regional programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    regional_action = models.ForeignKey(
        "programmes.RegionalAction",
        verbose_name=_("regional action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    action_title = models.CharField(_("action title"), max_length=200)
    decision = models.CharField(_("decision"), max_length=30, blank=True, default="")
    answer = models.TextField(_("public answer"), blank=True, default="")
    status = models.CharField(_("follow-up status"), max_length=12, blank=True, default="")
    previous_status = models.CharField(
        _("previous follow-up status"), max_length=12, blank=True, default=""
    )
    # The person's own contributions that fed the action (ids; public objects).
    contributions = models.JSONField(_("contributions"), default=list, blank=True)
    # One notification per person per event and action: the event name, the action and the
    # state it reached (see domain.notification_key).
    key = models.CharField(_("deduplication key"), max_length=KEY_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("sent in a digest at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
            models.CheckConstraint(
                condition=Q(candidate_action__isnull=False) | Q(regional_action__isnull=False),
                name="notification_names_an_action",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.action_title}"


class DigestFrequency(models.TextChoices):
    NEVER = "never", _("Never")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class DigestLanguage(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class NotificationPreference(models.Model):
    """How a person wants to hear back. In-app notifications are always on; the e-mail digest
    is weekly unless they choose otherwise (or unsubscribe in one click)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    email_digest = models.CharField(
        _("e-mail digest"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.WEEKLY,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=DigestLanguage.choices, default=DigestLanguage.FRENCH
    )
    last_digest_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_digest}"
