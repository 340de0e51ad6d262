"""Load the Grenoble pilot demo data through the real services; safe to run twice."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.services import user_register
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseSpec
from backend.consultations.models import Consultation, RoleKind
from backend.consultations.services import (
    consultation_create,
    consultation_publish,
    consultation_replicate,
    role_grant,
)
from backend.demo import contributions as demo_contributions
from backend.demo import territories as data
from backend.demo.notifications import load_notifications
from backend.demo.programme import load_programme
from backend.demo.synthesis import load_synthesis
from backend.demo.workshops import load_workshop
from backend.proposals.models import (
    ConsentNote,
    Contribution,
    ContributionKind,
    Origin,
    ParticipantCard,
)
from backend.proposals.services import contribution_create, endorsement_add, participant_card_create
from backend.structures.models import MemberRole, Structure, StructureType
from backend.structures.services import membership_add, structure_create
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create

DEMO_PASSWORD = "demo-numerique-2026"  # noqa: S105  (published in the README on purpose)
DEMO_DOMAIN = "demo.numerique-pour-tous.fr"
PILOT_TITLE = "Le numérique pour tous à Grenoble"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _territory(
    report: LoadReport, *, kind: str, name: str, code: str, parent: Territory | None
) -> Territory:
    lookup = {"kind": kind, "insee_code": code} if code else {"kind": kind, "name": name}
    existing = Territory.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    report.count("territories")
    return territory_create(kind=kind, name=name, parent=parent, insee_code=code)


def load_territories(report: LoadReport) -> dict[str, Territory]:
    """The region, its 12 départements, two EPCI, five communes, Grenoble's quartiers."""
    kind, name, code = data.REGION
    region = _territory(report, kind=kind, name=name, code=code, parent=None)
    by_code: dict[str, Territory] = {code: region}
    for name, code in data.DEPARTEMENTS:
        by_code[code] = _territory(
            report, kind=TerritoryKind.DEPARTEMENT, name=name, code=code, parent=region
        )
    for name, code, parent_code in data.EPCIS:
        by_code[code] = _territory(
            report, kind=TerritoryKind.EPCI, name=name, code=code, parent=by_code[parent_code]
        )
    for name, code, parent_code in data.COMMUNES:
        by_code[code] = _territory(
            report, kind=TerritoryKind.COMMUNE, name=name, code=code, parent=by_code[parent_code]
        )
    for name, parent_code in data.QUARTIERS:
        territory = _territory(
            report, kind=TerritoryKind.QUARTIER, name=name, code="", parent=by_code[parent_code]
        )
        by_code[f"{parent_code}:{name}"] = territory
    return by_code


@dataclass(frozen=True)
class DemoPerson:
    key: str
    email: str
    display_name: str
    territory_code: str


PEOPLE = [
    DemoPerson(
        "organizer", f"organisatrice@{DEMO_DOMAIN}", "Claire Martin (Ville de Grenoble)", "38185"
    ),
    DemoPerson("region", f"region@{DEMO_DOMAIN}", "Karim Benali (Région)", "84"),
    DemoPerson("facilitator", f"animateur@{DEMO_DOMAIN}", "Julien Roux (Emmaüs Connect)", "38185"),
    DemoPerson("moderator", f"moderatrice@{DEMO_DOMAIN}", "Sophie Garnier", "38185"),
    DemoPerson("participant", f"participant@{DEMO_DOMAIN}", "Nadia Haddad", "38185:Villeneuve"),
    DemoPerson("mediatrice", f"mediatrice@{DEMO_DOMAIN}", "Amélie Faure", "38151"),
    DemoPerson("ccas", f"ccas@{DEMO_DOMAIN}", "Thomas Girard (CCAS)", "38185"),
    DemoPerson("lyon", f"lyon@{DEMO_DOMAIN}", "Inès Morel", "69123"),
]


def load_people(report: LoadReport, places: dict[str, Territory]) -> dict[str, User]:
    people: dict[str, User] = {}
    for person in PEOPLE:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = user_register(
                email=person.email,
                password=DEMO_PASSWORD,
                display_name=person.display_name,
                territory=places[person.territory_code],
            )
            report.count("accounts")
        people[person.key] = user
    # Organizers are Region or City staff: they sign in to the French admin site.
    for key in ("organizer", "region"):
        staff = people[key]
        if not staff.is_staff:
            staff.is_staff = True
            staff.is_superuser = True
            staff.save(update_fields=["is_staff", "is_superuser"])
    return people


# (name, type, territory code, description, members as (person key, role))
STRUCTURES = [
    (
        "Emmaüs Connect Grenoble",
        StructureType.ASSOCIATION,
        "38185",
        "Programme Connexions Solidaires : recharges à prix solidaire, matériel reconditionné, "
        "ateliers d'initiation au numérique.",
        [("facilitator", MemberRole.ADMIN), ("participant", MemberRole.MEMBER)],
    ),
    (
        "CCAS de Grenoble",
        StructureType.CCAS,
        "38185",
        "Centre communal d'action sociale : accompagnement aux démarches et aux droits.",
        [("ccas", MemberRole.ADMIN)],
    ),
    (
        "Bibliothèque Kateb Yacine",
        StructureType.MEDIATHEQUE,
        "38185:Villeneuve",
        "Médiathèque de quartier : postes en accès libre, permanences d'aide numérique.",
        [("mediatrice", MemberRole.MEMBER), ("organizer", MemberRole.ADMIN)],
    ),
    (
        "Maison des habitants Teisseire",
        StructureType.CENTRE_SOCIAL,
        "38185:Teisseire",
        "Centre social : cafés numériques, aide aux démarches en ligne.",
        [("mediatrice", MemberRole.ADMIN)],
    ),
    (
        "Mission locale de Grenoble",
        StructureType.MISSION_LOCALE,
        "38185",
        "Accompagnement des 16-25 ans vers l'emploi et la formation.",
        [("participant", MemberRole.ADMIN)],
    ),
    (
        "Ville de Grenoble",
        StructureType.COLLECTIVITE,
        "38185",
        "Ville pilote de la stratégie locale d'inclusion numérique.",
        [("organizer", MemberRole.ADMIN)],
    ),
    (
        "Région Auvergne-Rhône-Alpes",
        StructureType.COLLECTIVITE,
        "84",
        "Porteuse du plan d'action régional « le numérique pour tous ».",
        [("region", MemberRole.ADMIN)],
    ),
    (
        "Emmaüs Connect Lyon",
        StructureType.ASSOCIATION,
        "69123",
        "Point d'accueil lyonnais du programme Connexions Solidaires.",
        [("lyon", MemberRole.ADMIN)],
    ),
]


def load_structures(
    report: LoadReport, places: dict[str, Territory], people: dict[str, User]
) -> None:
    for name, kind, code, description, members in STRUCTURES:
        if Structure.objects.filter(name=name).exists():
            continue
        creator_key, _ = next((m for m in members if m[1] == MemberRole.ADMIN), members[0])
        structure = structure_create(
            creator=people[creator_key],
            name=name,
            type=kind,
            territory=places[code],
            description=description,
        )
        report.count("structures")
        for key, role in members:
            if key != creator_key:
                membership_add(
                    structure=structure, by=people[creator_key], user=people[key], role=role
                )


def pilot_plan(today: datetime) -> list[PhaseSpec]:
    """The pilot's six phases, dated around the day of loading so that the proposals phase
    is open now (a demo shows a living consultation, whatever the date)."""
    start = today.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=28)
    durations = [
        ("diagnostic", "Diagnostic : les constats du terrain", 21),
        ("proposals", "Propositions", 21),
        ("deliberation", "Délibération et ateliers", 14),
        ("vote", "Vote au jugement majoritaire", 14),
        ("synthesis", "Synthèse en actions candidates", 21),
        ("restitution", "Restitution du plan d'action", 30),
    ]
    plan: list[PhaseSpec] = []
    cursor = start
    for kind, title, days in durations:
        plan.append(
            PhaseSpec(kind=kind, title=title, starts_at=cursor, ends_at=cursor + timedelta(days))
        )
        cursor += timedelta(days=days)
    return plan


def load_consultations(
    report: LoadReport, places: dict[str, Territory], people: dict[str, User]
) -> None:
    grenoble = places["38185"]
    if Consultation.objects.filter(title=PILOT_TITLE, territory=grenoble).exists():
        return
    organizer = people["organizer"]
    pilot = consultation_create(
        by=organizer,
        title=PILOT_TITLE,
        territory=grenoble,
        description=(
            "Première stratégie locale d'inclusion numérique, co-construite avec les acteurs de "
            "terrain grenoblois : associations, CCAS, médiathèques, maisons des habitants, "
            "mission locale et habitants. Les constats et propositions recueillis ici "
            "alimenteront le plan d'action régional « le numérique pour tous »."
        ),
        summary_easy_read=(
            "Beaucoup de démarches se font maintenant sur internet. Certaines personnes n'ont "
            "pas d'ordinateur, pas de connexion, ou ne savent pas bien s'en servir. "
            "Dites-nous ce qui est difficile pour vous et ce qui pourrait aider."
        ),
        themes=[
            "acces_droits",
            "equipement",
            "connexion",
            "competences",
            "emploi",
            "lien_social",
        ],
        phases=pilot_plan(timezone.localtime()),
    )
    report.count("consultations")
    role_grant(
        by=organizer, consultation=pilot, user=people["facilitator"], role=RoleKind.FACILITATOR
    )
    role_grant(by=organizer, consultation=pilot, user=people["moderator"], role=RoleKind.MODERATOR)
    role_grant(by=organizer, consultation=pilot, user=people["region"], role=RoleKind.ORGANIZER)
    consultation_publish(by=organizer, consultation=pilot)
    # The pilot-then-region path: a draft copy for Lyon, prepared by the Region.
    first_start = pilot.phases.order_by("position").first()
    assert first_start is not None
    replicas = consultation_replicate(
        by=people["region"],
        source=pilot,
        territories=[places["69123"]],
        first_phase_starts_at=first_start.starts_at + timedelta(days=120),
        copy_roles=False,
    )
    report.created["consultations"] = report.created.get("consultations", 0) + len(replicas)


def _speaker(
    author: str,
    *,
    people: dict[str, User],
    cards: dict[str, ParticipantCard],
) -> tuple[User, dict[str, Any]]:
    """Who types the contribution, and the provenance arguments for the service."""
    if author.startswith("card:"):
        # Collected on paper at a workshop, typed in later by the facilitator.
        return people["facilitator"], {
            "origin": Origin.PAPER,
            "on_behalf_of_card": cards[author.removeprefix("card:")],
        }
    return people[author], {"origin": Origin.WEB}


def _captured(provenance: dict[str, Any], when: datetime) -> datetime | None:
    """A capture date of its own only for what a facilitator took down for someone."""
    return when if "on_behalf_of_card" in provenance else None


def load_contributions(
    report: LoadReport, places: dict[str, Territory], people: dict[str, User]
) -> None:
    """Problems, proposals answering them, "we see it too" and comments on the pilot."""
    pilot = Consultation.objects.get(title=PILOT_TITLE, territory=places["38185"])
    if Contribution.objects.filter(consultation=pilot).exists():
        return
    now = timezone.now()
    facilitator = people["facilitator"]
    cards = {
        label: participant_card_create(
            by=facilitator,
            consultation=pilot,
            label=label,
            consent_given=True,
            consent_note=ConsentNote.WRITTEN,
            territory=places["38185:Villeneuve"],
            age_bracket=age,
        )
        for label, age in demo_contributions.CARDS
    }
    structures = {s.name: s for s in Structure.objects.all()}
    problems: dict[str, Contribution] = {}
    for problem in demo_contributions.PROBLEMS:
        by, provenance = _speaker(problem.author, people=people, cards=cards)
        problems[problem.key] = contribution_create(
            by=by,
            consultation=pilot,
            kind=ContributionKind.PROBLEM,
            title=problem.title,
            body=problem.body,
            theme=problem.theme,
            publics=problem.publics,
            territory=places[problem.place],
            structure=structures.get(problem.structure),
            captured_at=_captured(provenance, now - timedelta(days=problem.days_ago_captured)),
            **provenance,
        )
        report.count("contributions")
        for key in problem.endorsed_by:
            endorsement_add(by=people[key], contribution=problems[problem.key])
    for proposal in demo_contributions.PROPOSALS:
        by, provenance = _speaker(proposal.author, people=people, cards=cards)
        created = contribution_create(
            by=by,
            consultation=pilot,
            kind=ContributionKind.PROPOSAL,
            title=proposal.title,
            body=proposal.body,
            theme=proposal.theme,
            answers=[problems[key].pk for key in proposal.answers],
            territory=places[proposal.place],
            structure=structures.get(proposal.structure),
            expected_partners=proposal.expected_partners,
            estimated_cost_eur=proposal.estimated_cost_eur,
            captured_at=_captured(provenance, now - timedelta(days=proposal.days_ago_captured)),
            **provenance,
        )
        report.count("contributions")
        for person, stance, text in proposal.comments:
            comment_create(by=people[person], contribution=created, body=text, stance=stance)
            report.count("comments")


@transaction.atomic
def demo_load() -> LoadReport:
    """Everything the demo needs, in one transaction; objects already there are kept."""
    report = LoadReport()
    places = load_territories(report)
    people = load_people(report, places)
    load_structures(report, places, people)
    load_consultations(report, places, people)
    load_contributions(report, places, people)
    pilot = Consultation.objects.get(title=PILOT_TITLE, territory=places["38185"])
    for _ in range(load_synthesis(pilot=pilot, people=people)):
        report.count("candidate_actions")
    for _ in range(load_workshop(pilot=pilot, people=people, place=places["38185:Villeneuve"])):
        report.count("workshop_ballots")
    for _ in range(load_programme(pilot=pilot, people=people, places=places)):
        report.count("regional_actions")
    for _ in range(load_notifications(people=people)):
        report.count("comments")
    return report
