"""ballot_cast and ballot_withdraw: phase gate, replacement, rules, provenance, structures."""

from collections.abc import Callable

import pytest

from backend.core import errors
from backend.proposals.models import ParticipantCard
from backend.structures.models import StructureType
from backend.structures.services import structure_create
from backend.votes.models import BallotLine, Vote
from backend.votes.services import ballot_cast, ballot_withdraw
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree


def _lines(vote: Vote) -> dict[int, int]:
    return dict(BallotLine.objects.filter(vote=vote).values_list("item_id", "value"))


class TestPhaseGate:
    @pytest.mark.parametrize("fixture", ["in_synthesis", None])
    def test_refused_outside_the_vote_phase(
        self,
        request: pytest.FixtureRequest,
        vote: Vote,
        people: Personas,
        items: list[int],
        fixture: str | None,
    ) -> None:
        if fixture:
            request.getfixturevalue(fixture)
        with pytest.raises(errors.PhaseClosed) as closed:
            ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1})
        assert closed.value.code == "phase_closed"
        assert closed.value.details is not None
        assert closed.value.details["allowed_in"] == ["vote"]
        assert not BallotLine.objects.exists()

    def test_accepted_in_the_vote_phase(
        self, vote: Vote, people: Personas, items: list[int], in_vote: None
    ) -> None:
        ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1})
        assert _lines(vote) == {items[0]: 1}

    def test_refused_once_the_vote_is_closed(
        self, vote: Vote, people: Personas, items: list[int], in_vote: None
    ) -> None:
        Vote.objects.filter(pk=vote.pk).update(closed_at="2026-06-01T00:00:00Z")
        with pytest.raises(errors.PhaseClosed):
            ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1})


class TestReplacement:
    def test_the_last_ballot_counts(
        self, vote: Vote, people: Personas, items: list[int], in_vote: None
    ) -> None:
        ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1, items[1]: 1})
        ballot_cast(by=people.participant, vote=vote, choices={items[1]: 1, items[2]: 1})
        assert _lines(vote) == {items[1]: 1, items[2]: 1}
        assert BallotLine.objects.count() == 2

    def test_others_ballots_stay(
        self, vote: Vote, people: Personas, items: list[int], in_vote: None
    ) -> None:
        ballot_cast(by=people.outsider, vote=vote, choices={items[0]: 1})
        ballot_cast(by=people.participant, vote=vote, choices={items[1]: 1})
        ballot_cast(by=people.participant, vote=vote, choices={})
        assert list(BallotLine.objects.values_list("voter_user", "item_id")) == [
            (people.outsider.pk, items[0])
        ]

    def test_withdraw(self, vote: Vote, people: Personas, items: list[int], in_vote: None) -> None:
        ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1, items[1]: 1})
        assert ballot_withdraw(by=people.participant, vote=vote) == 2
        assert not BallotLine.objects.exists()


class TestRules:
    def test_grades_and_unknown_items(
        self, make_vote: Callable[..., Vote], people: Personas, items: list[int], in_vote: None
    ) -> None:
        vote = make_vote("majority_judgment")
        with pytest.raises(errors.ValidationFailed) as refused:
            ballot_cast(by=people.participant, vote=vote, choices={items[0]: 7, 999999: 1})
        assert refused.value.fields is not None
        assert refused.value.fields[f"choices.{items[0]}"][0]["code"] == "invalid_grade"
        assert refused.value.fields["choices.999999"][0]["code"] == "unknown_item"
        ballot_cast(by=people.participant, vote=vote, choices={items[0]: 0, items[1]: 6})
        assert _lines(vote) == {items[0]: 0, items[1]: 6}

    def test_dots_budget(
        self, make_vote: Callable[..., Vote], people: Personas, items: list[int], in_vote: None
    ) -> None:
        vote = make_vote("dots", options={"dot_budget": 5, "dot_max_per_item": 3})
        with pytest.raises(errors.ValidationFailed) as refused:
            ballot_cast(by=people.participant, vote=vote, choices={items[0]: 3, items[1]: 3})
        assert refused.value.fields is not None
        assert [error["code"] for error in refused.value.fields["choices"]] == ["over_budget"]
        ballot_cast(by=people.participant, vote=vote, choices={items[0]: 3, items[1]: 2})

    def test_max_supports(
        self, make_vote: Callable[..., Vote], people: Personas, items: list[int], in_vote: None
    ) -> None:
        vote = make_vote("support", options={"max_supports": 2})
        with pytest.raises(errors.ValidationFailed) as refused:
            ballot_cast(by=people.participant, vote=vote, choices=dict.fromkeys(items, 1))
        assert refused.value.fields is not None
        assert refused.value.fields["choices"][0]["code"] == "too_many_supports"

    def test_ranking_without_ties(
        self, make_vote: Callable[..., Vote], people: Personas, items: list[int], in_vote: None
    ) -> None:
        vote = make_vote("ranking")
        with pytest.raises(errors.ValidationFailed):
            ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1, items[1]: 1})
        ballot_cast(by=people.participant, vote=vote, choices={items[0]: 2, items[1]: 1})


class TestProvenance:
    @pytest.mark.parametrize("origin", ["paper", "workshop"])
    def test_participant_cannot_claim_paper(
        self, vote: Vote, people: Personas, items: list[int], in_vote: None, origin: str
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1}, origin=origin)

    def test_participant_cannot_speak_for_a_card(
        self, vote: Vote, people: Personas, card: ParticipantCard, items: list[int], in_vote: None
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            ballot_cast(
                by=people.participant, vote=vote, choices={items[0]: 1}, on_behalf_of_card=card
            )

    def test_facilitator_enters_a_card_ballot(
        self, vote: Vote, people: Personas, card: ParticipantCard, items: list[int], in_vote: None
    ) -> None:
        ballot_cast(
            by=people.facilitator,
            vote=vote,
            choices={items[0]: 1},
            on_behalf_of_card=card,
            origin="workshop",
            paper_reference="Atelier Villeneuve 12/05",
        )
        line = BallotLine.objects.get()
        assert (line.voter_user_id, line.voter_card_id, line.entered_by_id) == (
            None,
            card.pk,
            people.facilitator.pk,
        )
        assert (line.origin, line.paper_reference) == ("workshop", "Atelier Villeneuve 12/05")


class TestStructure:
    def test_member_only(
        self, vote: Vote, people: Personas, tree: Tree, items: list[int], in_vote: None
    ) -> None:
        structure = structure_create(
            creator=people.outsider,
            name="Maison des habitants",
            type=StructureType.CENTRE_SOCIAL,
            territory=tree.grenoble,
        )
        with pytest.raises(errors.ValidationFailed) as refused:
            ballot_cast(
                by=people.participant, vote=vote, choices={items[0]: 1}, structure=structure
            )
        assert refused.value.fields is not None
        assert refused.value.fields["structure"][0]["code"] == "not_a_member"
        ballot_cast(by=people.outsider, vote=vote, choices={items[0]: 1}, structure=structure)
        assert BallotLine.objects.get().structure_id == structure.pk
