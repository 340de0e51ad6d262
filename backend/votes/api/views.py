"""Vote endpoints: votes, the caller's ballot, paper entry, closing, results, ballot file."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.consultations.selectors import consultation_get
from backend.core.api.requests import parse_input, parse_query, signed_in_user
from backend.core.conditional import DOWNLOAD_PARAMETERS, NOT_MODIFIED, file_download
from backend.core.openapi import ERROR_REF
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.votes import selectors, services
from backend.votes.api.serializers import (
    BallotCastInput,
    BallotOutput,
    PaperBallotImportEnvelopeInput,
    PaperBallotImportInput,
    PaperBallotImportOutput,
    VoteCreateInput,
    VoteOutput,
    VoteResultBreakdownOutput,
    VoteResultBreakdownQueryInput,
    VoteResultOutput,
    VoteResultsQueryInput,
    ballot_cast_input,
    ballot_data,
    ballot_output,
)
from backend.votes.models import Vote

TAGS = ["votes"]


def _vote_output(request: Request, vote_id: int) -> dict[str, Any]:
    return dict(VoteOutput(selectors.vote_get(vote_id=vote_id, user=request.user)).data)


def _ballot_output(request: Request, vote: Vote) -> dict[str, Any]:
    lines = selectors.ballot_get(vote=vote, user=request.user)
    return dict(BallotOutput(ballot_data(vote_id=vote.pk, lines=lines)).data)


class ConsultationVoteListView(GenericAPIView[Vote]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Vote.objects.none()

    @extend_schema(
        operation_id="consultation_votes_list",
        tags=TAGS,
        summary="The votes of a consultation, oldest first",
        responses=VoteOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(selectors.vote_list(consultation=consultation))
        return self.get_paginated_response(VoteOutput(page, many=True).data)

    @extend_schema(
        operation_id="consultation_votes_create",
        tags=TAGS,
        summary="Set up a vote over published proposals (the consultation's organizers)",
        description="Options: `max_supports` and `threshold` for support; `dot_budget` "
        "(required) and `dot_max_per_item` for dots. Other methods take none.",
        request=VoteCreateInput,
        responses={201: VoteOutput},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        # Refused before the body is read: an outsider learns nothing from a 400.
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MANAGE)
        data = parse_input(VoteCreateInput, request)
        vote = services.vote_create(by=signed_in_user(request), consultation=consultation, **data)
        return Response(_vote_output(request, vote.pk), status=status.HTTP_201_CREATED)


class VoteDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="votes_retrieve",
        tags=TAGS,
        summary="Get a vote: its method, options and items",
        responses=VoteOutput,
    )
    def get(self, request: Request, vote_id: int) -> Response:
        return Response(_vote_output(request, vote_id))


class MyBallotView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="votes_my_ballot_retrieve",
        tags=TAGS,
        summary="The caller's ballot on this vote (empty choices when none)",
        responses=BallotOutput,
    )
    def get(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        return Response(_ballot_output(request, vote))

    @extend_schema(
        operation_id="votes_my_ballot_update",
        tags=TAGS,
        summary="Cast or replace the caller's whole ballot (the last one counts)",
        description="Only while the vote phase is open (409 phase_closed). Items left out "
        "of `choices` lose their line. In majority judgment an item left ungraded counts as "
        "To reject (grade 6) in the results. `structure`: vote for a structure you belong "
        "to. The origins workshop and paper are for facilitators (403 permission_denied).",
        request=BallotCastInput,
        responses=BallotOutput,
    )
    def put(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get_for_ballot(vote_id=vote_id, user=request.user)
        data = ballot_cast_input(request.data)
        lines = services.ballot_cast(by=signed_in_user(request), vote=vote, **data)
        return Response(ballot_output(vote_id=vote.pk, lines=lines))

    @extend_schema(
        operation_id="votes_my_ballot_destroy",
        tags=TAGS,
        summary="Withdraw the caller's ballot while the vote phase is open",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        services.ballot_withdraw(by=signed_in_user(request), vote=vote)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaperBallotImportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="votes_paper_ballots_create",
        tags=TAGS,
        summary="Enter paper ballots in bulk, one line per card and item (facilitators)",
        description="All or nothing: when any line is bad, nothing is written and the 400 "
        "validation_error names every bad line as `lines.<index>.<field>` (index from 0), "
        "with `details.bad_lines` listing line numbers from 1. Lines for a card and an item "
        "already entered replace the earlier value. Up to 2000 lines per request.",
        request=PaperBallotImportInput,
        responses={201: PaperBallotImportOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        ensure_allowed(user=request.user, consultation=vote.consultation, verb=Verb.ENTER_ON_BEHALF)
        data = parse_input(PaperBallotImportEnvelopeInput, request)
        result = services.paper_ballots_import(
            by=signed_in_user(request), vote=vote, lines=data["lines"]
        )
        return Response(
            PaperBallotImportOutput({"lines": result.lines, "cards": result.cards}).data,
            status=status.HTTP_201_CREATED,
        )


class VoteCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="votes_close",
        tags=TAGS,
        summary="Close a vote: freeze its result and publish the ballot file (organizers)",
        description="Ballots are refused afterwards (409 phase_closed). Closing a closed vote: "
        "409 conflict.",
        request=None,
        responses=VoteResultOutput,
    )
    def post(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        services.vote_close(by=signed_in_user(request), vote=vote)
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        return Response(VoteResultOutput(selectors.vote_results(vote=vote)).data)


class VoteResultsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="votes_results_retrieve",
        tags=TAGS,
        summary="A vote's result: live while open, frozen once closed",
        description="Majority judgment: an item a voter left ungraded counts as To reject. "
        "`?by=structure` applies one structure, one voice: the lines cast on behalf of a "
        "structure count once per structure, the latest line per (structure, item).",
        parameters=[VoteResultsQueryInput],
        responses=VoteResultOutput,
    )
    def get(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        query = parse_query(VoteResultsQueryInput, request)
        return Response(VoteResultOutput(selectors.vote_results(vote=vote, **query)).data)


class VoteResultBreakdownView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="votes_results_breakdown_retrieve",
        tags=TAGS,
        summary="A vote's result per origin, structure type or voter territory",
        description="`origin`: online (web and mobile), workshop, paper. `structure_type`: the "
        "type of the structure a line was cast for (none without one). `territory`: the "
        "voter's territory (account or participant card) rolled up to the child of the "
        "consultation's territory it lies in. `counted_by=structure`: one structure, one voice.",
        parameters=[VoteResultBreakdownQueryInput],
        responses=VoteResultBreakdownOutput,
    )
    def get(self, request: Request, vote_id: int) -> Response:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        query = parse_query(VoteResultBreakdownQueryInput, request)
        breakdown = selectors.vote_result_breakdown(
            vote=vote, grouping=query["by"], by=query.get("counted_by")
        )
        return Response(VoteResultBreakdownOutput(breakdown).data)


class VoteBallotFileView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="votes_ballot_file_retrieve",
        tags=TAGS,
        summary="The anonymized ballot file (CSV), once the vote is closed",
        description="One row per ballot line, ordered by pseudonym then item (the order of "
        "casting is not published): pseudonym (stable within this vote only, an HMAC-SHA256 "
        "of the voter with the vote's own secret key), structure (pseudonym, empty when "
        "none), item, value, origin, structure_type, captured_on, superseded (1 on a line "
        "replaced by a later line of the same structure and item in a 'one structure, one "
        "voice' vote, else 0). Text cells are written with the CSV formula rule of "
        "frontend-contract/README.md. Its SHA-256 is in the "
        "`X-Content-SHA256` (hex) and `Digest` (base64) headers and in the results' "
        "`ballots_digest`. 409 vote_not_closed while the vote is open.",
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="The ballot file",
            ),
            304: NOT_MODIFIED,
            409: OpenApiResponse(
                response=ERROR_REF, description="The vote is still open (vote_not_closed)"
            ),
        },
        parameters=DOWNLOAD_PARAMETERS,
    )
    def get(self, request: Request, vote_id: int) -> HttpResponse:
        vote = selectors.vote_get(vote_id=vote_id, user=request.user)
        ballot_file = selectors.vote_ballot_file(vote=vote)
        return file_download(
            request,
            content=ballot_file.text.encode(),
            content_type="text/csv; charset=utf-8",
            filename=f"vote-{vote.pk}-ballots.csv",
        )
