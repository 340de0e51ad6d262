"""The plain ballot input and output of `PUT my-ballot` say exactly what the serializers say:
every body the plain path accepts gives the serializer's validated data, every other body
gets the serializer's errors; the output has the same keys, types and timestamps."""

from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework import serializers

from backend.votes.api.serializers import (
    BallotCastInput,
    BallotOutput,
    ballot_cast_input,
    ballot_data,
    ballot_output,
)
from backend.votes.models import BallotLine
from backend.votes.services import SMALLINT_MAX
from backend.votes.services.common import RETURNED_FIELDS

pytestmark = pytest.mark.django_db

# The common bodies, read by plain code.
PLAIN_BODIES: list[Any] = [
    {"choices": {"12": 3, "7": 0, "9": 6}},
    {"choices": {}},
    {"choices": {"12": 1}, "origin": "web"},
    {"choices": {"12": 1}, "origin": "paper"},
    {"choices": {"12": -SMALLINT_MAX, "13": SMALLINT_MAX}},
    {"choices": {"012": 1}},
    {"choices": {"1" * 18: 1}},
]
BODIES: list[Any] = [
    *PLAIN_BODIES,
    # Everything below goes to the serializer (valid or not).
    {"choices": {"12": SMALLINT_MAX + 1}},
    {"choices": {"12": -SMALLINT_MAX - 1}},
    {"choices": {"1" * 19: 1}},
    {"choices": {"12": True}},
    {"choices": {"12": 1.0}},
    {"choices": {"12": 1.5}},
    {"choices": {"12": "3"}},
    {"choices": {"12": None}},
    {"choices": {"douze": 1}},
    {"choices": {"": 1}},
    {"choices": {"-3": 1}},
    {"choices": {"²": 1}},
    {"choices": {"٣": 1}},
    {"choices": {"12 ": 1}},
    {"choices": [1, 2]},
    {"choices": None},
    {"choices": "12"},
    {},
    {"choices": {"12": 1}, "origin": "nowhere"},
    {"choices": {"12": 1}, "origin": ""},
    {"choices": {"12": 1}, "origin": None},
    {"choices": {"12": 1}, "origin": 3},
    {"choices": {"12": 1}, "structure": None},
    {"choices": {"12": 1}, "structure": 999999},
    {"choices": {"12": 1}, "voter": 3},
    [],
    "choices",
    None,
]


def _serializer(body: Any) -> dict[str, Any]:
    serializer = BallotCastInput(data=body)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@pytest.mark.parametrize("body", BODIES, ids=[repr(body)[:60] for body in BODIES])
def test_plain_ballot_input_agrees_with_the_serializer(body: Any) -> None:
    try:
        expected: Any = _serializer(body)
    except serializers.ValidationError as error:
        expected = error.detail
    try:
        got: Any = ballot_cast_input(body)
    except serializers.ValidationError as error:
        got = error.detail
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("body", PLAIN_BODIES, ids=[repr(body)[:60] for body in PLAIN_BODIES])
def test_the_common_bodies_never_build_the_serializer(
    body: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A body without `origin` (the usual one) once went to the serializer: the default origin
    # was the enum member, not its text.
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the serializer was built for a common body")

    monkeypatch.setattr("backend.votes.api.serializers.BallotCastInput", refuse)
    assert ballot_cast_input(body)["choices"] == {
        int(key): value for key, value in body["choices"].items()
    }


def test_item_ids_in_other_scripts_are_refused_not_crashed() -> None:
    for key in ("²", "٣"):
        with pytest.raises(serializers.ValidationError) as raised:
            ballot_cast_input({"choices": {key: 1}})
        assert raised.value.get_codes() == {"choices": ["invalid_item"]}


def _line(item: int, value: int, cast_at: datetime, updated_at: datetime) -> BallotLine:
    return BallotLine(
        vote_id=4,
        item_id=item,
        voter_user_id=8,
        value=value,
        origin="web",
        cast_at=cast_at,
        updated_at=updated_at,
        structure_id=None,
    )


def test_plain_ballot_output_is_the_serializers() -> None:
    lines = [
        _line(
            3,
            2,
            datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC),
            datetime(2026, 3, 2, tzinfo=UTC),
        ),
        _line(
            5, 6, datetime(2026, 2, 28, 23, 30, tzinfo=UTC), datetime(2026, 7, 1, 12, tzinfo=UTC)
        ),
    ]
    for chosen in (lines, []):
        expected = dict(BallotOutput(ballot_data(vote_id=4, lines=chosen)).data)
        assert ballot_output(vote_id=4, lines=chosen) == expected
    assert ballot_output(vote_id=4, lines=lines)["cast_at"] == "2026-03-01T00:30:00+01:00"


def test_returned_fields_follow_the_models_field_order() -> None:
    # ballot_cast reads its RETURNING rows with BallotLine.from_db, which takes them in order.
    assert list(RETURNED_FIELDS) == [field.attname for field in BallotLine._meta.concrete_fields]
