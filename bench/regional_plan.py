"""Publishing the regional plan over 10 territories x 10,000 contributions, next to the bare
queries it needs (the same reads by raw SQL, rows fetched, nothing built).

Run with `uv run python bench/regional_plan.py` (see bench/README.md). The data lives in its
own database (`<DATABASE_URL's name>_bench_regional`), seeded once by SQL.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = 10
PER_ROUND = 10_000
TERRITORIAL_ACTIONS = 20  # per round, each drawing on PER_ROUND / 20 contributions
PEOPLE = 20_000
SUPPORTS_PER_CONTRIBUTION = 2


def bench_url() -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/npt"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=parts.path + "_bench_regional"))


def ensure_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed() -> int:
    """The programme (seeded once): ROUNDS published rounds, PER_ROUND contributions each,
    two supports per contribution, 20 territorial actions per round, and 20 regional actions
    each consolidating the same-numbered territorial action of every round (so every
    contribution is reached), funded within two envelopes."""
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.consultations.models import Consultation
    from backend.programmes.models import (
        Funder,
        FundingLine,
        Programme,
        ProgrammeRound,
        RegionalAction,
        RegionalActionSource,
    )
    from backend.synthesis.models import CandidateAction
    from backend.territories.services import territory_create

    existing = Programme.objects.filter(slug="bench-regional").first()
    if existing is not None:
        return existing.pk
    print("seeding (once)...", flush=True)
    with transaction.atomic():
        region = territory_create(kind="region", name="Région banc d'essai", insee_code="99")
        organizer = User.objects.create_user("banc@exemple.fr", password="x" * 20)
        organizer.user_permissions.add(Permission.objects.get(codename="add_programme"))
        programme = Programme.objects.create(
            title="Banc",
            slug="bench-regional",
            territory=region,
            deadline="2026-09-30",
            status="published",
            stage="consolidation",
        )
        programme.organizers.create(user=organizer)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_user (password, is_superuser, email, display_name, "
                "is_active, is_staff, date_joined) SELECT '!', false, 'p' || g || '@b.fr', "
                "'P' || g, true, false, now() FROM generate_series(1, %s) g RETURNING id",
                [PEOPLE],
            )
            first_person = min(row[0] for row in cursor.fetchall())
        funders = [
            Funder.objects.create(programme=programme, name="Région", envelope_eur=28000),
            Funder.objects.create(programme=programme, name="Ville", envelope_eur=11000),
        ]
        territorial: list[list[int]] = []
        for r in range(ROUNDS):
            dep = territory_create(
                kind="departement", name=f"Dép {r}", insee_code=f"9{r}", parent=region
            )
            place = territory_create(kind="commune", name=f"Ville {r}", parent=dep)
            consultation = Consultation.objects.create(
                title=f"Concertation {r}",
                slug=f"bench-regional-{r}",
                territory=place,
                status="published",
                themes=["emploi", "sante", "logement"],
            )
            ProgrammeRound.objects.create(
                programme=programme, consultation=consultation, is_pilot=r == 0
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO proposals_contribution (kind, title, body, summary_easy_read, "
                    "theme, publics, expected_partners, status, hidden_reason, origin, "
                    "captured_at, created_at, updated_at, published_at, consultation_id, "
                    "entered_by_id, author_id, territory_id, comment_count, endorsement_count) "
                    "SELECT 'problem', 'Constat ' || g, 'Texte', '', "
                    "(ARRAY['emploi','sante','logement'])[1 + g %% 3], '{}', '', 'published', "
                    "'', 'web', now(), now(), now(), now(), %s, %s + (g * 7) %% %s, "
                    "%s + (g * 7) %% %s, %s, 0, 0 FROM generate_series(1, %s) g RETURNING id",
                    [
                        consultation.pk,
                        first_person,
                        PEOPLE,
                        first_person,
                        PEOPLE,
                        place.pk,
                        PER_ROUND,
                    ],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
                cursor.execute(
                    "INSERT INTO proposals_endorsement (created_at, contribution_id, user_id) "
                    "SELECT now(), c, %s + (c * 13 + k * 101) %% %s FROM unnest(%s::bigint[]) c, "
                    "generate_series(1, %s) k",
                    [first_person, PEOPLE, ids, SUPPORTS_PER_CONTRIBUTION],
                )
            actions = CandidateAction.objects.bulk_create(
                CandidateAction(
                    consultation=consultation,
                    title=f"Action {r}-{a}",
                    decision="retained",
                    decided_at=timezone.now(),
                )
                for a in range(TERRITORIAL_ACTIONS)
            )
            size = PER_ROUND // TERRITORIAL_ACTIONS
            with connection.cursor() as cursor:
                for a, action in enumerate(actions):
                    cursor.execute(
                        "INSERT INTO synthesis_actionsource (relation, justification, created_at,"
                        " action_id, contribution_id) SELECT 'answers_problem', '', now(), %s, c "
                        "FROM unnest(%s::bigint[]) c",
                        [action.pk, ids[a * size : (a + 1) * size]],
                    )
            territorial.append([a.pk for a in actions])
        for a in range(TERRITORIAL_ACTIONS):
            regional = RegionalAction.objects.create(
                programme=programme,
                title=f"Action régionale {a}",
                decision="retained",
                cost_estimate_eur=1500,
            )
            RegionalActionSource.objects.bulk_create(
                RegionalActionSource(action=regional, candidate_action_id=territorial[r][a])
                for r in range(ROUNDS)
            )
            FundingLine.objects.create(action=regional, funder=funders[a % 2], amount_eur=1000)
    return programme.pk


BARE_QUERIES = [
    "SELECT r.consultation_id, c.title, t.path FROM programmes_programmeround r "
    "JOIN consultations_consultation c ON c.id = r.consultation_id "
    "JOIN territories_territory t ON t.id = c.territory_id WHERE r.programme_id = %(p)s",
    "SELECT id, title, decision, cost_estimate_eur FROM programmes_regionalaction "
    "WHERE programme_id = %(p)s",
    "SELECT action_id, candidate_action_id, contribution_id FROM programmes_regionalactionsource "
    "s JOIN programmes_regionalaction a ON a.id = s.action_id WHERE a.programme_id = %(p)s "
    "AND s.removed_at IS NULL",
    "SELECT id, consultation_id, title, decision FROM synthesis_candidateaction "
    "WHERE consultation_id IN (SELECT consultation_id FROM programmes_programmeround "
    "WHERE programme_id = %(p)s)",
    "SELECT s.action_id, s.contribution_id FROM synthesis_actionsource s JOIN "
    "synthesis_candidateaction a ON a.id = s.action_id WHERE s.contribution_id IS NOT NULL AND "
    "a.consultation_id IN (SELECT consultation_id FROM programmes_programmeround "
    "WHERE programme_id = %(p)s)",
    "SELECT c.id, c.consultation_id, c.kind, c.theme, c.title, c.author_id, c.author_card_id, "
    "c.structure_id, s.type FROM proposals_contribution c LEFT JOIN structures_structure s "
    "ON s.id = c.structure_id WHERE c.status = 'published' AND c.consultation_id IN "
    "(SELECT consultation_id FROM programmes_programmeround WHERE programme_id = %(p)s)",
    "SELECT e.contribution_id, e.user_id, e.card_id, e.structure_id, s.type FROM "
    "proposals_endorsement e JOIN proposals_contribution c ON c.id = e.contribution_id "
    "LEFT JOIN structures_structure s ON s.id = e.structure_id WHERE c.consultation_id IN "
    "(SELECT consultation_id FROM programmes_programmeround WHERE programme_id = %(p)s)",
    "SELECT action_id, funder_id, amount_eur FROM programmes_fundingline l JOIN "
    "programmes_regionalaction a ON a.id = l.action_id WHERE a.programme_id = %(p)s",
]


def bare(url: str, programme_id: int) -> int:
    rows = 0
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for query in BARE_QUERIES:
            cursor.execute(query, {"p": programme_id})
            rows += len(cursor.fetchall())
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    url = bench_url()
    ensure_database(url)
    setup_django(url)
    programme_id = seed()

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from backend.accounts.models import User
    from backend.programmes.models import Programme
    from backend.programmes.services import regional_plan_publish

    organizer = User.objects.get(email="banc@exemple.fr")
    print(f"load: {os.getloadavg()[0]:.2f} (1-minute average) on {os.cpu_count()} CPUs")
    bare_times, publish_times = [], []
    rows = queries = size = 0
    for _ in range(options.runs):
        started = time.perf_counter()
        rows = bare(url, programme_id)
        bare_times.append(time.perf_counter() - started)
        programme = Programme.objects.get(pk=programme_id)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            with transaction.atomic():
                version = regional_plan_publish(by=organizer, programme=programme)
            publish_times.append(time.perf_counter() - started)
        queries = len(captured)
        size = len(bytes(version.archive))
    floor, publish = statistics.median(bare_times), statistics.median(publish_times)
    print(f"{ROUNDS} rounds x {PER_ROUND} contributions, {rows} rows read by the bare queries")
    print(f"bare queries (rows fetched, nothing built)   p50 {floor * 1000:8.0f} ms")
    print(
        f"regional_plan_publish (snapshot + archive)    p50 {publish * 1000:8.0f} ms  "
        f"x{publish / floor:.1f} the bare queries; {queries} queries, archive {size / 1e6:.1f} MB"
    )
    verdict = "within" if publish <= 10 else "OVER"
    print(
        f"regional publication: {verdict} the 10 s target; it runs in its request "
        "(no background job for regional plans yet)"
    )
    print(f"load at the end: {os.getloadavg()[0]:.2f} (1-minute average)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
