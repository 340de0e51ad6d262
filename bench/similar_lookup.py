"""Similar-contribution lookup at 10,000 contributions, over HTTP and bare; suggestion run time.

Run with `uv run python bench/similar_lookup.py` (see bench/README.md).
"""

import argparse
import json
import logging
import os
import pickle
import random
import resource
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _voting import MARKER, ROOT, bench_database_url, ensure_database, percentile, setup_django

BENCH_DATABASE = "npt_sbench_similar"
DEV_DATA = ROOT / "tests" / "domain" / "synthesis" / "data" / "proposals-dev.jsonl"
PLACES = ["Grenoble", "Échirolles", "Saint-Martin-d'Hères", "Fontaine", "le Trièves", "Voiron"]
OPENINGS = ["", "", "Bonjour, ", "Dans notre quartier, ", "Je propose que ", "Il faudrait que "]
SMS = {"vous": "vs", "pour": "pr", "beaucoup": "bcp", "quelque": "qq", "aujourd'hui": "auj"}


def load_dev() -> list[tuple[str, str, str]]:
    """(kind, title, body) of the development proposals, or a few built-in ones without it."""
    if DEV_DATA.exists():
        rows = [json.loads(line) for line in DEV_DATA.read_text().splitlines() if line.strip()]
        return [(row["kind"], row["title"], row["body"]) for row in rows]
    return [
        ("proposal", "Permanence d'aide aux démarches en ligne", "Une permanence à la mairie."),
        ("proposal", "Prêt de tablettes aux seniors", "La médiathèque prête des tablettes."),
        ("problem", "Pas de wifi dans les parcs", "Impossible de se connecter dehors."),
    ]


def unaccent(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def retype(text: str, rnd: random.Random) -> str:
    """The same sentence as someone else types it: SMS words, a lost word, no accents."""
    words = []
    for word in text.split():
        if word.lower() in SMS and rnd.random() < 0.5:
            word = SMS[word.lower()]
        elif rnd.random() < 0.03:
            continue
        words.append(word)
    out = " ".join(words)
    return unaccent(out) if rnd.random() < 0.3 else out


def variant(kind: str, title: str, body: str, rnd: random.Random, extra: list[str]) -> Any:
    sentences = [s.strip() for s in body.split(".") if s.strip()]
    kept = [s for s in sentences if rnd.random() < 0.8] or sentences[:1]
    rnd.shuffle(kept)
    kept.append(rnd.choice(extra))
    text = rnd.choice(OPENINGS) + ". ".join(retype(s, rnd) for s in kept)
    text += f". Cela concerne {rnd.choice(PLACES)}."
    return kind, retype(title, rnd)[:140], text[:5000]


def generate(count: int, seed: int) -> tuple[list[Any], list[Any]]:
    """`count` contributions in families of variants of the development proposals, and 420
    drafts that are further variants (not stored)."""
    rnd = random.Random(seed)
    dev = load_dev()
    extra = [s.strip() for _, _, body in dev for s in body.split(".") if len(s.strip()) > 20]
    rows = [variant(*rnd.choice(dev), rnd, extra) for _ in range(count)]
    drafts = [variant(*rnd.choice(dev), rnd, extra) for _ in range(420)]
    return rows, drafts


def consultation_with(count: int, seed: int) -> int:
    """A published consultation, proposals phase open now, with `count` published
    contributions (bulk-inserted as `contribution_create` leaves them); reused if present."""
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.consultations.domain import PhaseKind, PhaseSpec
    from backend.consultations.models import Consultation
    from backend.consultations.services import consultation_create, consultation_publish
    from backend.proposals.models import Contribution
    from backend.territories.models import Territory
    from backend.territories.services import territory_create

    title = f"{MARKER}similar lookup {count}"
    existing = Consultation.objects.filter(title=title).first()
    if existing is not None:
        if existing.contributions.filter(status="published").count() == count:
            return existing.pk
        existing.delete()
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
        title=title,
        territory=region,
        phases=[PhaseSpec(kind=PhaseKind.PROPOSALS, starts_at=now - day, ends_at=now + 30 * day)],
    )
    consultation_publish(by=organizer, consultation=consultation)
    rows, _ = generate(count, seed)
    published_at = now - timedelta(hours=1)
    Contribution.objects.bulk_create(
        (
            Contribution(
                consultation=consultation,
                kind=kind,
                title=row_title,
                body=body,
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
            for kind, row_title, body in rows
        ),
        batch_size=2000,
    )
    print(f"inserted {count} contributions")
    return consultation.pk


def embed_missing(consultation_id: int) -> None:
    """What the services do at write time, for the rows bulk-inserted above: one embedding per
    contribution text, stored (timed once; a second run finds them all)."""
    from backend.proposals.models import Contribution
    from backend.suggestions.embeddings import EMBEDDING_FIELDS, contribution_embeddings_fill

    rows = list(
        Contribution.objects.filter(consultation_id=consultation_id, embedding__isnull=True)
        .order_by("id")
        .values_list("id", "title", "body", *EMBEDDING_FIELDS)
    )
    if not rows:
        return
    _, seconds = timed(lambda: contribution_embeddings_fill(rows))
    print(
        f"embeddings computed and stored once: {len(rows):,} in {seconds:.1f} s "
        f"({seconds / len(rows) * 1e3:.1f} ms each, what publishing pays at write time)"
    )


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="contributions")
    parser.add_argument("--queries", type=int, default=400, help="drafts (half HTTP, half bare)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-run", action="store_true", help="skip the suggestion run")
    args = parser.parse_args()

    # The run is executed below, in this process: enqueueing goes to the dummy backend.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    url = bench_database_url(BENCH_DATABASE)
    ensure_database(url)
    setup_django(url)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 floor's requests

    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    from backend.accounts.models import User
    from backend.consultations.models import Consultation
    from backend.proposals.services import contribution_create
    from backend.suggestions import indexes, services
    from backend.suggestions.models import IndexSnapshot, SuggestionRun

    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    consultation_id = consultation_with(args.count, args.seed)
    embed_missing(consultation_id)
    _, drafts = generate(args.count, args.seed)
    warm_up, drafts = drafts[-11:], drafts[: min(args.queries, len(drafts) - 11)]
    rss_before = maxrss_mb()

    print(f"\n== {args.count:,} published contributions in consultation {consultation_id}")
    entry, build_s = timed(lambda: indexes.build_entry(consultation_id))
    blob = pickle.dumps((entry.index, entry.meta), protocol=pickle.HIGHEST_PROTOCOL)
    _, save_s = timed(lambda: indexes.save_snapshot(entry))
    loaded, load_s = timed(lambda: indexes.load_snapshot(consultation_id))
    assert loaded is not None
    print(f"cold build (1 query + fit):       {build_s:8.2f} s")
    print(f"snapshot: {len(blob) / 1e6:.1f} MB pickled, save {save_s:.2f} s, load {load_s:.2f} s")
    print(f"peak RSS after build:             {maxrss_mb():8.0f} MB (was {rss_before:.0f})")

    # HTTP: DRF's APIClient in-process, anonymous caller, throttle lifted for the measure;
    # the change log is read at most every SIMILAR_INDEX_RECHECK_MS (the default, 1 s).
    ScopedRateThrottle.THROTTLE_RATES["similar"] = "100000000/min"
    indexes.index_cache().clear()
    client = APIClient()
    path = f"/api/v1/consultations/{consultation_id}/similar-contributions/"

    def ask(draft: Any) -> Any:
        _kind, title, body = draft
        response = client.post(path, {"title": title, "body": body}, format="json")
        assert response.status_code == 200, response.content[:300]
        return response

    _, first_s = timed(lambda: ask(warm_up[0]))
    print(f"first HTTP lookup (loads snapshot): {first_s * 1e3:6.0f} ms")
    for draft in warm_up[1:]:
        ask(draft)
    # Interleaved, each draft text seen once: the engine caches word analyses, so a text
    # measured a second time would be faster. HTTP takes the even drafts, bare the odd ones.
    cached = indexes.index_cache().entry(consultation_id)
    missing = "/api/v1/consultations/987654321/similar-contributions/"
    http: list[float] = []
    bare: list[float] = []
    floor: list[float] = []  # the view answering 404 before any index work
    encode: list[float] = []  # the encoder alone, on a third text per pair (never seen)
    from backend.synthesis.domain import default_encoder, encoder_input

    http_cpu: list[float] = []
    for index_draft, http_draft in zip(drafts[1::2], drafts[0::2], strict=False):
        cpu = time.process_time()
        http.append(timed(lambda d=http_draft: ask(d))[1])
        http_cpu.append(time.process_time() - cpu)
        _, title, body = index_draft
        bare.append(timed(lambda t=title, b=body: cached.index.nearest(t, b, k=5))[1])
        floor.append(timed(lambda: client.post(missing, {"title": "x"}, format="json"))[1])
        text = encoder_input(title + " (variante)", body)
        encode.append(timed(lambda text=text: default_encoder().encode([text]))[1])
    p50, p95 = percentile(http, 0.5) * 1e3, percentile(http, 0.95) * 1e3
    b50, b95 = percentile(bare, 0.5) * 1e3, percentile(bare, 0.95) * 1e3
    print(
        f"\nlookup over HTTP   ({len(http)} drafts): p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
        "   (draft encoded, why and confidence computed)"
    )
    c50, c95 = percentile(http_cpu, 0.5) * 1e3, percentile(http_cpu, 0.95) * 1e3
    print(f"  same, CPU time of this process:     p50 {c50:6.1f} ms   p95 {c95:6.1f} ms")
    print(f"bare index.nearest ({len(bare)} drafts): p50 {b50:6.1f} ms   p95 {b95:6.1f} ms")
    e50, e95 = percentile(encode, 0.5) * 1e3, percentile(encode, 0.95) * 1e3
    print(f"encoding a draft alone ({len(encode)}):  p50 {e50:6.1f} ms   p95 {e95:6.1f} ms")
    print(f"ratio HTTP / bare:                    p50 {p50 / b50:6.2f}      p95 {p95 / b95:6.2f}")
    f50, f95 = percentile(floor, 0.5) * 1e3, percentile(floor, 0.95) * 1e3
    print(f"same view answering 404 (no index):   p50 {f50:6.1f} ms   p95 {f95:6.1f} ms")

    # Incremental maintenance: a contribution published through the service is found by the
    # next lookup, which replays one change (no rebuild).
    consultation = Consultation.objects.get(pk=consultation_id)
    organizer = User.objects.get(email="organisatrice@bench.example")
    _kind, title, body = warm_up[-1]
    created, publish_s = timed(
        lambda: contribution_create(
            by=organizer,
            consultation=consultation,
            kind="proposal",
            title=title,
            body=body,
            origin="web",
        )
    )
    time.sleep(indexes.index_cache().recheck_seconds)  # past the recheck window
    response, catch_up_s = timed(lambda: ask(warm_up[-1]))
    found = created.pk in [hit["id"] for hit in response.json()["results"]]
    print(
        f"\npublish through the service: {publish_s * 1e3:.0f} ms; next lookup (replays the "
        f"change): {catch_up_s * 1e3:.1f} ms; new contribution found: {found}"
    )
    created.delete()  # the change log keeps the row; the next catch-up drops it from the index
    IndexSnapshot.objects.filter(consultation_id=consultation_id).delete()

    if args.skip_run:
        return
    run = services.suggestion_run_start(by=organizer, consultation=consultation)
    rss_start = maxrss_mb()
    cpu = time.process_time()
    _, run_s = timed(lambda: services.suggestion_run_execute(run_id=run.pk))
    run_cpu = time.process_time() - cpu
    run = SuggestionRun.objects.get(pk=run.pk)
    sizes = [len(cluster["ids"]) for cluster in run.result]
    print(
        f"\nsuggestion run over {run.contribution_count:,} contributions: {run_s:.1f} s "
        f"(CPU {run_cpu:.1f} s), "
        f"status {run.status}, {len(sizes)} clusters (largest {max(sizes, default=0)}), "
        f"peak RSS {maxrss_mb():.0f} MB (was {rss_start:.0f})"
    )
    cpu = time.process_time()
    bare_run = bare_run_seconds(consultation_id)
    bare_cpu = time.process_time() - cpu
    print(
        f"bare floor of a run: read the 10,000 stored vectors + numpy k-NN (k=20): "
        f"{bare_run:.1f} s (CPU {bare_cpu:.1f} s)   ratio run / bare {run_s / bare_run:.1f}x "
        f"(CPU {run_cpu / bare_cpu:.1f}x)"
    )
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def bare_run_seconds(consultation_id: int) -> float:
    """Reading the published rows with their stored vectors, then the dense k-NN: the least a
    semantic clustering run can do."""
    import numpy as np

    from backend.proposals.models import Contribution

    def run() -> None:
        rows = Contribution.objects.filter(
            consultation_id=consultation_id, status="published"
        ).values_list("id", "embedding__vector")
        vectors = np.vstack([np.frombuffer(bytes(v), dtype="<f4") for _, v in rows])
        for start in range(0, len(vectors), 512):
            block = vectors[start : start + 512] @ vectors.T
            np.argpartition(-block, 20, axis=1)[:, :20]

    return timed(run)[1]


if __name__ == "__main__":
    main()
