"""Consultation endpoints: public reads, organizer writes, the permissions of the caller."""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.api.filters import ConsultationFilter
from backend.consultations.api.serializers import (
    ConsultationCreateInput,
    ConsultationOutput,
    ConsultationPermissionsOutput,
    ConsultationPhasesInput,
    ConsultationReplicateInput,
    ConsultationRoleCreateInput,
    ConsultationRoleOutput,
    ConsultationUpdateInput,
    ThemeOutput,
    phase_inputs_to_specs,
)
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation, ConsultationRole, Theme
from backend.consultations.policies import consultation_permissions, ensure_allowed
from backend.consultations.selectors import (
    consultation_get,
    consultation_list,
    consultation_list_by_ids,
    role_get,
    role_list,
)
from backend.consultations.services import (
    consultation_archive,
    consultation_create,
    consultation_publish,
    consultation_replicate,
    consultation_set_phases,
    consultation_update,
    role_grant,
    role_revoke,
)
from backend.core.api.requests import signed_in_user
from backend.core.filters import StrictOrderingFilter

TAGS = ["consultations"]


def _detail(request: Request, consultation_id: int) -> dict[str, Any]:
    """The consultation as the caller sees it, read again after a write."""
    consultation = consultation_get(consultation_id=consultation_id, user=request.user)
    return dict(ConsultationOutput(consultation).data)


class ConsultationListView(GenericAPIView[Consultation]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    # The selector applies ConsultationFilter itself; the backends are listed here so the
    # schema documents the filter and ordering parameters.
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = ConsultationFilter
    ordering_fields = ["created_at", "published_at", "title"]
    queryset = Consultation.objects.none()

    @extend_schema(
        operation_id="consultations_list",
        tags=TAGS,
        summary="List the consultations visible to the caller",
        description="Published and archived consultations for everyone; drafts too for their "
        "organizers, facilitators and moderators.",
        responses=ConsultationOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = consultation_list(user=request.user, filters=request.query_params)
        queryset = StrictOrderingFilter().filter_queryset(request, queryset, self)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ConsultationOutput(page, many=True).data)

    @extend_schema(
        operation_id="consultations_create",
        tags=TAGS,
        summary="Create a draft consultation (its creator becomes organizer)",
        request=ConsultationCreateInput,
        responses={201: ConsultationOutput},
    )
    def post(self, request: Request) -> Response:
        payload = ConsultationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        consultation = consultation_create(
            by=signed_in_user(request),
            title=data["title"],
            description=data["description"],
            summary_easy_read=data["summary_easy_read"],
            territory=data["territory"],
            themes=data["themes"],
            phases=phase_inputs_to_specs(data["phases"]),
        )
        return Response(_detail(request, consultation.pk), status=status.HTTP_201_CREATED)


class ConsultationDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="consultations_retrieve",
        tags=TAGS,
        summary="Get a consultation with its phases",
        responses=ConsultationOutput,
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        return Response(_detail(request, consultation_id))

    @extend_schema(
        operation_id="consultations_update",
        tags=TAGS,
        summary="Change a consultation's texts, territory or themes (organizers)",
        request=ConsultationUpdateInput,
        responses=ConsultationOutput,
    )
    def patch(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        payload = ConsultationUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        consultation_update(
            by=signed_in_user(request), consultation=consultation, **payload.validated_data
        )
        return Response(_detail(request, consultation_id))


class ConsultationPhasesView(APIView):
    @extend_schema(
        operation_id="consultations_phases_replace",
        tags=TAGS,
        summary="Replace the whole phase plan (organizers)",
        description="Phases are listed in chronological order and may not overlap; errors "
        "are keyed like `phases.1.starts_at` with codes phase_overlap, "
        "phase_out_of_order, phase_ends_before_start.",
        request=ConsultationPhasesInput,
        responses=ConsultationOutput,
    )
    def put(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MANAGE)
        payload = ConsultationPhasesInput(data=request.data)
        payload.is_valid(raise_exception=True)
        consultation_set_phases(
            by=signed_in_user(request),
            consultation=consultation,
            phases=phase_inputs_to_specs(payload.validated_data["phases"]),
        )
        return Response(_detail(request, consultation_id))


class ConsultationPublishView(APIView):
    @extend_schema(
        operation_id="consultations_publish",
        tags=TAGS,
        summary="Publish a draft (organizers; needs at least one phase: no_phases)",
        request=None,
        responses=ConsultationOutput,
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        consultation_publish(by=signed_in_user(request), consultation=consultation)
        return Response(_detail(request, consultation_id))


class ConsultationArchiveView(APIView):
    @extend_schema(
        operation_id="consultations_archive",
        tags=TAGS,
        summary="Archive a published consultation (organizers)",
        request=None,
        responses=ConsultationOutput,
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        consultation_archive(by=signed_in_user(request), consultation=consultation)
        return Response(_detail(request, consultation_id))


class ConsultationRoleListView(GenericAPIView[ConsultationRole]):
    filter_backends: list[Any] = []
    queryset = ConsultationRole.objects.none()

    @extend_schema(
        operation_id="consultations_roles_list",
        tags=TAGS,
        summary="List the roles on a consultation (organizers)",
        responses=ConsultationRoleOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MANAGE)
        page = self.paginate_queryset(role_list(consultation=consultation))
        return self.get_paginated_response(ConsultationRoleOutput(page, many=True).data)

    @extend_schema(
        operation_id="consultations_roles_create",
        tags=TAGS,
        summary="Give someone a role on the consultation (organizers)",
        request=ConsultationRoleCreateInput,
        responses={201: ConsultationRoleOutput},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MANAGE)
        payload = ConsultationRoleCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        granted = role_grant(
            by=signed_in_user(request),
            consultation=consultation,
            user=payload.validated_data["user"],
            role=payload.validated_data["role"],
        )
        return Response(ConsultationRoleOutput(granted).data, status=status.HTTP_201_CREATED)


class ConsultationRoleDetailView(APIView):
    @extend_schema(
        operation_id="consultations_roles_destroy",
        tags=TAGS,
        summary="Remove a role (organizers; never the last organizer: last_organizer)",
        responses={204: None},
    )
    def delete(self, request: Request, consultation_id: int, role_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        role = role_get(consultation=consultation, role_id=role_id)
        role_revoke(by=signed_in_user(request), consultation=consultation, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsultationReplicateView(APIView):
    @extend_schema(
        operation_id="consultations_replicate",
        tags=TAGS,
        summary="Replicate a consultation on other territories (organizers)",
        description="One new draft per territory, with the same texts and themes and the "
        "phase plan shifted; no contributions are copied.",
        request=ConsultationReplicateInput,
        responses={201: ConsultationOutput(many=True)},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        source = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=source, verb=Verb.REPLICATE)
        payload = ConsultationReplicateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        replicas = consultation_replicate(
            by=signed_in_user(request), source=source, **payload.validated_data
        )
        replicas_read = consultation_list_by_ids(
            ids=[replica.pk for replica in replicas], user=request.user
        )
        return Response(
            ConsultationOutput(replicas_read, many=True).data, status=status.HTTP_201_CREATED
        )


class ConsultationPermissionsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultations_permissions",
        tags=TAGS,
        summary="What the caller may do on this consultation now, verb by verb",
        description="For each verb: allowed, the error code the action would get otherwise "
        "(not_authenticated, permission_denied, consultation_not_open, phase_closed), the "
        "open phase and the phases in which the verb is open.",
        responses=ConsultationPermissionsOutput,
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        decisions = consultation_permissions(
            user=request.user,
            consultation=consultation,
            roles=getattr(consultation, "my_roles", None) or [],
        )
        return Response(
            ConsultationPermissionsOutput(
                {verb.value: decision for verb, decision in decisions.items()}
            ).data
        )


class ThemeListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="themes_list",
        tags=TAGS,
        summary="The themes a consultation can carry (a fixed list, not paginated)",
        responses=ThemeOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        themes = [{"value": value, "label": label} for value, label in Theme.choices]
        return Response(ThemeOutput(themes, many=True).data)
