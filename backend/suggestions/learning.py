"""Learning from organizer decisions: merges kept count as accepted pairs, undone ones as
rejected pairs, fed to the engine's `calibrate` for the next run's threshold and overrides."""

import itertools
from collections.abc import Sequence

from django.apps import apps

from backend.synthesis.domain import Calibration, Decision, Doc, build_index, calibrate


def merge_decisions(*, consultation_id: int) -> list[Decision]:
    """Pairs of contributions an organizer merged (accepted) or merged then split (rejected),
    oldest first; none when the synthesis app is not installed."""
    if not apps.is_installed("backend.synthesis"):
        return []
    entry_model = apps.get_model("synthesis", "MergeLogEntry")
    merges = (
        entry_model.objects.filter(consultation_id=consultation_id, kind="merge")
        .order_by("at", "id")
        .prefetch_related("contributions")
    )
    undone = set(
        entry_model.objects.filter(consultation_id=consultation_id, kind="split").values_list(
            "undoes_id", flat=True
        )
    )
    decisions: list[Decision] = []
    for merge in merges:
        ids = sorted(contribution.pk for contribution in merge.contributions.all())
        for first, second in itertools.combinations(ids, 2):
            decisions.append(Decision(first, second, accepted=merge.pk not in undone))
    return decisions


def calibration_for(*, consultation_id: int, docs: Sequence[Doc]) -> Calibration | None:
    """The engine's calibration from this consultation's decisions, or None without any."""
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
    return calibrate(decisions, index.similarity)
