"""The similarity index of each consultation, kept in process memory and caught up by deltas.

Policy (why a lookup stays fast and correct with several processes):

* Each process keeps the ``SimilarityIndex`` of the few consultations it served last (an LRU of
  ``SIMILAR_INDEX_CACHE_SIZE`` entries) with the ``version`` of the consultation it reflects.
* Every change of a public contribution (published, edited, withdrawn, hidden, restored) raises
  the consultation's ``IndexVersion`` and logs an ``IndexChange`` row in the same transaction
  (``services.similarity_contribution_changed``). The version row lock orders a consultation's
  changes by commit, so versions become visible without gaps.
* A lookup first reads the changes newer than its entry (one indexed query, usually empty),
  re-reads those contributions and applies them: published ones are added or replaced, the rest
  removed. No refit per query; the engine itself refits after 25 % of churn. Under heavy
  traffic that query is made at most every ``SIMILAR_INDEX_RECHECK_MS`` (default 1000 ms) per
  consultation and process: a draft may miss a contribution published less than that ago.
* Housekeeping prunes the change log older than ``SIMILARITY_CHANGE_LOG_RETENTION_DAYS`` except
  what is newer than the consultation's snapshot; an entry older than the pruned changes sees
  a gap in the versions (they have none otherwise) and is rebuilt.
* A process with no entry loads the pickled ``IndexSnapshot`` (written by the process that built
  it last) and replays the changes since; with no usable snapshot (none yet, another engine
  version, or a signature that does not verify) it builds the index from the published
  contributions (one query) and saves a snapshot for the next process.
* A snapshot is unpickled only when its HMAC (keyed from ``SECRET_KEY`` by ``salted_hmac``,
  over the consultation, version, engine and bytes) verifies: whoever can write that table
  but does not hold the key cannot make a process run code. A new ``SECRET_KEY`` makes every
  snapshot unverifiable: each is rebuilt once.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.utils.crypto import constant_time_compare, salted_hmac

from backend.proposals.models import Contribution, ContributionStatus
from backend.suggestions.embeddings import EMBEDDING_FIELDS, docs_with_embeddings
from backend.suggestions.models import IndexChange, IndexSnapshot, IndexVersion
from backend.synthesis import domain as synthesis_domain
from backend.synthesis.domain import (
    Doc,
    HybridBackend,
    SimilarityIndex,
    build_index,
    confidence,
    default_encoder,
    pair_explanation,
)

logger = logging.getLogger(__name__)

# Beyond this many changes to replay, rebuilding is cheaper and keeps the vocabulary fresh.
MAX_REPLAYED_CHANGES = 2000
# A process that replayed this many changes saves a fresh snapshot for the others.
SNAPSHOT_AFTER_CHANGES = 500
# Contributions read per round trip when building.
BUILD_CHUNK = 2000


@cache
def engine_fingerprint() -> str:
    """Hash of the engine's code and data: a snapshot pickled by another version is ignored."""
    folder = Path(synthesis_domain.__file__).resolve().parent
    digest = hashlib.sha256(default_encoder().name.encode())
    for path in sorted(folder.iterdir()):
        if path.suffix in {".py", ".tsv", ".txt"}:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Why:
    """What a draft and a similar contribution share: terms, domain concepts, and the cosine of
    each view (``lexical`` is None when the two texts are not both in French)."""

    terms: tuple[str, ...]
    concepts: tuple[str, ...]
    lexical: float | None
    semantic: float


@dataclass(frozen=True)
class Hit:
    """A published contribution similar to a text."""

    id: int
    score: float
    title: str
    kind: str
    confidence: float = 0.0
    why: Why | None = None


@dataclass
class Entry:
    """The index of one consultation, the title and kind of each document, its version."""

    consultation_id: int
    index: SimilarityIndex
    version: int
    meta: dict[int, tuple[str, str]]
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    checked_at: float = field(default=float("-inf"), repr=False, compare=False)

    by_kind: dict[str, set[int]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for doc_id, (_, kind) in self.meta.items():
            self.by_kind.setdefault(kind, set()).add(doc_id)

    def put(self, doc: Doc, kind: str) -> None:
        contribution_id, title = doc.id, doc.title
        self.drop(contribution_id)
        self.index.add(doc)
        self.meta[contribution_id] = (title, kind)
        self.by_kind.setdefault(kind, set()).add(contribution_id)

    def drop(self, contribution_id: int) -> None:
        self.index.remove(contribution_id)
        found = self.meta.pop(contribution_id, None)
        if found is not None:
            self.by_kind.get(found[1], set()).discard(contribution_id)

    def ids_of_other_kinds(self, kind: str) -> set[int]:
        others: set[int] = set()
        for doc_kind, ids in self.by_kind.items():
            if doc_kind != kind:
                others |= ids
        return others


def _published(consultation_id: int) -> Iterable[tuple[Any, ...]]:
    return (
        Contribution.objects.filter(
            consultation_id=consultation_id, status=ContributionStatus.PUBLISHED
        )
        .order_by("id")
        .values_list("id", "title", "body", *EMBEDDING_FIELDS, "kind")
        .iterator(chunk_size=BUILD_CHUNK)
    )


def current_version(consultation_id: int) -> int:
    found = (
        IndexVersion.objects.filter(consultation_id=consultation_id)
        .values_list("version", flat=True)
        .first()
    )
    return int(found or 0)


def build_entry(consultation_id: int) -> Entry:
    """A fresh index of the published contributions (version read first: a change that
    commits meanwhile is replayed by the next catch-up, and replaying is idempotent)."""
    version = current_version(consultation_id)
    rows = list(_published(consultation_id))
    docs = docs_with_embeddings(row[:5] for row in rows)
    meta = {row[0]: (row[1], row[5]) for row in rows}
    return Entry(consultation_id, build_index(docs, HybridBackend()), version, meta)


def _raw_connection() -> Any:
    """The psycopg connection under Django's (same transaction): the pickled index travels in
    binary format, not as an escaped literal twice its size in the SQL text."""
    connection.ensure_connection()
    return connection.connection


SNAPSHOT_SALT = "backend.suggestions.indexes.IndexSnapshot"


def snapshot_signature(
    *, consultation_id: int, version: int, engine: str, data: bytes | memoryview
) -> bytes:
    """HMAC-SHA256 of a snapshot, keyed from SECRET_KEY (`salted_hmac`): binds the bytes to
    their consultation, version and engine, so a row cannot be moved or replayed either."""
    mac = salted_hmac(SNAPSHOT_SALT, f"{consultation_id}:{version}:{engine}:", algorithm="sha256")
    mac.update(data)
    return mac.digest()


def save_snapshot(entry: Entry) -> None:
    data = pickle.dumps((entry.index, entry.meta), protocol=pickle.HIGHEST_PROTOCOL)
    engine = engine_fingerprint()
    signature = snapshot_signature(
        consultation_id=entry.consultation_id, version=entry.version, engine=engine, data=data
    )
    table = IndexSnapshot._meta.db_table
    with psycopg.Cursor(_raw_connection()) as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608
            "(consultation_id, version, engine, document_count, data, signature, created_at) "
            "VALUES (%s, %s, %s, %s, %b, %b, now()) ON CONFLICT (consultation_id) DO UPDATE SET "
            "version = EXCLUDED.version, engine = EXCLUDED.engine, "
            "document_count = EXCLUDED.document_count, data = EXCLUDED.data, "
            "signature = EXCLUDED.signature, created_at = EXCLUDED.created_at",
            [entry.consultation_id, entry.version, engine, len(entry.meta), data, signature],
        )


def load_snapshot(consultation_id: int) -> Entry | None:
    """The saved index, if one was pickled by this engine version and its signature verifies
    (otherwise None: the caller rebuilds, and its new snapshot replaces the row)."""
    table = IndexSnapshot._meta.db_table
    engine = engine_fingerprint()
    with psycopg.Cursor(_raw_connection()) as cursor:
        cursor.execute(
            f"SELECT version, data, signature FROM {table} "  # noqa: S608
            "WHERE consultation_id = %s AND engine = %s",
            [consultation_id, engine],
            binary=True,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    version, data, signature = row
    expected = snapshot_signature(
        consultation_id=consultation_id, version=int(version), engine=engine, data=data
    )
    if not constant_time_compare(expected, bytes(signature)):
        logger.warning(
            "Similarity snapshot of consultation %s refused: its signature does not verify",
            consultation_id,
        )
        return None
    try:
        index, meta = pickle.loads(data)  # noqa: S301 (signed by us: verified above)
    except Exception:  # an unreadable snapshot (old classes, truncated) is rebuilt
        return None
    if not isinstance(index, SimilarityIndex) or not isinstance(meta, dict):
        return None
    return Entry(consultation_id, index, int(version), meta)


def catch_up(entry: Entry) -> int:
    """Apply the changes logged after the entry's version; the number applied, or -1 when
    there are too many or the log no longer reaches back to the entry's version (pruned by
    housekeeping): the caller rebuilds. One query when nothing changed."""
    changes = list(
        IndexChange.objects.filter(consultation_id=entry.consultation_id, version__gt=entry.version)
        .order_by("version")
        .values_list("version", "contribution_id")[: MAX_REPLAYED_CHANGES + 1]
    )
    if not changes:
        return 0
    # Versions have no gaps; a missing one was pruned by housekeeping: rebuild.
    if len(changes) > MAX_REPLAYED_CHANGES or changes[0][0] != entry.version + 1:
        return -1
    changed = {contribution_id for _, contribution_id in changes}
    current = {
        row[0]: row
        for row in Contribution.objects.filter(
            pk__in=changed,
            status=ContributionStatus.PUBLISHED,
            consultation_id=entry.consultation_id,
        ).values_list("id", "title", "body", *EMBEDDING_FIELDS, "kind")
    }
    docs = {doc.id: doc for doc in docs_with_embeddings(row[:5] for row in current.values())}
    for contribution_id in sorted(changed):
        doc = docs.get(contribution_id)
        if doc is not None:
            entry.put(doc, current[contribution_id][5])
        else:
            entry.drop(contribution_id)
    entry.version = changes[-1][0]
    return len(changes)


class IndexCache:
    """A small LRU of per-consultation entries, safe to use from several threads."""

    def __init__(self, capacity: int, recheck_seconds: float = 0.0) -> None:
        self.capacity = max(1, capacity)
        self.recheck_seconds = recheck_seconds
        self._entries: OrderedDict[int, Entry] = OrderedDict()
        self._building: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._building.clear()

    def __contains__(self, consultation_id: object) -> bool:
        with self._lock:
            return consultation_id in self._entries

    def _remember(self, entry: Entry) -> None:
        with self._lock:
            self._entries[entry.consultation_id] = entry
            self._entries.move_to_end(entry.consultation_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def _cached(self, consultation_id: int) -> Entry | None:
        with self._lock:
            entry = self._entries.get(consultation_id)
            if entry is not None:
                self._entries.move_to_end(consultation_id)
            return entry

    def _load_or_build(self, consultation_id: int) -> Entry:
        with self._lock:
            building = self._building.setdefault(consultation_id, threading.Lock())
        with building:  # one build per consultation and process; the others wait for it
            entry = self._cached(consultation_id)
            if entry is not None:
                return entry
            entry = load_snapshot(consultation_id)
            if entry is not None and catch_up(entry) < 0:
                entry = None
            if entry is None:
                entry = build_entry(consultation_id)
                catch_up(entry)
                save_snapshot(entry)
            self._remember(entry)
            return entry

    def entry(self, consultation_id: int) -> Entry:
        """The consultation's entry, current as of the changes committed so far.

        The caller holds ``entry.lock`` while querying it.
        """
        entry = self._cached(consultation_id) or self._load_or_build(consultation_id)
        with entry.lock:
            now = time.monotonic()
            if now - entry.checked_at < self.recheck_seconds:
                return entry
            applied = catch_up(entry)
            entry.checked_at = now
            if applied >= SNAPSHOT_AFTER_CHANGES:
                save_snapshot(entry)
        if applied < 0:
            with self._lock:
                self._entries.pop(consultation_id, None)
            return self._load_or_build(consultation_id)
        return entry

    def similar(
        self,
        *,
        consultation_id: int,
        title: str,
        body: str,
        k: int,
        min_score: float,
        kind: str | None = None,
        exclude: Collection[int] = (),
    ) -> list[Hit]:
        """The ``k`` published contributions closest to a text, best first, above ``min_score``."""
        entry = self.entry(consultation_id)
        with entry.lock:
            excluded: set[int] = set(exclude)
            if kind is not None:
                excluded.update(entry.ids_of_other_kinds(kind))
            index = entry.index
            query = index.vector(title, body)  # the draft is encoded once, here
            pairs = index.nearest_to_vector(query, k=k, exclude_ids=excluded)
            lexical_backend = getattr(index.backend, "lexical", None)
            draft = Doc(-1, title, body)
            both_native = bool(query.native[0])
            hits = []
            for doc_id, score in pairs:
                if score < min_score or doc_id not in entry.meta:
                    continue
                doc_title, doc_kind = entry.meta[doc_id]
                lexical, semantic = index.parts(query, doc_id)
                shared = pair_explanation(draft, index.doc(doc_id), lexical_backend)
                native = both_native and index.is_native(doc_id)
                why = Why(
                    terms=shared.terms,
                    concepts=shared.concepts,
                    lexical=round(lexical, 4) if native else None,
                    semantic=round(semantic, 4),
                )
                hits.append(
                    Hit(
                        id=doc_id,
                        score=score,
                        title=doc_title,
                        kind=doc_kind,
                        confidence=round(confidence(score), 4),
                        why=why,
                    )
                )
            return hits


_cache: IndexCache | None = None


def index_cache() -> IndexCache:
    """The process's cache (settings SIMILAR_INDEX_CACHE_SIZE, SIMILAR_INDEX_RECHECK_MS)."""
    global _cache
    if _cache is None:
        _cache = IndexCache(
            settings.SIMILAR_INDEX_CACHE_SIZE, settings.SIMILAR_INDEX_RECHECK_MS / 1000
        )
    return _cache
