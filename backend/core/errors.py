"""The application's error hierarchy: each error has an HTTP status and a stable code."""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FieldErrors = Mapping[str, list[dict[str, str]]]


class ApplicationError(Exception):
    """Base of every error a client may see; rendered by `backend.core.exceptions`."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str | Promise] = _("The request cannot be processed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        fields: FieldErrors | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.fields = dict(fields) if fields else None
        self.details = dict(details) if details else None
        super().__init__(str(self.message))


class BadRequest(ApplicationError):
    pass


class ParseError(ApplicationError):
    code = "parse_error"
    default_message = _("The request body is not valid JSON.")


class ValidationFailed(ApplicationError):
    code = "validation_error"
    default_message = _("The submitted data is not valid.")


class NotAuthenticated(ApplicationError):
    status = 401
    code = "not_authenticated"
    default_message = _("You must be signed in to do this.")


class AuthenticationFailed(ApplicationError):
    status = 401
    code = "authentication_failed"
    default_message = _("The credentials are not valid.")


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message = _(
        "The CSRF token is missing or wrong: read it from GET /api/v1/auth/csrf/ and send it "
        "in the X-CSRFToken header (session clients only; token clients send no cookie)."
    )


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class MethodNotAllowed(ApplicationError):
    status = 405
    code = "method_not_allowed"
    default_message = _("This method is not allowed here.")


class NotAcceptable(ApplicationError):
    status = 406
    code = "not_acceptable"
    default_message = _("The requested response format is not available.")


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class VoteNotClosed(Conflict):
    code = "vote_not_closed"
    default_message = _("This is published when the vote closes.")


class PhaseClosed(ApplicationError):
    status = 409
    code = "phase_closed"
    default_message = _("This action is not possible in the current phase.")


class ConsultationNotOpen(ApplicationError):
    status = 409
    code = "consultation_not_open"
    default_message = _("This consultation is not open for participation.")


class UnsupportedMediaType(ApplicationError):
    status = 415
    code = "unsupported_media_type"
    default_message = _("Send the request body as application/json.")


class Throttled(ApplicationError):
    status = 429
    code = "throttled"
    default_message = _("Too many requests; please wait before trying again.")


class AccountLocked(ApplicationError):
    status = 429
    code = "account_locked"
    default_message = _(
        "Too many wrong passwords for this account: it is locked for a while. Try again later."
    )


class RequestTooLarge(ApplicationError):
    status = 413
    code = "request_too_large"
    default_message = _("The request body is too large.")


class ServerError(ApplicationError):
    status = 500
    code = "server_error"
    default_message = _("An unexpected error occurred; it has been logged.")


class ServiceUnavailable(ApplicationError):
    """The database cannot be reached (restarting, failing over, every connection busy): the
    request did nothing; the client retries after `retry_after_seconds`."""

    status = 503
    code = "service_unavailable"
    default_message = _(
        "The service is briefly unavailable (its database cannot be reached). Try again in a "
        "few seconds."
    )


class InvalidCredentials(AuthenticationFailed):
    code = "invalid_credentials"
    default_message = _("The e-mail address or the password is not correct.")


class NoPhases(Conflict):
    code = "no_phases"
    default_message = _("A consultation needs at least one phase before it is published.")


class LastOrganizer(Conflict):
    code = "last_organizer"
    default_message = _("A consultation must keep at least one organizer.")


class DuplicateInseeCode(Conflict):
    code = "duplicate_insee_code"
    default_message = _("A territory of this kind already has this INSEE code.")


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = _("This person is already a member of the structure.")


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = _("A structure must keep at least one administrator.")


class IdempotencyKeyReused(ApplicationError):
    status = 422
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used for a different request.")


class IdempotencyInProgress(Conflict):
    code = "idempotency_request_in_progress"
    default_message = _(
        "A request with this Idempotency-Key is still being processed; retry in a moment."
    )


class ContributionNotEditable(Conflict):
    code = "contribution_not_editable"
    default_message = _("This contribution can no longer be changed (withdrawn or hidden).")


class NotEndorsable(Conflict):
    code = "not_endorsable"
    default_message = _("Only published problems can be endorsed.")


class NotCommentable(Conflict):
    code = "not_commentable"
    default_message = _("Only published contributions can be commented.")


class EditWindowClosed(Conflict):
    code = "edit_window_closed"
    default_message = _("A comment can only be changed in the minutes after it was posted.")


class CommentNotEditable(Conflict):
    code = "comment_not_editable"
    default_message = _("This comment was deleted or hidden and can no longer be changed.")


class AlreadyHidden(Conflict):
    code = "already_hidden"
    default_message = _("This content is already hidden.")


class NotHidden(Conflict):
    code = "not_hidden"
    default_message = _("This content is not hidden, there is nothing to restore.")


class NotModeratable(Conflict):
    code = "not_moderatable"
    default_message = _(
        "Only published contributions and visible comments can be reported or hidden."
    )


class ReportResolved(Conflict):
    code = "report_resolved"
    default_message = _("This report was already handled.")


class WorkshopNotOpen(Conflict):
    code = "workshop_not_open"
    default_message = _("This workshop is not open.")


class ActivityClosed(Conflict):
    code = "activity_closed"
    default_message = _("This activity is not open.")


class IdeaAlreadyModerated(Conflict):
    code = "idea_already_moderated"
    default_message = _("This idea was already approved or rejected.")


class AlreadyMerged(Conflict):
    code = "already_merged"
    default_message = _("Some of these contributions are already merged into a cluster.")


class MergeAlreadyUndone(Conflict):
    code = "merge_already_undone"
    default_message = _("This merge has already been undone.")


class MergeNotLatest(Conflict):
    code = "merge_not_latest"
    default_message = _(
        "A later merge into the same cluster must be undone first, so that undoing restores "
        "the previous state exactly."
    )


class ClusterDissolved(Conflict):
    code = "cluster_dissolved"
    default_message = _("This cluster no longer has any member: its merges were undone.")


class PlanIncomplete(Conflict):
    code = "plan_incomplete"
    default_message = _(
        "Some contributions have no answer yet or some candidate actions have no decision: "
        "answer them, or publish with force."
    )


class PlanNotPublished(NotFound):
    code = "plan_not_published"
    default_message = _("No version of the action plan has been published yet.")


class InvitationInvalid(NotFound):
    code = "invitation_invalid"
    default_message = _("This invitation does not exist, was already used or has expired.")


class UnsubscribeLinkInvalid(NotFound):
    code = "unsubscribe_link_invalid"
    default_message = _("This unsubscribe link is not valid.")


class InvitationForAnotherAddress(PermissionDenied):
    code = "invitation_for_another_address"
    default_message = _(
        "This invitation was sent to another e-mail address: sign in with the invited address."
    )


class ProgrammeStageClosed(Conflict):
    code = "programme_stage_closed"
    default_message = _("This is not possible at the programme's current stage.")


class InvalidStageChange(Conflict):
    code = "invalid_stage_change"
    default_message = _("The programme cannot move to this stage from its current one.")


class RoundInOtherProgramme(Conflict):
    code = "round_in_other_programme"
    default_message = _("This consultation is already a round of a regional programme.")


class SourceAlreadyLinked(Conflict):
    code = "source_already_linked"
    default_message = _("This territorial action or contribution is already linked to it.")


class OverBudget(Conflict):
    code = "over_budget"
    default_message = _(
        "This would take a funder beyond its envelope: confirm with allow_over_budget, and "
        "the overshoot stays shown."
    )


class InvalidStatusChange(Conflict):
    code = "invalid_status_change"
    default_message = _("The action cannot move to this status from its current one.")


class RegionalPlanIncomplete(Conflict):
    code = "regional_plan_incomplete"
    default_message = _(
        "Some regional actions have no decision yet: decide them, or publish with force."
    )


class RegionalPlanNotPublished(NotFound):
    code = "regional_plan_not_published"
    default_message = _("No version of the regional plan has been published yet.")


def all_error_classes() -> list[type[ApplicationError]]:
    """Every error class, to check the catalogue in frontend-contract/ is complete."""
    found: list[type[ApplicationError]] = []
    pending: list[type[ApplicationError]] = [ApplicationError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
