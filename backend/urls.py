"""URL configuration: the API under /api/v1/, its docs, the admin, the live workshop page."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from backend.accounts.throttles import throttled_login
from backend.workshops import views as workshop_pages

api_v1 = [
    path("", include("backend.core.api.urls")),
    path("", include("backend.territories.api.urls")),
    path("", include("backend.accounts.api.urls")),
    path("", include("backend.structures.api.urls")),
    path("", include("backend.profiles.api.urls")),
    path("", include("backend.consultations.api.urls")),
    path("", include("backend.invitations.api.urls")),
    path("", include("backend.proposals.api.urls")),
    path("", include("backend.comments.api.urls")),
    path("", include("backend.moderation.api.urls")),
    path("", include("backend.votes.api.urls")),
    path("", include("backend.workshops.api.urls")),
    path("", include("backend.plans.api.urls")),
    path("", include("backend.suggestions.api.urls")),
    path("", include("backend.synthesis.api.urls")),
    path("", include("backend.programmes.api.urls")),
    path("", include("backend.privacy.api.urls")),
    path("", include("backend.notifications.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # page works under the Content-Security-Policy (backend.core.middleware).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # The admin's login form, rate-limited per client address like the API's sign-in.
    path("admin/login/", throttled_login(admin.site.login), name="admin-login-throttled"),
    path("admin/", admin.site.urls),
    # The live workshop page (plain Django views: not in the OpenAPI document).
    path("live/", workshop_pages.live_home, name="live-home"),
    path("live/<str:code>/", workshop_pages.live_page, name="live"),
    path(
        "live/<str:code>/presenter/",
        workshop_pages.live_page,
        {"presenter": True},
        name="live-presenter",
    ),
    # The readable plan page (HTML, French), linked from the plan JSON as html_url.
    path("", include("backend.plans.urls")),
    path("", include("backend.programmes.urls")),
]

handler400 = "backend.core.exceptions.json_bad_request"
handler403 = "backend.core.exceptions.json_permission_denied"
handler404 = "backend.core.exceptions.json_not_found"
handler500 = "backend.core.exceptions.json_server_error"
