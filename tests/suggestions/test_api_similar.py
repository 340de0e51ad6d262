"""Similar contributions for a draft: correctness, incremental index, permissions, errors."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.moderation.services import content_hide, content_restore
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_edit, contribution_withdraw
from backend.suggestions import indexes
from backend.suggestions.indexes import IndexCache, index_cache
from backend.suggestions.models import IndexChange, IndexSnapshot
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.suggestions.conftest import PARAPHRASE

pytestmark = pytest.mark.django_db


def url(consultation: Consultation) -> str:
    return f"/api/v1/consultations/{consultation.pk}/similar-contributions/"


def ask(
    client: APIClient, consultation: Consultation, title: str, body: str = "", **extra: Any
) -> Any:
    return client.post(url(consultation), {"title": title, "body": body, **extra}, format="json")


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [hit["id"] for hit in response.json()["results"]]


def test_a_paraphrase_finds_the_existing_proposal_first(
    api_client: APIClient, consultation: Consultation, corpus: list[Contribution]
) -> None:
    response = ask(api_client, consultation, *PARAPHRASE)
    results = response.json()["results"]
    assert results[0]["id"] == corpus[0].pk
    first = results[0]
    assert first == {
        "id": corpus[0].pk,
        "title": corpus[0].title,
        "kind": "proposal",
        "score": first["score"],
        "confidence": first["confidence"],
        "why": {
            "terms": first["why"]["terms"],
            "concepts": first["why"]["concepts"],
            "lexical": first["why"]["lexical"],
            "semantic": first["why"]["semantic"],
        },
    }
    # Why: words of the contribution that the draft shares, and domain concepts of both.
    assert {"internet", "caf"} <= set(first["why"]["terms"])
    assert "demarches" in first["why"]["concepts"]
    assert first["confidence"] > 0.5
    scores = [hit["score"] for hit in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0.05 <= score <= 1 for score in scores)
    assert all(0 <= hit["confidence"] <= 1 for hit in results)
    assert len(results) <= 5


def test_look_alikes_are_told_apart(
    api_client: APIClient, consultation: Consultation, corpus: list[Contribution]
) -> None:
    tablets = ids_of(
        ask(
            api_client,
            consultation,
            "Prêter des tablettes aux personnes âgées",
            "La médiathèque pourrait prêter des tablettes aux seniors.",
        )
    )
    assert tablets[0] == corpus[1].pk


def test_k_kind_exclude_and_floor(
    api_client: APIClient,
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
) -> None:
    problem = publish(
        "Les démarches en ligne sont impossibles sans aide",
        "Faire ses démarches administratives sur internet seul, la CAF, les impôts : "
        "impossible sans quelqu'un pour aider.",
        kind="problem",
    )
    both = ids_of(ask(api_client, consultation, *PARAPHRASE, k=20, min_score=0))
    assert {corpus[0].pk, problem.pk} <= set(both)
    assert len(both) == len(corpus) + 1  # min_score 0: every published contribution
    assert ids_of(ask(api_client, consultation, *PARAPHRASE, k=1, min_score=0)) == both[:1]
    problems = ids_of(ask(api_client, consultation, *PARAPHRASE, kind="problem", min_score=0))
    assert problems == [problem.pk]
    proposals = ids_of(ask(api_client, consultation, *PARAPHRASE, kind="proposal", min_score=0))
    assert problem.pk not in proposals
    assert corpus[0].pk in proposals
    without = ids_of(ask(api_client, consultation, *PARAPHRASE, exclude=[corpus[0].pk], k=20))
    assert corpus[0].pk not in without
    assert ids_of(ask(api_client, consultation, "zzz qqq", "xyzw")) == []
    assert ids_of(ask(api_client, consultation, "")) == []


def test_drafts_and_other_consultations_are_never_shown(
    api_client: APIClient,
    consultation: Consultation,
    make_consultation: Callable[..., Consultation],
    publish: Callable[..., Contribution],
) -> None:
    other = make_consultation(title="Une autre concertation")
    elsewhere = publish(*PARAPHRASE, on=other)
    draft = publish(*PARAPHRASE, draft=True)
    assert ids_of(ask(api_client, consultation, *PARAPHRASE, min_score=0)) == []
    assert ids_of(ask(api_client, other, *PARAPHRASE)) == [elsewhere.pk]
    assert draft.pk not in ids_of(ask(api_client, other, *PARAPHRASE, min_score=0))


def test_the_index_follows_every_change_without_a_rebuild(
    api_client: APIClient,
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
    people: Personas,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert corpus[0].pk in ids_of(ask(api_client, consultation, *PARAPHRASE))
    entry = index_cache().entry(consultation.pk)

    def no_rebuild(consultation_id: int) -> Any:
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(indexes, "build_entry", no_rebuild)
    monkeypatch.setattr(indexes, "load_snapshot", no_rebuild)
    fresh = publish(
        "Un écrivain public numérique au centre social",
        "Quelqu'un au centre social pour remplir les dossiers en ligne avec les habitants.",
    )
    assert fresh.pk in ids_of(ask(api_client, consultation, *PARAPHRASE))

    contribution_withdraw(by=people.participant, contribution=fresh)
    assert fresh.pk not in ids_of(ask(api_client, consultation, *PARAPHRASE, min_score=0))

    content_hide(by=people.moderator, contribution=corpus[0], reason="Propos injurieux")
    assert corpus[0].pk not in ids_of(ask(api_client, consultation, *PARAPHRASE, min_score=0))
    content_restore(by=people.moderator, contribution=corpus[0], reason="Erreur")
    assert ids_of(ask(api_client, consultation, *PARAPHRASE))[0] == corpus[0].pk

    wifi = corpus[3]
    with in_phase(PhaseKind.PROPOSALS):
        contribution_edit(
            by=people.participant,
            contribution=wifi,
            title="Aide aux dossiers en ligne dans les parcs",
            body="Un bus itinérant où quelqu'un aide à remplir ses dossiers sur internet.",
        )
    hits = ask(api_client, consultation, *PARAPHRASE, k=20, min_score=0).json()["results"]
    assert {"id": wifi.pk, "title": "Aide aux dossiers en ligne dans les parcs"} in [
        {"id": hit["id"], "title": hit["title"]} for hit in hits
    ]
    assert index_cache().entry(consultation.pk) is entry
    assert entry.version == IndexChange.objects.filter(consultation=consultation).count()


def test_another_process_loads_the_snapshot_and_replays_the_changes(
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = IndexCache(capacity=2)
    assert (
        first.similar(
            consultation_id=consultation.pk,
            title=PARAPHRASE[0],
            body=PARAPHRASE[1],
            k=5,
            min_score=0.2,
        )[0].id
        == corpus[0].pk
    )
    snapshot = IndexSnapshot.objects.get(consultation=consultation)
    assert snapshot.document_count == len(corpus)
    added = publish(
        "Aide pour remplir ses dossiers en ligne",
        "Un guichet où quelqu'un aide à remplir ses dossiers administratifs sur internet.",
    )

    def no_rebuild(consultation_id: int) -> Any:
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(indexes, "build_entry", no_rebuild)
    second = IndexCache(capacity=2)  # a worker process that never saw this consultation
    found = second.similar(
        consultation_id=consultation.pk, title=PARAPHRASE[0], body=PARAPHRASE[1], k=5, min_score=0.2
    )
    assert {hit.id for hit in found} >= {added.pk, corpus[0].pk}
    # The first process catches up by the change log as well.
    again = first.similar(
        consultation_id=consultation.pk, title=PARAPHRASE[0], body=PARAPHRASE[1], k=5, min_score=0.2
    )
    assert [hit.id for hit in again] == [hit.id for hit in found]


def test_a_snapshot_of_another_engine_version_is_ignored(
    consultation: Consultation, corpus: list[Contribution]
) -> None:
    IndexCache(capacity=1).entry(consultation.pk)
    IndexSnapshot.objects.filter(consultation=consultation).update(engine="old", data=b"junk")
    entry = IndexCache(capacity=1).entry(consultation.pk)
    assert sorted(entry.meta) == sorted(c.pk for c in corpus)


def test_the_lru_keeps_the_most_recent_consultations(
    make_consultation: Callable[..., Consultation], publish: Callable[..., Contribution]
) -> None:
    rounds = [make_consultation(title=f"Concertation {n}") for n in range(3)]
    for consultation in rounds:
        publish(*PARAPHRASE, on=consultation)
    cache = IndexCache(capacity=2)
    for consultation in rounds:
        cache.entry(consultation.pk)
    assert rounds[0].pk not in cache
    assert rounds[1].pk in cache
    assert rounds[2].pk in cache


def test_the_lookup_costs_the_same_queries_whatever_the_size(
    api_client: APIClient,
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
) -> None:
    def queries() -> int:
        ask(api_client, consultation, *PARAPHRASE)  # warm: built or caught up
        with CaptureQueriesContext(connection) as captured:
            assert ask(api_client, consultation, *PARAPHRASE).status_code == 200
        return len(captured.captured_queries)

    small = queries()
    for n in range(20):
        publish(f"Proposition numéro {n}", f"Des ordinateurs dans la salle {n} du quartier.")
    assert queries() == small
    assert small == 2  # the consultation, then the change log (empty)


def test_anyone_who_may_see_the_consultation_may_ask(
    api_client: APIClient,
    client_for: Callable[[User], APIClient],
    make_consultation: Callable[..., Consultation],
    people: Personas,
) -> None:
    draft = make_consultation(title="Brouillon", publish=False)
    assert ask(api_client, draft, *PARAPHRASE).status_code == 404
    assert ask(client_for(people.outsider), draft, *PARAPHRASE).status_code == 404
    assert ask(client_for(people.facilitator), draft, *PARAPHRASE).status_code == 200
    assert ask(api_client, draft, *PARAPHRASE).json()["code"] == "not_found"
    missing = api_client.post(
        "/api/v1/consultations/987654321/similar-contributions/", {"title": "x"}, format="json"
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x" * 141}, "title"),
        ({"title": "ok", "body": "x" * 5001}, "body"),
        ({"body": "sans titre"}, "title"),
        ({"title": "ok", "k": 0}, "k"),
        ({"title": "ok", "k": 21}, "k"),
        ({"title": "ok", "kind": "idea"}, "kind"),
        ({"title": "ok", "exclude": ["a"]}, "exclude"),
        ({"title": "ok", "exclude": list(range(1, 52))}, "exclude"),
        ({"title": "ok", "min_score": 2}, "min_score"),
        ({"title": "ok", "draft": True}, "draft"),
        # Another JSON type than the document's (DRF would have coerced each of these).
        ({"title": "ok", "min_score": False}, "min_score"),
        ({"title": "ok", "min_score": "0.5"}, "min_score"),
        ({"title": "ok", "k": "3"}, "k"),
        ({"title": "ok", "k": True}, "k"),
        ({"title": "ok", "exclude": ["1"]}, "exclude"),
        ({"title": 12}, "title"),
    ],
)
def test_bad_drafts_are_validation_errors(
    api_client: APIClient, consultation: Consultation, body: dict[str, Any], field: str
) -> None:
    response = api_client.post(url(consultation), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert any(name.split(".")[0] == field for name in response.json()["fields"])


def test_the_lookup_is_throttled(
    api_client: APIClient, consultation: Consultation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "similar", "2/min")
    statuses = [ask(api_client, consultation, "wifi").status_code for _ in range(2)]
    third = ask(api_client, consultation, "wifi")
    assert statuses == [200, 200]
    assert third.status_code == 429
    assert third.json()["code"] == "throttled"


def test_within_the_recheck_window_the_change_log_is_not_read(
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
) -> None:
    cache = IndexCache(capacity=1, recheck_seconds=3600)
    entry = cache.entry(consultation.pk)
    with CaptureQueriesContext(connection) as captured:
        assert cache.entry(consultation.pk) is entry
    assert captured.captured_queries == []
    fresh = publish(*PARAPHRASE)
    assert fresh.pk not in entry.meta  # another process's change, not read yet
    entry.checked_at = float("-inf")  # the window has passed
    cache.entry(consultation.pk)
    assert fresh.pk in entry.meta
