"""Candidate actions: creation, edits, their sources and the organizers' decision."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.models import Consultation, Theme
from backend.core import errors
from backend.core.domain_events import DomainEvent, publish_on_commit
from backend.core.realtime import consultation_group
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.proposals.models import Contribution, ContributionKind
from backend.synthesis.models import (
    ANSWER_MAX_LENGTH,
    DECISIONS_NEEDING_AN_ANSWER,
    DESCRIPTION_MAX_LENGTH,
    JUSTIFICATION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ActionSource,
    CandidateAction,
    Cluster,
    Decision,
    SourceRelation,
)
from backend.synthesis.policies import ensure_can_decide, ensure_can_merge
from backend.synthesis.services.common import (
    MAX_SOURCES,
    MAX_TERRITORIES,
    _lock_contributions,
    _unique_ids,
)
from backend.territories.models import Territory


def _action_event(*, event: str, action: CandidateAction) -> None:
    """`candidate_action.*`, a domain event after commit: to the consultation group and to
    in-process subscribers (the notifications app tells the contributors)."""
    publish_on_commit(
        DomainEvent(
            name=event,
            data={
                "id": action.pk,
                "consultation": action.consultation_id,
                "decision": action.decision,
            },
            groups=(consultation_group(action.consultation_id),),
        )
    )


def _check_themes(fields: FieldErrors, consultation: Consultation, themes: Sequence[str]) -> None:
    allowed = set(consultation.themes or Theme.values)
    for theme in themes:
        if theme not in allowed:
            field_error(
                fields,
                "themes",
                "invalid_choice",
                _("“%(theme)s” is not a theme of this consultation.") % {"theme": theme},
            )


def _territories(
    fields: FieldErrors, consultation: Consultation, territory_ids: Sequence[int]
) -> list[Territory]:
    ids = _unique_ids(territory_ids)
    if len(ids) > MAX_TERRITORIES:
        field_error(
            fields,
            "territories",
            "too_many",
            _("At most %(limit)d territories.") % {"limit": MAX_TERRITORIES},
        )
        return []
    found = {t.pk: t for t in Territory.objects.filter(pk__in=ids)}
    root = consultation.territory.path
    for pk in ids:
        territory = found.get(pk)
        if territory is None or not territory.path.startswith(root):
            field_error(
                fields,
                "territories",
                "not_found",
                _("Territory %(id)d is not within the consultation's territory.") % {"id": pk},
            )
    return [found[pk] for pk in ids if pk in found]


def _relation_for(contribution: Contribution) -> str:
    if contribution.kind == ContributionKind.PROBLEM:
        return SourceRelation.ANSWERS_PROBLEM
    return SourceRelation.COMES_FROM


def _check_action_text(
    fields: FieldErrors,
    *,
    title: str | None,
    description: str | None,
    easy_read_summary: str | None,
) -> None:
    if title is not None:
        check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    if description is not None:
        check_text(fields, "description", description, limit=DESCRIPTION_MAX_LENGTH, blank=True)
    if easy_read_summary is not None:
        check_text(
            fields, "easy_read_summary", easy_read_summary, limit=SUMMARY_MAX_LENGTH, blank=True
        )


@transaction.atomic
def candidate_action_create(
    *,
    by: User,
    consultation: Consultation,
    title: str,
    description: str = "",
    easy_read_summary: str = "",
    themes: Sequence[str] = (),
    territory_ids: Sequence[int] = (),
    cluster_ids: Sequence[int] = (),
    contribution_ids: Sequence[int] = (),
) -> CandidateAction:
    """Write a candidate action by hand, or build it from clusters (`cluster_ids`: the
    cluster and each of its active members become sources) and contributions.

    Gate: MERGE. Sources from a problem answer it (`answers_problem`), from a proposal come
    from it (`comes_from`). Side effect after commit: `candidate_action.created`.
    """
    ensure_can_merge(user=by, consultation=consultation)
    fields: FieldErrors = {}
    _check_action_text(
        fields, title=title, description=description, easy_read_summary=easy_read_summary
    )
    _check_themes(fields, consultation, themes)
    territories = _territories(fields, consultation, territory_ids)
    clusters = list(
        Cluster.objects.filter(pk__in=_unique_ids(cluster_ids)).prefetch_related("members")
    )
    found = {c.pk for c in clusters if c.consultation_id == consultation.pk}
    for pk in _unique_ids(cluster_ids):
        if pk not in found:
            field_error(
                fields,
                "clusters",
                "not_found",
                _("Cluster %(id)d is not part of this consultation.") % {"id": pk},
            )
    ids = _unique_ids(contribution_ids)
    if len(ids) + len(clusters) > MAX_SOURCES:
        field_error(fields, "contributions", "too_many", _("Too many sources at once."))
    contributions = _lock_contributions(
        fields, name="contributions", consultation=consultation, ids=ids
    )
    raise_if_errors(fields)
    member_ids: list[int] = []
    for cluster in clusters:
        active = [m.contribution_id for m in cluster.members.all() if m.removed_at is None]
        if not active:
            raise errors.ClusterDissolved(details={"cluster": cluster.pk})
        member_ids += active
    now = timezone.now()
    action = CandidateAction.objects.create(
        consultation=consultation,
        title=title.strip(),
        description=description,
        easy_read_summary=easy_read_summary,
        themes=list(dict.fromkeys(themes)),
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    action.territories.set(territories)
    members = Contribution.objects.filter(pk__in=member_ids).only("id", "kind")
    by_id = {c.pk: c for c in [*contributions, *members]}
    sources = [
        ActionSource(
            action=action,
            cluster=cluster,
            relation=SourceRelation.COMES_FROM,
            created_by=by,
            created_at=now,
        )
        for cluster in clusters
    ] + [
        ActionSource(
            action=action,
            contribution=contribution,
            relation=_relation_for(contribution),
            created_by=by,
            created_at=now,
        )
        for contribution in by_id.values()
    ]
    ActionSource.objects.bulk_create(sources)
    _action_event(event="candidate_action.created", action=action)
    return action


def _lock_action(action: CandidateAction) -> CandidateAction:
    return (
        CandidateAction.objects.select_for_update(of=("self",))
        .select_related("consultation__territory")
        .get(pk=action.pk)
    )


@transaction.atomic
def candidate_action_update(
    *,
    by: User,
    action: CandidateAction,
    title: str | None = None,
    description: str | None = None,
    easy_read_summary: str | None = None,
    themes: Sequence[str] | None = None,
    territory_ids: Sequence[int] | None = None,
) -> CandidateAction:
    """Change an action's text, themes or territories (only the given fields).

    Gate: MERGE. Lock: the action row. Side effect after commit: `candidate_action.updated`.
    """
    action = _lock_action(action)
    consultation = action.consultation
    ensure_can_merge(user=by, consultation=consultation)
    fields: FieldErrors = {}
    _check_action_text(
        fields, title=title, description=description, easy_read_summary=easy_read_summary
    )
    if themes is not None:
        _check_themes(fields, consultation, themes)
    territories = (
        _territories(fields, consultation, territory_ids) if territory_ids is not None else None
    )
    raise_if_errors(fields)
    if title is not None:
        action.title = title.strip()
    if description is not None:
        action.description = description
    if easy_read_summary is not None:
        action.easy_read_summary = easy_read_summary
    if themes is not None:
        action.themes = list(dict.fromkeys(themes))
    action.updated_at = timezone.now()
    action.save()
    if territories is not None:
        action.territories.set(territories)
    _action_event(event="candidate_action.updated", action=action)
    return action


@transaction.atomic
def action_source_add(
    *,
    by: User,
    action: CandidateAction,
    relation: str,
    contribution_id: int | None = None,
    cluster_id: int | None = None,
    justification: str = "",
) -> ActionSource:
    """Link a contribution or a cluster to an action (by hand), with an optional
    justification. Exactly one of `contribution_id`, `cluster_id`. A link that exists is
    updated (relation, justification): linking is idempotent.

    Gate: MERGE. Lock: the action row. Side effect after commit: `candidate_action.updated`.
    """
    action = _lock_action(action)
    consultation = action.consultation
    ensure_can_merge(user=by, consultation=consultation)
    fields: FieldErrors = {}
    check_text(fields, "justification", justification, limit=JUSTIFICATION_MAX_LENGTH, blank=True)
    if relation not in SourceRelation.values:
        field_error(fields, "relation", "invalid_choice", _("Unknown relation."))
    if (contribution_id is None) == (cluster_id is None):
        field_error(
            fields,
            "non_field_errors",
            "one_target",
            _("Give either a contribution or a cluster."),
        )
    raise_if_errors(fields)
    lookup: dict[str, Any]
    if contribution_id is not None:
        (contribution,) = _lock_contributions(
            fields, name="contribution", consultation=consultation, ids=[contribution_id]
        ) or (None,)
        raise_if_errors(fields)
        lookup = {"contribution": contribution}
    else:
        cluster = Cluster.objects.filter(pk=cluster_id or 0, consultation=consultation).first()
        if cluster is None:
            field_error(
                fields, "cluster", "not_found", _("This cluster is not part of this consultation.")
            )
            raise_if_errors(fields)
        lookup = {"cluster": cluster}
    source, _created = ActionSource.objects.update_or_create(
        action=action,
        **lookup,
        defaults={"relation": relation, "justification": justification.strip()},
        create_defaults={
            "relation": relation,
            "justification": justification.strip(),
            "created_by": by,
        },
    )
    CandidateAction.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    _action_event(event="candidate_action.updated", action=action)
    return source


@transaction.atomic
def action_source_remove(*, by: User, source: ActionSource) -> None:
    """Unlink a source from its action. Gate: MERGE. Lock: the action row. Side effect after
    commit: `candidate_action.updated`."""
    action = _lock_action(source.action)
    ensure_can_merge(user=by, consultation=action.consultation)
    ActionSource.objects.filter(pk=source.pk).delete()
    CandidateAction.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    _action_event(event="candidate_action.updated", action=action)


@transaction.atomic
def candidate_action_decide(
    *, by: User, action: CandidateAction, decision: str, public_answer: str = ""
) -> CandidateAction:
    """Record the organizers' decision on an action and its public answer (required for
    `not_retained` and `retained_with_changes`). Back to `pending` clears the decision.

    Gate: MERGE and the organizer role (facilitators draft, organizers decide). Lock: the
    action row. Side effect after commit: `candidate_action.decided`.
    """
    action = _lock_action(action)
    ensure_can_decide(user=by, consultation=action.consultation)
    fields: FieldErrors = {}
    if decision not in Decision.values:
        field_error(fields, "decision", "invalid_choice", _("Unknown decision."))
    check_text(fields, "public_answer", public_answer, limit=ANSWER_MAX_LENGTH, blank=True)
    if decision in DECISIONS_NEEDING_AN_ANSWER and not public_answer.strip():
        field_error(
            fields,
            "public_answer",
            "required",
            _("This decision must be explained to the public."),
        )
    raise_if_errors(fields)
    now = timezone.now()
    action.decision = decision
    action.public_answer = public_answer.strip()
    pending = decision == Decision.PENDING
    action.decided_at = None if pending else now
    action.decided_by = None if pending else by
    action.updated_at = now
    action.save()
    _action_event(event="candidate_action.decided", action=action)
    return action
