"""Reports on contributions and comments, and the public log of moderation actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REPORT_TEXT_MAX_LENGTH = 1000
ACTION_REASON_MAX_LENGTH = 500


class TargetKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    COMMENT = "comment", _("Comment")


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abusive or hateful")
    PERSONAL_DATA = "personal_data", _("Personal data disclosed")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Other")


class Resolution(models.TextChoices):
    HIDDEN = "hidden", _("Content hidden")
    DISMISSED = "dismissed", _("Report dismissed")


class ActionKind(models.TextChoices):
    HIDE = "hide", _("Hide")
    RESTORE = "restore", _("Restore")
    DISMISS = "dismiss", _("Dismiss the reports")


# One foreign key per kind, filled according to target_kind (the same shape as comments).
_TARGET_MATCHES_KIND = Q(
    target_kind=TargetKind.CONTRIBUTION, contribution__isnull=False, comment__isnull=True
) | Q(target_kind=TargetKind.COMMENT, comment__isnull=False, contribution__isnull=True)


class Report(models.Model):
    """Someone signed in flags a contribution or a comment to the consultation's moderators."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    target_kind = models.CharField(_("target kind"), max_length=20, choices=TargetKind.choices)
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    comment = models.ForeignKey(
        "comments.Comment",
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    text = models.TextField(_("details"), max_length=REPORT_TEXT_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True, default=""
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_TARGET_MATCHES_KIND, name="report_target_matches_kind"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="report_resolution_when_resolved",
            ),
            # One open report per person and target: reporting again returns the open one.
            models.UniqueConstraint(
                fields=["reporter", "contribution"],
                condition=Q(resolved_at__isnull=True, contribution__isnull=False),
                name="report_one_open_per_contribution",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(resolved_at__isnull=True, comment__isnull=False),
                name="report_one_open_per_comment",
            ),
        ]
        indexes = [
            models.Index(
                fields=["consultation", "created_at"],
                condition=Q(resolved_at__isnull=True),
                name="report_open_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} #{self.contribution_id or self.comment_id}"


class ModerationAction(models.Model):
    """One entry of the public moderation log: who did what, when and why."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="moderation_actions",
    )
    target_kind = models.CharField(_("target kind"), max_length=20, choices=TargetKind.choices)
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_actions",
    )
    comment = models.ForeignKey(
        "comments.Comment",
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_actions",
    )
    action = models.CharField(_("action"), max_length=10, choices=ActionKind.choices)
    reason = models.CharField(
        _("public reason"), max_length=ACTION_REASON_MAX_LENGTH, blank=True, default=""
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_TARGET_MATCHES_KIND, name="action_target_matches_kind"
            ),
            models.CheckConstraint(
                condition=Q(action=ActionKind.DISMISS) | ~Q(reason=""),
                name="action_reason_for_hide_and_restore",
            ),
        ]
        indexes = [
            models.Index(fields=["consultation", "-created_at"], name="action_log_idx"),
        ]

    def __str__(self) -> str:
        target = self.contribution_id or self.comment_id
        return f"{self.get_action_display()} {self.get_target_kind_display()} #{target}"
