"""Votes (a method over a set of items) and ballot lines: one row per voter and item."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200
PAPER_REFERENCE_MAX_LENGTH = 120


class VoteMethod(models.TextChoices):
    SUPPORT = "support", _("Support")
    APPROVAL = "approval", _("Approval")
    MAJORITY_JUDGMENT = "majority_judgment", _("Majority judgment")
    DOTS = "dots", _("Dots")
    RANKING = "ranking", _("Ranking")
    AGREE = "agree", _("Agree / disagree / pass")


class BallotOrigin(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile app")
    WORKSHOP = "workshop", _("Workshop")
    PAPER = "paper", _("Paper")


class Vote(models.Model):
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    method = models.CharField(_("method"), max_length=20, choices=VoteMethod.choices)
    # max_supports, threshold (support); dot_budget, dot_max_per_item (dots).
    options = models.JSONField(_("options"), default=dict, blank=True)
    items = models.ManyToManyField(
        "proposals.Contribution", verbose_name=_("items"), related_name="votes"
    )
    one_structure_one_voice = models.BooleanField(_("one structure, one voice"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Frozen on close: the final result, the anonymized ballot file and its SHA-256 digest.
    # The key of the voters' pseudonyms is a PseudonymKey (backend.core.pseudonyms), never
    # published.
    result = models.JSONField(_("final result"), null=True, blank=True, editable=False)
    result_computed_at = models.DateTimeField(
        _("result computed at"), null=True, blank=True, editable=False
    )
    ballots_csv = models.TextField(_("anonymized ballot file"), blank=True, default="")
    ballots_digest = models.CharField(
        _("SHA-256 of the ballot file"), max_length=64, blank=True, default=""
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["consultation_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class BallotLine(models.Model):
    """One voter's value for one item: 1 for a support or an approval, the grade index 0..6
    (0 Excellent ... 6 To reject) in majority judgment, points for dots, the rank (1 best)
    for ranking, 1 / -1 / 0 for agree / disagree / pass."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="ballot_lines"
    )
    item = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("item"),
        on_delete=models.CASCADE,
        related_name="ballot_lines",
    )
    voter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter (account)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ballot_lines",
    )
    voter_card = models.ForeignKey(
        "proposals.ParticipantCard",
        verbose_name=_("voter (participant card)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballot_lines",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("on behalf of the structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ballot_lines",
    )
    value = models.SmallIntegerField(_("value"))
    origin = models.CharField(
        _("origin"), max_length=10, choices=BallotOrigin.choices, default=BallotOrigin.WEB
    )
    paper_reference = models.CharField(
        _("sheet or workshop reference"),
        max_length=PAPER_REFERENCE_MAX_LENGTH,
        blank=True,
        default="",
    )
    captured_at = models.DateTimeField(_("captured at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("ballot line")
        verbose_name_plural = _("ballot lines")
        ordering = ["vote_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(voter_user__isnull=False, voter_card__isnull=True)
                    | Q(voter_user__isnull=True, voter_card__isnull=False)
                ),
                name="ballot_line_one_voter",
            ),
            # Partial unique indexes: the target of ballot_cast's INSERT ... ON CONFLICT.
            models.UniqueConstraint(
                fields=["vote", "item", "voter_user"],
                condition=Q(voter_user__isnull=False),
                name="ballot_line_unique_user",
            ),
            models.UniqueConstraint(
                fields=["vote", "item", "voter_card"],
                condition=Q(voter_card__isnull=False),
                name="ballot_line_unique_card",
            ),
        ]
        indexes = [
            models.Index(fields=["vote", "item", "value"], name="ballot_line_count_idx"),
            models.Index(fields=["voter_card"], name="ballot_line_card_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.item_id}: {self.value}"


# Concurrent voters write their deltas to different rows (voter id modulo the shards), so they
# seldom wait on one another; only the sum over the shards means anything.
LIVE_COUNT_SHARDS = 8


class LiveCount(models.Model):
    """Running total of a vote's lines with one value on one item, kept by ballot_cast,
    ballot_withdraw and the paper import in the transaction that changes the lines. Live
    results read these rows instead of counting every line. A shard may go negative."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="live_counts"
    )
    item = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("item"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    value = models.SmallIntegerField(_("value"))
    shard = models.SmallIntegerField(_("shard"))
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("live count")
        verbose_name_plural = _("live counts")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "item", "value", "shard"], name="live_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.item_id}/{self.value}: {self.count}"


class LiveVoterCount(models.Model):
    """Running number of voters (anyone with at least one line) of a vote, per shard."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="live_voter_counts"
    )
    shard = models.SmallIntegerField(_("shard"))
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("live voter count")
        verbose_name_plural = _("live voter counts")
        constraints = [
            models.UniqueConstraint(fields=["vote", "shard"], name="live_voter_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.count}"
