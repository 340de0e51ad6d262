"""Regional programme API routes."""

from django.urls import path

from backend.programmes.api import views as v

P = "programmes/<int:programme_id>/"
A = "regional-actions/<int:regional_action_id>/"

urlpatterns = [
    path("programmes/", v.ProgrammeListView.as_view(), name="programme-list"),
    path(P, v.ProgrammeDetailView.as_view(), name="programme-detail"),
    path(P + "publish/", v.ProgrammePublishView.as_view(), name="programme-publish"),
    path(P + "stage/", v.ProgrammeStageView.as_view(), name="programme-stage"),
    path(P + "organizers/", v.ProgrammeOrganizerView.as_view(), name="programme-organizers"),
    path(P + "rounds/", v.ProgrammeRoundView.as_view(), name="programme-rounds"),
    path(P + "replicas/", v.ProgrammeReplicasView.as_view(), name="programme-replicas"),
    path(P + "partners/", v.ProgrammePartnerView.as_view(), name="programme-partners"),
    path(P + "funders/", v.ProgrammeFunderView.as_view(), name="programme-funders"),
    path(P + "dashboard/", v.ProgrammeDashboardView.as_view(), name="programme-dashboard"),
    path(P + "budget/", v.ProgrammeBudgetView.as_view(), name="programme-budget"),
    path(P + "coverage/", v.ProgrammeCoverageView.as_view(), name="programme-coverage"),
    path(
        P + "coverage/coverage.csv",
        v.ProgrammeCoverageCsvView.as_view(),
        name="programme-coverage-csv",
    ),
    path(
        P + "coverage/coverage.svg",
        v.ProgrammeCoverageSvgView.as_view(),
        name="programme-coverage-svg",
    ),
    path(P + "suggestions/", v.ProgrammeSuggestionsView.as_view(), name="programme-suggestions"),
    path(
        P + "regional-actions/",
        v.RegionalActionListView.as_view(),
        name="programme-regional-actions",
    ),
    path(P + "plan/", v.RegionalPlanLatestView.as_view(), name="regional-plan-latest"),
    path(
        P + "plan/versions/",
        v.RegionalPlanVersionListView.as_view(),
        name="regional-plan-version-list",
    ),
    path(
        P + "plan/versions/<int:number>/",
        v.RegionalPlanVersionDetailView.as_view(),
        name="regional-plan-version-detail",
    ),
    path(
        P + "plan/versions/<int:number>/plan.csv",
        v.RegionalPlanVersionCsvView.as_view(),
        name="regional-plan-version-csv",
    ),
    path(
        P + "plan/versions/<int:number>/open-data.zip",
        v.RegionalPlanVersionArchiveView.as_view(),
        name="regional-plan-version-archive",
    ),
    path(A, v.RegionalActionDetailView.as_view(), name="regional-action-detail"),
    path(A + "sources/", v.RegionalSourceListView.as_view(), name="regional-action-sources"),
    path(A + "decision/", v.RegionalDecisionView.as_view(), name="regional-action-decision"),
    path(A + "funding/", v.RegionalFundingView.as_view(), name="regional-action-funding"),
    path(A + "status/", v.RegionalStatusView.as_view(), name="regional-action-status"),
    path(A + "progress/", v.RegionalProgressView.as_view(), name="regional-action-progress"),
    path(A + "milestones/", v.RegionalMilestoneView.as_view(), name="regional-action-milestones"),
    path(A + "indicators/", v.RegionalIndicatorView.as_view(), name="regional-action-indicators"),
    path(A + "timeline/", v.RegionalTimelineView.as_view(), name="regional-action-timeline"),
    path(
        "regional-sources/<int:regional_source_id>/unlink/",
        v.RegionalSourceUnlinkView.as_view(),
        name="regional-source-unlink",
    ),
    path(
        "milestones/<int:milestone_id>/reach/",
        v.MilestoneReachView.as_view(),
        name="milestone-reach",
    ),
    path(
        "indicators/<int:indicator_id>/measures/",
        v.IndicatorMeasureView.as_view(),
        name="indicator-measures",
    ),
]
