"""The open-data state key: a counter per consultation kept by deferred triggers on every table
the archive reads. Every write that changes the archive moves it; reading it is one query."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.comments.services import comment_create, comment_delete, comment_edit
from backend.consultations.domain import PhaseKind
from backend.consultations.services import consultation_update
from backend.core.models import PseudonymKey
from backend.core.pseudonyms import author_scope
from backend.moderation.services import content_hide, content_restore
from backend.plans.models import OpenDataVersion
from backend.plans.selectors.artifacts import open_data_state
from backend.plans.selectors.opendata import open_data_archive
from backend.plans.services import plan_publish
from backend.proposals.models import Contribution
from backend.proposals.services import (
    contribution_create,
    contribution_edit,
    contribution_withdraw,
    endorsement_add,
)
from backend.structures.services import structure_create, structure_verify
from backend.territories.services import territory_create
from backend.votes.services import ballot_cast, vote_close, vote_create
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.fixtures.territories import Tree
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db

# Tables the archive reads whose writes need not move the key, and why.
NOT_WATCHED = {
    # Only the lines of closed votes are read (Pol.is files), and those no longer change:
    # closing the vote moves the counter. A trigger here would tax every ballot.
    "votes_ballotline": "lines of closed votes only",
}


def watched_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
            ["%\\_open\\_data\\_bump"],
        )
        return {row[0] for row in cursor.fetchall()}


def test_every_table_the_archive_reads_moves_the_key(built: Built) -> None:
    """Fails when the archive starts reading a table no trigger watches."""
    with CaptureQueriesContext(connection) as queries:
        open_data_archive(consultation=built.consultation)
    read = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"])
    }
    assert "proposals_contribution" in read
    assert "comments_comment" in read
    assert read - set(NOT_WATCHED) <= watched_tables(), read - watched_tables()


def test_reading_the_key_is_one_query(built: Built) -> None:
    with CaptureQueriesContext(connection) as queries:
        open_data_state(consultation=built.consultation)
    assert len(queries) == 1


Write = Callable[[Built, Personas, Tree], Any]


def _proposal(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.PROPOSALS):
        return contribution_create(
            by=people.participant,
            consultation=built.consultation,
            kind="proposal",
            title="Un atelier de plus",
            body="Le samedi matin.",
            origin="web",
            theme="equipement",
        )


def _edit(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.PROPOSALS):
        proposal = _proposal(built, people, _tree)
    key = open_data_state(consultation=built.consultation).key
    with in_phase(PhaseKind.PROPOSALS):
        contribution_edit(by=people.participant, contribution=proposal, title="Deux ateliers")
    return key


def _withdraw(built: Built, people: Personas, _tree: Tree) -> Any:
    proposal = _proposal(built, people, _tree)
    key = open_data_state(consultation=built.consultation).key
    with in_phase(PhaseKind.PROPOSALS):
        contribution_withdraw(by=people.participant, contribution=proposal)
    return key


def _endorse(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.PROPOSALS):
        endorsement_add(by=people.outsider, contribution=built.problem)


def _comment(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.DELIBERATION):
        comment_create(by=people.participant, contribution=built.proposals[1], body="Oui")


def _comment_edit(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.DELIBERATION):
        comment = comment_create(by=people.participant, contribution=built.proposals[1], body="A")
        key = open_data_state(consultation=built.consultation).key
        comment_edit(by=people.participant, comment=comment, body="B")
    return key


def _comment_delete(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.DELIBERATION):
        comment = comment_create(by=people.participant, contribution=built.proposals[1], body="A")
        key = open_data_state(consultation=built.consultation).key
        comment_delete(by=people.participant, comment=comment)
    return key


def _hide(built: Built, people: Personas, _tree: Tree) -> Any:
    content_hide(by=people.moderator, contribution=built.proposals[3], reason="Hors sujet")


def _restore(built: Built, people: Personas, _tree: Tree) -> Any:
    content_restore(by=people.moderator, comment=built.comments[1], reason="Finalement correct")


def _vote(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.VOTE):
        vote_create(
            by=people.organizer,
            consultation=built.consultation,
            title="Encore une question",
            method="support",
            items=[built.proposals[0].pk],
            options={},
        )


def _vote_close(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.VOTE):
        vote = vote_create(
            by=people.organizer,
            consultation=built.consultation,
            title="Encore une question",
            method="agree",
            items=[built.proposals[0].pk],
            options={},
        )
        ballot_cast(by=people.participant, vote=vote, choices={built.proposals[0].pk: 1})
        key = open_data_state(consultation=built.consultation).key
        vote_close(by=people.organizer, vote=vote)
    return key


def _publish(built: Built, people: Personas, _tree: Tree) -> Any:
    with in_phase(PhaseKind.RESTITUTION):
        plan_publish(by=people.organizer, consultation=built.consultation)


def _consultation(built: Built, people: Personas, _tree: Tree) -> Any:
    consultation_update(by=people.organizer, consultation=built.consultation, title="Nouveau")


def _territory(built: Built, _people: Personas, tree: Tree) -> Any:
    territory_create(kind="quartier", name="Nouveau quartier", parent=tree.grenoble)


def _structure(built: Built, people: Personas, tree: Tree) -> Any:
    structure = structure_create(
        creator=people.participant, name="Le Fil", type="association", territory=tree.grenoble
    )
    key = open_data_state(consultation=built.consultation).key
    structure_verify(structure=structure, by=people.staff)
    return key


WRITES: dict[str, Write] = {
    "a contribution published": _proposal,
    "a contribution edited": _edit,
    "a contribution withdrawn": _withdraw,
    "an endorsement (the stored count)": _endorse,
    "a comment": _comment,
    "a comment edited": _comment_edit,
    "a comment deleted": _comment_delete,
    "a contribution hidden": _hide,
    "a comment restored": _restore,
    "a vote created": _vote,
    "a vote closed": _vote_close,
    "a plan version published": _publish,
    "the consultation edited": _consultation,
    "a territory created": _territory,
    "a structure verified": _structure,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_the_archive_shows_moves_the_key(
    built: Built, people: Personas, tree: Tree, write: Write
) -> None:
    archive = open_data_archive(consultation=built.consultation).content
    before = open_data_state(consultation=built.consultation).key
    returned = write(built, people, tree)
    if isinstance(returned, str):
        before = returned  # the key just before the write itself (after its set-up)
    assert open_data_state(consultation=built.consultation).key != before
    built.consultation.refresh_from_db()
    if write not in (_territory, _structure, _vote):
        # (a territory or a structure no contribution names, and a vote without a closed
        # ballot file, move the key without changing these bytes)
        assert open_data_archive(consultation=built.consultation).content != archive


def test_re_keying_pseudonyms_moves_every_key(built: Built) -> None:
    open_data_archive(consultation=built.consultation)  # creates the keys: the key stays
    before = open_data_state(consultation=built.consultation).key
    PseudonymKey.objects.filter(scope=author_scope(built.consultation.pk)).delete()
    assert open_data_state(consultation=built.consultation).key != before


def test_a_ballot_on_an_open_vote_leaves_the_key(built: Built, people: Personas) -> None:
    with in_phase(PhaseKind.VOTE):
        vote = vote_create(
            by=people.organizer,
            consultation=built.consultation,
            title="Encore une question",
            method="support",
            items=[built.proposals[0].pk],
            options={},
        )
        before = open_data_state(consultation=built.consultation).key
        ballot_cast(by=people.participant, vote=vote, choices={built.proposals[0].pk: 1})
    assert open_data_state(consultation=built.consultation).key == before


def test_another_consultation_does_not_move_the_key(
    built: Built, people: Personas, make_consultation: Any
) -> None:
    before = open_data_state(consultation=built.consultation).key
    other = make_consultation()
    consultation_update(by=people.organizer, consultation=other, title="Autre")
    assert open_data_state(consultation=built.consultation).key == before


def test_a_bulk_write_moves_the_counter_once_per_transaction(built: Built) -> None:
    """N rows written in one transaction make one new version of the counter row, not N (a
    100,000-row load would otherwise stack 100,000 versions of one row at commit)."""
    counter = OpenDataVersion.objects.get(consultation_id=built.consultation.pk)
    updated = Contribution.objects.filter(consultation=built.consultation).update(theme="autre")
    assert updated > 1
    counter_after = OpenDataVersion.objects.get(consultation_id=built.consultation.pk)
    assert counter_after.version == counter.version + 1
