"""Reads on programmes: lists, one programme, the organizers' progress dashboard."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.consultations.domain import schedule_at
from backend.consultations.models import Consultation, Phase
from backend.consultations.policies import phase_specs
from backend.core import errors
from backend.programmes.models import Programme, ProgrammeStatus
from backend.programmes.policies import (
    AnyUser,
    can_view_programme,
    can_view_programme_dashboard,
    is_signed_in,
)
from backend.programmes.selectors.data import round_infos
from backend.proposals.models import Contribution, ContributionStatus, Endorsement
from backend.synthesis.selectors import contributions_without_answer
from backend.territories.models import Territory


def programme_list(*, user: AnyUser) -> QuerySet[Programme]:
    """Published programmes, and the drafts the caller organizes (either kind) or all drafts
    for staff; newest first (one query)."""
    programmes = Programme.objects.select_related("territory").order_by("-created_at", "-id")
    if not is_signed_in(user):
        return programmes.filter(status=ProgrammeStatus.PUBLISHED)
    if getattr(user, "is_staff", False):
        return programmes
    return programmes.filter(
        Q(status=ProgrammeStatus.PUBLISHED)
        | Q(organizers__user=user)
        | Q(rounds__consultation__roles__user=user, rounds__consultation__roles__role="organizer")
    ).distinct()


def programme_find_visible(*, programme_id: int, user: AnyUser) -> Programme | None:
    """The programme if `user` may view it (one query and the policy), else None: what a
    websocket needs before it joins the programme's group."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None or not can_view_programme(user=user, obj=programme):
        return None
    return programme


def programme_get(*, programme_id: int, user: AnyUser) -> Programme:
    """One programme with its territory, partners and funders; NotFound if not visible."""
    programme = (
        Programme.objects.select_related("territory")
        .prefetch_related("partners__structure", "funders", "target_territories")
        .filter(pk=programme_id)
        .first()
    )
    if programme is None or not can_view_programme(user=user, obj=programme):
        raise errors.NotFound()
    return programme


def _distinct_by_round(rows: Any) -> dict[int, set[Any]]:
    out: dict[int, set[Any]] = {}
    for consultation_id, value in rows:
        if value is not None:
            out.setdefault(consultation_id, set()).add(value)
    return out


def programme_dashboard(*, programme: Programme, user: AnyUser) -> dict[str, Any]:
    """Each round's phase, contributions, participants (distinct authors and supporters),
    structures, answered share; the target territories without a round yet.

    Queries: eight, plus one per round for the answered share (the synthesis's
    `contributions_without_answer`, the same rule the plan applies). 403 unless the caller
    may see the dashboard (programme or territorial organizers, staff)."""
    if not can_view_programme_dashboard(user=user, obj=programme):
        raise errors.PermissionDenied()
    rounds = round_infos(programme)
    ids = [r.consultation for r in rounds]
    phases: dict[int, list[Phase]] = {}
    for phase in Phase.objects.filter(consultation_id__in=ids).order_by("position"):
        phases.setdefault(phase.consultation_id, []).append(phase)
    published = Contribution.objects.filter(
        consultation_id__in=ids, status=ContributionStatus.PUBLISHED
    )
    counts: dict[int, int] = {}
    people: dict[int, set[str]] = {}
    structures: dict[int, set[int]] = {}
    for consultation_id, author, card, structure in published.values_list(
        "consultation_id", "author_id", "author_card_id", "structure_id"
    ).iterator(chunk_size=5000):
        counts[consultation_id] = counts.get(consultation_id, 0) + 1
        key = f"u:{author}" if author is not None else f"c:{card}" if card is not None else None
        if key:
            people.setdefault(consultation_id, set()).add(key)
        if structure is not None:
            structures.setdefault(consultation_id, set()).add(structure)
    for consultation_id, user_id, card_id, structure in (
        Endorsement.objects.filter(contribution__consultation_id__in=ids)
        .values_list("contribution__consultation_id", "user_id", "card_id", "structure_id")
        .distinct()
    ):
        key = f"u:{user_id}" if user_id is not None else f"c:{card_id}"
        people.setdefault(consultation_id, set()).add(key)
        if structure is not None:
            structures.setdefault(consultation_id, set()).add(structure)
    now = timezone.now()
    rows = []
    for info in rounds:
        open_phase = schedule_at(phase_specs(phases.get(info.consultation, [])), now).open_phase
        total = counts.get(info.consultation, 0)
        unanswered = (
            contributions_without_answer(consultation=Consultation(pk=info.consultation)).count()
            if total
            else 0
        )
        rows.append(
            {
                "consultation": info.consultation,
                "title": info.title,
                "status": info.status,
                "is_pilot": info.is_pilot,
                "territory": {"id": info.territory.pk, "name": info.territory.name},
                "departement": info.departement.name if info.departement else None,
                "phase": open_phase.kind if open_phase else None,
                "phase_ends_at": open_phase.ends_at if open_phase else None,
                "contributions": total,
                "participants": len(people.get(info.consultation, ())),
                "structures": len(structures.get(info.consultation, ())),
                "answered": total - unanswered,
                "answered_share": round((total - unanswered) / total, 4) if total else None,
            }
        )
    covered_paths = [r.territory.path for r in rounds]
    missing = [
        {"id": t.pk, "name": t.name, "kind": t.kind, "insee_code": t.insee_code or None}
        for t in Territory.objects.filter(
            pk__in=programme.target_territories.values("pk")
        ).order_by("path")
        if not any(path.startswith(t.path) for path in covered_paths)
    ]
    return {
        "programme": programme.pk,
        "stage": programme.stage,
        "deadline": programme.deadline,
        "days_to_deadline": (programme.deadline - timezone.localdate()).days,
        "rounds": rows,
        "territories_without_round": missing,
    }
