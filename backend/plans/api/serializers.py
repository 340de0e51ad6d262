"""Published plan API serializers: the publish input, version summaries and the snapshot."""

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.serializers import StrictInputSerializer
from backend.plans.models import NOTE_MAX_LENGTH, ArtifactBuild, BuildStatus, PlanVersion


class PlanPublishInput(StrictInputSerializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX_LENGTH,
        help_text="what changed since the previous version (shown with the version)",
    )
    force = serializers.BooleanField(
        required=False,
        default=False,
        help_text="publish even if contributions have no answer or actions no decision "
        "(the snapshot lists them in missing_answers and pending_actions)",
    )


class PlanPublisherOutput(serializers.Serializer[Any]):
    display_name = serializers.CharField()


class PlanVersionOutput(serializers.Serializer[Any]):
    consultation = serializers.IntegerField(source="consultation_id")
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    published_by = serializers.SerializerMethodField()
    note = serializers.CharField()
    is_forced = serializers.BooleanField(
        help_text="published while some contributions had no answer or actions no decision"
    )
    snapshot_sha256 = serializers.CharField(
        help_text="SHA-256 (hex) of the snapshot's canonical JSON: sorted keys, no spaces, UTF-8"
    )
    html_url = serializers.SerializerMethodField(help_text="the readable, printable page")
    csv_url = serializers.SerializerMethodField()
    json_url = serializers.SerializerMethodField()

    @extend_schema_field(PlanPublisherOutput(allow_null=True))
    def get_published_by(self, obj: PlanVersion) -> dict[str, Any] | None:
        if obj.published_by is None:
            return None
        return {"display_name": obj.published_by.display_name}

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj: PlanVersion) -> str:
        return self._absolute(reverse("plan-page-version", args=[obj.consultation_id, obj.number]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_csv_url(self, obj: PlanVersion) -> str:
        return self._absolute(reverse("plan-version-csv", args=[obj.consultation_id, obj.number]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_json_url(self, obj: PlanVersion) -> str:
        return self._absolute(
            reverse("plan-version-detail", args=[obj.consultation_id, obj.number])
        )


@extend_schema_field({"$ref": "#/components/schemas/PlanSnapshot"})
class PlanSnapshotField(serializers.JSONField):
    """The frozen plan: frontend-contract/plan.schema.json, copied into the OpenAPI document
    as the PlanSnapshot component by `backend.core.openapi.plan_snapshot_schema`."""


class PlanVersionDetailOutput(PlanVersionOutput):
    snapshot = PlanSnapshotField(
        help_text="the frozen plan; its JSON Schema is frontend-contract/plan.schema.json"
    )


class ArtifactBuildOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    status = serializers.ChoiceField(choices=BuildStatus.choices)
    done = serializers.IntegerField(help_text="steps done")
    total = serializers.IntegerField(help_text="steps in all")
    kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text="what it does, in order: plan_version (a publication job: publish the next "
        "version first), open_data, plan_csv, plan_json, plan_html",
    )
    plan_number = serializers.IntegerField(
        allow_null=True,
        help_text="the plan version this job published (publication jobs, once published)",
    )
    error_code = serializers.CharField(
        allow_blank=True,
        help_text="why it failed, as the request would have answered (plan_incomplete, "
        "phase_closed, permission_denied...), or build_failed, worker_lost; empty otherwise",
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="this build, to follow its progress")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: ArtifactBuild) -> str:
        path = reverse("artifact-build-detail", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
