"""paper_ballots_import: all or nothing, every bad line reported with its number."""

from collections.abc import Callable
from typing import Any

import pytest

from backend.consultations.domain import PhaseKind
from backend.core import errors
from backend.proposals.models import ParticipantCard
from backend.proposals.services import participant_card_create
from backend.votes.models import BallotLine, Vote
from backend.votes.services import paper_ballots_import
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase


@pytest.fixture
def cards(vote: Vote, people: Personas) -> list[ParticipantCard]:
    with in_phase(PhaseKind.DIAGNOSTIC):
        return [
            participant_card_create(
                by=people.facilitator,
                consultation=vote.consultation,
                label=f"Carte {n}",
                consent_given=True,
                consent_note="oral",
            )
            for n in range(1, 51)
        ]


def _sheet(cards: list[ParticipantCard], items: list[int]) -> list[dict[str, Any]]:
    """Every card approves every item: 150 lines."""
    return [
        {
            "card": card.pk,
            "item": item,
            "value": 1,
            "paper_reference": "Feuille 3",
            "captured_at": "2026-05-26T10:00:00+02:00",
        }
        for card in cards
        for item in items
    ]


def test_a_good_sheet_is_recorded(
    vote: Vote,
    people: Personas,
    cards: list[ParticipantCard],
    items: list[int],
    in_vote: None,
) -> None:
    result = paper_ballots_import(by=people.facilitator, vote=vote, lines=_sheet(cards, items))
    assert (result.lines, result.cards) == (150, 50)
    assert BallotLine.objects.filter(vote=vote, origin="paper").count() == 150
    line = BallotLine.objects.filter(vote=vote).first()
    assert line is not None
    assert (line.paper_reference, line.entered_by_id) == ("Feuille 3", people.facilitator.pk)
    # Entering the same sheet again replaces, never duplicates.
    paper_ballots_import(by=people.facilitator, vote=vote, lines=_sheet(cards, items))
    assert BallotLine.objects.filter(vote=vote).count() == 150


def test_every_bad_line_is_reported_and_nothing_written(
    vote: Vote,
    people: Personas,
    cards: list[ParticipantCard],
    items: list[int],
    in_vote: None,
) -> None:
    lines = _sheet(cards, items)
    lines[3]["value"] = 2  # approval is 1
    lines[17]["card"] = 999999
    lines[42]["item"] = 999999
    lines[60]["captured_at"] = "hier"
    lines[61] = {"card_label": "Carte 2", "item": items[0], "value": 1}  # duplicates line 3
    lines[99]["value"] = "un"
    lines[120]["colour"] = "red"
    with pytest.raises(errors.ValidationFailed) as refused:
        paper_ballots_import(by=people.facilitator, vote=vote, lines=lines)
    fields = refused.value.fields
    assert fields is not None
    assert {name: [error["code"] for error in found] for name, found in fields.items()} == {
        "lines.3.value": ["invalid_value"],
        "lines.17.card": ["unknown_card"],
        "lines.42.item": ["unknown_item"],
        "lines.60.captured_at": ["invalid"],
        "lines.61.item": ["duplicate"],
        "lines.99.value": ["invalid"],
        "lines.120.colour": ["unknown_field"],
    }
    assert refused.value.details == {"bad_lines": [4, 18, 43, 61, 62, 100, 121]}
    assert not BallotLine.objects.exists()


def test_each_cards_whole_ballot_is_checked(
    make_vote: Callable[..., Vote],
    people: Personas,
    cards: list[ParticipantCard],
    items: list[int],
    in_vote: None,
) -> None:
    vote = make_vote("dots", options={"dot_budget": 4})
    lines = [
        {"card": cards[0].pk, "item": items[0], "value": 2},
        {"card": cards[0].pk, "item": items[1], "value": 3},
        {"card": cards[1].pk, "item": items[0], "value": 4},
    ]
    with pytest.raises(errors.ValidationFailed) as refused:
        paper_ballots_import(by=people.facilitator, vote=vote, lines=lines)
    assert refused.value.fields is not None
    assert sorted(refused.value.fields) == ["lines.0.value", "lines.1.value"]
    assert refused.value.fields["lines.0.value"][0]["code"] == "over_budget"


def test_participants_and_closed_phases_are_refused(
    vote: Vote, people: Personas, cards: list[ParticipantCard], items: list[int]
) -> None:
    lines = _sheet(cards[:1], items)
    in_vote = in_phase(PhaseKind.VOTE)
    with in_vote, pytest.raises(errors.PermissionDenied):
        paper_ballots_import(by=people.participant, vote=vote, lines=lines)
    in_synthesis = in_phase(PhaseKind.SYNTHESIS)
    with in_synthesis, pytest.raises(errors.PhaseClosed):
        paper_ballots_import(by=people.facilitator, vote=vote, lines=lines)
