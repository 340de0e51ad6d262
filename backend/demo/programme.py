"""Demo regional programme: the Grenoble pilot and two replicated rounds (La Duchère in Lyon,
Montreynaud in Saint-Étienne) consolidated into a costed regional plan, published once, with
a few follow-up updates. Everything goes through the real services."""

from dataclasses import replace
from datetime import date, timedelta

from django.utils import timezone

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.consultations.policies import phase_specs
from backend.consultations.services import (
    consultation_publish,
    consultation_replicate,
    consultation_set_phases,
    consultation_update,
)
from backend.programmes.models import Programme
from backend.programmes.services import (
    funder_set,
    indicator_add,
    indicator_measure,
    milestone_add,
    milestone_reach,
    partner_add,
    programme_create,
    programme_publish,
    programme_round_add,
    programme_set_stage,
    regional_action_create,
    regional_action_decide,
    regional_action_set_funding,
    regional_action_set_progress,
    regional_action_set_status,
    regional_plan_publish,
)
from backend.proposals.services import contribution_create, endorsement_add
from backend.structures.models import Structure
from backend.synthesis.models import CandidateAction
from backend.synthesis.services import candidate_action_create, candidate_action_decide
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create

PROGRAMME_TITLE = "Le numérique pour tous en Auvergne-Rhône-Alpes"

# Per replica: quartier, its commune, then (author key, theme, title, body) problems and the
# candidate actions written from them (title, description, problem indexes, theme).
REPLICAS = [
    {
        "quartier": "La Duchère",
        "commune": "69123",
        "problems": [
            (
                "lyon",
                "acces_droits",
                "La CAF ne répond plus qu'en ligne",
                "Pour la prime d'activité il faut un compte en ligne ; beaucoup de voisins "
                "abandonnent et perdent leurs droits.",
            ),
            (
                "participant",
                "emploi",
                "France Travail : tout passe par l'appli",
                "Les convocations arrivent sur l'application ; sans smartphone on rate les "
                "rendez-vous.",
            ),
            (
                "mediatrice",
                "competences",
                "Les parents ne suivent pas Pronote",
                "Sans ordinateur à la maison, les parents ne voient ni les notes ni les absences.",
            ),
        ],
        "actions": [
            (
                "Des permanences d'aide aux démarches au centre social",
                "Deux demi-journées par semaine avec une conseillère numérique, pour la CAF, "
                "France Travail et l'assurance maladie.",
                [0, 1],
                "acces_droits",
            ),
            (
                "Des ateliers numériques pour les parents",
                "Apprendre à se servir de l'espace numérique de l'école avec les enfants.",
                [2],
                "competences",
            ),
        ],
    },
    {
        "quartier": "Montreynaud",
        "commune": "42218",
        "problems": [
            (
                "ccas",
                "acces_droits",
                "Impossible de joindre un humain pour sa retraite",
                "Les démarches de retraite se font en ligne ; les personnes âgées du quartier "
                "n'y arrivent pas seules.",
            ),
            (
                "participant",
                "equipement",
                "Pas d'ordinateur dans beaucoup de foyers",
                "Un téléphone pour toute la famille, pas d'ordinateur pour les devoirs ni pour "
                "chercher du travail.",
            ),
        ],
        "actions": [
            (
                "Un point d'aide aux démarches à la mairie annexe",
                "Accueil sans rendez-vous avec un médiateur numérique, deux fois par semaine.",
                [0],
                "acces_droits",
            ),
            (
                "Des ordinateurs reconditionnés pour les familles",
                "Avec une association de reconditionnement, à prix solidaire.",
                [1],
                "equipement",
            ),
        ],
    },
]


def _place(name: str, kind: str, parent: Territory, code: str = "") -> Territory:
    lookup = {"kind": kind, "insee_code": code} if code else {"kind": kind, "name": name}
    existing = Territory.objects.filter(**lookup).first()
    return existing or territory_create(kind=kind, name=name, parent=parent, insee_code=code)


def _open(consultation: Consultation, kind: str, by: User) -> None:
    """Shift the round's plan so that phase `kind` opened an hour ago (order and lengths
    kept), through the real service."""
    plan = phase_specs(consultation.phases.order_by("position"))
    phase = next(p for p in plan if p.kind == kind)
    shift = timezone.now() - timedelta(hours=1) - phase.starts_at
    consultation_set_phases(
        by=by,
        consultation=consultation,
        phases=[replace(p, starts_at=p.starts_at + shift, ends_at=p.ends_at + shift) for p in plan],
    )


def _replica_round(
    *, pilot: Consultation, spec: dict, people: dict[str, User], places: dict[str, Territory]
) -> list[CandidateAction]:
    region = people["region"]
    commune = places.get(spec["commune"]) or _place(
        "Saint-Étienne", TerritoryKind.COMMUNE, places["42"], code="42218"
    )
    quartier = _place(spec["quartier"], TerritoryKind.QUARTIER, commune)
    first = pilot.phases.order_by("position").first()
    assert first is not None
    (replica,) = consultation_replicate(
        by=region,
        source=pilot,
        territories=[quartier],
        first_phase_starts_at=first.starts_at,
        title_template="Le numérique pour tous à {territory}",
    )
    # The replica copies the pilot's texts, which speak of Grenoble: each round says its own.
    replica = consultation_update(
        by=region,
        consultation=replica,
        description=(
            f"La démarche du pilote grenoblois, reprise dans le quartier {quartier.name} "
            f"({commune.name}) avec ses acteurs de terrain : centre social, CCAS, médiathèque, "
            "associations et habitants. Les constats et propositions recueillis ici "
            "alimenteront le plan d'action régional « le numérique pour tous »."
        ),
    )
    replica = consultation_publish(by=region, consultation=replica)
    _open(replica, "diagnostic", region)
    problems = []
    for author, theme, title, body in spec["problems"]:
        problem = contribution_create(
            by=people[author],
            consultation=replica,
            kind="problem",
            title=title,
            body=body,
            origin="web",
            theme=theme,
            territory=quartier,
        )
        problems.append(problem)
        for key in ("ccas", "facilitator", "mediatrice"):
            if key != author:
                endorsement_add(by=people[key], contribution=problem)
    _open(replica, "synthesis", region)
    actions = []
    for title, description, indexes, theme in spec["actions"]:
        action = candidate_action_create(
            by=region,
            consultation=replica,
            title=title,
            description=description,
            themes=[theme],
            contribution_ids=[problems[i].pk for i in indexes],
        )
        candidate_action_decide(
            by=region,
            action=action,
            decision="retained",
            public_answer="Retenue et proposée au plan régional.",
        )
        actions.append(action)
    return actions


def load_programme(
    *, pilot: Consultation, people: dict[str, User], places: dict[str, Territory]
) -> int:
    """The regional programme, its three rounds, three regional actions, one published
    version and follow-up updates; returns the number of regional actions written (0 when
    the programme exists already)."""
    if Programme.objects.filter(title=PROGRAMME_TITLE).exists():
        return 0
    region = people["region"]
    duchere, montreynaud = (
        _replica_round(pilot=pilot, spec=spec, people=people, places=places) for spec in REPLICAS
    )
    today = timezone.localdate()
    programme = programme_create(
        by=region,
        title=PROGRAMME_TITLE,
        territory=places["84"],
        deadline=date(today.year if today.month < 10 else today.year + 1, 9, 30),
        description=(
            "Le plan d'action régional pour l'inclusion numérique, co-construit à partir de la "
            "concertation pilote de Grenoble et de ses répliques dans les quartiers de Lyon et "
            "de Saint-Étienne, avec les acteurs de terrain."
        ),
        target_territories=[places["38"], places["69"], places["42"], places["73"]],
    )
    programme_round_add(by=region, programme=programme, consultation=pilot, is_pilot=True)
    for actions in (duchere, montreynaud):
        programme_round_add(by=region, programme=programme, consultation=actions[0].consultation)
    structures = {s.name: s for s in Structure.objects.all()}
    for name, role in [
        ("Région Auvergne-Rhône-Alpes", "steering"),
        ("Ville de Grenoble", "funder"),
        ("Emmaüs Connect Grenoble", "operator"),
    ]:
        partner_add(
            by=region, programme=programme, name=name, role=role, structure=structures.get(name)
        )
    funders = {
        key: funder_set(
            by=region,
            programme=programme,
            name=name,
            envelope_eur=amount,
            structure=structures.get(name),
        ).pk
        for key, name, amount in [
            ("region", "Région Auvergne-Rhône-Alpes", 28000),
            ("ville", "Ville de Grenoble", 11000),
        ]
    }
    programme_publish(by=region, programme=programme)
    programme_set_stage(by=region, programme=programme, stage="consolidation")
    pilot_actions = {a.title: a for a in CandidateAction.objects.filter(consultation=pilot)}
    help_desk = regional_action_create(
        by=region,
        programme=programme,
        title="Un réseau régional de permanences d'aide aux démarches en ligne",
        description=(
            "Dans chaque territoire, des permanences tenues par des médiateurs numériques, "
            "avec la CAF, la CPAM et France Travail : on vient avec ses papiers, on repart "
            "avec sa démarche faite et un peu plus d'autonomie."
        ),
        easy_read_summary=(
            "Près de chez vous, une personne vous aide à faire vos papiers sur internet."
        ),
        themes=["emploi", "logement", "sante"],
        candidate_action_ids=[
            pilot_actions["Un réseau de permanences d'aide aux démarches en ligne"].pk,
            duchere[0].pk,
            montreynaud[0].pk,
        ],
        justification="Les trois territoires demandent la même aide humaine aux démarches.",
    )
    computers = regional_action_create(
        by=region,
        programme=programme,
        title="Des ordinateurs reconditionnés à prix solidaire pour les familles",
        description="Avec les ateliers de reconditionnement et les CCAS, un ordinateur pour "
        "les foyers qui n'en ont pas, et une prise en main accompagnée.",
        themes=["education", "emploi"],
        candidate_action_ids=[
            pilot_actions["Des ordinateurs reconditionnés à prix solidaire"].pk,
            montreynaud[1].pk,
        ],
    )
    parents = regional_action_create(
        by=region,
        programme=programme,
        title="Des ateliers numériques parents-enfants",
        description="Se servir de l'espace numérique de l'école, ensemble.",
        themes=["education"],
        candidate_action_ids=[duchere[1].pk],
    )
    regional_action_set_funding(
        by=region,
        action=help_desk,
        cost_estimate_eur=24000,
        lines={funders["region"]: 18000, funders["ville"]: 6000},
        lead_structure=structures.get("Emmaüs Connect Grenoble"),
        partner_structures=[s for n, s in structures.items() if n.startswith("CCAS")],
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )
    regional_action_set_funding(
        by=region,
        action=computers,
        cost_estimate_eur=15000,
        lines={funders["region"]: 10000, funders["ville"]: 5000},
        lead_structure=structures.get("Emmaüs Connect Lyon"),
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=300),
    )
    regional_action_set_funding(by=region, action=parents, cost_estimate_eur=6000)
    regional_action_decide(by=region, action=help_desk, decision="retained")
    regional_action_decide(by=region, action=computers, decision="retained")
    regional_action_decide(
        by=region,
        action=parents,
        decision="not_retained",
        public_answer=(
            "Les enveloppes de cette année sont engagées ; l'action est proposée aux "
            "collèges du quartier avec le soutien du rectorat."
        ),
    )
    regional_plan_publish(by=region, programme=programme, note="Plan adopté en comité de pilotage.")
    regional_action_set_status(
        by=region,
        action=help_desk,
        status="in_progress",
        note="Trois premières permanences ouvertes à Grenoble.",
    )
    regional_action_set_progress(by=region, action=help_desk, progress_percent=30)
    opened = milestone_add(
        by=region, action=help_desk, title="Dix permanences ouvertes", due_on=today + timedelta(60)
    )
    milestone_add(
        by=region, action=help_desk, title="Bilan à six mois", due_on=today + timedelta(180)
    )
    milestone_reach(
        by=region,
        milestone=opened,
        reached_on=today,
        note="En avance : huit à Grenoble, deux à Lyon.",
    )
    people_helped = indicator_add(
        by=region,
        action=help_desk,
        name="Personnes accompagnées",
        unit="personnes",
        target_value=600,
    )
    indicator_measure(by=region, indicator=people_helped, value=85, measured_on=today)
    milestone_add(
        by=region,
        action=computers,
        title="Convention avec l'atelier de reconditionnement",
        due_on=today + timedelta(45),
    )
    return 3
