"""Learning from organizer decisions: merges kept count as accepted pairs, undone ones as
rejected pairs, fed to the engine's `calibrate` for the next run's threshold and overrides."""

import itertools
from collections.abc import Sequence

from backend.synthesis.domain import Calibration, Decision, Doc, build_index, calibrate
from backend.synthesis.models import MergeLogEntry


def merge_decisions(*, consultation_id: int) -> list[Decision]:
    """Pairs of contributions an organizer merged (accepted) or merged then split (rejected),
    oldest first.

    A merge into an existing cluster pairs each added contribution with the members that
    earlier merges (not undone) brought into that cluster.
    """
    merges = (
        MergeLogEntry.objects.filter(consultation_id=consultation_id, kind="merge")
        .order_by("at", "id")
        .prefetch_related("contributions")
    )
    undone = set(
        MergeLogEntry.objects.filter(consultation_id=consultation_id, kind="split").values_list(
            "undoes_id", flat=True
        )
    )
    decisions: list[Decision] = []
    kept_members: dict[int, list[int]] = {}
    for merge in merges:
        added = sorted(contribution.pk for contribution in merge.contributions.all())
        earlier = kept_members.get(merge.cluster_id, [])
        accepted = merge.pk not in undone
        pairs = [*itertools.combinations(added, 2), *itertools.product(added, earlier)]
        decisions.extend(Decision(first, second, accepted=accepted) for first, second in pairs)
        if accepted:
            kept_members.setdefault(merge.cluster_id, []).extend(added)
    return decisions


def calibration_for(
    *, consultation_id: int, docs: Sequence[Doc], threshold: float
) -> Calibration | None:
    """The engine's calibration from this consultation's decisions, or None without any.

    `threshold` (the one asked for) is where the calibration starts: with enough decisions
    of both kinds the engine moves it by at most 0.1; the overrides apply in any case.
    """
    present = {doc.id for doc in docs}
    decisions = [
        decision
        for decision in merge_decisions(consultation_id=consultation_id)
        if decision.first_id in present and decision.second_id in present
    ]
    if not decisions:
        return None
    # Cosines in the space of the whole consultation (IDF over every document): a second fit,
    # paid only by consultations where organizers already decided merges.
    index = build_index(docs)
    return calibrate(decisions, index.similarity, default_threshold=threshold)
