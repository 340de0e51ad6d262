"""Suggestion runs over REST: start, progress, result, permissions, validation, failures."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_withdraw
from backend.suggestions import services
from backend.suggestions.models import RunStatus, SuggestionRun
from backend.synthesis.domain import DEFAULT_THRESHOLD
from tests.consultations.conftest import Personas
from tests.suggestions.conftest import PARAPHRASE

# Real commits: the job is enqueued, and run by the immediate backend, on commit.
pytestmark = pytest.mark.django_db(transaction=True)


def runs_url(consultation: Consultation) -> str:
    return f"/api/v1/consultations/{consultation.pk}/suggestion-runs/"


@pytest.fixture
def duplicates(corpus: list[Contribution], publish: Callable[..., Contribution]) -> Contribution:
    """A second proposal saying what the first of the corpus says."""
    return publish(*PARAPHRASE)


def test_an_organizer_runs_the_suggested_clusters(
    client_for: Callable[[User], APIClient],
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    duplicates: Contribution,
) -> None:
    client = client_for(people.organizer)
    started = client.post(runs_url(consultation), {}, format="json")
    assert started.status_code == 202
    run = started.json()
    assert run["threshold"] == DEFAULT_THRESHOLD
    assert run["consultation"] == consultation.pk
    assert run["created_by"] == people.organizer.pk
    # The immediate backend ran the job on commit, before the response was written.
    assert run["status"] == "done"
    assert run["done"] == run["total"] > 0
    assert run["contribution_count"] == len(corpus) + 1

    detail = client.get(f"/api/v1/suggestion-runs/{run['id']}/").json()
    groups = [sorted(member["id"] for member in c["members"]) for c in detail["clusters"]]
    assert sorted([corpus[0].pk, duplicates.pk]) in groups
    pair = next(c for c in detail["clusters"] if corpus[0].pk in [m["id"] for m in c["members"]])
    assert pair["representative_id"] in {corpus[0].pk, duplicates.pk}
    assert 0 < pair["cohesion"] <= 1
    assert {
        "id": corpus[0].pk,
        "title": corpus[0].title,
        "kind": "proposal",
        "status": "published",
    } in pair["members"]
    assert pair["already_merged_ids"] == []
    # Why and how sure: what the members share, and a confidence.
    assert 0.5 < pair["confidence"] <= 1
    assert "internet" in pair["shared_terms"]
    assert "demarches" in pair["shared_concepts"]
    for cluster in detail["clusters"]:
        assert len(cluster["members"]) > 1


def test_threshold_changes_the_grouping_and_is_validated(
    client_for: Callable[[User], APIClient],
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    duplicates: Contribution,
) -> None:
    client = client_for(people.facilitator)
    strict = client.post(runs_url(consultation), {"threshold": 0.99}, format="json").json()
    assert strict["threshold"] == 0.99
    assert client.get(f"/api/v1/suggestion-runs/{strict['id']}/").json()["clusters"] == []
    for bad in (0, 1, -0.5, 1.5, "beaucoup"):
        response = client.post(runs_url(consultation), {"threshold": bad}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["code"] == "validation_error"
        assert "threshold" in response.json()["fields"]
    unknown = client.post(runs_url(consultation), {"seuil": 0.3}, format="json")
    assert unknown.status_code == 400
    assert SuggestionRun.objects.count() == 1


def test_members_changed_since_the_run_lose_their_title(
    client_for: Callable[[User], APIClient],
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    duplicates: Contribution,
) -> None:
    client = client_for(people.organizer)
    run = client.post(runs_url(consultation), {}, format="json").json()
    contribution_withdraw(by=people.participant, contribution=duplicates)
    detail = client.get(f"/api/v1/suggestion-runs/{run['id']}/").json()
    members = [m for c in detail["clusters"] for m in c["members"]]
    assert {
        "id": duplicates.pk,
        "title": None,
        "kind": "proposal",
        "status": "withdrawn",
    } in members


@pytest.mark.parametrize(
    ("who", "create", "read"),
    [
        ("organizer", 202, 200),
        ("facilitator", 202, 200),
        ("staff", 202, 200),
        ("moderator", 403, 404),
        ("participant", 403, 404),
        ("outsider", 403, 404),
        ("anonymous", 401, 401),
    ],
)
def test_who_may_run_and_read_suggestions(
    api_client: APIClient,
    client_for: Callable[[User], APIClient],
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    who: str,
    create: int,
    read: int,
) -> None:
    run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    client = api_client if who == "anonymous" else client_for(getattr(people, who))
    assert client.post(runs_url(consultation), {}, format="json").status_code == create
    assert client.get(f"/api/v1/suggestion-runs/{run.pk}/").status_code == read
    listed = client.get(runs_url(consultation))
    assert listed.status_code == (200 if read == 200 else 401 if read == 401 else 403)


def test_the_list_is_newest_first_in_constant_queries(
    client_for: Callable[[User], APIClient],
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
) -> None:
    client = client_for(people.organizer)

    def listed() -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(runs_url(consultation))
        return [run["id"] for run in response.json()["results"]], len(captured.captured_queries)

    first = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    ids, few = listed()
    assert ids == [first.pk]
    more = [
        services.suggestion_run_start(by=people.facilitator, consultation=consultation, threshold=t)
        for t in (0.2, 0.4, 0.6)
    ]
    ids, many = listed()
    assert ids == [run.pk for run in reversed(more)] + [first.pk]
    assert many == few
    assert "clusters" not in client.get(runs_url(consultation)).json()["results"][0]


def test_a_failing_run_is_stored_as_failed(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(services, "suggest_clusters", broken)
    run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "engine exploded" in run.error
    assert run.finished_at is not None


def test_a_second_delivery_of_the_job_does_nothing(
    people: Personas, consultation: Consultation, corpus: list[Contribution]
) -> None:
    run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    run.refresh_from_db()
    finished_at = run.finished_at
    services.suggestion_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.finished_at == finished_at


def test_progress_is_reported_until_done(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    settings: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    seen: list[tuple[int, int]] = []
    stored: list[tuple[str, int, int]] = []

    def watch(done: int, total: int) -> None:
        seen.append((done, total))
        fresh = SuggestionRun.objects.get(pk=run.pk)
        stored.append((fresh.status, fresh.done, fresh.total))

    services.suggestion_run_execute(run_id=run.pk, on_progress=watch)
    run.refresh_from_db()
    assert seen
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == seen[-1][1] == run.total == run.done
    assert stored[0][0] == RunStatus.RUNNING
    assert stored[0][1:] == seen[0]  # the first report is stored at once (then every 0.5 s)
    assert run.status == RunStatus.DONE
