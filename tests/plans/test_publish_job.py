"""A publication too large for its request: checked in the request (same errors), published by
a background job with progress, and never half-published when the job fails or dies."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.jobs.services import housekeeping_run
from backend.plans.models import ArtifactBuild, BuildStatus, PlanVersion, PublicationArtifact
from backend.plans.services.artifacts import artifact_build_execute, artifact_builds_abandon
from backend.synthesis.services import contribution_answer_set
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def publish_in_a_job(settings: Any) -> None:
    settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS = 0


def url(built: Built) -> str:
    return f"/api/v1/consultations/{built.consultation.pk}/plan/versions/"


def test_a_large_publication_is_a_job_that_publishes_then_builds_the_files(
    built: Built, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(people.organizer)
    with in_phase(PhaseKind.RESTITUTION):
        accepted = client.post(url(built), {"note": "v1"}, format="json")
    assert accepted.status_code == 202, accepted.json()
    body = accepted.json()
    assert accepted["Location"] == f"/api/v1/artifact-builds/{body['id']}/"
    assert accepted["Retry-After"] == "5"
    assert (body["status"], body["done"], body["plan_number"], body["error_code"]) == (
        "queued",
        0,
        None,
        "",
    )
    assert body["kinds"] == ["plan_version", "open_data", "plan_csv", "plan_json", "plan_html"]
    assert not PlanVersion.objects.exists()

    with in_phase(PhaseKind.RESTITUTION):
        artifact_build_execute(build_id=body["id"])
    followed = client.get(f"/api/v1/artifact-builds/{body['id']}/").json()
    assert (followed["status"], followed["plan_number"]) == ("done", 1)
    assert followed["done"] == followed["total"] == body["total"]
    version = PlanVersion.objects.get()
    assert (version.number, version.note, version.published_by) == (1, "v1", people.organizer)
    kinds = set(PublicationArtifact.objects.values_list("kind", flat=True))
    assert kinds == {"open_data", "plan_csv", "plan_json", "plan_html"}
    # The files were built by this job: publishing queued no second build.
    assert ArtifactBuild.objects.count() == 1
    latest = client.get(f"/api/v1/consultations/{built.consultation.pk}/plan/")
    assert latest.json()["number"] == 1
    # Each request is a publication: a second one publishes version 2.
    with in_phase(PhaseKind.RESTITUTION):
        second = client.post(url(built), {}, format="json").json()
        artifact_build_execute(build_id=second["id"])
    assert ArtifactBuild.objects.get(pk=second["id"]).plan_number == 2


def test_the_request_answers_the_same_errors_as_before(
    build: Callable[..., Built],
    people: Personas,
    client_for: Callable[[User], APIClient],
    settings: Any,
) -> None:
    state = build(decide=False)
    settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS = 2000
    with in_phase(PhaseKind.RESTITUTION):
        inline = client_for(people.organizer).post(url(state), {}, format="json")
    settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS = 0
    with in_phase(PhaseKind.RESTITUTION):
        incomplete = client_for(people.organizer).post(url(state), {}, format="json")
        participant = client_for(people.participant).post(url(state), {}, format="json")
        too_long = client_for(people.organizer).post(
            url(state), {"note": "x" * 2001}, format="json"
        )
    with in_phase(PhaseKind.SYNTHESIS):
        closed = client_for(people.organizer).post(url(state), {"force": True}, format="json")
    assert incomplete.status_code == 409
    assert incomplete.json()["code"] == "plan_incomplete"
    assert incomplete.json() == inline.json()
    assert incomplete.json()["details"]["pending_actions"] == [
        state.retained.pk,
        state.rejected.pk,
    ]
    assert state.proposals[3].pk in incomplete.json()["details"]["missing_answers"]
    assert (participant.status_code, participant.json()["code"]) == (403, "permission_denied")
    assert too_long.status_code == 400
    assert (closed.status_code, closed.json()["code"]) == (409, "phase_closed")
    assert not ArtifactBuild.objects.exists()
    assert not PlanVersion.objects.exists()


def test_a_job_refused_when_it_runs_stores_why_and_publishes_nothing(
    build: Callable[..., Built], people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    state = build()
    client = client_for(people.organizer)
    with in_phase(PhaseKind.RESTITUTION):
        body = client.post(url(state), {}, format="json").json()
    # Meanwhile the phase moved on: the job checks the gate again.
    with in_phase(PhaseKind.SYNTHESIS):
        artifact_build_execute(build_id=body["id"])
    followed = client.get(f"/api/v1/artifact-builds/{body['id']}/").json()
    assert (followed["status"], followed["error_code"], followed["plan_number"]) == (
        "failed",
        "phase_closed",
        None,
    )
    assert not PlanVersion.objects.exists()
    assert not PublicationArtifact.objects.exists()


def test_a_job_that_dies_mid_publication_leaves_no_version(
    built: Built, people: Personas, client_for: Callable[[User], APIClient], monkeypatch: Any
) -> None:
    with in_phase(PhaseKind.RESTITUTION):
        body = client_for(people.organizer).post(url(built), {}, format="json").json()

    def crash(**_kwargs: Any) -> None:
        raise RuntimeError("worker killed")

    # Fails after the version row is written, inside the publication's transaction.
    monkeypatch.setattr("backend.plans.services.publish.emit_after_commit", crash)
    with in_phase(PhaseKind.RESTITUTION), pytest.raises(RuntimeError, match="worker killed"):
        artifact_build_execute(build_id=body["id"])
    build = ArtifactBuild.objects.get(pk=body["id"])
    assert (build.status, build.error_code) == (BuildStatus.FAILED, "build_failed")
    assert not PlanVersion.objects.exists()


def test_a_job_left_running_by_a_lost_worker_is_marked_failed(
    built: Built, people: Personas, client_for: Callable[[User], APIClient], settings: Any
) -> None:
    settings.ARTIFACT_BUILD_STALE_MINUTES = 30
    with in_phase(PhaseKind.RESTITUTION):
        body = client_for(people.organizer).post(url(built), {}, format="json").json()
    now = timezone.now()
    ArtifactBuild.objects.filter(pk=body["id"]).update(
        status=BuildStatus.RUNNING, updated_at=now - timedelta(minutes=10)
    )
    assert artifact_builds_abandon(now=now) == 0
    ArtifactBuild.objects.filter(pk=body["id"]).update(updated_at=now - timedelta(minutes=31))
    # The periodic housekeeping does it.
    assert housekeeping_run(now=now)["abandoned_artifact_builds"] == 1
    build = ArtifactBuild.objects.get(pk=body["id"])
    assert (build.status, build.error_code) == (BuildStatus.FAILED, "worker_lost")
    assert not PlanVersion.objects.exists()
    # Asking again starts a new publication.
    with in_phase(PhaseKind.RESTITUTION):
        again = client_for(people.organizer).post(url(built), {}, format="json")
    assert again.status_code == 202
    assert again.json()["id"] != body["id"]


def test_a_small_publication_is_still_published_in_its_request(
    built: Built, people: Personas, client_for: Callable[[User], APIClient], settings: Any
) -> None:
    settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS = 2000
    with in_phase(PhaseKind.RESTITUTION):
        created = client_for(people.organizer).post(url(built), {}, format="json")
    assert created.status_code == 201
    assert created.json()["number"] == 1


def test_a_forced_job_freezes_the_state_of_when_it_runs(
    build: Callable[..., Built], people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    state = build(decide=False)
    with in_phase(PhaseKind.RESTITUTION):
        body = client_for(people.organizer).post(url(state), {"force": True}, format="json")
        assert body.status_code == 202
    with in_phase(PhaseKind.SYNTHESIS):
        contribution_answer_set(by=people.organizer, contribution=state.proposals[3], text="Vu.")
    with in_phase(PhaseKind.RESTITUTION):
        artifact_build_execute(build_id=body.json()["id"])
    version = PlanVersion.objects.get()
    assert version.is_forced
    # Answered after the request, before the job: the snapshot is read by the job.
    assert version.snapshot["missing_answers"]
    assert state.proposals[3].pk not in version.snapshot["missing_answers"]
