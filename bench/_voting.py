"""Shared set-up of the vote benchmarks: a bench database and a round open for voting.

Not a benchmark itself; `ballot_intake.py` and `majority_judgment.py` import it.
"""

import os
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = "[bench] "
BENCH_SECRET_KEY = "bench-" + "x" * 50


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_database_url(name: str) -> str:
    """DATABASE_URL (or the embedded server's URL) with the database name swapped."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        from backend.localdb import embedded_database_url

        base = embedded_database_url()
    return urlunsplit(urlsplit(base)._replace(path="/" + name))


def ensure_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass(frozen=True)
class Round:
    consultation_id: int
    organizer_id: int
    vote_id: int
    items: list[int]


def voting_round(*, label: str, items: int, method: str) -> Round:
    """A published consultation whose vote phase is open now (for 30 days), `items` published
    proposals and one vote over them; reused when a vote titled `[bench] <label>` exists.

    Consultation and vote go through the services (vote_create caps a vote at its MAX_ITEMS
    proposals: above that, the vote row and its items are written with the ORM instead).
    The proposals are bulk-created rows as contribution_create would have left them.
    """
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.consultations.domain import PhaseKind, PhaseSpec
    from backend.consultations.services import consultation_create, consultation_publish
    from backend.proposals.models import Contribution
    from backend.territories.models import Territory
    from backend.territories.services import territory_create
    from backend.votes import services as vote_services
    from backend.votes.models import Vote

    title = MARKER + label
    existing = Vote.objects.filter(title=title).select_related("consultation").first()
    if existing is not None:
        item_ids = sorted(existing.items.values_list("pk", flat=True))
        if len(item_ids) == items and existing.method == method:
            return Round(
                existing.consultation_id, existing.created_by_id or 0, existing.pk, item_ids
            )
        existing.consultation.delete()  # another size or method: start this round over
    organizer = User.objects.filter(email="organisatrice@bench.example").first()
    if organizer is None:
        organizer = User.objects.create_user(
            "organisatrice@bench.example", None, display_name="Organisatrice", is_staff=True
        )
    region = Territory.objects.filter(slug="bench-region").first() or territory_create(
        kind="region", name="Bench région", slug="bench-region"
    )
    now = timezone.now()
    day = timedelta(days=1)
    consultation = consultation_create(
        by=organizer,
        title=f"{title} ({now:%Y-%m-%d %H:%M:%S})",
        territory=region,
        phases=[
            PhaseSpec(kind=PhaseKind.PROPOSALS, starts_at=now - 30 * day, ends_at=now - day),
            PhaseSpec(kind=PhaseKind.VOTE, starts_at=now - day, ends_at=now + 30 * day),
        ],
    )
    consultation_publish(by=organizer, consultation=consultation)
    published_at = now - 2 * day
    proposals = Contribution.objects.bulk_create(
        Contribution(
            consultation=consultation,
            kind="proposal",
            title=f"{MARKER}Proposition {n}",
            body="Des permanences numériques dans chaque maison de quartier.",
            theme="acces_droits",
            territory=region,
            status="published",
            origin="web",
            entered_by=organizer,
            author=organizer,
            captured_at=published_at,
            created_at=published_at,
            published_at=published_at,
            updated_at=published_at,
        )
        for n in range(1, items + 1)
    )
    item_ids = [proposal.pk for proposal in proposals]
    if items <= vote_services.MAX_ITEMS:
        vote = vote_services.vote_create(
            by=organizer,
            consultation=consultation,
            title=title,
            method=method,
            items=item_ids,
        )
    else:
        vote = Vote.objects.create(
            consultation=consultation, title=title, method=method, created_by=organizer
        )
        vote.items.set(item_ids)
    return Round(consultation.pk, organizer.pk, vote.pk, item_ids)
