"""Regional programme endpoints: thin views (parse -> service or selector -> serialize)."""

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

from backend.accounts.selectors import user_get
from backend.consultations.selectors import consultation_get
from backend.core import errors
from backend.core.api.requests import parse_input, signed_in_user
from backend.core.conditional import (
    CONDITIONAL_PARAMETERS,
    IF_NONE_MATCH_HEADER,
    NOT_MODIFIED,
    conditional_response,
    file_download,
)
from backend.plans.domain.archive import csv_text
from backend.programmes import selectors, services
from backend.programmes.api import serializers as s
from backend.programmes.domain.coverage import coverage_svg
from backend.programmes.models import FollowUpEntry, Programme, RegionalAction
from backend.programmes.policies import can_create_programme, can_view_programme_dashboard
from backend.programmes.selectors.coverage import coverage_title, theme_labels_fr
from backend.programmes.selectors.refs import (
    indicator_get,
    milestone_get,
    structures_by_ids,
    territories_by_ids,
)

TAGS = ["regional programme"]
PLAN_TAGS = ["regional plan"]
FOLLOW_TAGS = ["regional follow-up"]
OBJECT = OpenApiTypes.OBJECT
CSV_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV, UTF-8"),
    304: NOT_MODIFIED,
}


def _programme(request: Request, programme_id: int) -> Programme:
    return selectors.programme_get(programme_id=programme_id, user=request.user)


def _action_out(request: Request, action: RegionalAction) -> dict[str, Any]:
    action = selectors.regional_action_get(action_id=action.pk, user=request.user)
    figures = selectors.regional_action_figures(programme=action.programme)
    return dict(s.RegionalActionOutput(action, context={"figures": figures}).data)


def _structure(value: int | None, field: str) -> Any:
    return structures_by_ids(ids=[value], field=field)[0] if value is not None else None


class ProgrammeListView(GenericAPIView[Programme]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Programme.objects.none()

    @extend_schema(
        operation_id="programmes_list",
        tags=TAGS,
        summary="Regional programmes (published ones; drafts for their organizers)",
        responses=s.ProgrammeOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.programme_list(user=request.user))
        return self.get_paginated_response(s.ProgrammeOutput(page, many=True).data)

    @extend_schema(
        operation_id="programmes_create",
        tags=TAGS,
        summary="Create a regional programme (Region staff); its creator organizes it",
        request=s.ProgrammeCreateInput,
        responses={201: s.ProgrammeDetailOutput},
    )
    def post(self, request: Request) -> Response:
        if not can_create_programme(user=request.user):  # before the body: nothing leaks
            raise errors.PermissionDenied()
        data = parse_input(s.ProgrammeCreateInput, request)
        territory = territories_by_ids(ids=[data.pop("territory")], field="territory")[0]
        targets = territories_by_ids(ids=data.pop("target_territories"), field="target_territories")
        programme = services.programme_create(
            by=signed_in_user(request), territory=territory, target_territories=targets, **data
        )
        programme = _programme(request, programme.pk)
        return Response(s.ProgrammeDetailOutput(programme).data, status=status.HTTP_201_CREATED)


class ProgrammeDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="programmes_retrieve",
        tags=TAGS,
        summary="One programme with its partners, funders (envelopes) and target territories",
        responses=s.ProgrammeDetailOutput,
    )
    def get(self, request: Request, programme_id: int) -> Response:
        return Response(s.ProgrammeDetailOutput(_programme(request, programme_id)).data)

    @extend_schema(
        operation_id="programmes_partial_update",
        tags=TAGS,
        summary="Change the programme's texts, domains, deadline or target territories",
        request=s.ProgrammeUpdateInput,
        responses=s.ProgrammeDetailOutput,
    )
    def patch(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.ProgrammeUpdateInput, request)
        if "target_territories" in data:
            data["target_territories"] = territories_by_ids(
                ids=data["target_territories"], field="target_territories"
            )
        services.programme_update(by=signed_in_user(request), programme=programme, **data)
        return Response(s.ProgrammeDetailOutput(_programme(request, programme_id)).data)


class ProgrammePublishView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_publish",
        tags=TAGS,
        summary="Make the programme public (programme organizers)",
        request=None,
        responses=s.ProgrammeDetailOutput,
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        services.programme_publish(by=signed_in_user(request), programme=programme)
        return Response(s.ProgrammeDetailOutput(_programme(request, programme_id)).data)


class ProgrammeStageView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_stage_update",
        tags=TAGS,
        summary="Move the programme to its next stage",
        description="preparation -> consolidation -> adopted -> closed (adopted may go back "
        "to consolidation for a revision). 409 invalid_stage_change otherwise. The first "
        "plan publication moves consolidation to adopted by itself.",
        request=s.ProgrammeStageInput,
        responses=s.ProgrammeDetailOutput,
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.ProgrammeStageInput, request)
        services.programme_set_stage(by=signed_in_user(request), programme=programme, **data)
        return Response(s.ProgrammeDetailOutput(_programme(request, programme_id)).data)


class ProgrammeOrganizerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_organizers_create",
        tags=TAGS,
        summary="Appoint a programme organizer",
        request=s.ProgrammeOrganizerInput,
        responses={201: s.ProgrammeOrganizerOutput},
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.ProgrammeOrganizerInput, request)
        user = user_get(user_id=data["user"])
        organizer = services.programme_organizer_add(
            by=signed_in_user(request), programme=programme, user=user
        )
        return Response(s.ProgrammeOrganizerOutput(organizer).data, status=201)


class ProgrammeRoundView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_rounds_create",
        tags=TAGS,
        summary="Bring a territorial consultation into the programme as a round",
        description="409 round_in_other_programme when it is already a round.",
        request=s.ProgrammeRoundInput,
        responses={201: s.ProgrammeRoundOutput},
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.ProgrammeRoundInput, request)
        consultation = consultation_get(consultation_id=data["consultation"], user=request.user)
        created = services.programme_round_add(
            by=signed_in_user(request),
            programme=programme,
            consultation=consultation,
            is_pilot=data["is_pilot"],
        )
        return Response(s.ProgrammeRoundOutput(created).data, status=201)


class ProgrammeReplicasView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_replicas_create",
        tags=TAGS,
        summary="Replicate the pilot round on territories and add each replica as a round",
        request=s.ProgrammeReplicasInput,
        responses={201: s.ProgrammeRoundOutput(many=True)},
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.ProgrammeReplicasInput, request)
        rounds = services.programme_rounds_replicate(
            by=signed_in_user(request),
            programme=programme,
            territories=territories_by_ids(ids=data["territories"], field="territories"),
            first_phase_starts_at=data["first_phase_starts_at"],
        )
        return Response(s.ProgrammeRoundOutput(rounds, many=True).data, status=201)


class ProgrammePartnerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_partners_create",
        tags=TAGS,
        summary="Add a partner of the programme",
        request=s.PartnerInput,
        responses={201: s.ProgrammePartnerOutput},
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.PartnerInput, request)
        data["structure"] = _structure(data["structure"], "structure")
        partner = services.partner_add(by=signed_in_user(request), programme=programme, **data)
        return Response(s.ProgrammePartnerOutput(partner).data, status=201)


class ProgrammeFunderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_funders_update",
        tags=TAGS,
        summary="Create a funder or change its envelope (whole euros)",
        description="409 over_budget when the new envelope is below what is already "
        "committed, unless allow_over_budget.",
        request=s.FunderInput,
        responses=s.ProgrammeFunderOutput,
    )
    def put(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.FunderInput, request)
        data["structure"] = _structure(data["structure"], "structure")
        funder = services.funder_set(by=signed_in_user(request), programme=programme, **data)
        return Response(s.ProgrammeFunderOutput(funder).data)


class ProgrammeDashboardView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_dashboard_retrieve",
        tags=TAGS,
        summary="Progress of every round at a glance (programme and territorial organizers)",
        description="Per round: phase open now, published contributions, participants "
        "(distinct authors and supporters), structures, answered share; and the target "
        "territories with no round yet.",
        responses=OBJECT,
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        return Response(selectors.programme_dashboard(programme=programme, user=request.user))


class ProgrammeBudgetView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_budget_retrieve",
        tags=TAGS,
        summary="Totals per funder against envelopes, each action's gap, and what fits",
        description="Over-budget funders are flagged (`is_over_budget`, `over_by_eur`). "
        "`what_fits`: within each envelope, actions in priority order (territories raised, "
        "distinct people, distinct structures, lower cost, id) keep each line that still "
        "fits (participatory budgeting's greedy rule).",
        responses=OBJECT,
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        return Response(selectors.programme_budget(programme=programme))


class ProgrammeCoverageView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_coverage_retrieve",
        tags=TAGS,
        summary="Coverage: theme x round matrix (contributions, answering regional actions)",
        responses=OBJECT,
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        matrix = selectors.programme_coverage(programme=programme)
        return Response(matrix.as_dict(theme_labels_fr()))


class ProgrammeCoverageCsvView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_coverage_csv_retrieve",
        tags=TAGS,
        summary="Coverage as CSV: theme, round, territory, département, counts, status",
        parameters=[IF_NONE_MATCH_HEADER],
        responses=CSV_RESPONSES,
    )
    def get(self, request: Request, programme_id: int) -> HttpResponse:
        programme = _programme(request, programme_id)
        matrix = selectors.programme_coverage(programme=programme)
        return file_download(
            request,
            content=csv_text(matrix.csv_rows(theme_labels_fr())).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            filename=f"couverture-programme-{programme.pk}.csv",
        )


class ProgrammeCoverageSvgView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_coverage_svg_retrieve",
        tags=TAGS,
        summary="Coverage by département as a printable SVG chart",
        parameters=[IF_NONE_MATCH_HEADER],
        responses={
            (200, "image/svg+xml"): OpenApiResponse(response=OpenApiTypes.STR),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request: Request, programme_id: int) -> HttpResponse:
        programme = _programme(request, programme_id)
        matrix = selectors.programme_coverage(programme=programme)
        svg = coverage_svg(matrix, theme_labels=theme_labels_fr(), title=coverage_title(programme))
        return file_download(
            request,
            content=svg.encode("utf-8"),
            content_type="image/svg+xml; charset=utf-8",
            filename=f"couverture-programme-{programme.pk}.svg",
        )


class ProgrammeSuggestionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="programmes_suggestions_list",
        tags=TAGS,
        summary="Territorial actions from different rounds that say the same thing",
        description="Groups found by the similarity engine (synthesis' SimilarityBackend), "
        "each spanning at least two rounds, with the regional actions already holding "
        "some members. Programme and territorial organizers.",
        # A list (it was documented as an object: schemathesis found it).
        responses={
            200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}
        },
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        if not can_view_programme_dashboard(user=request.user, obj=programme):
            raise errors.PermissionDenied()
        return Response(selectors.territorial_action_suggestions(programme=programme))


# --- regional actions -----------------------------------------------------------------


class RegionalActionListView(GenericAPIView[RegionalAction]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = RegionalAction.objects.none()

    @extend_schema(
        operation_id="programmes_regional_actions_list",
        tags=TAGS,
        summary="The programme's regional actions with sources, funding, follow-up, figures",
        responses=s.RegionalActionOutput(many=True),
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        page = self.paginate_queryset(selectors.regional_action_list(programme=programme))
        figures = selectors.regional_action_figures(programme=programme)
        data = s.RegionalActionOutput(page, many=True, context={"figures": figures}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="programmes_regional_actions_create",
        tags=TAGS,
        summary="Write a regional action, consolidating territorial actions (non-destructive)",
        description="Programme organizers, consolidation stage. Territorial actions and "
        "contributions must belong to rounds of the programme. Emits "
        "`regional_action.created` and `regional_action.source_linked`.",
        request=s.RegionalActionCreateInput,
        responses={201: s.RegionalActionOutput},
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.RegionalActionCreateInput, request)
        action = services.regional_action_create(
            by=signed_in_user(request), programme=programme, **data
        )
        return Response(_action_out(request, action), status=status.HTTP_201_CREATED)


class RegionalActionDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="regional_actions_retrieve",
        tags=TAGS,
        summary="One regional action",
        responses=s.RegionalActionOutput,
    )
    def get(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        return Response(_action_out(request, action))

    @extend_schema(
        operation_id="regional_actions_partial_update",
        tags=TAGS,
        summary="Change a regional action's texts or themes",
        request=s.RegionalActionUpdateInput,
        responses=s.RegionalActionOutput,
    )
    def patch(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.RegionalActionUpdateInput, request)
        services.regional_action_update(by=signed_in_user(request), action=action, **data)
        return Response(_action_out(request, action))


class RegionalSourceListView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="regional_actions_sources_list",
        tags=TAGS,
        summary="The consolidation log: every link made, active or undone, newest first",
        responses=s.RegionalSourceOutput(many=True),
    )
    def get(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        rows = selectors.regional_source_log(action=action)
        return Response(s.RegionalSourceOutput(rows, many=True).data)

    @extend_schema(
        operation_id="regional_actions_sources_create",
        tags=TAGS,
        summary="Link a territorial action (or a contribution) to the regional action",
        description="Programme organizers for any round, territorial organizers for their "
        "own round (403 otherwise); consolidation stage. 409 source_already_linked.",
        request=s.RegionalSourceInput,
        responses={201: s.RegionalSourceOutput},
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.RegionalSourceInput, request)
        source = services.regional_source_link(
            by=signed_in_user(request),
            action=action,
            candidate_action_id=data["candidate_action"],
            contribution_id=data["contribution"],
            justification=data["justification"],
        )
        source = selectors.regional_source_get(source_id=source.pk, user=request.user)
        return Response(s.RegionalSourceOutput(source).data, status=201)


class RegionalSourceUnlinkView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_sources_unlink",
        tags=TAGS,
        summary="Undo a link (the row stays in the log with its reason)",
        request=s.RegionalSourceUnlinkInput,
        responses=s.RegionalSourceOutput,
    )
    def post(self, request: Request, regional_source_id: int) -> Response:
        source = selectors.regional_source_get(source_id=regional_source_id, user=request.user)
        data = parse_input(s.RegionalSourceUnlinkInput, request)
        services.regional_source_unlink(by=signed_in_user(request), source=source, **data)
        source = selectors.regional_source_get(source_id=regional_source_id, user=request.user)
        return Response(s.RegionalSourceOutput(source).data)


class RegionalDecisionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_actions_decision_update",
        tags=TAGS,
        summary="Retain the action in the regional plan or not (with a public answer)",
        request=s.RegionalDecisionInput,
        responses=s.RegionalActionOutput,
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.RegionalDecisionInput, request)
        services.regional_action_decide(by=signed_in_user(request), action=action, **data)
        return Response(_action_out(request, action))


class RegionalFundingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_actions_funding_update",
        tags=TAGS,
        summary="Set cost, funding lines, lead structure, partners, start and end",
        description="Fields left out are unchanged; `lines` replaces every line. 409 "
        "over_budget (with the funders' totals in details) when a funder would end beyond "
        "its envelope, unless allow_over_budget.",
        request=s.RegionalFundingInput,
        responses=s.RegionalActionOutput,
    )
    def put(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.RegionalFundingInput, request)
        if "lead_structure" in data:
            data["lead_structure"] = _structure(data["lead_structure"], "lead_structure")
        if "partner_structures" in data:
            data["partner_structures"] = structures_by_ids(
                ids=data["partner_structures"], field="partner_structures"
            )
        if "lines" in data:
            data["lines"] = {line["funder"]: line["amount_eur"] for line in data["lines"]}
        services.regional_action_set_funding(by=signed_in_user(request), action=action, **data)
        return Response(_action_out(request, action))


# --- follow-up ------------------------------------------------------------------------


class RegionalStatusView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_actions_status_update",
        tags=FOLLOW_TAGS,
        summary="Change the follow-up status (planned, in progress, done, abandoned)",
        description="Adopted stage, retained actions. Abandoning needs a reason. 409 "
        "invalid_status_change for a move the rules do not allow.",
        request=s.RegionalStatusInput,
        responses=s.RegionalActionOutput,
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.RegionalStatusInput, request)
        services.regional_action_set_status(by=signed_in_user(request), action=action, **data)
        return Response(_action_out(request, action))


class RegionalProgressView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_actions_progress_update",
        tags=FOLLOW_TAGS,
        summary="Report progress in percent",
        request=s.RegionalProgressInput,
        responses=s.RegionalActionOutput,
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.RegionalProgressInput, request)
        services.regional_action_set_progress(by=signed_in_user(request), action=action, **data)
        return Response(_action_out(request, action))


class RegionalMilestoneView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_actions_milestones_create",
        tags=FOLLOW_TAGS,
        summary="Add a dated milestone",
        request=s.MilestoneInput,
        responses={201: s.MilestoneOutput},
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.MilestoneInput, request)
        milestone = services.milestone_add(by=signed_in_user(request), action=action, **data)
        return Response(s.MilestoneOutput(milestone).data, status=201)


class MilestoneReachView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="milestones_reach",
        tags=FOLLOW_TAGS,
        summary="Mark a milestone reached",
        request=s.MilestoneReachInput,
        responses=s.MilestoneOutput,
    )
    def post(self, request: Request, milestone_id: int) -> Response:
        milestone = milestone_get(milestone_id=milestone_id, user=request.user)
        data = parse_input(s.MilestoneReachInput, request)
        milestone = services.milestone_reach(
            by=signed_in_user(request), milestone=milestone, **data
        )
        return Response(s.MilestoneOutput(milestone).data)


class RegionalIndicatorView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="regional_actions_indicators_create",
        tags=FOLLOW_TAGS,
        summary="Add an indicator with its target",
        request=s.IndicatorInput,
        responses={201: s.IndicatorOutput},
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.IndicatorInput, request)
        indicator = services.indicator_add(by=signed_in_user(request), action=action, **data)
        return Response(s.IndicatorOutput(indicator).data, status=201)


class IndicatorMeasureView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="indicators_measures_create",
        tags=FOLLOW_TAGS,
        summary="Record a measured value of an indicator on a date",
        request=s.IndicatorMeasureInput,
        responses={201: s.IndicatorMeasureOutput},
    )
    def post(self, request: Request, indicator_id: int) -> Response:
        indicator = indicator_get(indicator_id=indicator_id, user=request.user)
        data = parse_input(s.IndicatorMeasureInput, request)
        measure = services.indicator_measure(
            by=signed_in_user(request), indicator=indicator, **data
        )
        return Response(s.IndicatorMeasureOutput(measure).data, status=201)


class RegionalTimelineView(GenericAPIView[FollowUpEntry]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = FollowUpEntry.objects.none()

    @extend_schema(
        operation_id="regional_actions_timeline_list",
        tags=FOLLOW_TAGS,
        summary="The action's public follow-up timeline, newest first",
        responses=s.FollowUpEntryOutput(many=True),
    )
    def get(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        page = self.paginate_queryset(selectors.follow_up_timeline(action=action))
        return self.get_paginated_response(s.FollowUpEntryOutput(page, many=True).data)

    @extend_schema(
        operation_id="regional_actions_timeline_create",
        tags=FOLLOW_TAGS,
        summary="Add a public note to the timeline",
        request=s.FollowUpNoteInput,
        responses={201: s.FollowUpEntryOutput},
    )
    def post(self, request: Request, regional_action_id: int) -> Response:
        action = selectors.regional_action_get(action_id=regional_action_id, user=request.user)
        data = parse_input(s.FollowUpNoteInput, request)
        entry = services.follow_up_note_add(by=signed_in_user(request), action=action, **data)
        return Response(s.FollowUpEntryOutput(entry).data, status=201)


# --- the regional plan ----------------------------------------------------------------


def _version_detail(request: Request, version: Any) -> dict[str, Any]:
    return dict(s.RegionalPlanVersionDetailOutput(version, context={"request": request}).data)


class RegionalPlanLatestView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_plan_retrieve",
        tags=PLAN_TAGS,
        summary="The latest published regional plan, with its snapshot",
        description="404 regional_plan_not_published before the first publication.",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: s.RegionalPlanVersionDetailOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        version = selectors.regional_plan_version_get(programme=programme)
        return conditional_response(request, _version_detail(request, version))


class RegionalPlanVersionListView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Programme.objects.none()

    @extend_schema(
        operation_id="programmes_plan_versions_list",
        tags=PLAN_TAGS,
        summary="Published versions of the regional plan, newest first (no snapshots)",
        responses=s.RegionalPlanVersionOutput(many=True),
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        page = self.paginate_queryset(selectors.regional_plan_version_list(programme=programme))
        data = s.RegionalPlanVersionOutput(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="programmes_plan_publish",
        tags=PLAN_TAGS,
        summary="Publish the regional plan: freeze a numbered version and its archive",
        description="Programme organizers, consolidation or adopted stage (the first "
        "publication adopts the plan). 409 regional_plan_incomplete while actions have no "
        "decision (force: true publishes anyway); 409 over_budget while a funder is beyond "
        "its envelope (accept_over_budget: true publishes and marks the version). Emits "
        "`regional_plan.published`.",
        request=s.RegionalPlanPublishInput,
        responses={201: s.RegionalPlanVersionDetailOutput},
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = _programme(request, programme_id)
        data = parse_input(s.RegionalPlanPublishInput, request)
        version = services.regional_plan_publish(
            by=signed_in_user(request), programme=programme, **data
        )
        return Response(_version_detail(request, version), status=201)


class RegionalPlanVersionDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_plan_version_retrieve",
        tags=PLAN_TAGS,
        summary="One published version of the regional plan, with its snapshot",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: s.RegionalPlanVersionDetailOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, programme_id: int, number: int) -> Response:
        programme = _programme(request, programme_id)
        version = selectors.regional_plan_version_get(programme=programme, number=number)
        return conditional_response(request, _version_detail(request, version))


class RegionalPlanVersionCsvView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_plan_version_csv_retrieve",
        tags=PLAN_TAGS,
        summary="One version of the regional plan as CSV (one row per regional action)",
        parameters=[IF_NONE_MATCH_HEADER],
        responses=CSV_RESPONSES,
    )
    def get(self, request: Request, programme_id: int, number: int) -> HttpResponse:
        programme = _programme(request, programme_id)
        version = selectors.regional_plan_version_get(programme=programme, number=number)
        return file_download(
            request,
            content=selectors.regional_plan_csv(version=version).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            filename=f"plan-regional-{programme.pk}-v{version.number}.csv",
        )


class RegionalPlanVersionArchiveView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="programmes_plan_version_archive_retrieve",
        tags=PLAN_TAGS,
        summary="The open-data archive frozen with a version (ZIP, Licence Ouverte 2.0)",
        description="plan.json, rounds, regional actions, their sources down to each "
        "contribution, territorial actions and their sources, contributions and supports "
        "(people as archive pseudonyms), funders and lines, coverage (CSV and SVG), "
        "follow-up, one annex per territory, README.md (French) saying how every figure "
        "is recomputed.",
        parameters=[IF_NONE_MATCH_HEADER],
        responses={
            (200, "application/zip"): OpenApiResponse(response=OpenApiTypes.BINARY),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request: Request, programme_id: int, number: int) -> HttpResponse:
        programme = _programme(request, programme_id)
        version = selectors.regional_plan_version_get(
            programme=programme, number=number, with_archive=True
        )
        return file_download(
            request,
            content=bytes(version.archive),
            content_type="application/zip",
            filename=f"plan-regional-{programme.pk}-v{version.number}-donnees-ouvertes.zip",
        )
