"""Reads on the published files: the state of their sources, the stored artifact, builds."""

import hashlib
from dataclasses import dataclass
from typing import IO

from django.core.files.storage import storages

from backend.comments.models import Comment
from backend.consultations.models import Consultation
from backend.core import errors
from backend.plans.models import (
    ArtifactBuild,
    ArtifactKind,
    OpenDataVersion,
    PlanVersion,
    PublicationArtifact,
)
from backend.proposals.models import Contribution, ContributionStatus

# Raised when what a file contains or how it is written changes: every file is built again.
OPEN_DATA_FORMAT = "open-data/2"
PLAN_FORMAT = "plan/1"


@dataclass(frozen=True)
class OpenDataState:
    """The state of a consultation's public data: `key` changes whenever a row the archive
    reads is inserted, updated or deleted (`OpenDataVersion`, kept by triggers)."""

    key: str


def open_data_state(*, consultation: Consultation) -> OpenDataState:
    """One query reading two rows: the consultation's counter and the shared tables' (0)."""
    versions = dict(
        OpenDataVersion.objects.filter(consultation_id__in=[consultation.pk, 0]).values_list(
            "consultation_id", "version"
        )
    )
    own, shared = versions.get(consultation.pk, 0), versions.get(0, 0)
    key = hashlib.sha256(f"{OPEN_DATA_FORMAT}|{consultation.pk}|{own}|{shared}".encode())
    return OpenDataState(key=key.hexdigest())


def open_data_rows(*, consultation: Consultation) -> int:
    """Contributions (drafts aside) and comments: what a missing archive's build costs."""
    contributions = (
        Contribution.objects.filter(consultation=consultation)
        .exclude(status=ContributionStatus.DRAFT)
        .count()
    )
    return contributions + Comment.objects.filter(consultation=consultation).count()


def plan_state_key(*, version: PlanVersion) -> str:
    """A plan version's files depend only on its frozen snapshot."""
    return hashlib.sha256(f"{PLAN_FORMAT}|{version.snapshot_sha256}".encode()).hexdigest()


def artifact_get(
    *, consultation: Consultation, kind: ArtifactKind, state_key: str
) -> PublicationArtifact | None:
    """The stored file for this state, if it has been built."""
    return PublicationArtifact.objects.filter(
        consultation=consultation, kind=kind, state_key=state_key
    ).first()


def artifact_open(*, artifact: PublicationArtifact) -> IO[bytes]:
    """The stored file, opened for reading (whole: it is recorded only once written)."""
    return storages["artifacts"].open(artifact.storage_name, "rb")


def artifact_build_get(*, build_id: int) -> ArtifactBuild:
    """One build (its consultation is public once published: a build says no more)."""
    build = ArtifactBuild.objects.filter(pk=build_id).first()
    if build is None:
        raise errors.NotFound()
    return build


def artifact_build_in_flight(*, consultation: Consultation, state_key: str) -> ArtifactBuild | None:
    return ArtifactBuild.objects.filter(
        consultation=consultation, state_key=state_key, status__in=["queued", "running"]
    ).first()
