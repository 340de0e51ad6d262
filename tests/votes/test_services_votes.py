"""vote_create: organizers only, published proposals of the consultation, known options."""

from collections.abc import Callable

import pytest

from backend.consultations.models import Consultation
from backend.core import errors
from backend.proposals.models import Contribution
from backend.votes.services import vote_create
from tests.fixtures.personas import Personas


def test_organizer_creates_a_vote(
    consultation: Consultation, people: Personas, items: list[int]
) -> None:
    vote = vote_create(
        by=people.organizer,
        consultation=consultation,
        title="Priorités",
        method="support",
        items=items,
        options={"max_supports": 2, "threshold": 10},
    )
    assert sorted(vote.items.values_list("pk", flat=True)) == sorted(items)
    assert vote.options == {"max_supports": 2, "threshold": 10}


@pytest.mark.parametrize("who", ["participant", "facilitator"])
def test_only_organizers(
    consultation: Consultation, people: Personas, items: list[int], who: str
) -> None:
    with pytest.raises(errors.PermissionDenied):
        vote_create(
            by=getattr(people, who),
            consultation=consultation,
            title="Priorités",
            method="approval",
            items=items,
        )


def test_items_and_options_are_checked(
    consultation: Consultation,
    make_consultation: Callable[..., Consultation],
    proposals_of: Callable[..., list[Contribution]],
    people: Personas,
    items: list[int],
) -> None:
    elsewhere = proposals_of(make_consultation(title="Ailleurs"), 1)[0]
    with pytest.raises(errors.ValidationFailed) as refused:
        vote_create(
            by=people.organizer,
            consultation=consultation,
            title="Priorités",
            method="dots",
            items=[items[0], elsewhere.pk],
            options={"max_supports": 3},
        )
    fields = refused.value.fields
    assert fields is not None
    assert {name: found[0]["code"] for name, found in fields.items()} == {
        "items.1": "not_votable",
        "options.max_supports": "unknown_option",
        "options.dot_budget": "required",
    }
