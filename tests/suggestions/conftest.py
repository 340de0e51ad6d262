"""Suggestion fixtures: immediate jobs, fresh indexes, French contributions published in the
proposals phase."""

from collections.abc import Callable, Iterator

import pytest
from pytest_django import Settings

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create
from backend.suggestions.indexes import index_cache
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Proposals and problems as people write them; PERMANENCE is the one drafts paraphrase.
PERMANENCE = (
    "Permanence d'aide aux démarches en ligne",
    "Ouvrir une permanence chaque semaine à la mairie annexe pour accompagner les habitants "
    "dans leurs démarches administratives sur internet : CAF, impôts, ANTS, Pôle emploi.",
)
CORPUS = [
    PERMANENCE,
    (
        "Prêt de tablettes aux seniors à la médiathèque",
        "La médiathèque prête des tablettes aux personnes âgées pour un mois, avec une "
        "prise en main le premier jour.",
    ),
    (
        "Ateliers de découverte du numérique pour les seniors",
        "Des ateliers collectifs à la bibliothèque pour apprendre aux personnes âgées à "
        "utiliser un smartphone et envoyer des courriels.",
    ),
    (
        "Wifi gratuit dans les parcs et les jardins",
        "Installer des bornes wifi publiques et gratuites dans les espaces verts de la ville.",
    ),
    (
        "Former les agents d'accueil des services publics",
        "Les agents des guichets doivent être formés pour orienter les usagers perdus face "
        "aux services dématérialisés.",
    ),
    (
        "Recycler les ordinateurs des entreprises pour les familles",
        "Collecter les ordinateurs portables réformés des entreprises, les reconditionner et "
        "les donner aux familles modestes.",
    ),
]
PARAPHRASE = (
    "Un guichet pour remplir ses dossiers sur internet",
    "Il faudrait un endroit où quelqu'un vous aide à remplir vos dossiers administratifs "
    "en ligne, la caf et les impots c'est trop compliqué tout seul.",
)


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Settings) -> None:
    """Jobs run inside the request here; `test_worker.py` runs a real database worker."""
    settings.TASKS = IMMEDIATE


@pytest.fixture(autouse=True)
def fresh_indexes() -> Iterator[None]:
    """An empty cache that reads the change log at every lookup (no recheck window)."""
    cache = index_cache()
    window = cache.recheck_seconds
    cache.clear()
    cache.recheck_seconds = 0
    yield
    cache.clear()
    cache.recheck_seconds = window


@pytest.fixture
def publish(consultation: Consultation, people: Personas) -> Callable[..., Contribution]:
    """A published proposal (or problem), written while the proposals phase is open."""

    def make(
        title: str,
        body: str,
        *,
        kind: str = "proposal",
        by: User | None = None,
        on: Consultation | None = None,
        draft: bool = False,
    ) -> Contribution:
        with in_phase(PhaseKind.PROPOSALS):
            return contribution_create(
                by=by or people.participant,
                consultation=on or consultation,
                kind=kind,
                title=title,
                body=body,
                origin="web",
                publish=not draft,
            )

    return make


@pytest.fixture
def corpus(publish: Callable[..., Contribution]) -> list[Contribution]:
    return [publish(title, body) for title, body in CORPUS]
