"""Reads on the published plan: its versions, the latest one, its CSV."""

from django.db.models import QuerySet

from backend.consultations.models import Consultation
from backend.core import errors
from backend.plans.domain.archive import csv_text
from backend.plans.domain.snapshot import plan_csv_rows
from backend.plans.models import PlanVersion


def plan_version_list(*, consultation: Consultation) -> QuerySet[PlanVersion]:
    """The consultation's published versions, newest first, without their snapshots."""
    return (
        PlanVersion.objects.filter(consultation=consultation)
        .select_related("published_by")
        .defer("snapshot")
        .order_by("-number")
    )


def plan_version_get(*, consultation: Consultation, number: int | None = None) -> PlanVersion:
    """One version (the latest without `number`); 404 plan_not_published when there is none."""
    versions = PlanVersion.objects.filter(consultation=consultation).select_related("published_by")
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise errors.PlanNotPublished()
    return version


def plan_version_csv(*, version: PlanVersion) -> str:
    """The version as CSV: one row per (action, source), see PLAN_CSV_COLUMNS."""
    return csv_text(plan_csv_rows(version.snapshot))
