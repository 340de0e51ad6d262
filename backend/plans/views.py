"""The readable plan page: plain Django, French, printable (not part of the JSON API).

The page of a version is built once (`backend.plans.services.artifacts`) and served from
storage with its ETag and length."""

from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_safe

from backend.consultations.selectors import consultation_get
from backend.core import errors
from backend.plans.downloads import artifact_response
from backend.plans.selectors import plan_version_get
from backend.plans.services.artifacts import plan_version_artifact


@require_safe
def plan_page(
    request: HttpRequest, consultation_id: int, number: int | None = None
) -> HttpResponseBase:
    """The plan as a French page: actions, sources, scores, merit profiles as SVG bars."""
    try:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        version = plan_version_get(consultation=consultation, number=number)
    except errors.NotFound as error:
        raise Http404(str(error.message)) from error
    artifact = plan_version_artifact(version=version, kind="plan_html")
    response = artifact_response(request, artifact=artifact, attachment=False)
    response["Content-Language"] = "fr"
    return response
