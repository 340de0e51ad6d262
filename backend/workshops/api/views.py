"""Live workshop endpoints: the room, its activities, results, answers for cards, ideas."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.selectors import consultation_get
from backend.core import errors
from backend.core.api.requests import parse_input, parse_query, signed_in_user
from backend.core.users import is_signed_in
from backend.workshops import selectors, services
from backend.workshops.api.serializers import (
    ActivityAnswerInput,
    ActivityAnswerOutput,
    ActivityCreateInput,
    ActivityOutput,
    ActivityResultsOutput,
    ActivityResultsVisibilityInput,
    IdeaListQueryInput,
    IdeaModerateInput,
    IdeaOutput,
    WorkshopCreateInput,
    WorkshopJoinOutput,
    WorkshopOutput,
    WorkshopParticipantOutput,
)
from backend.workshops.devices import (
    DEVICE_COOKIE,
    device_digest,
    device_token_new,
    set_device_cookie,
)
from backend.workshops.models import ActivityKind, Idea, Participant, Workshop
from backend.workshops.policies import can_run_workshop, can_run_workshops_of
from backend.workshops.realtime import (
    activity_data,
    idea_data,
    participant_data,
    participant_is_anonymous,
    workshop_data,
)

TAGS = ["workshops"]


def _run(request: Request, workshop_id: int) -> Workshop:
    """The workshop, for someone who runs it (404 if not visible, 403 otherwise)."""
    workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
    services.ensure_runs(by=request.user, workshop=workshop)
    return workshop


class ConsultationWorkshopListView(GenericAPIView[Workshop]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Workshop.objects.none()

    @extend_schema(
        operation_id="consultation_workshops_list",
        tags=TAGS,
        summary="The workshops of a consultation, newest first (drafts: their facilitators)",
        responses=WorkshopOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(
            selectors.workshop_list(consultation=consultation, user=request.user)
        )
        # Join codes only for those who run the consultation's workshops (one check).
        runs = can_run_workshop(user=request.user, obj=Workshop(consultation=consultation))
        return self.get_paginated_response(
            [workshop_data(workshop, with_code=runs) for workshop in page or []]
        )

    @extend_schema(
        operation_id="consultation_workshops_create",
        tags=TAGS,
        summary="Create a draft workshop (facilitators and organizers of the consultation)",
        request=WorkshopCreateInput,
        responses={201: WorkshopOutput},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        # Refused before the body is read: an outsider learns nothing from a 400.
        if not is_signed_in(request.user):
            raise errors.NotAuthenticated()
        if not can_run_workshops_of(user=request.user, consultation=consultation):
            raise errors.PermissionDenied()
        data = parse_input(WorkshopCreateInput, request)
        workshop = services.workshop_create(
            by=signed_in_user(request), consultation=consultation, **data
        )
        return Response(workshop_data(workshop), status=status.HTTP_201_CREATED)


class WorkshopDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="workshops_retrieve",
        tags=TAGS,
        summary="One workshop",
        responses=WorkshopOutput,
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        runs = can_run_workshop(user=request.user, obj=workshop)
        return Response(workshop_data(workshop, with_code=runs))


class WorkshopOpenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshops_open",
        tags=TAGS,
        summary="Open a workshop: it gets its join code (facilitators)",
        description="Opening an open workshop returns it unchanged; a closed one: 409 "
        "workshop_not_open.",
        request=None,
        responses=WorkshopOutput,
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        workshop = services.workshop_open(by=signed_in_user(request), workshop=workshop)
        return Response(workshop_data(workshop))


class WorkshopCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshops_close",
        tags=TAGS,
        summary="Close a workshop: stops its open activity and closes its votes (facilitators)",
        request=None,
        responses=WorkshopOutput,
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        workshop = services.workshop_close(by=signed_in_user(request), workshop=workshop)
        return Response(workshop_data(workshop))


class WorkshopJoinView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="workshops_join_retrieve",
        tags=TAGS,
        summary="The open workshop of a join code, and its websocket path (no account needed)",
        responses=WorkshopJoinOutput,
    )
    def get(self, request: Request, code: str) -> Response:
        workshop = selectors.workshop_by_code(code=code, user=request.user)
        token = request.COOKIES.get(DEVICE_COOKIE, "")
        if device_digest(token) is None:
            token = device_token_new()
        response = Response(
            {
                "workshop": workshop_data(workshop),
                "websocket": f"/ws/v1/workshops/{workshop.pk}/",
                "device_token": token,
            }
        )
        set_device_cookie(response, token)
        return response


class WorkshopActivityListView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="workshop_activities_list",
        tags=TAGS,
        summary="The activities of a workshop, in order",
        responses=ActivityOutput(many=True),
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        return Response([activity_data(a) for a in selectors.activity_list(workshop=workshop)])

    @extend_schema(
        operation_id="workshop_activities_create",
        tags=TAGS,
        summary="Add an activity at the end (facilitators)",
        description="`vote` (kind vote): `{method, items, options?}` creates the consultation's "
        "vote over published proposals, run by the workshop. `poll` (kind poll): "
        "`{multiple, choices: [labels]}`. `idea_kinds` (kind idea_capture): problem, proposal "
        "(default both).",
        request=ActivityCreateInput,
        responses={201: ActivityOutput},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _run(request, workshop_id)
        data = parse_input(ActivityCreateInput, request)
        activity = services.activity_create(by=signed_in_user(request), workshop=workshop, **data)
        return Response(activity_data(activity), status=status.HTTP_201_CREATED)


class ActivityStartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshop_activities_start",
        tags=TAGS,
        summary="Start an activity (the open one stops); its timer starts (facilitators)",
        request=None,
        responses=ActivityOutput,
    )
    def post(self, request: Request, workshop_id: int, activity_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        activity = selectors.activity_get(workshop=workshop, activity_id=activity_id)
        activity = services.activity_start(by=signed_in_user(request), activity=activity)
        return Response(activity_data(activity))


class ActivityStopView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshop_activities_stop",
        tags=TAGS,
        summary="Stop an activity (facilitators)",
        request=None,
        responses=ActivityOutput,
    )
    def post(self, request: Request, workshop_id: int, activity_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        activity = selectors.activity_get(workshop=workshop, activity_id=activity_id)
        activity = services.activity_stop(by=signed_in_user(request), activity=activity)
        return Response(activity_data(activity))


class ActivityResultsVisibilityView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshop_activities_results_visibility",
        tags=TAGS,
        summary="Show or hide an activity's results to participants (facilitators)",
        request=ActivityResultsVisibilityInput,
        responses=ActivityOutput,
    )
    def post(self, request: Request, workshop_id: int, activity_id: int) -> Response:
        workshop = _run(request, workshop_id)
        activity = selectors.activity_get(workshop=workshop, activity_id=activity_id)
        data = parse_input(ActivityResultsVisibilityInput, request)
        activity = services.activity_results_show(
            by=signed_in_user(request), activity=activity, visible=data["visible"]
        )
        return Response(activity_data(activity))


class ActivityResultsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="workshop_activities_results",
        tags=TAGS,
        summary="An activity's results (facilitators; others once shown)",
        description="The same payload as the websocket `results` message. Hidden results: "
        "403 permission_denied.",
        responses=ActivityResultsOutput,
    )
    def get(self, request: Request, workshop_id: int, activity_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        activity = selectors.activity_get(workshop=workshop, activity_id=activity_id)
        if not activity.results_visible and not can_run_workshop(user=request.user, obj=workshop):
            raise errors.PermissionDenied()
        return Response(selectors.activity_results(activity=activity))


class ActivityAnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshop_activities_answer",
        tags=TAGS,
        summary="Answer for a participant card, someone without a phone (facilitators)",
        description="vote: `{card, choices: {item id: value}}`; poll: `{card, choices: [choice "
        "ids]}`; idea capture: `{card, kind, text}`. Same rules as the participants' answers.",
        request=ActivityAnswerInput,
        responses={201: ActivityAnswerOutput},
    )
    def post(self, request: Request, workshop_id: int, activity_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        activity = selectors.activity_get(workshop=workshop, activity_id=activity_id)
        data = parse_input(ActivityAnswerInput, request)
        by = signed_in_user(request)
        participant = services.participant_for_card(by=by, workshop=workshop, card_id=data["card"])
        answer: dict[str, Any]
        if activity.kind == ActivityKind.IDEA_CAPTURE:
            idea = services.idea_submit(
                activity=activity,
                participant=participant,
                kind=data.get("kind", ""),
                text=data.get("text", ""),
            )
            answer = {"activity": activity.pk, "kind": activity.kind, "ideas": [idea_data(idea)]}
        elif activity.kind == ActivityKind.VOTE:
            answer = services.workshop_ballot_submit(
                activity=activity,
                participant=participant,
                choices=_vote_choices(data.get("choices")),
                entered_by=by,
            )
        else:
            answer = services.workshop_poll_answer(
                activity=activity,
                participant=participant,
                choices=_poll_choices(data.get("choices")),
            )
        return Response(answer, status=status.HTTP_201_CREATED)


def _invalid_choices() -> errors.ValidationFailed:
    return errors.ValidationFailed(
        fields={
            "choices": [
                {"code": "invalid", "message": str(errors.ValidationFailed.default_message)}
            ]
        }
    )


def _vote_choices(raw: Any) -> dict[int, int]:
    if not isinstance(raw, dict):
        raise _invalid_choices()
    choices: dict[int, int] = {}
    for key, value in raw.items():
        if not str(key).isdigit() or isinstance(value, bool) or not isinstance(value, int):
            raise _invalid_choices()
        choices[int(key)] = value
    return choices


def _poll_choices(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in raw
    ):
        raise _invalid_choices()
    return list(raw)


class WorkshopIdeaListView(GenericAPIView[Idea]):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    queryset = Idea.objects.none()

    @extend_schema(
        operation_id="workshop_ideas_list",
        tags=TAGS,
        summary="The ideas posted in a workshop, oldest first (facilitators)",
        parameters=[IdeaListQueryInput],
        responses=IdeaOutput(many=True),
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = _run(request, workshop_id)
        query = parse_query(IdeaListQueryInput, request)
        page = self.paginate_queryset(selectors.idea_list(workshop=workshop, **query))
        return self.get_paginated_response([idea_data(idea) for idea in page or []])


class IdeaModerateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshop_ideas_moderate",
        tags=TAGS,
        summary="Approve (optionally corrected) or reject an idea (facilitators)",
        description="Approving creates a published contribution (origin workshop) through the "
        "consultation's phase gate: 409 phase_closed when its kind is not accepted now.",
        request=IdeaModerateInput,
        responses=IdeaOutput,
    )
    def post(self, request: Request, workshop_id: int, idea_id: int) -> Response:
        workshop = _run(request, workshop_id)
        idea = selectors.idea_get(workshop=workshop, idea_id=idea_id)
        data = parse_input(IdeaModerateInput, request)
        idea = services.idea_moderate(by=signed_in_user(request), idea=idea, **data)
        return Response(idea_data(idea))


class WorkshopParticipantListView(GenericAPIView[Participant]):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    queryset = Participant.objects.none()

    @extend_schema(
        operation_id="workshop_participants_list",
        tags=TAGS,
        summary="Who joined the workshop, in joining order (facilitators)",
        description="`anonymous`: a card made by a phone joining by itself; `voided_at`: its "
        "answers were set aside.",
        responses=WorkshopParticipantOutput(many=True),
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = _run(request, workshop_id)
        page = self.paginate_queryset(selectors.participant_list(workshop=workshop))
        return self.get_paginated_response([_participant(p) for p in page or []])


class WorkshopParticipantVoidView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="workshop_participants_void",
        tags=TAGS,
        summary="Set a participant's answers aside (facilitators)",
        description="Deletes their poll answers, empties their ballots on the workshop's open "
        "votes, rejects their pending ideas; they may not answer or join again. Ballots on "
        "votes already closed stay. Voiding twice returns the participant unchanged.",
        request=None,
        responses=WorkshopParticipantOutput,
    )
    def post(self, request: Request, workshop_id: int, participant_id: int) -> Response:
        workshop = selectors.workshop_get(workshop_id=workshop_id, user=request.user)
        participant = services.participant_void(
            by=signed_in_user(request), workshop=workshop, participant_id=participant_id
        )
        return Response(_participant(participant))


def _participant(participant: Participant) -> dict[str, Any]:
    return {
        **participant_data(participant),
        "anonymous": participant_is_anonymous(participant),
        "voided_at": timezone.localtime(participant.voided_at).isoformat()
        if participant.voided_at
        else None,
        "joined_at": timezone.localtime(participant.created_at).isoformat(),
    }
