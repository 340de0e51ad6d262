"""Threaded comments with a stance; the target is generic (a kind plus one foreign key)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.proposals.models import Origin

BODY_MAX_LENGTH = 2000
HIDDEN_REASON_MAX_LENGTH = 500
# Depth of a top-level comment is 0; replies go at most this deep, deeper ones are refused.
MAX_DEPTH = 3


class Stance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neutral")


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    DELETED = "deleted", _("Deleted by its author")
    HIDDEN = "hidden", _("Hidden by a moderator")


class TargetKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    CANDIDATE_ACTION = "candidate_action", _("Candidate action")
    REGIONAL_ACTION = "regional_action", _("Regional action")


class Comment(models.Model):
    # The consultation of a contribution's or candidate action's comment (its moderators
    # moderate it); none for a regional action's, which belongs to a programme.
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    # Generic target: a kind and one foreign key per kind (candidate actions will add theirs),
    # so that every target keeps a real, indexed foreign key.
    target_kind = models.CharField(_("target kind"), max_length=20, choices=TargetKind.choices)
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    candidate_action = models.ForeignKey(
        "synthesis.CandidateAction",
        verbose_name=_("candidate action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    regional_action = models.ForeignKey(
        "programmes.RegionalAction",
        verbose_name=_("regional action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_card = models.ForeignKey(
        "proposals.ParticipantCard",
        verbose_name=_("participant card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # How the text reached the platform (web, mobile, or a facilitator's workshop, paper, phone).
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.WEB
    )
    stance = models.CharField(
        _("stance"), max_length=10, choices=Stance.choices, default=Stance.NEUTRAL
    )
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=HIDDEN_REASON_MAX_LENGTH, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    target_kind="contribution",
                    contribution__isnull=False,
                    candidate_action__isnull=True,
                    regional_action__isnull=True,
                    consultation__isnull=False,
                )
                | Q(
                    target_kind="candidate_action",
                    contribution__isnull=True,
                    candidate_action__isnull=False,
                    regional_action__isnull=True,
                    consultation__isnull=False,
                )
                | Q(
                    target_kind="regional_action",
                    contribution__isnull=True,
                    candidate_action__isnull=True,
                    regional_action__isnull=False,
                    consultation__isnull=True,
                ),
                name="comment_target_matches_kind",
            ),
            models.CheckConstraint(condition=Q(depth__lte=MAX_DEPTH), name="comment_depth_limit"),
            # An account or a participant card, never both (the account may be deleted later).
            models.CheckConstraint(
                condition=Q(author__isnull=True) | Q(author_card__isnull=True),
                name="comment_at_most_one_author",
            ),
        ]
        indexes = [
            models.Index(fields=["contribution", "created_at"], name="comment_target_time_idx"),
            models.Index(fields=["consultation", "status"], name="comment_consultation_idx"),
            models.Index(
                fields=["candidate_action", "created_at"],
                condition=Q(candidate_action__isnull=False),
                name="comment_candidate_time_idx",
            ),
            models.Index(
                fields=["regional_action", "created_at"],
                condition=Q(regional_action__isnull=False),
                name="comment_regional_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]
