"""Plan fixtures: a consultation taken through every phase by the real services, up to the
point where its plan can be published."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.moderation.services import content_hide
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create
from backend.synthesis.models import CandidateAction, Cluster
from backend.synthesis.services import (
    candidate_action_create,
    candidate_action_decide,
    contribution_answer_set,
    contributions_merge,
)
from backend.votes.models import Vote
from backend.votes.services import ballot_cast, vote_close, vote_create
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.fixtures.territories import Tree

# Majority-judgment grades of the five voters on (p1, p2, p3): 0 Excellent ... 6 To reject.
MJ_GRADES = [(0, 1, 6), (1, 1, 5), (2, 0, 6), (2, 3, 4), (6, 2, 6)]
# Agree (1) / disagree (-1) / pass (0) of the five voters on (p1, p2, p3, p4).
AGREE_VALUES = [(1, 1, -1, 0), (1, 1, -1, 1), (1, 0, -1, 1), (-1, -1, 1, 1), (-1, -1, 1, 0)]


@dataclass
class Built:
    consultation: Consultation
    problem: Contribution
    proposals: list[Contribution]  # p1..p4, published
    hidden: Contribution  # a proposal hidden by a moderator
    comments: list[Comment]  # [visible, hidden]
    voters: list[User]
    mj_vote: Vote
    agree_vote: Vote
    cluster: Cluster
    retained: CandidateAction  # from the cluster (p1, p2) and the problem: retained
    rejected: CandidateAction  # from p3: not retained, with a public answer


@pytest.fixture
def build(
    consultation: Consultation, people: Personas, tree: Tree, make_user: Callable[..., User]
) -> Callable[..., Built]:
    """The consultation through its phases; `decide=False` leaves both actions pending and
    p4 without an answer."""

    def make(*, decide: bool = True) -> Built:
        voters = [make_user(display_name=f"Votant {n}") for n in range(1, 6)]
        with in_phase(PhaseKind.PROPOSALS):
            problem = contribution_create(
                by=people.participant,
                consultation=consultation,
                kind="problem",
                title="Renouveler son titre de séjour en ligne",
                body="Les démarches de la préfecture sont impossibles sans ordinateur.",
                origin="web",
                theme="acces_droits",
            )
            texts = [
                "Des permanences d'aide aux démarches en ligne",
                "Un guichet où quelqu'un aide à remplir les dossiers sur internet",
                "Prêter des tablettes aux seniors à la médiathèque",
                "Des bornes wifi gratuites dans les maisons de quartier",
                "Texte abusif à masquer",
            ]
            made = [
                contribution_create(
                    by=voters[index % len(voters)],
                    consultation=consultation,
                    kind="proposal",
                    title=text,
                    body=f"{text}, partout dans la métropole.",
                    origin="web",
                    theme="equipement",
                )
                for index, text in enumerate(texts)
            ]
        proposals_, hidden = made[:4], made[4]
        with in_phase(PhaseKind.DELIBERATION):
            visible = comment_create(
                by=people.participant, contribution=proposals_[0], body="Très utile", stance="for"
            )
            secret = comment_create(
                by=voters[0], contribution=proposals_[0], body="Commentaire injurieux"
            )
            content_hide(by=people.moderator, comment=secret, reason="Propos injurieux")
            content_hide(by=people.moderator, contribution=hidden, reason="Hors sujet")
        with in_phase(PhaseKind.VOTE):
            mj_vote = vote_create(
                by=people.organizer,
                consultation=consultation,
                title="Quelles priorités ?",
                method="majority_judgment",
                items=[p.pk for p in proposals_[:3]],
                options={},
            )
            agree_vote = vote_create(
                by=people.organizer,
                consultation=consultation,
                title="D'accord ou pas ?",
                method="agree",
                items=[p.pk for p in proposals_],
                options={},
            )
            for voter, grades, values in zip(voters, MJ_GRADES, AGREE_VALUES, strict=True):
                ballot_cast(
                    by=voter,
                    vote=mj_vote,
                    choices=dict(zip([p.pk for p in proposals_[:3]], grades, strict=True)),
                )
                ballot_cast(
                    by=voter,
                    vote=agree_vote,
                    choices=dict(zip([p.pk for p in proposals_], values, strict=True)),
                )
            vote_close(by=people.organizer, vote=mj_vote)
            vote_close(by=people.organizer, vote=agree_vote)
        with in_phase(PhaseKind.SYNTHESIS):
            entry = contributions_merge(
                by=people.organizer,
                consultation=consultation,
                contribution_ids=[proposals_[0].pk, proposals_[1].pk],
                reason="Même idée : une aide humaine aux démarches",
                title="Aide aux démarches en ligne",
            )
            retained = candidate_action_create(
                by=people.organizer,
                consultation=consultation,
                title="Des permanences numériques dans chaque quartier",
                description="Une aide humaine pour les démarches en ligne.",
                easy_read_summary="Quelqu'un vous aide à faire vos papiers sur internet.",
                themes=["acces_droits"],
                territory_ids=[tree.grenoble.pk, tree.villeneuve.pk],
                cluster_ids=[entry.cluster_id],
                contribution_ids=[problem.pk],
            )
            rejected = candidate_action_create(
                by=people.organizer,
                consultation=consultation,
                title="Prêt de tablettes",
                contribution_ids=[proposals_[2].pk],
            )
            if decide:
                retained = candidate_action_decide(
                    by=people.organizer, action=retained, decision="retained"
                )
                rejected = candidate_action_decide(
                    by=people.organizer,
                    action=rejected,
                    decision="not_retained",
                    public_answer="Déjà proposé par les médiathèques.",
                )
                contribution_answer_set(
                    by=people.organizer,
                    contribution=proposals_[3],
                    text="Relève du plan très haut débit, hors de ce plan.",
                )
        return Built(
            consultation=consultation,
            problem=problem,
            proposals=proposals_,
            hidden=hidden,
            comments=[visible, secret],
            voters=voters,
            mj_vote=mj_vote,
            agree_vote=agree_vote,
            cluster=Cluster.objects.get(pk=entry.cluster_id),
            retained=retained,
            rejected=rejected,
        )

    return make


@pytest.fixture
def built(build: Callable[..., Built]) -> Built:
    return build()


@pytest.fixture(autouse=True)
def artifacts_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Published files go to a folder of the test (the storage is rebuilt on the change)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "artifacts": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "artifacts")},
        },
    }
