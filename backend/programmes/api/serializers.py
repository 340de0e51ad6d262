"""Regional programme API serializers: inputs (strict) and outputs (unique names)."""

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.consultations.models import Theme
from backend.core.serializers import SafeDateTimeField, StrictInputSerializer
from backend.programmes.models import (
    ANSWER_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    FollowUpStatus,
    PartnerRole,
    RegionalDecision,
    RegionalPlanVersion,
    Stage,
)

THEMES = serializers.ListField(child=serializers.ChoiceField(choices=Theme.choices))


# --- inputs ---------------------------------------------------------------------------


class ProgrammeCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    territory = serializers.IntegerField(help_text="the region's territory id")
    deadline = serializers.DateField(help_text="when the plan is due (September in the pilot)")
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices),
        required=False,
        help_text="default: the seven domains (emploi, mobilité, santé, logement, "
        "consommation, lien social, éducation)",
    )
    target_territories = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="territories the programme means to cover (the dashboard lists those "
        "without a round)",
    )


class ProgrammeUpdateInput(StrictInputSerializer):
    title = serializers.CharField(required=False, max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH
    )
    deadline = serializers.DateField(required=False)
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices), required=False
    )
    target_territories = serializers.ListField(child=serializers.IntegerField(), required=False)


class ProgrammeStageInput(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)


class ProgrammeOrganizerInput(StrictInputSerializer):
    user = serializers.IntegerField(help_text="account id of the new programme organizer")


class ProgrammeRoundInput(StrictInputSerializer):
    consultation = serializers.IntegerField()
    is_pilot = serializers.BooleanField(required=False, default=False)


class ProgrammeReplicasInput(StrictInputSerializer):
    territories = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    first_phase_starts_at = SafeDateTimeField()


class PartnerInput(StrictInputSerializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    role = serializers.ChoiceField(choices=PartnerRole.choices)
    structure = serializers.IntegerField(required=False, allow_null=True, default=None)


class FunderInput(StrictInputSerializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    envelope_eur = serializers.IntegerField(min_value=0, help_text="whole euros")
    structure = serializers.IntegerField(required=False, allow_null=True, default=None)
    allow_over_budget = serializers.BooleanField(
        required=False,
        default=False,
        help_text="confirm an envelope lower than what is already committed",
    )


class RegionalActionCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    easy_read_summary = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices), required=False, default=list
    )
    candidate_action_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    contribution_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )


class RegionalActionUpdateInput(StrictInputSerializer):
    title = serializers.CharField(required=False, max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH
    )
    easy_read_summary = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH
    )
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices), required=False
    )


class RegionalSourceInput(StrictInputSerializer):
    candidate_action = serializers.IntegerField(required=False, allow_null=True, default=None)
    contribution = serializers.IntegerField(required=False, allow_null=True, default=None)
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )


class RegionalSourceUnlinkInput(StrictInputSerializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class RegionalDecisionInput(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=RegionalDecision.choices)
    public_answer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ANSWER_MAX_LENGTH
    )


class FundingLineInput(StrictInputSerializer):
    funder = serializers.IntegerField()
    amount_eur = serializers.IntegerField(min_value=0)


class RegionalFundingInput(StrictInputSerializer):
    cost_estimate_eur = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    lead_structure = serializers.IntegerField(required=False, allow_null=True)
    partner_structures = serializers.ListField(child=serializers.IntegerField(), required=False)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    lines = FundingLineInput(
        many=True, required=False, help_text="replaces every funding line of the action"
    )
    allow_over_budget = serializers.BooleanField(
        required=False,
        default=False,
        help_text="confirm a change that takes a funder beyond its envelope",
    )


class RegionalStatusInput(StrictInputSerializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="required to abandon",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class RegionalProgressInput(StrictInputSerializer):
    progress_percent = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class MilestoneInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    due_on = serializers.DateField()


class MilestoneReachInput(StrictInputSerializer):
    reached_on = serializers.DateField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class IndicatorInput(StrictInputSerializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    unit = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=UNIT_MAX_LENGTH
    )
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2)


class IndicatorMeasureInput(StrictInputSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    measured_on = serializers.DateField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class FollowUpNoteInput(StrictInputSerializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class RegionalPlanPublishInput(StrictInputSerializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    force = serializers.BooleanField(
        required=False, default=False, help_text="publish although actions have no decision"
    )
    accept_over_budget = serializers.BooleanField(
        required=False,
        default=False,
        help_text="publish although a funder is beyond its envelope (the version says so)",
    )


# --- outputs --------------------------------------------------------------------------


class ProgrammeTerritoryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ProgrammePartnerOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    structure = serializers.IntegerField(source="structure_id", allow_null=True)


class ProgrammeFunderOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    envelope_eur = serializers.IntegerField()
    structure = serializers.IntegerField(source="structure_id", allow_null=True)


class ProgrammeOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    territory = ProgrammeTerritoryOutput()
    domains = serializers.ListField(child=serializers.CharField())
    deadline = serializers.DateField()
    status = serializers.CharField()
    stage = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProgrammeDetailOutput(ProgrammeOutput):
    partners = ProgrammePartnerOutput(many=True, source="partners.all")
    funders = ProgrammeFunderOutput(many=True, source="funders.all")
    target_territories = ProgrammeTerritoryOutput(many=True, source="target_territories.all")


class ProgrammeRoundOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    programme = serializers.IntegerField(source="programme_id")
    consultation = serializers.IntegerField(source="consultation_id")
    is_pilot = serializers.BooleanField()
    added_at = serializers.DateTimeField()


class ProgrammeOrganizerOutput(serializers.Serializer[Any]):
    programme = serializers.IntegerField(source="programme_id")
    user = serializers.IntegerField(source="user_id")
    granted_at = serializers.DateTimeField()


class RegionalSourceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    action = serializers.IntegerField(source="action_id")
    candidate_action = serializers.IntegerField(source="candidate_action_id", allow_null=True)
    contribution = serializers.IntegerField(source="contribution_id", allow_null=True)
    consultation = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    justification = serializers.CharField()
    added_at = serializers.DateTimeField()
    removed_at = serializers.DateTimeField(allow_null=True)
    removal_reason = serializers.CharField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_consultation(self, obj: Any) -> int | None:
        if obj.candidate_action is not None:
            return int(obj.candidate_action.consultation_id)
        if obj.contribution is not None:
            return int(obj.contribution.consultation_id)
        return None

    @extend_schema_field(OpenApiTypes.STR)
    def get_title(self, obj: Any) -> str:
        target = obj.candidate_action or obj.contribution
        return str(target.title) if target is not None else ""


class FundingLineOutput(serializers.Serializer[Any]):
    funder = serializers.IntegerField(source="funder_id")
    funder_name = serializers.CharField(source="funder.name")
    amount_eur = serializers.IntegerField()


class StructureRefOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MilestoneOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    reached_on = serializers.DateField(allow_null=True)


class IndicatorMeasureOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    measured_on = serializers.DateField()
    note = serializers.CharField()


class IndicatorOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    measures = IndicatorMeasureOutput(many=True, source="measures.all")


class RegionalActionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    programme = serializers.IntegerField(source="programme_id")
    title = serializers.CharField()
    description = serializers.CharField()
    easy_read_summary = serializers.CharField()
    themes = serializers.ListField(child=serializers.CharField())
    decision = serializers.CharField()
    public_answer = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    sources = RegionalSourceOutput(many=True, source="active")
    cost_estimate_eur = serializers.IntegerField(allow_null=True)
    funding_lines = FundingLineOutput(many=True, source="funding_lines.all")
    lead_structure = StructureRefOutput(allow_null=True)
    partner_structures = StructureRefOutput(many=True, source="partner_structures.all")
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    progress_percent = serializers.IntegerField()
    abandon_reason = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    milestones = MilestoneOutput(many=True, source="milestones.all")
    indicators = IndicatorOutput(many=True, source="indicators.all")
    figures = serializers.SerializerMethodField(
        help_text="rolled-up figures across territories (see frontend-contract/programmes.md)"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, obj: Any) -> dict[str, Any] | None:
        figures: dict[int, dict[str, Any]] = self.context.get("figures", {})
        return figures.get(obj.pk)


class FollowUpEntryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    action = serializers.IntegerField(source="action_id")
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField()
    note = serializers.CharField()
    data = serializers.JSONField()  # type: ignore[assignment]

    @extend_schema_field(OpenApiTypes.STR)
    def get_by(self, obj: Any) -> str | None:
        return obj.by.display_name if obj.by is not None else None


class RegionalPlanVersionOutput(serializers.Serializer[Any]):
    programme = serializers.IntegerField(source="programme_id")
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    published_by = serializers.SerializerMethodField()
    note = serializers.CharField()
    is_over_budget = serializers.BooleanField()
    is_forced = serializers.BooleanField()
    snapshot_sha256 = serializers.CharField()
    archive_sha256 = serializers.CharField()
    html_url = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()
    archive_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_published_by(self, obj: RegionalPlanVersion) -> str | None:
        return obj.published_by.display_name if obj.published_by is not None else None

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj: RegionalPlanVersion) -> str:
        return self._absolute(
            reverse("regional-plan-page-version", args=[obj.programme_id, obj.number])
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_csv_url(self, obj: RegionalPlanVersion) -> str:
        return self._absolute(
            reverse("regional-plan-version-csv", args=[obj.programme_id, obj.number])
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_archive_url(self, obj: RegionalPlanVersion) -> str:
        return self._absolute(
            reverse("regional-plan-version-archive", args=[obj.programme_id, obj.number])
        )


class RegionalPlanVersionDetailOutput(RegionalPlanVersionOutput):
    snapshot = serializers.JSONField(
        help_text="the frozen regional plan; JSON Schema: "
        "frontend-contract/regional-plan.schema.json"
    )
