"""Demo contributions of the Grenoble pilot: problems and proposals as people write them."""

from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True)
class DemoProblem:
    key: str
    author: str  # a person key of backend.demo.loader.PEOPLE, or "card:<label>" (paper)
    title: str
    body: str
    theme: str
    publics: tuple[str, ...]
    place: str = "38185"
    structure: str = ""
    days_ago_captured: int = 0  # paper collected earlier than it was typed
    endorsed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoProposal:
    author: str
    title: str
    body: str
    theme: str
    answers: tuple[str, ...] = ()
    place: str = "38185"
    structure: str = ""
    expected_partners: str = ""
    estimated_cost_eur: int | None = None
    days_ago_captured: int = 0
    comments: tuple[tuple[str, str, str], ...] = field(default=())  # (person, stance, text)


# Participant cards a facilitator created at the Villeneuve workshop (label, age bracket).
CARDS: Final = [
    ("Mme B., Villeneuve", "66_80"),
    ("Monsieur K.", "46_65"),
    ("Jeune de la mission locale", "18_25"),
]

PROBLEMS: Final = [
    DemoProblem(
        key="caf",
        author="participant",
        title="Impossible de renouveler ses droits CAF sans internet",
        body=(
            "Beaucoup de familles que nous accompagnons n'ont qu'un téléphone avec peu de "
            "forfait. Les déclarations trimestrielles se font en ligne et les rendez-vous au "
            "guichet sont rares : des droits sont suspendus faute de déclaration."
        ),
        theme="acces_droits",
        publics=("isolated_people", "migrants"),
        structure="Emmaüs Connect Grenoble",
        endorsed_by=("ccas", "mediatrice"),
    ),
    DemoProblem(
        key="prefecture",
        author="card:Monsieur K.",
        title="titre de sejour : rdv prefecture que sur internet",
        body=(
            "jarrive pas a avoir un rdv sur le site, toujours complet. mon recepisse expire "
            "et je risque de perdre mon travail"
        ),
        theme="acces_droits",
        publics=("migrants", "job_seekers"),
        place="38185:Villeneuve",
        days_ago_captured=9,
        endorsed_by=("participant",),
    ),
    DemoProblem(
        key="equipement",
        author="ccas",
        title="Des foyers sans ordinateur ni connexion à domicile",
        body=(
            "Au CCAS, nous rencontrons chaque semaine des personnes qui n'ont ni ordinateur ni "
            "box. Le smartphone ne suffit pas pour remplir un dossier de logement social ou "
            "envoyer des pièces justificatives."
        ),
        theme="equipement",
        publics=("seniors", "isolated_people"),
        structure="CCAS de Grenoble",
        endorsed_by=("participant", "mediatrice"),
    ),
    DemoProblem(
        key="seniors",
        author="card:Mme B., Villeneuve",
        title="Ma banque a fermé son agence, je ne sais pas faire sur l'application",
        body=(
            "Depuis que l'agence du quartier a fermé, je dois tout faire sur le téléphone. "
            "Mon petit-fils m'aide quand il vient mais il habite à Lyon."
        ),
        theme="competences",
        publics=("seniors",),
        place="38185:Villeneuve",
        days_ago_captured=9,
    ),
    DemoProblem(
        key="jeunes",
        author="card:Jeune de la mission locale",
        title="Les jeunes savent utiliser les réseaux mais pas faire un CV en ligne",
        body=(
            "On croit que les jeunes savent tout faire avec le numérique. Pour TikTok oui, "
            "mais pour France Travail, les pièces jointes ou un mail pro, non."
        ),
        theme="emploi",
        publics=("young_people", "job_seekers"),
        days_ago_captured=6,
        endorsed_by=("facilitator",),
    ),
]

PROPOSALS: Final = [
    DemoProposal(
        author="mediatrice",
        title="Permanences d'aide aux démarches en ligne dans chaque maison des habitants",
        body=(
            "Un guichet où quelqu'un vous aide à remplir vos dossiers sur internet, deux "
            "demi-journées par semaine, sans rendez-vous, avec un médiateur numérique formé "
            "et un poste en accès libre."
        ),
        theme="acces_droits",
        answers=("caf", "prefecture"),
        structure="Maison des habitants Teisseire",
        expected_partners="CCAS, CAF de l'Isère, France services",
        estimated_cost_eur=45000,
        comments=(
            ("ccas", "for", "Le CCAS peut mettre à disposition une salle et un poste."),
            ("participant", "neutral", "Penser aux horaires du soir pour ceux qui travaillent."),
        ),
    ),
    DemoProposal(
        author="facilitator",
        title="Ordinateurs reconditionnés à prix solidaire pour les familles modestes",
        body=(
            "Récupérer les ordinateurs réformés des entreprises et des collectivités, les "
            "reconditionner et les proposer à petit prix avec une prise en main et une "
            "garantie d'un an."
        ),
        theme="equipement",
        answers=("equipement",),
        structure="Emmaüs Connect Grenoble",
        expected_partners="Entreprises du bassin grenoblois, Ville de Grenoble, Région",
        estimated_cost_eur=60000,
        comments=(
            ("mediatrice", "for", "Oui, et prévoir une version avec les logiciels libres."),
            ("ccas", "against", "Attention au coût du suivi : la garantie doit être assurée."),
        ),
    ),
    DemoProposal(
        author="participant",
        title="Des cafés numériques conviviaux dans les quartiers",
        body=(
            "un moment sympa pour poser ses questions sur le portable, autour d'un café, "
            "sans se sentir jugé. Une fois par mois dans chaque quartier."
        ),
        theme="lien_social",
        answers=("seniors",),
        place="38185:Villeneuve",
        comments=(("mediatrice", "for", "On le fait déjà à Teisseire, ça marche très bien !"),),
    ),
    DemoProposal(
        author="card:Jeune de la mission locale",
        title="Ateliers CV et candidature en ligne à la mission locale",
        body=(
            "Des ateliers pratiques : créer une adresse mail, déposer un CV, répondre à une offre."
        ),
        theme="emploi",
        answers=("jeunes",),
        structure="",
        days_ago_captured=6,
    ),
    DemoProposal(
        author="ccas",
        title="Un guide papier illustré des principales démarches en ligne",
        body=(
            "Un livret avec des images, en français facile, pour les démarches CAF, Ameli, "
            "impôts et ANTS, distribué dans les accueils de la ville."
        ),
        theme="acces_droits",
        answers=("caf",),
        structure="CCAS de Grenoble",
        estimated_cost_eur=8000,
    ),
]
