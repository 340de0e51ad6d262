"""Territory endpoints: public reads, creation by staff."""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from backend.core import errors
from backend.core.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, conditional_response
from backend.territories.api.serializers import TerritoryCreateInput, TerritoryOutput
from backend.territories.filters import TerritoryFilter
from backend.territories.models import Territory
from backend.territories.policies import can_create_territory
from backend.territories.selectors import (
    territory_ancestor_map,
    territory_children,
    territory_get,
    territory_list,
)
from backend.territories.services import territory_create

TAGS = ["territories"]


def _output(territories: list[Territory], *, many: bool) -> Any:
    """Serialize with every ancestor of the page loaded in one query."""
    context = {"ancestors": territory_ancestor_map(territories=territories)}
    if many:
        return TerritoryOutput(territories, many=True, context=context).data
    return TerritoryOutput(territories[0], context=context).data


class TerritoryListView(GenericAPIView[Territory]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = TerritoryFilter

    def get_queryset(self) -> QuerySet[Territory]:
        return territory_list()

    @extend_schema(
        operation_id="territories_list",
        tags=TAGS,
        summary="List territories",
        responses=TerritoryOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(_output(list(page or []), many=True))

    @extend_schema(
        operation_id="territories_create",
        tags=TAGS,
        summary="Create a territory (staff only)",
        request=TerritoryCreateInput,
        responses={201: TerritoryOutput},
    )
    def post(self, request: Request) -> Response:
        if not can_create_territory(user=request.user):
            raise errors.PermissionDenied()
        payload = TerritoryCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        territory = territory_create(**payload.validated_data)
        return Response(_output([territory], many=False), status=status.HTTP_201_CREATED)


class TerritoryDetailView(GenericAPIView[Territory]):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="territories_retrieve",
        tags=TAGS,
        summary="Get a territory",
        responses={200: TerritoryOutput, 304: NOT_MODIFIED},
        parameters=CONDITIONAL_PARAMETERS,
    )
    def get(self, request: Request, territory_id: int) -> Response:
        territory = territory_get(territory_id=territory_id)
        return conditional_response(request, _output([territory], many=False))


class TerritoryChildrenView(GenericAPIView[Territory]):
    permission_classes = [AllowAny]
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="territories_children",
        tags=TAGS,
        summary="List the direct children of a territory, by name",
        responses=TerritoryOutput(many=True),
    )
    def get(self, request: Request, territory_id: int) -> Response:
        territory = territory_get(territory_id=territory_id)
        page = self.paginate_queryset(territory_children(territory=territory))
        return self.get_paginated_response(_output(list(page or []), many=True))
