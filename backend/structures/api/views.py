"""Structure endpoints: public reads; writes by signed-in people, managed by administrators."""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from backend.core import errors
from backend.core.api.requests import parse_input, signed_in_user
from backend.core.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, conditional_response
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.structures import selectors, services
from backend.structures.api.filters import StructureFilter
from backend.structures.api.serializers import (
    StructureCreateInput,
    StructureDetailOutput,
    StructureMemberCreateInput,
    StructureMemberOutput,
    StructureMemberUpdateInput,
    StructureOutput,
    StructureUpdateInput,
)
from backend.structures.models import Membership, Structure
from backend.structures.policies import can_manage_structure

TAGS = ["structures"]


def detail_response(structure_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    structure = selectors.structure_get(structure_id=structure_id)
    return Response(StructureDetailOutput(structure).data, status=status_code)


class StructureListView(GenericAPIView[Structure]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = StructureFilter

    def get_queryset(self) -> QuerySet[Structure]:
        return selectors.structure_list()

    @extend_schema(
        operation_id="structures_list",
        tags=TAGS,
        summary="List structures",
        responses=StructureOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(StructureOutput(page, many=True).data)

    @extend_schema(
        operation_id="structures_create",
        tags=TAGS,
        summary="Create a structure; the caller becomes its administrator",
        request=StructureCreateInput,
        responses={201: StructureDetailOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse_input(StructureCreateInput, request)
        structure = services.structure_create(creator=signed_in_user(request), **data)
        return detail_response(structure.pk, status_code=status.HTTP_201_CREATED)


class StructureDetailView(GenericAPIView[Structure]):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="structures_retrieve",
        tags=TAGS,
        summary="Get a structure and its members",
        responses={200: StructureDetailOutput, 304: NOT_MODIFIED},
        parameters=CONDITIONAL_PARAMETERS,
    )
    def get(self, request: Request, structure_id: int) -> Response:
        structure = selectors.structure_get(structure_id=structure_id)
        return conditional_response(request, StructureDetailOutput(structure).data)

    @extend_schema(
        operation_id="structures_update",
        tags=TAGS,
        summary="Change a structure (its administrators, staff)",
        request=StructureUpdateInput,
        responses=StructureDetailOutput,
    )
    def patch(self, request: Request, structure_id: int) -> Response:
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        data = parse_input(StructureUpdateInput, request)
        services.structure_update(structure=structure, by=signed_in_user(request), **data)
        return detail_response(structure_id)


def _ensure_can_manage(request: Request, structure: Structure) -> None:
    """Refused before the body is read: an outsider learns nothing from a 400 or a 409."""
    if not can_manage_structure(user=request.user, structure=structure):
        raise errors.PermissionDenied()


class StructureMembersView(GenericAPIView[Membership]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="structures_members_list",
        tags=TAGS,
        summary="List the members of a structure, administrators first",
        responses=StructureMemberOutput(many=True),
    )
    def get(self, request: Request, structure_id: int) -> Response:
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        page = self.paginate_queryset(selectors.membership_list(structure=structure))
        return self.get_paginated_response(StructureMemberOutput(page, many=True).data)

    @extend_schema(
        operation_id="structures_members_create",
        tags=TAGS,
        summary="Add a member (administrators of the structure, staff)",
        request=StructureMemberCreateInput,
        responses={201: StructureMemberOutput},
    )
    def post(self, request: Request, structure_id: int) -> Response:
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        _ensure_can_manage(request, structure)
        data = parse_input(StructureMemberCreateInput, request)
        membership = services.membership_add(
            structure=structure, by=signed_in_user(request), user=data["user_id"], role=data["role"]
        )
        return Response(StructureMemberOutput(membership).data, status=status.HTTP_201_CREATED)


class StructureMemberView(GenericAPIView[Membership]):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="structures_members_update",
        tags=TAGS,
        summary="Change a member's role (administrators of the structure, staff)",
        request=StructureMemberUpdateInput,
        responses=StructureMemberOutput,
    )
    def patch(self, request: Request, structure_id: int, user_id: int) -> Response:
        by = signed_in_user(request)
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        _ensure_can_manage(request, structure)
        membership = selectors.membership_get(structure=structure, user_id=user_id)
        data = parse_input(StructureMemberUpdateInput, request)
        membership = services.membership_change_role(
            membership=membership, by=by, role=data["role"]
        )
        return Response(StructureMemberOutput(membership).data)

    @extend_schema(
        operation_id="structures_members_destroy",
        tags=TAGS,
        summary="Remove a member (administrators, staff), or leave when it is yourself",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, structure_id: int, user_id: int) -> Response:
        by = signed_in_user(request)
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        if user_id == by.pk:
            services.membership_leave(structure=structure, user=by)
        else:
            membership = selectors.membership_get(structure=structure, user_id=user_id)
            services.membership_remove(membership=membership, by=by)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StructureVerificationView(GenericAPIView[Structure]):
    """Staff vouch that a structure is who it says (or withdraw it)."""

    @extend_schema(
        operation_id="structures_verification_update",
        tags=TAGS,
        summary="Verify a structure (staff)",
        description="Marks the structure as checked: `is_verified` becomes true wherever it "
        "appears, and its voice counts in 'one structure, one voice' votes and breakdowns by "
        "structure type. Changing its name, type or territory later withdraws the verification.",
        request=None,
        responses=StructureDetailOutput,
    )
    def put(self, request: Request, structure_id: int) -> Response:
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        services.structure_verify(structure=structure, by=signed_in_user(request))
        return detail_response(structure_id)

    @extend_schema(
        operation_id="structures_verification_destroy",
        tags=TAGS,
        summary="Withdraw a structure's verification (staff)",
        request=None,
        responses={200: StructureDetailOutput},
    )
    def delete(self, request: Request, structure_id: int) -> Response:
        structure = selectors.structure_get(structure_id=structure_id, with_members=False)
        services.structure_unverify(structure=structure, by=signed_in_user(request))
        return detail_response(structure_id)
