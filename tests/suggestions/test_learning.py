"""Organizer merges feed the next suggestion run: kept merges link, undone merges separate."""

from collections.abc import Callable

import pytest

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions import services
from backend.suggestions.learning import merge_decisions
from backend.suggestions.models import SuggestionRun
from backend.suggestions.selectors import run_clusters
from backend.synthesis.services import contributions_merge, merge_undo
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.suggestions.conftest import PARAPHRASE

pytestmark = pytest.mark.django_db(transaction=True)


def ordered(first: int, second: int) -> tuple[int, int]:
    """A pair as merge decisions store it: the smaller id first."""
    return (min(first, second), max(first, second))


def test_kept_and_undone_merges_become_links_for_the_next_run(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
) -> None:
    paraphrase = publish(*PARAPHRASE)
    permanence, tablets, workshops = corpus[0], corpus[1], corpus[2]
    with in_phase(PhaseKind.SYNTHESIS):
        kept = contributions_merge(
            by=people.organizer,
            consultation=consultation,
            contribution_ids=[permanence.pk, paraphrase.pk],
            reason="Même demande",
        )
        contributions_merge(
            by=people.organizer,
            consultation=consultation,
            contribution_ids=[corpus[3].pk],
            into_cluster=kept.cluster,
            reason="Aussi",
        )
        undone = contributions_merge(
            by=people.facilitator,
            consultation=consultation,
            contribution_ids=[tablets.pk, workshops.pk],
            reason="Seniors à la médiathèque",
        )
        merge_undo(by=people.organizer, merge_entry=undone, reason="Deux actions différentes")

    decisions = {
        (d.first_id, d.second_id): d.accepted
        for d in merge_decisions(consultation_id=consultation.pk)
    }
    assert decisions[ordered(permanence.pk, paraphrase.pk)] is True
    assert decisions[(corpus[3].pk, permanence.pk)] is True  # added to the existing cluster
    assert decisions[(corpus[3].pk, paraphrase.pk)] is True
    assert decisions[ordered(tablets.pk, workshops.pk)] is False
    assert len(decisions) == 4

    # A strict threshold alone groups nothing; the kept merges still hold their members
    # together, and the undone pair is never suggested again, even with a loose threshold.
    strict = services.suggestion_run_start(
        by=people.organizer, consultation=consultation, threshold=0.99
    )
    strict = SuggestionRun.objects.get(pk=strict.pk)
    groups = [set(cluster["ids"]) for cluster in strict.result]
    assert {permanence.pk, paraphrase.pk, corpus[3].pk} in groups
    assert strict.calibration["must_link"] == 3
    assert strict.calibration["cannot_link"] == 1
    flagged = run_clusters(strict)[0]["already_merged_ids"]
    assert sorted(flagged) == sorted([permanence.pk, paraphrase.pk, corpus[3].pk])

    loose = services.suggestion_run_start(
        by=people.organizer, consultation=consultation, threshold=0.01
    )
    loose = SuggestionRun.objects.get(pk=loose.pk)
    assert not any({tablets.pk, workshops.pk} <= set(c["ids"]) for c in loose.result)
