"""Invitations API: invite by e-mail (organizers, structure administrators), accept."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.consultations.selectors import consultation_get
from backend.core import errors
from backend.core.api.requests import parse_input, signed_in_user
from backend.invitations import selectors, services
from backend.invitations.api.serializers import (
    ConsultationInvitationCreateInput,
    InvitationAcceptInput,
    InvitationOutput,
    StructureInvitationCreateInput,
)
from backend.invitations.models import Invitation
from backend.structures.policies import can_manage_structure
from backend.structures.selectors import structure_get

TAGS = ["invitations"]
ABOUT = (
    "The address receives an e-mail with a one-time code (and a link when INVITATION_URL is "
    "set); whoever signs in with that address (or registers with it) accepts it with POST "
    "/api/v1/invitations/accept/ before it expires. The answer never says whether the "
    "address already has an account."
)


class ConsultationInvitationListView(GenericAPIView[Invitation]):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    queryset = Invitation.objects.none()

    @extend_schema(
        operation_id="consultation_invitations_list",
        tags=TAGS,
        summary="Pending invitations to roles on the consultation (organizers)",
        responses=InvitationOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MANAGE)
        page = self.paginate_queryset(selectors.invitation_pending_list(consultation=consultation))
        return self.get_paginated_response(InvitationOutput(page, many=True).data)

    @extend_schema(
        operation_id="consultation_invitations_create",
        tags=TAGS,
        summary="Invite someone by e-mail to a role on the consultation (organizers)",
        description=ABOUT,
        request=ConsultationInvitationCreateInput,
        responses={201: InvitationOutput},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        # Refused before the body is read: an outsider learns nothing from a 400.
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MANAGE)
        data = parse_input(ConsultationInvitationCreateInput, request)
        invitation = services.invitation_create(
            by=signed_in_user(request),
            email=data["email"],
            role=data["role"],
            consultation=consultation,
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class StructureInvitationListView(GenericAPIView[Invitation]):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    queryset = Invitation.objects.none()

    @extend_schema(
        operation_id="structure_invitations_list",
        tags=TAGS,
        summary="Pending invitations to the structure (its administrators, staff)",
        responses=InvitationOutput(many=True),
    )
    def get(self, request: Request, structure_id: int) -> Response:
        structure = structure_get(structure_id=structure_id, with_members=False)
        if not can_manage_structure(user=request.user, structure=structure):
            raise errors.PermissionDenied()
        page = self.paginate_queryset(selectors.invitation_pending_list(structure=structure))
        return self.get_paginated_response(InvitationOutput(page, many=True).data)

    @extend_schema(
        operation_id="structure_invitations_create",
        tags=TAGS,
        summary="Invite someone by e-mail to join the structure (its administrators, staff)",
        description=ABOUT,
        request=StructureInvitationCreateInput,
        responses={201: InvitationOutput},
    )
    def post(self, request: Request, structure_id: int) -> Response:
        structure = structure_get(structure_id=structure_id, with_members=False)
        if not can_manage_structure(user=request.user, structure=structure):
            raise errors.PermissionDenied()
        data = parse_input(StructureInvitationCreateInput, request)
        invitation = services.invitation_create(
            by=signed_in_user(request), email=data["email"], role=data["role"], structure=structure
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="invitations_accept",
        tags=TAGS,
        summary="Accept an invitation (signed in with the invited e-mail address)",
        description="404 invitation_invalid: unknown, used or expired code; 403 "
        "invitation_for_another_address: sign in with the invited address.",
        request=InvitationAcceptInput,
        responses={200: InvitationOutput},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(InvitationAcceptInput, request)
        invitation = services.invitation_accept(by=signed_in_user(request), token=data["token"])
        return Response(InvitationOutput(invitation).data)
