"""Who may comment on candidate and regional actions, and when (role x phase, role x stage);
notifications themselves are their recipient's only (selectors filter by recipient)."""

from datetime import datetime

from django.utils import timezone

from backend.consultations.domain import PhaseSpec, schedule_at
from backend.consultations.models import ConsultationStatus
from backend.consultations.policies import AnyUser, is_signed_in, phase_specs
from backend.core import errors
from backend.notifications.domain import (
    CANDIDATE_ACTION_COMMENT_PHASES,
    REGIONAL_ACTION_COMMENT_STAGES,
    action_comment_refusal,
)
from backend.programmes.models import ProgrammeStatus, RegionalAction
from backend.synthesis.models import CandidateAction


def _open_phase(action: CandidateAction, now: datetime) -> PhaseSpec | None:
    return schedule_at(phase_specs(action.consultation.phases.all()), now).open_phase


def _candidate_refusal(*, user: AnyUser, action: CandidateAction, now: datetime) -> str | None:
    consultation = action.consultation
    open_phase = _open_phase(action, now)
    return action_comment_refusal(
        is_signed_in=is_signed_in(user),
        is_open=consultation.status == ConsultationStatus.PUBLISHED,
        moment=str(open_phase.kind) if open_phase is not None else None,
        allowed=CANDIDATE_ACTION_COMMENT_PHASES,
    )


def _regional_refusal(*, user: AnyUser, action: RegionalAction) -> str | None:
    programme = action.programme
    return action_comment_refusal(
        is_signed_in=is_signed_in(user),
        is_open=programme.status == ProgrammeStatus.PUBLISHED,
        moment=programme.stage,
        allowed=REGIONAL_ACTION_COMMENT_STAGES,
    )


def can_comment_candidate_action(
    *, user: AnyUser, obj: CandidateAction, now: datetime | None = None
) -> bool:
    return _candidate_refusal(user=user, action=obj, now=now or timezone.now()) is None


def can_comment_regional_action(*, user: AnyUser, obj: RegionalAction) -> bool:
    return _regional_refusal(user=user, action=obj) is None


def ensure_can_comment_candidate_action(*, user: AnyUser, obj: CandidateAction) -> None:
    now = timezone.now()
    refusal = _candidate_refusal(user=user, action=obj, now=now)
    if refusal == "not_authenticated":
        raise errors.NotAuthenticated()
    if refusal == "not_open":
        raise errors.ConsultationNotOpen(details={"status": obj.consultation.status})
    if refusal == "closed":
        open_phase = _open_phase(obj, now)
        raise errors.PhaseClosed(
            details={
                "open_phase": None
                if open_phase is None
                else {
                    "kind": open_phase.kind,
                    "title": open_phase.title,
                    "starts_at": timezone.localtime(open_phase.starts_at).isoformat(),
                    "ends_at": timezone.localtime(open_phase.ends_at).isoformat(),
                },
                "allowed_in": sorted(CANDIDATE_ACTION_COMMENT_PHASES),
            }
        )


def ensure_can_comment_regional_action(*, user: AnyUser, obj: RegionalAction) -> None:
    refusal = _regional_refusal(user=user, action=obj)
    if refusal == "not_authenticated":
        raise errors.NotAuthenticated()
    if refusal is not None:
        raise errors.ProgrammeStageClosed(
            details={
                "stage": obj.programme.stage,
                "allowed_in": sorted(REGIONAL_ACTION_COMMENT_STAGES),
            }
        )
