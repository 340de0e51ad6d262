"""Contribution list benchmark: 100,000 contributions, HTTP latency next to the bare SQL.

Run with `uv run python bench/contributions_list.py` (see bench/README.md).
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "npt_bench_data"
TOTAL = 100_000
MARKER = "[bench] "  # prefix of every generated title, to count and reuse them

THEMES = ["acces_droits", "equipement", "connexion", "competences", "emploi", "lien_social"]
ORIGINS = ["web"] * 6 + ["mobile"] * 2 + ["workshop", "paper", "phone"]
PUBLICS = [
    "seniors",
    "job_seekers",
    "young_people",
    "disabled_people",
    "migrants",
    "isolated_people",
]

PROBLEM_TITLES = [
    "Impossible de faire mes démarches CAF sans ordinateur",
    "Pas de connexion internet chez moi depuis {n} mois",
    "Les rendez-vous à la préfecture se prennent seulement en ligne",
    "Mon fils ne peut pas faire ses devoirs sur l'ENT",
    "Trop de mots de passe, je les oublie tout le temps",
    "Le smartphone de ma mère est trop compliqué",
    "Plus de guichet à la gare de {place}",
    "Je ne comprends pas les mails de Pôle emploi",
    "La médiathèque de {place} a réduit ses horaires d'accès aux ordinateurs",
    "jarrive pas a faire mes demarches sur le site des impots",
]
PROPOSAL_TITLES = [
    "Des permanences numériques à {place} le samedi matin",
    "Un ordinateur reconditionné pour chaque famille suivie par le CCAS",
    "Former les agents d'accueil à l'accompagnement aux démarches",
    "Un annuaire papier des lieux d'aide au numérique",
    "Des ateliers smartphone pour les seniors à {place}",
    "Le wifi gratuit dans toutes les maisons des habitants",
    "Un numéro de téléphone unique pour être aidé dans ses démarches",
    "Des cafés numériques entre voisins une fois par mois",
]
OPENINGS = [
    "Depuis que tout passe par internet, ",
    "Au centre social on voit tous les jours que ",
    "Ma voisine de {age} ans m'a dit que ",
    "Lors de l'atelier du {day}, plusieurs personnes ont expliqué que ",
    "jsuis pas doué avec ca mais ",
]
MIDDLES = [
    "les démarches administratives sont devenues impossibles sans aide",
    "il faut un mail et un téléphone pour tout, même pour la cantine",
    "la fibre n'arrive toujours pas dans notre immeuble",
    "les écrans des bornes sont trop petits et les polices illisibles",
    "on ne sait pas à qui s'adresser quand un compte est bloqué",
    "les jeunes savent utiliser TikTok mais pas envoyer un CV",
    "les forfaits coûtent trop cher pour les petits budgets",
]
CLOSINGS = [
    " Il faudrait plus de médiateurs numériques dans le quartier.",
    " Les associations font ce qu'elles peuvent mais manquent de moyens.",
    " Merci de nous écouter !",
    " On aimerait que la mairie et la Région s'en occupent ensemble.",
    "",
]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
COMMENT_BODIES = [
    "Pareil pour moi, surtout le soir.",
    "Je ne suis pas d'accord, la médiathèque aide déjà beaucoup.",
    "Bonne idée, il faudrait aussi des horaires le samedi.",
    "On l'a vu à l'atelier de mardi, c'est un vrai problème.",
    "jsuis daccord",
]
STANCES = ["for", "for", "neutral", "against"]


def bench_database_url() -> str:
    """DATABASE_URL (or the embedded server's URL) with the database name swapped."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        from backend.localdb import embedded_database_url

        base = embedded_database_url()
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + BENCH_DATABASE))


def ensure_database(url: str) -> None:
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
            print(f"created database {BENCH_DATABASE}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def _text(rng: random.Random, templates: list[str], places: list[str]) -> str:
    return rng.choice(templates).format(
        n=rng.randint(2, 11),
        place=rng.choice(places),
        age=rng.randint(60, 92),
        day=rng.choice(DAYS),
    )


def _rows(
    rng: random.Random,
    *,
    count: int,
    consultation_id: int,
    territories: list[tuple[int, str]],
    users: list[int],
    facilitator_id: int,
    now: datetime,
) -> Iterator[tuple[Any, ...]]:
    places = [name for _, name in territories]
    for index in range(count):
        kind = "problem" if rng.random() < 0.6 else "proposal"
        title = MARKER + _text(
            rng, PROBLEM_TITLES if kind == "problem" else PROPOSAL_TITLES, places
        )
        body = (
            "".join(_text(rng, part, places) for part in (OPENINGS, MIDDLES, CLOSINGS))
            + f" (#{index})"
        )
        origin = rng.choice(ORIGINS)
        user = rng.choice(users)
        entered_by = facilitator_id if origin in ("workshop", "paper", "phone") else user
        published_at: datetime | None = now - timedelta(seconds=rng.randint(60, 90 * 86400))
        status = "published"
        roll = rng.random()
        if roll < 0.03:
            status, published_at = "draft", None
        elif roll < 0.05:
            status = "withdrawn"
        created_at = (published_at or now) - timedelta(minutes=rng.randint(1, 600))
        yield (
            consultation_id,
            kind,
            title[:140],
            body,
            "",
            rng.choice(THEMES),
            rng.choice(territories)[0],
            rng.sample(PUBLICS, rng.randint(0, 2)) if kind == "problem" else [],
            "",
            None,
            status,
            "",
            origin,
            entered_by,
            user,
            None,
            None,
            created_at,
            created_at,
            published_at,
            published_at or created_at,
            0,
            0,
            "",
        )


COLUMNS = (
    "consultation_id, kind, title, body, summary_easy_read, theme, territory_id, publics, "
    "expected_partners, estimated_cost_eur, status, hidden_reason, origin, entered_by_id, "
    "author_id, author_card_id, structure_id, captured_at, created_at, published_at, updated_at, "
    "endorsement_count, comment_count, on_behalf_consent"
)

# The stored counters of the services (proposals.0003 backfills the same way), for rows
# written here by COPY rather than through the services.
REFRESH_ENDORSEMENT_COUNTS = (
    "UPDATE proposals_contribution AS c SET endorsement_count = e.total FROM ("
    "SELECT contribution_id, COUNT(*) AS total FROM proposals_endorsement "
    "GROUP BY contribution_id) AS e WHERE e.contribution_id = c.id AND c.consultation_id = %s"
)
REFRESH_COMMENT_COUNTS = (
    "UPDATE proposals_contribution AS c SET comment_count = v.total FROM ("
    "SELECT contribution_id, COUNT(*) AS total FROM comments_comment WHERE status = 'visible' "
    "GROUP BY contribution_id) AS v WHERE v.contribution_id = c.id AND c.consultation_id = %s"
)


def load(url: str) -> int:
    """The pilot consultation of the demo, filled up to TOTAL generated contributions."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.postgres.search import SearchVector
    from django.core.management import call_command
    from django.db.models import F, Func, TextField, Value
    from django.db.models.functions import Concat

    from backend.accounts.models import User
    from backend.consultations.models import Consultation
    from backend.demo.loader import demo_load
    from backend.proposals.models import Contribution
    from backend.territories.models import Territory

    call_command("migrate", verbosity=0)
    demo_load()
    pilot = Consultation.objects.filter(status="published").order_by("id").first()
    assert pilot is not None, "the demo data has no published consultation"
    generated = Contribution.objects.filter(consultation=pilot, title__startswith=MARKER)
    missing = TOTAL - generated.count()
    if missing <= 0:
        print(f"reusing {TOTAL} generated contributions in consultation {pilot.pk}")
        return pilot.pk
    started = time.perf_counter()
    users = list(User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True))
    if not users:
        User.objects.bulk_create(
            User(
                email=f"habitant{n}@bench.example",
                display_name=f"Habitant {n}",
                password=make_password(None),
            )
            for n in range(500)
        )
        users = list(
            User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True)
        )
    facilitator = pilot.roles.filter(role="facilitator").values_list("user_id", flat=True).first()
    territories = list(
        Territory.objects.filter(path__startswith=pilot.territory.path).values_list("pk", "name")
    )
    rng = random.Random(20260501 + missing)
    now = datetime.now(UTC)
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy(f"COPY proposals_contribution ({COLUMNS}) FROM STDIN") as copy:
            for row in _rows(
                rng,
                count=missing,
                consultation_id=pilot.pk,
                territories=territories,
                users=users,
                facilitator_id=facilitator or users[0],
                now=now,
            ):
                copy.write_row(row)
        # "We see it too" on a third of the published problems, from 1 to 40 people each.
        problems = cursor.execute(
            "SELECT id, published_at FROM proposals_contribution WHERE consultation_id = %s "
            "AND kind = 'problem' AND status = 'published' AND title LIKE %s AND id %% 3 = 0",
            [pilot.pk, MARKER + "%"],
        ).fetchall()
        with cursor.copy(
            "COPY proposals_endorsement (contribution_id, user_id, entered_by_id, created_at) "
            "FROM STDIN"
        ) as copy:
            for problem_id, published_at in problems:
                for user in rng.sample(users, rng.randint(1, 40)):
                    copy.write_row((problem_id, user, user, published_at + timedelta(hours=1)))
        cursor.execute(REFRESH_ENDORSEMENT_COUNTS, [pilot.pk])
    # The services' search document (services._refresh_search_document), for all rows at once.
    text = Concat(
        F("title"),
        Value(" "),
        F("body"),
        Value(" "),
        F("summary_easy_read"),
        output_field=TextField(),
    )
    generated.filter(search_document__isnull=True).update(
        search_document=SearchVector(
            Func(text, function="npt_unaccent", output_field=TextField()), config="french"
        )
    )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE proposals_contribution")
        connection.execute("VACUUM ANALYZE proposals_endorsement")
    print(f"loaded {missing} contributions in {time.perf_counter() - started:.1f} s")
    return pilot.pk


def seed_comments(url: str, consultation_id: int) -> None:
    """Comments on a fifth of the published generated contributions, once (1 to 12 each;
    about one in ten deleted or hidden), and their stored visible-comment counters."""
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        seeded = cursor.execute(
            "SELECT 1 FROM comments_comment c JOIN proposals_contribution p "
            "ON p.id = c.contribution_id WHERE p.consultation_id = %s AND p.title LIKE %s "
            "LIMIT 1",
            [consultation_id, MARKER + "%"],
        ).fetchone()
        if seeded:
            return
        started = time.perf_counter()
        targets = cursor.execute(
            "SELECT id, author_id, published_at FROM proposals_contribution "
            "WHERE consultation_id = %s AND status = 'published' AND title LIKE %s "
            "AND id %% 5 = 0",
            [consultation_id, MARKER + "%"],
        ).fetchall()
        users = [
            user
            for (user,) in cursor.execute(
                "SELECT id FROM accounts_user WHERE email LIKE '%%@bench.example'"
            ).fetchall()
        ]
        rng = random.Random(20260502)
        with cursor.copy(
            "COPY comments_comment (consultation_id, target_kind, contribution_id, depth, "
            "author_id, entered_by_id, origin, stance, body, status, hidden_reason, created_at) "
            "FROM STDIN"
        ) as copy:
            for contribution_id, _author, published_at in targets:
                for minutes in range(rng.randint(1, 12)):
                    user = rng.choice(users)
                    roll = rng.random()
                    status = "deleted" if roll < 0.06 else "hidden" if roll < 0.1 else "visible"
                    copy.write_row(
                        (
                            consultation_id,
                            "contribution",
                            contribution_id,
                            0,
                            user,
                            user,
                            "web",
                            rng.choice(STANCES),
                            rng.choice(COMMENT_BODIES),
                            status,
                            "Hors sujet" if status == "hidden" else "",
                            published_at + timedelta(minutes=10 + minutes),
                        )
                    )
        cursor.execute(REFRESH_COMMENT_COUNTS, [consultation_id])
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE comments_comment")
    print(
        f"seeded comments on {len(targets)} contributions in {time.perf_counter() - started:.1f} s"
    )


@dataclass
class Result:
    name: str
    queries: int
    api: list[float]
    sql: list[float]


def _timed(action: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(
    url: str, consultation_id: int, *, runs: int, warmup: int, explain: bool, only: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from backend.territories.models import Territory

    client = APIClient()
    list_url = f"/api/v1/consultations/{consultation_id}/contributions/"
    quartier = Territory.objects.filter(kind="quartier").order_by("name").first()
    first_cursor_page = client.get(list_url, {"pagination": "cursor"}).json()
    scenarios: list[tuple[str, dict[str, Any]]] = [
        ("default page", {}),
        ("theme=connexion", {"theme": "connexion"}),
        (
            f"territory_within={quartier.name if quartier else '-'}",
            {"territory_within": quartier.pk if quartier else ""},
        ),
        ("q=demarches", {"q": "demarches"}),
        ("ordering=endorsed", {"ordering": "endorsed"}),
        ("ordering=commented", {"ordering": "commented"}),
        ("ordering=random&seed=x", {"ordering": "random", "seed": "x"}),
        ("cursor page 2", {"pagination": "cursor", "cursor": first_cursor_page["next_cursor"]}),
    ]
    scenarios = [(name, params) for name, params in scenarios if only in name]
    results = []
    with psycopg.connect(url, autocommit=True) as raw:
        for name, params in scenarios:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(list_url, params)
            assert response.status_code == 200, (name, response.content[:300])
            statements = [query["sql"] for query in captured.captured_queries]

            def run_sql(statements: list[str] = statements) -> None:
                for statement in statements:
                    raw.execute(statement.replace("%", "%%")).fetchall()

            def run_api(params: dict[str, Any] = params) -> None:
                client.get(list_url, params)

            api = _timed(run_api, runs, warmup)
            bare = _timed(run_sql, runs, warmup)
            results.append(Result(name, len(statements), api, bare))
            if explain:
                print(f"\n== {name}")
                for statement in statements:
                    plan = raw.execute(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement.replace("%", "%%")
                    ).fetchall()
                    print("\n".join(line for (line,) in plan), end="\n\n")
    print(
        f"\n{TOTAL:,} contributions; {runs} runs after {warmup} warm-up runs; times in ms; "
        "SQL = the request's queries re-run with psycopg"
    )
    header = f"{'scenario':<34} {'queries':>7} {'API p50':>8} {'API p95':>8} "
    header += f"{'SQL p50':>8} {'SQL p95':>8} {'ratio p50':>9}"
    print(header)
    print("-" * len(header))
    for result in results:
        api50, api95 = percentile(result.api, 0.5), percentile(result.api, 0.95)
        sql50, sql95 = percentile(result.sql, 0.5), percentile(result.sql, 0.95)
        print(
            f"{result.name[:34]:<34} {result.queries:>7} {api50:>8.1f} {api95:>8.1f} "
            f"{sql50:>8.1f} {sql95:>8.1f} {api50 / sql50:>8.1f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="", help="scenarios whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    options = parser.parse_args()
    url = bench_database_url()
    ensure_database(url)
    setup_django(url)
    consultation_id = load(url)
    seed_comments(url, consultation_id)
    measure(
        url,
        consultation_id,
        runs=options.runs,
        warmup=options.warmup,
        explain=options.explain,
        only=options.only,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
