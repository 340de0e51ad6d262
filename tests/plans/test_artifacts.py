"""Published files built once per state of their sources: stored under their digest, served
with ETag and Content-Length, rebuilt when the data changes, built by a background job with
progress when large."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.consultations.domain import PhaseKind
from backend.core.realtime import consultation_group
from backend.plans.models import ArtifactBuild, ArtifactKind, BuildStatus, PublicationArtifact
from backend.plans.selectors.artifacts import open_data_state
from backend.plans.services import plan_publish
from backend.plans.services.artifacts import artifact_build_execute, artifact_build_request
from backend.proposals.services import contribution_create
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db


def archive_url(built: Built) -> str:
    return f"/api/v1/consultations/{built.consultation.pk}/open-data.zip"


def add_proposal(built: Built, people: Personas, title: str) -> None:
    with in_phase(PhaseKind.PROPOSALS):
        contribution_create(
            by=people.participant,
            consultation=built.consultation,
            kind="proposal",
            title=title,
            body="Un atelier de plus.",
            origin="web",
            theme="equipement",
        )


def test_the_archive_is_built_once_and_served_from_storage(built: Built, people: Personas) -> None:
    client = ContractAPIClient()
    first = client.get(archive_url(built))
    assert first.status_code == 200
    artifact = PublicationArtifact.objects.get(kind=ArtifactKind.OPEN_DATA)
    assert first["Content-Length"] == str(artifact.size) == str(len(first.content))
    assert first["ETag"] == f'"{artifact.sha256}"'
    assert artifact.storage_name.endswith(f"{artifact.sha256}.zip")
    with storages["artifacts"].open(artifact.storage_name, "rb") as stored:
        assert stored.read() == first.content

    # Unchanged data: the stored file, without building (a handful of queries).
    with CaptureQueriesContext(connection) as served:
        again = client.get(archive_url(built))
    assert again.content == first.content
    assert PublicationArtifact.objects.count() == 1
    assert len(served) <= 4, [query["sql"][:80] for query in served.captured_queries]

    # Changed data: a new state, a new file; the old one stays valid for its own state.
    add_proposal(built, people, "Une idée de plus")
    changed = client.get(archive_url(built))
    assert changed["ETag"] != first["ETag"]
    assert PublicationArtifact.objects.filter(kind=ArtifactKind.OPEN_DATA).count() == 2


def test_a_large_archive_is_built_by_a_background_job(
    built: Built, people: Personas, settings: Any
) -> None:
    settings.ARTIFACTS_INLINE_MAX_ROWS = 0
    client = ContractAPIClient()
    accepted = client.get(archive_url(built))
    assert accepted.status_code == 202
    body = accepted.json()
    assert (body["status"], body["done"], body["consultation"]) == (
        "queued",
        0,
        built.consultation.pk,
    )
    assert accepted["Retry-After"] == "5"
    assert accepted["Location"] == f"/api/v1/artifact-builds/{body['id']}/"
    # Asking again joins the build in flight.
    assert client.get(archive_url(built)).json()["id"] == body["id"]
    assert not PublicationArtifact.objects.exists()

    artifact_build_execute(build_id=body["id"])
    followed = client.get(f"/api/v1/artifact-builds/{body['id']}/").json()
    assert followed["status"] == "done"
    assert followed["done"] == followed["total"] > 0
    served = client.get(archive_url(built))
    assert served.status_code == 200
    assert served["ETag"] == f'"{PublicationArtifact.objects.get().sha256}"'
    # A second delivery of the same job does nothing.
    artifact_build_execute(build_id=body["id"])
    assert PublicationArtifact.objects.count() == 1


def test_publishing_queues_the_build_of_every_published_format(
    built: Built, people: Personas
) -> None:
    with in_phase(PhaseKind.RESTITUTION):
        plan_publish(by=people.organizer, consultation=built.consultation)
    build = ArtifactBuild.objects.get()
    assert build.status == BuildStatus.QUEUED
    artifact_build_execute(build_id=build.pk)
    build.refresh_from_db()
    assert build.status == BuildStatus.DONE
    kinds = set(PublicationArtifact.objects.values_list("kind", flat=True))
    assert kinds == {"open_data", "plan_csv", "plan_json", "plan_html"}
    plan_json = PublicationArtifact.objects.get(kind=ArtifactKind.PLAN_JSON)
    version = built.consultation.plan_versions.get()
    assert plan_json.sha256 == version.snapshot_sha256

    client = ContractAPIClient()
    csv_url = f"/api/v1/consultations/{built.consultation.pk}/plan/plan.csv"
    with CaptureQueriesContext(connection) as served:
        response = client.get(csv_url)
    assert response.status_code == 200
    stored = PublicationArtifact.objects.get(kind=ArtifactKind.PLAN_CSV)
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Content-Length"] == str(stored.size)
    assert not any("INSERT" in query["sql"] for query in served.captured_queries)
    page = client.get(f"/consultations/{built.consultation.pk}/plan/")
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"
    assert page["ETag"] == f'"{PublicationArtifact.objects.get(kind="plan_html").sha256}"'
    assert PublicationArtifact.objects.count() == 4


def test_a_failed_build_says_so(built: Built, settings: Any) -> None:
    settings.ARTIFACTS_INLINE_MAX_ROWS = 0
    client = ContractAPIClient()
    build_id = client.get(archive_url(built)).json()["id"]
    settings.STORAGES = {
        **settings.STORAGES,
        "artifacts": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": "/proc/no-such-place"},
        },
    }
    with pytest.raises(OSError, match="no-such-place"):
        artifact_build_execute(build_id=build_id)
    build = ArtifactBuild.objects.get(pk=build_id)
    assert build.status == BuildStatus.FAILED
    assert build.error
    assert not PublicationArtifact.objects.exists()


@pytest.mark.usefixtures("in_memory_channel_layer")
def test_a_build_announces_its_progress_after_commit(
    built: Built, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    layer: Any = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(consultation_group(built.consultation.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        build = artifact_build_request(
            consultation=built.consultation,
            state=open_data_state(consultation=built.consultation),
        )
    with django_capture_on_commit_callbacks(execute=True):
        artifact_build_execute(build_id=build.pk)
    events: list[dict[str, Any]] = []
    while not events or events[-1]["event"] != "artifact_build.finished":
        events.append(async_to_sync(layer.receive)(channel))
    assert events[0]["event"] == "artifact_build.queued"
    assert events[-1]["data"] == {
        "id": build.pk,
        "consultation": built.consultation.pk,
        "status": "done",
        "plan_number": None,
    }
    progress = [event["data"] for event in events if event["event"] == "artifact_build.progress"]
    assert progress, [event["event"] for event in events]
    assert progress[-1]["done"] == progress[-1]["total"] == build.total
