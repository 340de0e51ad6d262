"""Demo synthesis of the Grenoble pilot: one cluster and two candidate actions."""

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.consultations.policies import phase_specs
from backend.consultations.services import consultation_set_phases
from backend.proposals.models import Contribution
from backend.synthesis.models import CandidateAction
from backend.synthesis.services import (
    action_source_add,
    candidate_action_create,
    candidate_action_decide,
    contributions_merge,
)

PROCEDURES_CLUSTER = "Faire ses démarches en ligne sans aide : CAF, préfecture"


def load_synthesis(*, pilot: Consultation, people: dict[str, User]) -> int:
    """Merge two problems about online procedures, write two candidate actions and decide
    one; returns the number of actions written (0 when they exist already).

    The pilot is in its proposals phase (the demo shows a living consultation), and merging
    is a synthesis-phase verb: the plan is moved so that the synthesis is open for these
    writes, through the real services and their checks, then put back, in the loader's one
    transaction. The merge log therefore reads "today", before the synthesis phase.
    """
    if CandidateAction.objects.filter(consultation=pilot).exists():
        return 0
    by_title = {c.title: c for c in Contribution.objects.filter(consultation=pilot).order_by("id")}

    def find(start: str) -> Contribution:
        return next(c for title, c in by_title.items() if title.lower().startswith(start.lower()))

    organizer = people["organizer"]
    plan = phase_specs(pilot.phases.order_by("position"))
    synthesis = next(phase for phase in plan if phase.kind == "synthesis")
    # The synthesis opened an hour ago, every other phase keeps its length and order.
    shift = timezone.now() - timedelta(hours=1) - synthesis.starts_at
    shifted = [
        replace(phase, starts_at=phase.starts_at + shift, ends_at=phase.ends_at + shift)
        for phase in plan
    ]
    consultation_set_phases(by=organizer, consultation=pilot, phases=shifted)
    entry = contributions_merge(
        by=people["facilitator"],
        consultation=pilot,
        contribution_ids=[find("Impossible de renouveler").pk, find("titre de sejour").pk],
        reason="Deux constats du même besoin : être accompagné pour les démarches en ligne.",
        title=PROCEDURES_CLUSTER,
    )
    help_desk = candidate_action_create(
        by=organizer,
        consultation=pilot,
        title="Un réseau de permanences d'aide aux démarches en ligne",
        description=(
            "Dans chaque maison des habitants, une permanence hebdomadaire tenue par un "
            "médiateur numérique, avec les partenaires CAF, CPAM et France Travail."
        ),
        easy_read_summary=(
            "Une personne vous aide à faire vos papiers sur internet, près de chez vous."
        ),
        themes=["acces_droits", "competences"],
        cluster_ids=[entry.cluster_id],
        contribution_ids=[
            find("Permanences d'aide").pk,
            find("Un guide papier").pk,
        ],
    )
    candidate_action_decide(
        by=organizer,
        action=help_desk,
        decision="retained_with_changes",
        public_answer=(
            "Retenue : les permanences commencent dans trois maisons des habitants, le guide "
            "papier sera distribué aux permanences."
        ),
    )
    equipment = candidate_action_create(
        by=organizer,
        consultation=pilot,
        title="Des ordinateurs reconditionnés à prix solidaire",
        description="Avec les associations de reconditionnement et le CCAS.",
        themes=["equipement"],
    )
    action_source_add(
        by=organizer,
        action=equipment,
        relation="comes_from",
        contribution_id=find("Ordinateurs reconditionnés").pk,
        justification="La proposition d'origine.",
    )
    action_source_add(
        by=organizer,
        action=equipment,
        relation="answers_problem",
        contribution_id=find("Des foyers sans ordinateur").pk,
    )
    consultation_set_phases(by=organizer, consultation=pilot, phases=plan)
    return 2
