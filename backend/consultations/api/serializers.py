"""Consultations API serializers: strict inputs, separate outputs."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.api.serializers import person_by_id_or_email
from backend.accounts.models import User
from backend.consultations.domain import GateCode, PhaseSpec, schedule_at
from backend.consultations.models import (
    Consultation,
    ConsultationRole,
    ConsultationStatus,
    Phase,
    PhaseKind,
    RoleKind,
    Theme,
)
from backend.consultations.policies import GateDecision, phase_specs
from backend.core.serializers import SafeDateTimeField, StrictInputSerializer
from backend.territories.models import Territory
from backend.territories.selectors import territory_in_bulk

MAX_PHASES = 20
MAX_REPLICA_TERRITORIES = 200


def _themes_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices), max_length=len(Theme), **kwargs
    )


class ConsultationPhaseInput(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=PhaseKind.choices)
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    starts_at = SafeDateTimeField()
    ends_at = SafeDateTimeField()


def phase_inputs_to_specs(items: list[dict[str, Any]]) -> list[PhaseSpec]:
    return [
        PhaseSpec(
            kind=item["kind"],
            starts_at=item["starts_at"],
            ends_at=item["ends_at"],
            title=item["title"],
            description=item["description"],
        )
        for item in items
    ]


class ConsultationCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    summary_easy_read = serializers.CharField(required=False, default="", allow_blank=True)
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all())
    themes = _themes_field(required=False, default=list)
    phases = serializers.ListField(
        child=ConsultationPhaseInput(), required=False, default=list, max_length=MAX_PHASES
    )


class ConsultationUpdateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    summary_easy_read = serializers.CharField(required=False, allow_blank=True)
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all(), required=False)
    themes = _themes_field(required=False)


class ConsultationPhasesInput(StrictInputSerializer):
    phases = serializers.ListField(child=ConsultationPhaseInput(), max_length=MAX_PHASES)


class ConsultationReplicateInput(StrictInputSerializer):
    territories = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=MAX_REPLICA_TERRITORIES,
        help_text="Ids of the territories: one new draft consultation per territory.",
    )
    first_phase_starts_at = SafeDateTimeField(
        help_text="When the first phase of every replica starts; the plan keeps its durations "
        "and gaps."
    )
    copy_roles = serializers.BooleanField(required=False, default=False)
    title_template = serializers.CharField(
        max_length=300,
        required=False,
        allow_null=True,
        default=None,
        help_text="Title of each replica; {title} and {territory} are replaced. "
        "Default: “{title} — {territory}”.",
    )

    def validate_territories(self, value: list[int]) -> list[Territory]:
        found = territory_in_bulk(ids=value)
        missing = {
            str(index): [
                serializers.ErrorDetail(_("This territory does not exist."), code="does_not_exist")
            ]
            for index, territory_id in enumerate(value)
            if territory_id not in found
        }
        if missing:
            raise serializers.ValidationError(missing)
        return [found[territory_id] for territory_id in dict.fromkeys(value)]


class ConsultationRoleCreateInput(StrictInputSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Id of the person given the role (or `email`).",
    )
    email = serializers.EmailField(
        required=False,
        max_length=254,
        help_text="E-mail address of an account, instead of `user` (400 no_account when no "
        "account has it: invite the address with POST .../invitations/).",
    )
    role = serializers.ChoiceField(choices=RoleKind.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return person_by_id_or_email(attrs, id_field="user")


class ConsultationTerritoryOutput(serializers.ModelSerializer[Territory]):
    kind = serializers.CharField(help_text="Territory kind (region, departement, epci, ...).")

    class Meta:
        model = Territory
        fields = ["id", "name", "kind"]


class ConsultationPhaseOutput(serializers.ModelSerializer[Phase]):
    kind = serializers.ChoiceField(choices=PhaseKind.choices)

    class Meta:
        model = Phase
        fields = ["id", "kind", "title", "description", "position", "starts_at", "ends_at"]


class ConsultationOpenPhaseOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PhaseKind.choices)
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


def _phase_at(obj: Consultation, now: datetime, *, which: str) -> Phase | None:
    phases = list(obj.phases.all())
    schedule = schedule_at(phase_specs(phases), now)
    index = schedule.open_index if which == "open" else schedule.next_index
    return phases[index] if index is not None else None


class ConsultationOutput(serializers.ModelSerializer[Consultation]):
    territory = ConsultationTerritoryOutput()
    themes = serializers.ListField(child=serializers.ChoiceField(choices=Theme.choices))
    status = serializers.ChoiceField(choices=ConsultationStatus.choices)
    phases = ConsultationPhaseOutput(many=True)
    current_phase = serializers.SerializerMethodField()
    next_phase = serializers.SerializerMethodField()
    my_roles = serializers.SerializerMethodField()
    replicated_from: serializers.PrimaryKeyRelatedField[Consultation] = (
        serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    )

    class Meta:
        model = Consultation
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "summary_easy_read",
            "territory",
            "themes",
            "status",
            "phases",
            "current_phase",
            "next_phase",
            "my_roles",
            "replicated_from",
            "created_at",
            "updated_at",
            "published_at",
        ]

    def _now(self) -> datetime:
        now = self.context.get("now")
        return now if isinstance(now, datetime) else timezone.now()

    @extend_schema_field(ConsultationPhaseOutput(allow_null=True))
    def get_current_phase(self, obj: Consultation) -> dict[str, Any] | None:
        phase = _phase_at(obj, self._now(), which="open")
        return ConsultationPhaseOutput(phase).data if phase is not None else None

    @extend_schema_field(ConsultationPhaseOutput(allow_null=True))
    def get_next_phase(self, obj: Consultation) -> dict[str, Any] | None:
        phase = _phase_at(obj, self._now(), which="next")
        return ConsultationPhaseOutput(phase).data if phase is not None else None

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text="The caller's roles here: organizer, facilitator, moderator.",
        )
    )
    def get_my_roles(self, obj: Consultation) -> list[str]:
        return list(getattr(obj, "my_roles", None) or [])


class ConsultationRoleOutput(serializers.ModelSerializer[ConsultationRole]):
    user = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.display_name")
    role = serializers.ChoiceField(choices=RoleKind.choices)

    class Meta:
        model = ConsultationRole
        fields = ["id", "user", "display_name", "role", "granted_at"]


class ConsultationVerbPermissionOutput(serializers.Serializer[GateDecision]):
    allowed = serializers.BooleanField()
    code = serializers.ChoiceField(
        choices=[(code.value, code.name) for code in GateCode],
        allow_null=True,
        help_text="Why it is refused (the error code the action would get); null if allowed.",
    )
    open_phase = ConsultationOpenPhaseOutput(allow_null=True)
    allowed_in = serializers.ListField(
        child=serializers.CharField(),
        help_text="Phase kinds in which the verb is open (empty: not tied to a phase).",
    )


class ConsultationPermissionsOutput(serializers.Serializer[Any]):
    """The gate's answer for every verb, for the caller, now."""

    submit_problem = ConsultationVerbPermissionOutput()
    submit_proposal = ConsultationVerbPermissionOutput()
    comment = ConsultationVerbPermissionOutput()
    support = ConsultationVerbPermissionOutput()
    vote = ConsultationVerbPermissionOutput()
    moderate = ConsultationVerbPermissionOutput()
    merge = ConsultationVerbPermissionOutput()
    publish_plan = ConsultationVerbPermissionOutput()
    answer = ConsultationVerbPermissionOutput(
        help_text="Decide on candidate actions and answer contributions (organizers; "
        "synthesis and restitution: publishing the plan needs every contribution answered)."
    )
    enter_on_behalf = ConsultationVerbPermissionOutput()
    manage = ConsultationVerbPermissionOutput()
    replicate = ConsultationVerbPermissionOutput()


class ThemeOutput(serializers.Serializer[Any]):
    value = serializers.CharField(help_text="Stable code of the theme, used in `themes`.")
    label = serializers.CharField()  # type: ignore[assignment]
