"""Errors of live workshops, in the one ApplicationError hierarchy (backend/core/errors.py)."""

from django.utils.translation import gettext_lazy as _

from backend.core import errors


class ParticipationRefused(errors.PermissionDenied):
    """The workshop's participation policy does not let this caller answer (websocket: the
    join is closed with 4403)."""

    code = "participation_refused"
    default_message = _("This workshop's participation rules do not let you take part.")
