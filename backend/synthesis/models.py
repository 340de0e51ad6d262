"""Clusters of merged contributions, the public merge log, candidate actions and answers."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import Theme

TITLE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 1000
DESCRIPTION_MAX_LENGTH = 10000
SUMMARY_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 5000
JUSTIFICATION_MAX_LENGTH = 1000


class Cluster(models.Model):
    """Contributions an organizer judged to say the same thing; its members keep their own
    rows, authors, comments and history (see ClusterMember)."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="clusters",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["consultation_id", "id"]

    def __str__(self) -> str:
        return self.title


class MergeKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split (merge undone)")


class MergeLogEntry(models.Model):
    """One public line of the merge log: who merged (or split) what, when and why."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="merge_log",
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="log_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MergeKind.choices)
    contributions = models.ManyToManyField(
        "proposals.Contribution",
        verbose_name=_("contributions"),
        related_name="merge_log_entries",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    # A split names the merge it undoes; the unique constraint makes "undone twice" impossible.
    undoes = models.ForeignKey(
        "self",
        verbose_name=_("undoes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="undone_by",
    )

    class Meta:
        verbose_name = _("merge log entry")
        verbose_name_plural = _("merge log")
        ordering = ["consultation_id", "-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="merge") & Q(undoes__isnull=True))
                | (Q(kind="split") & Q(undoes__isnull=False)),
                name="merge_log_split_undoes_a_merge",
            ),
            models.UniqueConstraint(
                fields=["undoes"], condition=Q(undoes__isnull=False), name="merge_log_undone_once"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="merge_log_reason_required"),
        ]
        indexes = [models.Index(fields=["consultation", "-at"], name="merge_log_list_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ClusterMember(models.Model):
    """A contribution's membership of a cluster; a split ends it (removed_at) without deleting."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="members"
    )
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="cluster_memberships",
    )
    added_by_merge = models.ForeignKey(
        MergeLogEntry,
        verbose_name=_("added by the merge"),
        on_delete=models.PROTECT,
        related_name="added_members",
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by_split = models.ForeignKey(
        MergeLogEntry,
        verbose_name=_("removed by the split"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="removed_members",
    )

    class Meta:
        verbose_name = _("cluster member")
        verbose_name_plural = _("cluster members")
        ordering = ["cluster_id", "id"]
        constraints = [
            # A contribution is in at most one active cluster: the last word on merge races.
            models.UniqueConstraint(
                fields=["contribution"],
                condition=Q(removed_at__isnull=True),
                name="cluster_member_one_active_cluster",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by_split__isnull=True)
                | Q(removed_at__isnull=False, removed_by_split__isnull=False),
                name="cluster_member_removed_by_a_split",
            ),
        ]
        indexes = [
            models.Index(
                fields=["cluster"],
                condition=Q(removed_at__isnull=True),
                name="cluster_member_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} in {self.cluster_id}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETAINED = "retained", _("Retained")
    RETAINED_WITH_CHANGES = "retained_with_changes", _("Retained with changes")
    NEEDS_STUDY = "needs_study", _("Needs further study")
    NOT_RETAINED = "not_retained", _("Not retained")


# Decisions that must be explained to the public.
DECISIONS_NEEDING_AN_ANSWER = (Decision.NOT_RETAINED, Decision.RETAINED_WITH_CHANGES)


class CandidateAction(models.Model):
    """An action proposed for the plan, built from clusters or written by hand, linked to
    every contribution it comes from or answers (ActionSource)."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="candidate_actions",
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
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territories covered"),
        blank=True,
        related_name="+",
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
    decision = models.CharField(
        _("decision"), max_length=30, choices=Decision.choices, default=Decision.PENDING
    )
    public_answer = models.TextField(_("public answer"), blank=True, default="")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("candidate action")
        verbose_name_plural = _("candidate actions")
        ordering = ["consultation_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision__in=DECISIONS_NEEDING_AN_ANSWER) | ~Q(public_answer=""),
                name="candidate_action_answer_explained",
            ),
            models.CheckConstraint(
                condition=Q(decision=Decision.PENDING) | Q(decided_at__isnull=False),
                name="candidate_action_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SourceRelation(models.TextChoices):
    ANSWERS_PROBLEM = "answers_problem", _("Answers the problem")
    COMES_FROM = "comes_from", _("Comes from")


class ActionSource(models.Model):
    """A link from a candidate action to a contribution or to a whole cluster."""

    action = models.ForeignKey(
        CandidateAction,
        verbose_name=_("candidate action"),
        on_delete=models.CASCADE,
        related_name="sources",
    )
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_sources",
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_sources",
    )
    relation = models.CharField(_("relation"), max_length=20, choices=SourceRelation.choices)
    justification = models.CharField(
        _("justification"), max_length=JUSTIFICATION_MAX_LENGTH, blank=True, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("action source")
        verbose_name_plural = _("action sources")
        ordering = ["action_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution__isnull=False, cluster__isnull=True)
                | Q(contribution__isnull=True, cluster__isnull=False),
                name="action_source_one_target",
            ),
            models.UniqueConstraint(
                fields=["action", "contribution"],
                condition=Q(contribution__isnull=False),
                name="action_source_unique_contribution",
            ),
            models.UniqueConstraint(
                fields=["action", "cluster"],
                condition=Q(cluster__isnull=False),
                name="action_source_unique_cluster",
            ),
        ]

    def __str__(self) -> str:
        target = (
            f"contribution {self.contribution_id}"
            if self.contribution_id
            else (f"cluster {self.cluster_id}")
        )
        return f"{self.action_id} <- {target}"


class ContributionAnswer(models.Model):
    """The organizer's own answer to a contribution (typically: why no action takes it up)."""

    contribution = models.OneToOneField(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="answer",
    )
    text = models.TextField(_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("contribution answer")
        verbose_name_plural = _("contribution answers")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="contribution_answer_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id}: {self.text[:40]}"
