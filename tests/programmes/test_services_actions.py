"""Regional actions: consolidation of territorial actions, links, roll-ups, decisions."""

import pytest

from backend.core import errors
from backend.programmes.models import RegionalActionSource
from backend.programmes.selectors import regional_action_audience, regional_action_figures
from backend.programmes.services import (
    regional_action_create,
    regional_action_decide,
    regional_source_link,
    regional_source_unlink,
)
from tests.programmes.conftest import Region

pytestmark = pytest.mark.django_db


def test_consolidating_two_rounds_rolls_up_people_structures_and_territories(
    region: Region,
) -> None:
    action = regional_action_create(
        by=region.organizer,
        programme=region.programme,
        title="Un réseau régional de permanences d'aide aux démarches",
        themes=["logement", "emploi"],
        candidate_action_ids=[region.actions["g_help"].pk, region.actions["l_help"].pk],
        justification="Les deux territoires demandent la même aide humaine.",
    )
    figures = regional_action_figures(programme=region.programme)[action.pk]
    assert figures["contributions"] == 4
    assert figures["territorial_actions"] == 2
    assert figures["territories_raised"] == 2
    # Authors: participant and outsider (in both rounds); supporters: 3 people, the first of
    # whom supported in both territories (counted once).
    assert figures["distinct_contributors"] == 2
    assert figures["distinct_supporters"] == 3
    assert figures["distinct_people"] == 5
    assert figures["distinct_structures"] == 2
    assert figures["support_by_structure_type"] == {"association": 1, "ccas": 1}
    assert figures["support_by_round"] == {
        str(region.grenoble.pk): 2,
        str(region.lyon.pk): 2,
    }
    audience = regional_action_audience(action_ids=[action.pk])[action.pk]
    assert len(audience["authors"]) == 2
    assert len(audience["supporters"]) == 3


def test_territorial_organizer_links_only_their_own_round(region: Region) -> None:
    action = regional_action_create(
        by=region.organizer, programme=region.programme, title="Permanences"
    )
    regional_source_link(
        by=region.lyon_organizer, action=action, candidate_action_id=region.actions["l_help"].pk
    )
    with pytest.raises(errors.PermissionDenied):
        regional_source_link(
            by=region.lyon_organizer,
            action=action,
            candidate_action_id=region.actions["g_help"].pk,
        )
    with pytest.raises(errors.SourceAlreadyLinked):
        regional_source_link(
            by=region.organizer, action=action, candidate_action_id=region.actions["l_help"].pk
        )


def test_unlinking_keeps_the_row_and_the_reason(region: Region) -> None:
    action = regional_action_create(
        by=region.organizer,
        programme=region.programme,
        title="Permanences",
        candidate_action_ids=[region.actions["g_help"].pk],
    )
    source = RegionalActionSource.objects.get(action=action)
    regional_source_unlink(by=region.organizer, source=source, reason="Doublon avec une autre.")
    source.refresh_from_db()
    assert source.removed_at is not None
    assert source.removal_reason == "Doublon avec une autre."
    assert regional_action_figures(programme=region.programme)[action.pk]["contributions"] == 0
    # Linking again after an unlink is allowed (the old row stays in the log).
    regional_source_link(
        by=region.organizer, action=action, candidate_action_id=region.actions["g_help"].pk
    )
    assert RegionalActionSource.objects.filter(action=action).count() == 2


def test_a_source_outside_the_programme_is_refused(
    region: Region, make_consultation: object
) -> None:
    action = regional_action_create(by=region.organizer, programme=region.programme, title="X")
    with pytest.raises(errors.ValidationFailed) as caught:
        regional_source_link(by=region.organizer, action=action, candidate_action_id=999999)
    assert caught.value.fields is not None
    assert caught.value.fields["candidate_action"][0]["code"] == "not_in_programme"


def test_not_retaining_needs_a_public_answer(region: Region) -> None:
    action = regional_action_create(by=region.organizer, programme=region.programme, title="X")
    with pytest.raises(errors.ValidationFailed):
        regional_action_decide(by=region.organizer, action=action, decision="not_retained")
    decided = regional_action_decide(
        by=region.organizer,
        action=action,
        decision="not_retained",
        public_answer="Déjà couvert par le plan national.",
    )
    assert decided.decided_at is not None
