"""The open-data archive of a consultation (a selector): public data only, deterministic bytes.

Layout and columns are described in README_FR below (the README.md of the archive). Persons
appear only as numeric pseudonyms (`backend.core.pseudonyms`): authors under one key per
consultation, Pol.is voters under another, so no ballot can be linked to an author; the keys
are stored, so rotating SECRET_KEY changes nothing. A fixed number of queries whatever the size.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from backend.comments.models import CommentStatus
from backend.consultations.models import Consultation
from backend.core.csvfiles import (
    csv_line_sql,
    csv_number_cell_sql,
    csv_text_cell_sql,
    csv_text_of_lines,
)
from backend.core.pseudonyms import (
    Pseudonymizer,
    author_scope,
    person_subject,
    polis_voter_scope,
)
from backend.plans.domain.archive import Archive, csv_text, deterministic_zip
from backend.plans.domain.polis import (
    MODERATED_IN,
    MODERATED_OUT,
    Reaction,
    Statement,
    polis_tables,
)
from backend.plans.models import PlanVersion
from backend.proposals.models import Contribution, ContributionStatus
from backend.votes.models import BallotLine, Vote, VoteMethod

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0 (Etalab)"

CONTRIBUTIONS_COLUMNS = (
    "id",
    "kind",
    "status",
    "title",
    "body",
    "summary_easy_read",
    "theme",
    "publics",
    "territory_id",
    "territory_name",
    "territory_insee_code",
    "origin",
    "author",
    "structure_id",
    "structure_name",
    "structure_type",
    "structure_verified",
    "answers_problems",
    "endorsement_count",
    "comment_count",
    "hidden_reason",
    "published_at",
)
COMMENTS_COLUMNS = (
    "id",
    "contribution_id",
    "parent_id",
    "depth",
    "stance",
    "status",
    "body",
    "hidden_reason",
    "author",
    "origin",
    "created_at",
    "edited_at",
)
VOTES_COLUMNS = (
    "id",
    "title",
    "method",
    "options",
    "one_structure_one_voice",
    "items",
    "closed_at",
    "ballots_file",
    "ballots_sha256",
)
ACTIONS_COLUMNS = (
    "id",
    "title",
    "description",
    "summary_easy_read",
    "themes",
    "territories",
    "decision",
    "decision_label",
    "public_answer",
    "decided_at",
)
LINKS_COLUMNS = (
    "action_id",
    "contribution_id",
    "relation",
    "via_cluster",
    "justification",
)

LICENCE_FR = f"""{LICENCE_NAME}

Les fichiers de cette archive sont publiés sous la {LICENCE_NAME}.
Texte intégral : {LICENCE_URL}

En résumé, vous êtes libre de réutiliser ces informations (les reproduire, les copier,
les publier et les transmettre ; les diffuser et les redistribuer ; les adapter, les
modifier, les extraire et les transformer, notamment pour créer des informations
dérivées ; les exploiter à titre commercial), à condition de mentionner leur paternité :
la source (« Le numérique pour tous, concertation <titre> ») et la date de la dernière
mise à jour.

Cette licence est compatible avec la Creative Commons Attribution 4.0 (CC-BY 4.0) et
l'Open Government Licence (OGL) du Royaume-Uni.
"""

README_FR = """# Données ouvertes — {title}

Concertation « {title} » ({territory}), plateforme *Le numérique pour tous*.
Identifiant de la concertation : {consultation_id}. Plan d'action repris : {plan}.

Licence : {licence} (voir `LICENCE.txt`, {licence_url}).

Tous les fichiers sont en CSV (UTF-8, séparateur virgule, fin de ligne CRLF, guillemets
doubles au besoin), triés par identifiant. Une cellule de texte qui commencerait par un signe
égal, plus, moins, une arobase, une tabulation ou un retour chariot est précédée d'une
apostrophe `'` (pour qu'un tableur ne l'exécute pas comme une formule) ; les nombres restent
tels quels. Les dates sont au format ISO 8601 avec fuseau.
L'archive ne dépend que de l'état des données : deux téléchargements du même état donnent
exactement les mêmes octets (même empreinte SHA-256, en-tête `ETag`).

## Données personnelles

Aucune adresse électronique, aucun nom, aucun identifiant de compte. Les personnes
n'apparaissent que sous un **pseudonyme numérique** (HMAC-SHA256 avec une clé secrète
aléatoire, conservée à part). Les **auteurs** ont le même pseudonyme dans `contributions.csv`,
`comments.csv` et la colonne `author-id` de `polis/comments.csv`. Les **votants** ont des
pseudonymes d'une autre famille, avec une autre clé : ceux de `polis/` (les mêmes dans
`polis/votes.csv` et `polis/participants-votes.csv`), et ceux de chaque fichier de
bulletins, propres à ce scrutin. Aucun bulletin ne peut donc être rattaché à un auteur, ni
les bulletins d'un scrutin à ceux d'un autre par leurs pseudonymes. Les fiches participant
tenues par les animateurs sont pseudonymisées de la même façon. Les signalements ne sont
pas publiés.
Les contributions et commentaires masqués par la modération ou retirés par leur auteur
gardent leur ligne (pour la traçabilité des identifiants) mais **sans leur texte** ; pour
un contenu masqué, le motif public de la modération est donné. Les brouillons sont exclus.

## Fichiers

### `contributions.csv` — constats (problèmes) et propositions
{contributions_columns}

- `kind` : `problem` (constat) ou `proposal` (proposition) ;
- `status` : `published`, `hidden` (masquée par la modération), `withdrawn` (retirée) ;
- `title`, `body`, `summary_easy_read` (version FALC) : vides si masquée ou retirée ;
- `publics` : publics concernés, séparés par `|` ;
- `author` : pseudonyme numérique de l'auteur ;
- `structure_*` : la structure au nom de laquelle la contribution a été déposée ;
  `structure_verified` : `true` si l'équipe de la plateforme a vérifié que la structure est
  bien celle qu'elle dit être, `false` sinon (déclarée par ses membres seulement) ;
- `answers_problems` : identifiants des constats auxquels une proposition répond (`|`) ;
- `hidden_reason` : motif public du masquage.

### `comments.csv` — commentaires
{comments_columns}

- `stance` : `for` (pour), `against` (contre), `neutral` ;
- `status` : `visible`, `deleted` (supprimé par son auteur), `hidden` (masqué) ;
- `body` : vide sauf pour un commentaire visible ; `parent_id` : commentaire auquel il répond.

### `votes.csv` — scrutins de la concertation
{votes_columns}

- `method` : `support`, `approval`, `majority_judgment` (jugement majoritaire : 0 Excellent
  … 6 À rejeter), `dots` (gommettes), `ranking`, `agree` (d'accord / pas d'accord / passe) ;
- `items` : contributions soumises au vote (`|`) ;
- `ballots_file` : le fichier des bulletins anonymisés, publié à la clôture, dans `ballots/` ;
- `ballots_sha256` : son empreinte, identique à celle publiée par l'API à la clôture.

### `ballots/vote-<id>.csv` — bulletins anonymisés d'un scrutin clos
Le fichier publié à la clôture du scrutin, tel quel (il permet de recompter le résultat) :
`pseudonym, structure, item, value, origin, structure_type, captured_on, superseded`, trié
par pseudonyme puis contribution (l'ordre des votes n'est pas publié). Dans un scrutin « une
structure, une voix », `superseded` vaut 1 pour une ligne remplacée par une ligne plus
récente de la même structure sur la même contribution (elle ne compte pas). Ses pseudonymes
sont propres à chaque scrutin (clé aléatoire par scrutin) et ne se recoupent pas avec ceux
des autres fichiers.

### `actions.csv` — actions candidates du plan publié
{actions_columns}

Telles que figées dans la dernière version publiée du plan (vides avant la première
publication). `decision` : `retained`, `retained_with_changes`, `needs_study`,
`not_retained` (ou `pending`) ; `themes`, `territories` séparés par `|`.

### `links.csv` — liens entre actions et contributions
{links_columns}

Une ligne par contribution source d'une action. `relation` : `comes_from` (l'action en
est issue) ou `answers_problem` (l'action répond au constat) ; `via_cluster` : le
regroupement de doublons par lequel la contribution est rattachée (vide si lien direct) ;
`justification` : pourquoi ce lien.

### `polis/` — format d'export Pol.is
Les trois fichiers au format d'échange de Pol.is, pour les outils d'analyse de
délibération. Les « commentaires » Pol.is sont les contributions soumises à un scrutin
`agree` clos ; les votes sont les bulletins de ces scrutins (1 d'accord, -1 pas d'accord,
0 passe ; pour une personne et une contribution, le dernier exprimé). `author-id` est le
pseudonyme d'auteur ; `voter-id` et `participant` sont des pseudonymes de votant, d'une
autre famille : une personne qui a écrit et voté apparaît deux fois dans
`participants-votes.csv` (comme autrice, avec `n-comments`, et comme votante).

- `polis/comments.csv` : `timestamp` (secondes Unix de publication), `datetime` (ISO 8601
  UTC), `comment-id` (identifiant de la contribution), `author-id`, `agrees`,
  `disagrees`, `moderated` (1 publiée, -1 masquée ou retirée : texte vide),
  `comment-body` (le titre, puis le texte) ;
- `polis/votes.csv` : `timestamp`, `datetime`, `comment-id`, `voter-id`, `vote` ;
- `polis/participants-votes.csv` : `participant`, `group-id` (groupe d'opinion : ACP puis
  k-moyennes, vide pour qui a trop peu voté), `n-comments`, `n-votes`, `n-agree`,
  `n-disagree`, puis une colonne par contribution (1, -1, 0 ou vide si pas de vote).

### `LICENCE.txt`
Le résumé de la licence et le lien vers son texte intégral.
"""


def _columns(columns: Sequence[str]) -> str:
    return "Colonnes : " + ", ".join(f"`{name}`" for name in columns) + "."


class _Clock:
    """ISO 8601 in the project's time zone, the zone looked up once (rows are many)."""

    def __init__(self) -> None:
        self._zone = timezone.get_current_timezone()

    def iso(self, moment: datetime | None) -> str:
        return moment.astimezone(self._zone).isoformat() if moment is not None else ""


class Pseudonyms:
    """Numeric pseudonyms of one family (see `backend.core.pseudonyms`) for accounts and
    participant cards."""

    def __init__(self, scope: str) -> None:
        self._pseudonymizer = Pseudonymizer.for_scope(scope)
        # A person writes many rows: one HMAC per person, not per row.
        self._known: dict[tuple[int | None, int | None], int] = {}

    def of(self, *, user_id: int | None = None, card_id: int | None = None) -> int | str:
        if user_id is None and card_id is None:
            return ""
        key = (user_id, card_id)
        known = self._known.get(key)
        if known is None:
            subject = person_subject(user_id=user_id, card_id=card_id)
            known = self._known[key] = self._pseudonymizer.number(subject)
        return known


@dataclass(frozen=True)
class _Statement:
    """What the Pol.is files need of a contribution."""

    status: str
    at: datetime
    author: int | str
    title: str
    body: str


def _iso_sql(column: str) -> str:
    """`column` (a timestamptz) as `datetime.isoformat()` writes it in the zone `%(zone)s`
    (microseconds only when there are some, the offset as +HH:MM), or '' for NULL.

    Run in `_lines_in_zone` (the session's TimeZone is `%(zone)s`): one `to_char` per cell.
    An offset with seconds (local mean time, before the zone's standard time) takes the exact,
    slower path that does not depend on the session's zone."""
    fast = f"replace(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'), '.000000', '')"
    local = f"({column} AT TIME ZONE %(zone)s)"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    exact = (
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN extract(microseconds FROM {column})::bigint %% 1000000 <> 0 "
        f"THEN to_char({local}, '.US') ELSE '' END "
        f"|| CASE WHEN {offset} < interval '0' THEN '-' ELSE '+' END "
        f"|| to_char(abs(extract(epoch FROM {offset}))::int * interval '1 second', 'HH24:MI') "
        f"|| CASE WHEN extract(second FROM {offset}) <> 0 "
        f"THEN to_char(abs(extract(epoch FROM {offset}))::int * interval '1 second', ':SS') "
        f"ELSE '' END"
    )
    return (
        f"CASE WHEN {column} IS NULL THEN '' "
        f"WHEN extract(timezone FROM {column})::int %% 60 = 0 THEN {fast} ELSE {exact} END"
    )


def _lines_in_zone(sql: str, params: dict[str, Any]) -> list[str]:
    """The one-column rows of `sql`, run with the session's TimeZone set to `%(zone)s` for
    `_iso_sql` (set locally, in a transaction or savepoint of its own, and put back)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)",
            [params["zone"]],
        )
        previous, _zone = cursor.fetchone() or ("UTC", None)
        cursor.execute(sql, params)
        lines = [line for (line,) in cursor.fetchall()]
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])
    return lines


def _author_pseudonyms(
    pairs_sql: str, params: dict[str, Any], pseudonyms: Pseudonyms
) -> dict[str, list[int]]:
    """The pseudonyms of the authors `pairs_sql` lists (distinct (user, card) pairs: a few
    thousand people for 100,000 rows), as three arrays for the rows' query to join on."""
    users: list[int] = []
    cards: list[int] = []
    numbers: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(pairs_sql, params)
        for user_id, card_id in cursor.fetchall():
            number = pseudonyms.of(user_id=user_id, card_id=card_id)
            if number == "":
                continue
            users.append(user_id or 0)
            cards.append(card_id or 0)
            numbers.append(int(number))
    return {"users": users, "cards": cards, "pseudonyms": numbers}


# The two big files are written line by line by PostgreSQL (every cell formatted, neutralized
# and quoted as `csv_text` does, authors joined to their pseudonyms): no Python per cell.
# Ids are never 0, so COALESCE(..., 0) keys the pseudonym join on (user, card).
_PSEUDONYM_JOIN = (
    "LEFT JOIN unnest(%(users)s::bigint[], %(cards)s::bigint[], %(pseudonyms)s::bigint[]) "
    "AS pseudonym(user_id, card_id, number) "
    "ON pseudonym.user_id = COALESCE({table}.author_id, 0) "
    "AND pseudonym.card_id = COALESCE({table}.author_card_id, 0)"
)

# The `answers` cell: the ids a contribution answers, '|'-joined in id order. Aggregated once for
# the consultation and hash-joined: a subquery per row cost 0.7 s of the 1.1 s query at
# 97,000 contributions, even with a handful of answers.
_ANSWERS_JOIN = (
    "LEFT JOIN (SELECT a.from_contribution_id, "
    "string_agg(a.to_contribution_id::text, '|' ORDER BY a.to_contribution_id) AS ids "
    'FROM "proposals_contribution_answers" AS a '
    'JOIN "proposals_contribution" AS f ON f.id = a.from_contribution_id '
    "WHERE f.consultation_id = %(consultation)s GROUP BY a.from_contribution_id) AS answers "
    "ON answers.from_contribution_id = c.id"
)


def _contributions(consultation: Consultation, pseudonyms: Pseudonyms) -> list[str]:
    """contributions.csv's lines, every non-draft contribution in id order."""
    params: dict[str, Any] = {
        "consultation": consultation.pk,
        "draft": ContributionStatus.DRAFT,
        "published": ContributionStatus.PUBLISHED,
        "hidden": ContributionStatus.HIDDEN,
        "zone": timezone.get_current_timezone_name(),
    }
    params |= _author_pseudonyms(
        'SELECT DISTINCT author_id, author_card_id FROM "proposals_contribution" '
        "WHERE consultation_id = %(consultation)s AND status <> %(draft)s",
        params,
        pseudonyms,
    )

    def public(column: str) -> str:
        return f"CASE WHEN c.status = %(published)s THEN {csv_text_cell_sql(column)} ELSE '' END"

    cells = [
        csv_number_cell_sql("c.id"),
        csv_text_cell_sql("c.kind"),
        csv_text_cell_sql("c.status"),
        public("c.title"),
        public("c.body"),
        public("c.summary_easy_read"),
        csv_text_cell_sql("c.theme"),
        csv_text_cell_sql("array_to_string(c.publics, '|')"),
        csv_number_cell_sql("c.territory_id"),
        csv_text_cell_sql("t.name"),
        csv_text_cell_sql("t.insee_code"),
        csv_text_cell_sql("c.origin"),
        csv_number_cell_sql("pseudonym.number"),
        csv_number_cell_sql("c.structure_id"),
        csv_text_cell_sql("s.name"),
        csv_text_cell_sql("s.type"),
        "CASE WHEN s.id IS NULL THEN '' WHEN s.verified_at IS NOT NULL THEN 'true' "
        "ELSE 'false' END",
        "COALESCE(answers.ids, '')",  # digits and '|'
        csv_number_cell_sql("c.endorsement_count"),
        csv_number_cell_sql("c.comment_count"),
        f"CASE WHEN c.status = %(hidden)s THEN {csv_text_cell_sql('c.hidden_reason')} ELSE '' END",
        _iso_sql("c.published_at"),  # digits, '-', '+', ':', '.' and 'T'
    ]
    # The SQL text is this module's constants; every value is a parameter.
    sql = (
        f'SELECT {csv_line_sql(cells)} FROM "proposals_contribution" AS c '  # noqa: S608
        f"{_ANSWERS_JOIN} "
        'LEFT JOIN "territories_territory" AS t ON t.id = c.territory_id '
        'LEFT JOIN "structures_structure" AS s ON s.id = c.structure_id '
        f"{_PSEUDONYM_JOIN.format(table='c')} "
        "WHERE c.consultation_id = %(consultation)s AND c.status <> %(draft)s ORDER BY c.id"
    )
    return _lines_in_zone(sql, params)


def _comments(consultation: Consultation, pseudonyms: Pseudonyms) -> list[str]:
    """comments.csv's lines: the comments of non-draft contributions (candidate actions'
    comments are not part of this file), in id order."""
    params: dict[str, Any] = {
        "consultation": consultation.pk,
        "draft": ContributionStatus.DRAFT,
        "visible": CommentStatus.VISIBLE,
        "hidden": CommentStatus.HIDDEN,
        "zone": timezone.get_current_timezone_name(),
    }
    rows_of = (
        'FROM "comments_comment" AS m '
        'JOIN "proposals_contribution" AS c ON c.id = m.contribution_id '
        "WHERE m.consultation_id = %(consultation)s AND c.status <> %(draft)s"
    )
    params |= _author_pseudonyms(
        f"SELECT DISTINCT m.author_id, m.author_card_id {rows_of}", params, pseudonyms
    )
    cells = [
        csv_number_cell_sql("m.id"),
        csv_number_cell_sql("m.contribution_id"),
        csv_number_cell_sql("m.parent_id"),
        csv_number_cell_sql("m.depth"),
        csv_text_cell_sql("m.stance"),
        csv_text_cell_sql("m.status"),
        f"CASE WHEN m.status = %(visible)s THEN {csv_text_cell_sql('m.body')} ELSE '' END",
        f"CASE WHEN m.status = %(hidden)s THEN {csv_text_cell_sql('m.hidden_reason')} ELSE '' END",
        csv_number_cell_sql("pseudonym.number"),
        csv_text_cell_sql("m.origin"),
        _iso_sql("m.created_at"),
        _iso_sql("m.edited_at"),
    ]
    # The SQL text is this module's constants; every value is a parameter.
    sql = (
        f'SELECT {csv_line_sql(cells)} FROM "comments_comment" AS m '  # noqa: S608
        'JOIN "proposals_contribution" AS c ON c.id = m.contribution_id '
        f"{_PSEUDONYM_JOIN.format(table='m')} "
        "WHERE m.consultation_id = %(consultation)s AND c.status <> %(draft)s ORDER BY m.id"
    )
    return _lines_in_zone(sql, params)


def _statements(item_ids: Sequence[int], pseudonyms: Pseudonyms) -> dict[int, _Statement]:
    """What the Pol.is files need of the contributions put to `agree` votes."""
    rows = (
        Contribution.objects.filter(pk__in=item_ids)
        .exclude(status=ContributionStatus.DRAFT)
        .values_list(
            "pk",
            "status",
            "published_at",
            "created_at",
            "author_id",
            "author_card_id",
            "title",
            "body",
        )
    )
    return {
        pk: _Statement(
            status=status,
            at=published_at or created_at,
            author=pseudonyms.of(user_id=author_id, card_id=card_id),
            title=title,
            body=body,
        )
        for pk, status, published_at, created_at, author_id, card_id, title, body in rows
    }


def _ballot_file_name(vote: Vote) -> str:
    return f"ballots/vote-{vote.pk}.csv"


def _votes(
    consultation: Consultation, clock: _Clock
) -> tuple[list[tuple[Any, ...]], dict[str, str], list[Vote]]:
    votes = list(
        Vote.objects.filter(consultation=consultation)
        .prefetch_related(Prefetch("items", queryset=Contribution.objects.only("id")))
        .order_by("id")
    )
    rows: list[tuple[Any, ...]] = [VOTES_COLUMNS]
    files: dict[str, str] = {}
    for vote in votes:
        is_closed = vote.closed_at is not None
        if is_closed:
            files[_ballot_file_name(vote)] = vote.ballots_csv
        rows.append(
            (
                vote.pk,
                vote.title,
                vote.method,
                json.dumps(vote.options, sort_keys=True, ensure_ascii=False),
                "true" if vote.one_structure_one_voice else "false",
                "|".join(str(item.pk) for item in sorted(vote.items.all(), key=lambda i: i.pk)),
                clock.iso(vote.closed_at),
                _ballot_file_name(vote) if is_closed else "",
                vote.ballots_digest if is_closed else "",
            )
        )
    return rows, files, votes


def _polis(votes: Sequence[Vote], authors: Pseudonyms, voters: Pseudonyms) -> dict[str, str]:
    """Authors keep their author pseudonym (public anyway); voters get pseudonyms of their own
    family, so no ballot links to an author."""
    agree_votes = [v for v in votes if v.method == VoteMethod.AGREE and v.closed_at is not None]
    items = {item.pk for vote in agree_votes for item in vote.items.all()}
    contributions = _statements(sorted(items), authors)
    statements = []
    for item in sorted(items):
        contribution = contributions.get(item)
        if contribution is None:
            continue
        is_public = contribution.status == ContributionStatus.PUBLISHED
        statements.append(
            Statement(
                id=item,
                created_at=contribution.at,
                author=int(contribution.author),
                moderated=MODERATED_IN if is_public else MODERATED_OUT,
                body=f"{contribution.title}\n\n{contribution.body}" if is_public else "",
            )
        )
    lines = BallotLine.objects.filter(
        vote__in=[vote.pk for vote in agree_votes], item_id__in=sorted(items)
    ).values_list("voter_user_id", "voter_card_id", "item_id", "value", "updated_at")
    reactions = [
        Reaction(
            at=updated_at,
            statement=item,
            participant=int(voters.of(user_id=user_id, card_id=card_id)),
            value=value,
        )
        for user_id, card_id, item, value, updated_at in lines
    ]
    tables = polis_tables(statements=statements, reactions=reactions)
    return {
        "polis/comments.csv": csv_text(tables.comments),
        "polis/votes.csv": csv_text(tables.votes),
        "polis/participants-votes.csv": csv_text(tables.participants_votes),
    }


def _plan_files(consultation: Consultation) -> tuple[dict[str, str], str]:
    version = PlanVersion.objects.filter(consultation=consultation).order_by("-number").first()
    actions: list[tuple[Any, ...]] = [ACTIONS_COLUMNS]
    links: list[tuple[Any, ...]] = [LINKS_COLUMNS]
    if version is None:
        return {
            "actions.csv": csv_text(actions),
            "links.csv": csv_text(links),
        }, "aucun (le plan n'est pas encore publié)"
    for action in version.snapshot["actions"]:
        decision = action["decision"]
        actions.append(
            (
                action["id"],
                action["title"],
                action["description"],
                action["summary_easy_read"],
                "|".join(action["themes"]),
                "|".join(territory["name"] for territory in action["territories"]),
                decision["status"],
                decision["label"],
                decision["public_answer"],
                decision["decided_at"] or "",
            )
        )
        for source in action["sources"]:
            links.append(
                (
                    action["id"],
                    source["contribution"],
                    source["relation"],
                    source["via_cluster"] if source["via_cluster"] is not None else "",
                    source["justification"],
                )
            )
    return {"actions.csv": csv_text(actions), "links.csv": csv_text(links)}, (
        f"version {version.number} publiée le {version.snapshot['version']['published_at']}"
    )


OPEN_DATA_STEPS = 6


def open_data_archive(
    *, consultation: Consultation, on_step: Callable[[int, int], None] | None = None
) -> Archive:
    """The consultation's open-data ZIP (layout in README_FR) and its SHA-256.

    `on_step(done, total)` is called after each of the OPEN_DATA_STEPS steps (contributions,
    comments, votes, plan, Pol.is files, ZIP), for a background build's progress.
    """
    step = iter(range(1, OPEN_DATA_STEPS + 1))

    def done() -> None:
        if on_step is not None:
            on_step(next(step), OPEN_DATA_STEPS)

    pseudonyms = Pseudonyms(author_scope(consultation.pk))
    clock = _Clock()
    contribution_lines = _contributions(consultation, pseudonyms)
    done()
    comment_lines = _comments(consultation, pseudonyms)
    done()
    vote_rows, ballot_files, votes = _votes(consultation, clock)
    done()
    plan_files, plan_label = _plan_files(consultation)
    done()
    readme = README_FR.format(
        title=consultation.title,
        territory=consultation.territory.name,
        consultation_id=consultation.pk,
        plan=plan_label,
        licence=LICENCE_NAME,
        licence_url=LICENCE_URL,
        contributions_columns=_columns(CONTRIBUTIONS_COLUMNS),
        comments_columns=_columns(COMMENTS_COLUMNS),
        votes_columns=_columns(VOTES_COLUMNS),
        actions_columns=_columns(ACTIONS_COLUMNS),
        links_columns=_columns(LINKS_COLUMNS),
    )
    polis = _polis(votes, pseudonyms, Pseudonyms(polis_voter_scope(consultation.pk)))
    done()
    files: dict[str, str] = {
        "README.md": readme,
        "LICENCE.txt": LICENCE_FR,
        "contributions.csv": csv_text_of_lines(CONTRIBUTIONS_COLUMNS, contribution_lines),
        "comments.csv": csv_text_of_lines(COMMENTS_COLUMNS, comment_lines),
        "votes.csv": csv_text(vote_rows),
        **ballot_files,
        **plan_files,
        **polis,
    }
    archive = deterministic_zip(files)
    done()
    return archive
