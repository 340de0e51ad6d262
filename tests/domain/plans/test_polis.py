"""The Pol.is tables: columns, latest reaction wins, counts consistent across the three files."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backend.plans.domain.polis import (
    COMMENTS_COLUMNS,
    MODERATED_IN,
    MODERATED_OUT,
    PARTICIPANTS_FIXED_COLUMNS,
    VOTES_COLUMNS,
    Reaction,
    Statement,
    latest_reactions,
    polis_tables,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


STATEMENTS = [
    Statement(id=11, created_at=at(0), author=7, moderated=MODERATED_IN, body="Des bornes"),
    Statement(id=12, created_at=at(1), author=8, moderated=MODERATED_OUT, body=""),
]


def test_hand_computed_tables() -> None:
    reactions = [
        Reaction(at=at(10), statement=11, participant=100, value=1),
        Reaction(at=at(11), statement=11, participant=100, value=-1),  # changes their mind
        Reaction(at=at(12), statement=12, participant=100, value=0),
        Reaction(at=at(13), statement=11, participant=7, value=1),
        Reaction(at=at(14), statement=99, participant=7, value=1),  # unknown statement
    ]
    tables = polis_tables(statements=STATEMENTS, reactions=reactions, groups={100: 0})
    assert tables.comments[0] == COMMENTS_COLUMNS
    assert tables.comments[1] == (
        int(at(0).timestamp()),
        "2026-06-01T09:00:00Z",
        11,
        7,
        1,
        1,
        MODERATED_IN,
        "Des bornes",
    )
    assert tables.comments[2][6:] == (MODERATED_OUT, "")
    assert tables.votes[0] == VOTES_COLUMNS
    assert [row[2:] for row in tables.votes[1:]] == [(11, 100, -1), (12, 100, 0), (11, 7, 1)]
    assert tables.participants_votes[0] == (*PARTICIPANTS_FIXED_COLUMNS, 11, 12)
    assert tables.participants_votes[1:] == (
        (7, "", 1, 1, 1, 0, 1, ""),
        (8, "", 1, 0, 0, 0, "", ""),
        (100, 0, 0, 2, 0, 1, -1, 0),
    )


def test_ties_in_time_do_not_depend_on_input_order() -> None:
    a = Reaction(at=at(1), statement=11, participant=1, value=1)
    b = Reaction(at=at(1), statement=11, participant=1, value=-1)
    assert latest_reactions([a, b]) == latest_reactions([b, a]) == [a]


def test_groups_are_computed_when_not_given() -> None:
    # Two camps of four on four statements: opposite answers everywhere.
    statements = [
        Statement(id=i, created_at=at(i), author=1, moderated=MODERATED_IN, body=f"s{i}")
        for i in range(1, 5)
    ]
    reactions = [
        Reaction(at=at(10), statement=s, participant=p, value=1 if p < 5 else -1)
        for p in range(1, 9)
        for s in range(1, 5)
    ]
    rows = polis_tables(statements=statements, reactions=reactions).participants_votes[1:]
    groups = {row[0]: row[1] for row in rows}
    assert groups[1] == groups[2] == groups[3] == groups[4]
    assert groups[5] == groups[6] == groups[7] == groups[8]
    assert groups[1] != groups[5]


reaction_lists = st.lists(
    st.builds(
        Reaction,
        at=st.integers(min_value=0, max_value=50).map(at),
        statement=st.sampled_from([11, 12]),
        participant=st.integers(min_value=1, max_value=6),
        value=st.sampled_from([1, -1, 0]),
    ),
    max_size=40,
)


@given(reaction_lists)
def test_the_three_files_agree(reactions: list[Reaction]) -> None:
    tables = polis_tables(statements=STATEMENTS, reactions=reactions, groups={})
    votes = tables.votes[1:]
    assert len({(row[2], row[3]) for row in votes}) == len(votes)  # one per voter and comment
    header = tables.participants_votes[0]
    for row in tables.participants_votes[1:]:
        cells = dict(zip(header, row, strict=True))
        mine = {r[2]: r[4] for r in votes if r[3] == cells["participant"]}
        assert cells["n-votes"] == len(mine)
        assert cells["n-agree"] == sum(1 for v in mine.values() if v == 1)
        assert cells["n-disagree"] == sum(1 for v in mine.values() if v == -1)
        for statement in (11, 12):
            assert cells[statement] == mine.get(statement, "")
    for row in tables.comments[1:]:
        on_it = [r[4] for r in votes if r[2] == row[2]]
        assert row[4] == on_it.count(1)
        assert row[5] == on_it.count(-1)
