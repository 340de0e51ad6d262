"""Reads on the published files: the state of their sources, the stored artifact, builds."""

import hashlib
from dataclasses import dataclass
from typing import IO

from django.core.files.storage import storages
from django.db import connection

from backend.comments.models import Comment
from backend.consultations.models import Consultation
from backend.core import errors
from backend.plans.models import ArtifactBuild, ArtifactKind, PlanVersion, PublicationArtifact
from backend.proposals.models import Contribution, ContributionStatus
from backend.structures.models import Structure
from backend.territories.models import Territory
from backend.votes.models import Vote

# Raised when what a file contains or how it is written changes: every file is built again.
OPEN_DATA_FORMAT = "open-data/1"
PLAN_FORMAT = "plan/1"


@dataclass(frozen=True)
class OpenDataState:
    """The state of a consultation's public data: `key` changes whenever a row the archive
    reads is inserted, updated or deleted; `rows` (contributions and comments) sizes it."""

    key: str
    rows: int


def _versions(table: str, where: str) -> str:
    """Row count and the sum of row versions (xmin): any insert, update or delete moves it."""
    return f"(SELECT count(*) || ':' || COALESCE(sum(xmin::text::bigint), 0) FROM {table} {where})"  # noqa: S608 (constant identifiers)


def open_data_state(*, consultation: Consultation) -> OpenDataState:
    """One query over the consultation's contributions, comments, votes and plan versions,
    its own row, and the territories and structures the archive names."""
    of_consultation = "WHERE consultation_id = %(id)s"
    parts = [
        _versions(Contribution._meta.db_table, of_consultation),
        _versions(Comment._meta.db_table, of_consultation),
        _versions(Vote._meta.db_table, of_consultation),
        _versions(PlanVersion._meta.db_table, of_consultation),
        _versions(Consultation._meta.db_table, "WHERE id = %(id)s"),
        _versions(Territory._meta.db_table, ""),
        _versions(Structure._meta.db_table, ""),
    ]
    rows = (
        f"(SELECT count(*) FROM {Contribution._meta.db_table} "  # noqa: S608 (constant identifiers)
        "WHERE consultation_id = %(id)s AND status <> %(draft)s) + "
        f"(SELECT count(*) FROM {Comment._meta.db_table} WHERE consultation_id = %(id)s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {' || $$|$$ || '.join(parts)}, {rows}",
            {"id": consultation.pk, "draft": ContributionStatus.DRAFT},
        )
        versions, count = cursor.fetchone()
    key = hashlib.sha256(f"{OPEN_DATA_FORMAT}|{consultation.pk}|{versions}".encode()).hexdigest()
    return OpenDataState(key=key, rows=int(count))


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
