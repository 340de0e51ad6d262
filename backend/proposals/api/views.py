"""Contribution endpoints: public reads, signed-in writes through the services."""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.consultations.selectors import consultation_get
from backend.core import errors
from backend.core.api.requests import parse_input, parse_query, signed_in_user
from backend.core.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, conditional_response
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.proposals.api.pagination import ContributionPagination
from backend.proposals.api.serializers import (
    ContributionCreateInput,
    ContributionOutput,
    ContributionUpdateInput,
    ContributionVersionOutput,
    EndorsementInput,
    ParticipantCardCreateInput,
    ParticipantCardOutput,
)
from backend.proposals.filters import ContributionFilter
from backend.proposals.models import Contribution, ContributionVersion, ParticipantCard
from backend.proposals.policies import can_list_participant_cards
from backend.proposals.selectors import (
    contribution_get,
    contribution_list,
    contribution_version_list,
    participant_card_list,
)
from backend.proposals.services import (
    contribution_create,
    contribution_edit,
    contribution_publish,
    contribution_withdraw,
    endorsement_add,
    endorsement_remove,
    participant_card_create,
)

TAGS = ["contributions"]


def _detail(request: Request, contribution_id: int) -> dict[str, Any]:
    """The contribution as the caller sees it, read again after a write."""
    return dict(
        ContributionOutput(
            contribution_get(contribution_id=contribution_id, user=request.user)
        ).data
    )


class ContributionListView(GenericAPIView[Contribution]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    # The selector applies ContributionFilter (ordering and seed included); the backend is
    # listed so the schema documents the parameters.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContributionFilter
    pagination_class = ContributionPagination
    queryset = Contribution.objects.none()

    @extend_schema(
        operation_id="contributions_list",
        tags=TAGS,
        summary="List the problems and proposals of a consultation",
        description="Published contributions by default; `status=draft` lists the caller's "
        "own drafts. `q` is a French full-text search where accents are optional. "
        "`ordering=random` with a `seed` gives the same order for the same seed. "
        "Pages are numbered by default; mobile apps may use `pagination=cursor` with the "
        "recent order (keyset cursor, no count).",
        responses=ContributionOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        queryset = contribution_list(
            consultation=consultation, user=request.user, filters=request.query_params
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ContributionOutput(page, many=True).data)

    @extend_schema(
        operation_id="contributions_create",
        tags=TAGS,
        summary="Submit a problem or a proposal (facilitators may enter it for someone)",
        description="Follows the phase gate (phase_closed). Origins workshop, paper and phone "
        "and `on_behalf_of_*` are for the consultation's facilitators (permission_denied).",
        request=ContributionCreateInput,
        responses={201: ContributionOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        payload = ContributionCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        contribution = contribution_create(
            by=signed_in_user(request), consultation=consultation, **payload.validated_data
        )
        return Response(_detail(request, contribution.pk), status=status.HTTP_201_CREATED)


class ContributionDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="contributions_retrieve",
        tags=TAGS,
        summary="Get a contribution (drafts: their author and typist only)",
        responses={200: ContributionOutput, 304: NOT_MODIFIED},
        parameters=CONDITIONAL_PARAMETERS,
    )
    def get(self, request: Request, contribution_id: int) -> Response:
        return conditional_response(request, _detail(request, contribution_id))

    @extend_schema(
        operation_id="contributions_update",
        tags=TAGS,
        summary="Edit a contribution (author or typist; published text is kept as a version)",
        request=ContributionUpdateInput,
        responses=ContributionOutput,
    )
    def patch(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        payload = ContributionUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        contribution_edit(
            by=signed_in_user(request), contribution=contribution, **payload.validated_data
        )
        return Response(_detail(request, contribution_id))


class ContributionPublishView(APIView):
    @extend_schema(
        operation_id="contributions_publish",
        tags=TAGS,
        summary="Publish a draft (author or typist; follows the phase gate)",
        request=None,
        responses=ContributionOutput,
    )
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        contribution_publish(by=signed_in_user(request), contribution=contribution)
        return Response(_detail(request, contribution_id))


class ContributionWithdrawView(APIView):
    @extend_schema(
        operation_id="contributions_withdraw",
        tags=TAGS,
        summary="Withdraw a contribution (author or typist)",
        request=None,
        responses=ContributionOutput,
    )
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        contribution_withdraw(by=signed_in_user(request), contribution=contribution)
        return Response(_detail(request, contribution_id))


class ContributionVersionListView(GenericAPIView[ContributionVersion]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = ContributionVersion.objects.none()

    @extend_schema(
        operation_id="contributions_versions_list",
        tags=TAGS,
        summary="Earlier texts of a contribution, newest first",
        responses=ContributionVersionOutput(many=True),
    )
    def get(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        page = self.paginate_queryset(contribution_version_list(contribution=contribution))
        return self.get_paginated_response(ContributionVersionOutput(page, many=True).data)


class ContributionEndorsementView(APIView):
    @extend_schema(
        operation_id="contributions_endorsement_create",
        tags=TAGS,
        summary='Say "we see it too" on a published problem (idempotent)',
        description="Once per person and once per structure (`structure`, of which the "
        "caller is a member); facilitators may endorse for a participant card.",
        request=EndorsementInput,
        responses={200: ContributionOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        payload = EndorsementInput(data=request.data)
        payload.is_valid(raise_exception=True)
        endorsement_add(
            by=signed_in_user(request), contribution=contribution, **payload.validated_data
        )
        return Response(_detail(request, contribution_id))

    @extend_schema(
        operation_id="contributions_endorsement_destroy",
        tags=TAGS,
        summary="Take an endorsement back (idempotent)",
        description="Without parameters, the caller's own endorsement; `?structure=<id>` the "
        "endorsement of a structure the caller is a member of (any member may withdraw it); "
        "`?on_behalf_of_card=<id>` a card's (facilitators). Answers the contribution as the "
        "caller now sees it.",
        parameters=[EndorsementInput],
        request=None,
        responses={200: ContributionOutput},
    )
    def delete(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        # Query parameters (DELETE bodies are dropped by many HTTP clients); a JSON body is
        # still read for the clients written before.
        parse = parse_input if request.data else parse_query
        data = parse(EndorsementInput, request)
        endorsement_remove(by=signed_in_user(request), contribution=contribution, **data)
        return Response(_detail(request, contribution_id))


class ParticipantCardListView(GenericAPIView[ParticipantCard]):
    filter_backends: list[Any] = []
    queryset = ParticipantCard.objects.none()

    @extend_schema(
        operation_id="participant_cards_list",
        tags=TAGS,
        summary="The participant cards of a consultation (facilitators and organizers)",
        responses=ParticipantCardOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        if not can_list_participant_cards(user=request.user, obj=consultation):
            raise errors.PermissionDenied()
        page = self.paginate_queryset(participant_card_list(consultation=consultation))
        return self.get_paginated_response(ParticipantCardOutput(page, many=True).data)

    @extend_schema(
        operation_id="participant_cards_create",
        tags=TAGS,
        summary="Create a card for someone with no account (facilitators, with consent)",
        request=ParticipantCardCreateInput,
        responses={201: ParticipantCardOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.ENTER_ON_BEHALF)
        payload = ParticipantCardCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        card = participant_card_create(
            by=signed_in_user(request), consultation=consultation, **payload.validated_data
        )
        return Response(ParticipantCardOutput(card).data, status=status.HTTP_201_CREATED)
