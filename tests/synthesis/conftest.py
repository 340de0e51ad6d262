"""Synthesis fixtures: a consultation with problems, proposals, endorsements and a support
vote, built through the real services."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create, endorsement_add
from backend.structures.models import Structure
from backend.structures.services import membership_add, structure_create, structure_verify
from backend.votes.models import Vote
from backend.votes.services import ballot_cast, vote_create
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.fixtures.territories import Tree


@dataclass
class Field:
    """What the synthesis works on: two duplicate problems, a third problem, three
    proposals (two near-duplicates), endorsers and a closed approval vote."""

    consultation: Consultation
    problems: list[Contribution]
    proposals: list[Contribution]
    endorsers: list[User]
    ccas: Structure
    association: Structure
    vote: Vote


@pytest.fixture
def field(
    consultation: Consultation,
    people: Personas,
    tree: Tree,
    make_user: Callable[..., User],
) -> Field:
    endorsers = [make_user(display_name=f"Voisin {n}", territory=tree.villeneuve) for n in range(4)]
    ccas = structure_create(
        creator=endorsers[0], name="CCAS de Grenoble", type="ccas", territory=tree.grenoble
    )
    association = structure_create(
        creator=endorsers[1],
        name="Connexions Solidaires",
        type="association",
        territory=tree.grenoble,
    )
    membership_add(by=endorsers[0], structure=ccas, user=endorsers[2])
    ccas = structure_verify(structure=ccas, by=people.staff)
    association = structure_verify(structure=association, by=people.staff)
    with in_phase(PhaseKind.DIAGNOSTIC):
        problems = [
            contribution_create(
                by=author,
                consultation=consultation,
                kind="problem",
                title=title,
                body="Sans ordinateur, impossible de faire ses démarches.",
                origin="web",
                theme="acces_droits",
                territory=territory,
            )
            for author, title, territory in [
                (people.participant, "Titre de séjour en ligne impossible", tree.grenoble),
                (
                    people.outsider,
                    "Préfecture : rendez-vous seulement sur internet",
                    tree.villeneuve,
                ),
                (people.participant, "Pas d'ordinateur à la maison", tree.grenoble),
            ]
        ]
        # Problem 0: endorsers 0 (for the CCAS), 1 (for the association), 2 in their name.
        endorsement_add(by=endorsers[0], contribution=problems[0], structure=ccas)
        endorsement_add(by=endorsers[1], contribution=problems[0], structure=association)
        endorsement_add(by=endorsers[2], contribution=problems[0])
        # Problem 1 (a duplicate of 0): endorsers 0 and 3; endorser 0 counts once overall.
        endorsement_add(by=endorsers[0], contribution=problems[1])
        endorsement_add(by=endorsers[3], contribution=problems[1])
    with in_phase(PhaseKind.PROPOSALS):
        proposals_ = [
            contribution_create(
                by=people.participant,
                consultation=consultation,
                kind="proposal",
                title=title,
                body="Une aide humaine pour les démarches en ligne.",
                origin="web",
                theme="acces_droits",
            )
            for title in [
                "Permanences d'aide aux démarches en ligne",
                "Un guichet où quelqu'un aide à remplir ses dossiers sur internet",
                "Prêter des tablettes aux seniors à la médiathèque",
            ]
        ]
    with in_phase(PhaseKind.VOTE):
        vote = vote_create(
            by=people.organizer,
            consultation=consultation,
            title="Quelles priorités ?",
            method="approval",
            items=[p.pk for p in proposals_],
            options={},
        )
        ballot_cast(by=endorsers[3], vote=vote, choices={proposals_[0].pk: 1, proposals_[1].pk: 1})
        ballot_cast(by=people.moderator, vote=vote, choices={proposals_[1].pk: 1})
        ballot_cast(by=people.outsider, vote=vote, choices={proposals_[2].pk: 1})
    return Field(
        consultation=consultation,
        problems=problems,
        proposals=proposals_,
        endorsers=endorsers,
        ccas=ccas,
        association=association,
        vote=vote,
    )
