"""Programme fixtures: two territorial rounds (Grenoble pilot, Lyon replica) with
contributions, supports and candidate actions, built through the real services, and a
regional programme grouping them, run by a Region organizer."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.programmes.models import Programme
from backend.programmes.services import (
    funder_set,
    programme_create,
    programme_publish,
    programme_round_add,
    programme_set_stage,
)
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create, endorsement_add
from backend.structures.models import Structure
from backend.structures.services import structure_create
from backend.synthesis.models import CandidateAction
from backend.synthesis.services import candidate_action_create
from tests.consultations import conftest as shared
from tests.consultations.conftest import Personas, Tree, middle_of

tree = shared.tree
people = shared.people
make_organizer = shared.make_organizer
make_consultation = shared.make_consultation
fast_password_hashing = shared.fast_password_hashing


def at(kind: PhaseKind) -> Any:
    return time_machine.travel(middle_of(kind), tick=False)


@pytest.fixture
def in_synthesis() -> Iterator[None]:
    with at(PhaseKind.SYNTHESIS):
        yield


@dataclass
class Region:
    """The programme, its organizer and the two rounds with their territorial material."""

    programme: Programme
    organizer: User  # programme organizer (Region)
    grenoble: Consultation
    lyon: Consultation
    lyon_organizer: User  # territorial organizer of the Lyon round only
    contributions: dict[str, Contribution]
    actions: dict[str, CandidateAction]
    ccas: Structure
    association: Structure
    supporters: list[User]
    funders: dict[str, int]


@pytest.fixture
def region(
    tree: Tree,
    people: Personas,
    make_user: Callable[..., User],
    make_organizer: Callable[..., User],
    make_consultation: Callable[..., Consultation],
) -> Region:
    organizer = make_organizer(display_name="Karim Région")
    organizer.user_permissions.add(Permission.objects.get(codename="add_programme"))
    organizer = User.objects.get(pk=organizer.pk)
    lyon_organizer = make_organizer(display_name="Inès Lyon")
    round_themes = ("acces_droits", "emploi", "logement", "education")
    grenoble = make_consultation(themes=round_themes)
    lyon = make_consultation(
        title="Le numérique pour tous à Lyon",
        territory=tree.lyon,
        by=lyon_organizer,
        themes=round_themes,
    )
    supporters = [make_user(display_name=f"Voisine {n}", territory=tree.grenoble) for n in range(3)]
    ccas = structure_create(
        creator=supporters[0], name="CCAS de Grenoble", type="ccas", territory=tree.grenoble
    )
    association = structure_create(
        creator=supporters[1], name="Emmaüs Connect", type="association", territory=tree.lyon
    )
    texts = {
        "g_caf": (grenoble, people.participant, "Impossible de faire sa demande CAF en ligne"),
        "g_pref": (grenoble, people.outsider, "Préfecture : rendez-vous seulement sur internet"),
        "g_ordi": (grenoble, people.participant, "Pas d'ordinateur à la maison"),
        "l_caf": (lyon, people.participant, "Les démarches CAF en ligne sont trop compliquées"),
        "l_emploi": (lyon, people.outsider, "France Travail : tout se fait sur l'appli"),
    }
    themes = {"g_caf": "logement", "g_pref": "emploi", "g_ordi": "education", "l_caf": "logement"}
    contributions: dict[str, Contribution] = {}
    with at(PhaseKind.DIAGNOSTIC):
        for key, (consultation, author, title) in texts.items():
            contributions[key] = contribution_create(
                by=author,
                consultation=consultation,
                kind="problem",
                title=title,
                body="Sans aide, impossible de faire ses démarches en ligne.",
                origin="web",
                theme=themes.get(key, "emploi"),
            )
        # The same person supports in both territories: counted once regionally.
        endorsement_add(by=supporters[0], contribution=contributions["g_caf"], structure=ccas)
        endorsement_add(by=supporters[0], contribution=contributions["l_caf"], structure=ccas)
        endorsement_add(
            by=supporters[1], contribution=contributions["l_caf"], structure=association
        )
        endorsement_add(by=supporters[2], contribution=contributions["g_pref"])
    with at(PhaseKind.SYNTHESIS):
        actions = {
            "g_help": candidate_action_create(
                by=people.organizer,
                consultation=grenoble,
                title="Des permanences d'aide aux démarches en ligne",
                description="Un réseau de permanences pour faire ses démarches CAF, préfecture.",
                themes=["acces_droits"],
                contribution_ids=[contributions["g_caf"].pk, contributions["g_pref"].pk],
            ),
            "g_pc": candidate_action_create(
                by=people.organizer,
                consultation=grenoble,
                title="Prêter des ordinateurs reconditionnés",
                contribution_ids=[contributions["g_ordi"].pk],
            ),
            "l_help": candidate_action_create(
                by=lyon_organizer,
                consultation=lyon,
                title="Des permanences pour les démarches en ligne",
                description="Aide aux démarches CAF et France Travail dans les quartiers.",
                themes=["acces_droits"],
                contribution_ids=[contributions["l_caf"].pk, contributions["l_emploi"].pk],
            ),
        }
    programme = programme_create(
        by=organizer,
        title="Le numérique pour tous en Auvergne-Rhône-Alpes",
        territory=tree.region,
        deadline=date(2026, 9, 30),
        description="Plan d'action régional co-construit à partir des concertations.",
        target_territories=[tree.isere, tree.rhone, tree.echirolles],
    )
    programme_round_add(by=organizer, programme=programme, consultation=grenoble, is_pilot=True)
    programme_round_add(by=organizer, programme=programme, consultation=lyon)
    funders = {
        "region": funder_set(
            by=organizer, programme=programme, name="Région", envelope_eur=28000
        ).pk,
        "ville": funder_set(
            by=organizer, programme=programme, name="Ville de Grenoble", envelope_eur=11000
        ).pk,
    }
    programme = programme_publish(by=organizer, programme=programme)
    programme = programme_set_stage(by=organizer, programme=programme, stage="consolidation")
    return Region(
        programme=programme,
        organizer=organizer,
        grenoble=grenoble,
        lyon=lyon,
        lyon_organizer=lyon_organizer,
        contributions=contributions,
        actions=actions,
        ccas=ccas,
        association=association,
        supporters=supporters,
        funders=funders,
    )
