"""Reads on contributions: visibility, filters, orderings, one query per page."""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from backend.consultations.models import Consultation, ConsultationRole, ConsultationStatus
from backend.consultations.policies import AnyUser, is_signed_in
from backend.core import errors
from backend.proposals.filters import ContributionFilter, random_key
from backend.proposals.models import (
    Contribution,
    ContributionStatus,
    ContributionVersion,
    Endorsement,
    ParticipantCard,
)
from backend.proposals.policies import can_view_contribution

PUBLIC_CONSULTATION_STATUSES = (ConsultationStatus.PUBLISHED, ConsultationStatus.ARCHIVED)

# Annotations a contribution read carries from the apps above proposals, which register them
# from their AppConfig.ready() (proposals never imports them): comments adds the visible
# comment counts per stance (these names), synthesis the cluster it is merged into
# (`merged_into_id`, `merged_into_title`).
COMMENT_COUNT_FIELDS = {
    "for": "comment_count_for",
    "against": "comment_count_against",
    "neutral": "comment_count_neutral",
}
ContributionAnnotator = Callable[[QuerySet[Contribution]], QuerySet[Contribution]]
_detail_annotators: list[ContributionAnnotator] = []


def contribution_details_extend(annotator: ContributionAnnotator) -> None:
    """Add `annotator` to every contribution read (registering it twice: no-op)."""
    if annotator not in _detail_annotators:
        _detail_annotators.append(annotator)


def contribution_comment_counts(contribution: Contribution) -> dict[str, int]:
    """The comment counts of a read contribution as {total, for, against, neutral}."""
    counts = {"total": contribution.comment_count}
    for stance, name in COMMENT_COUNT_FIELDS.items():
        counts[stance] = int(getattr(contribution, name, 0) or 0)
    return counts


def _own(user: AnyUser) -> Q:
    return Q(author=user) | Q(entered_by=user)


def _with_details(queryset: QuerySet[Contribution], *, user: AnyUser) -> QuerySet[Contribution]:
    """Everything an output needs in the same single query: joins, counts, answer ids, and
    what the apps above add (comment counts, the cluster it is merged into).

    The endorsement and comment totals are the stored counters; the per-stance comment
    counts and answer ids are subqueries in the SELECT list, run for the page's rows only."""
    answer_ids = (
        Contribution.answers.through.objects.filter(from_contribution=OuterRef("pk"))
        .order_by("to_contribution_id")
        .values("to_contribution_id")
    )
    queryset = queryset.select_related(
        "territory", "author", "author_card", "entered_by", "structure"
    ).annotate(
        answer_ids=ArraySubquery(answer_ids),
    )
    for annotator in _detail_annotators:
        queryset = annotator(queryset)
    if is_signed_in(user):
        mine = Endorsement.objects.filter(
            contribution=OuterRef("pk"), user=user, structure__isnull=True
        )
        for_my_structures = (
            Endorsement.objects.filter(
                contribution=OuterRef("pk"),
                structure__isnull=False,
                structure__memberships__user=user,
            )
            .order_by("structure_id")
            .values("structure_id")
        )
        queryset = queryset.annotate(
            endorsed_by_me=Exists(mine),
            endorsed_for_my_structures=ArraySubquery(for_my_structures),
        )
    return queryset


def _filter_errors(filterset: ContributionFilter) -> dict[str, list[dict[str, str]]]:
    return {
        name: [
            {"code": error.code or "invalid", "message": " ".join(error.messages)}
            for error in field_errors
        ]
        for name, field_errors in filterset.form.errors.as_data().items()
    }


def contribution_list(
    *, consultation: Consultation, user: AnyUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[Contribution]:
    """Published contributions of a consultation (or the caller's own drafts, or withdrawn
    ones, with `status`), filtered and ordered (see ContributionFilter). One query a page."""
    filters = filters or {}
    base = Contribution.objects.filter(consultation=consultation)
    status = filters.get("status") or ContributionStatus.PUBLISHED
    if status == ContributionStatus.DRAFT:
        base = base.filter(_own(user)) if is_signed_in(user) else base.none()
    filterset = ContributionFilter(
        data={**{key: filters.get(key) for key in filters}, "status": status}, queryset=base
    )
    if not filterset.is_valid():
        raise errors.ValidationFailed(fields=_filter_errors(filterset))
    queryset = _with_details(filterset.qs, user=user)
    ordering = filterset.form.cleaned_data.get("ordering") or "recent"
    if ordering == "random":
        seed = filterset.form.cleaned_data.get("seed") or ""
        return queryset.order_by(random_key(seed), "id")
    recent = (Coalesce("published_at", "created_at").desc(), F("id").desc())
    if ordering == "endorsed":
        return queryset.order_by(F("endorsement_count").desc(), *recent)
    if ordering == "commented":
        return queryset.order_by(F("comment_count").desc(), *recent)
    return queryset.order_by(*recent)


def _visible_consultations(user: AnyUser) -> Q:
    public = Q(consultation__status__in=PUBLIC_CONSULTATION_STATUSES)
    if not is_signed_in(user):
        return public
    if user.is_staff:
        return Q()
    role = ConsultationRole.objects.filter(consultation=OuterRef("consultation"), user=user)
    return public | Q(Exists(role))


def contribution_get(*, contribution_id: int, user: AnyUser) -> Contribution:
    """One contribution the caller may see (drafts: their author and typist only)."""
    contribution = (
        _with_details(Contribution.objects.filter(_visible_consultations(user)), user=user)
        .select_related("consultation")
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None or not can_view_contribution(user=user, obj=contribution):
        raise errors.NotFound()
    return contribution


def contribution_version_list(*, contribution: Contribution) -> QuerySet[ContributionVersion]:
    """Earlier texts, newest first; none for hidden contributions (their text is hidden)."""
    if contribution.status == ContributionStatus.HIDDEN:
        return ContributionVersion.objects.none()
    return (
        ContributionVersion.objects.filter(contribution=contribution)
        .select_related("edited_by")
        .order_by("-number")
    )


def participant_card_list(*, consultation: Consultation) -> QuerySet[ParticipantCard]:
    return ParticipantCard.objects.filter(consultation=consultation).order_by("label", "id")


def participant_card_get(*, consultation: Consultation, card_id: int) -> ParticipantCard:
    card = ParticipantCard.objects.filter(consultation=consultation, pk=card_id).first()
    if card is None:
        raise errors.NotFound()
    return card
