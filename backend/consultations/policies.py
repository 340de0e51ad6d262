"""Who may do what on a consultation, and when: the one phase gate every app calls."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from backend.consultations import domain
from backend.consultations.domain import GateCode, PhaseSpec, Verb
from backend.consultations.models import Consultation, ConsultationRole, ConsultationStatus, Phase
from backend.core import errors
from backend.core.users import AnyUser, is_signed_in


@dataclass(frozen=True)
class GateDecision:
    verb: Verb
    allowed: bool
    code: GateCode | None
    open_phase: PhaseSpec | None
    allowed_in: tuple[str, ...]
    status: str

    def open_phase_details(self) -> dict[str, Any] | None:
        if self.open_phase is None:
            return None
        return {
            "kind": self.open_phase.kind,
            "title": self.open_phase.title,
            "starts_at": timezone.localtime(self.open_phase.starts_at).isoformat(),
            "ends_at": timezone.localtime(self.open_phase.ends_at).isoformat(),
        }


def consultation_roles_of(*, user: AnyUser, consultation: Consultation) -> frozenset[str]:
    """The caller's roles on a consultation, in one query (none for anonymous callers)."""
    if not is_signed_in(user):
        return frozenset()
    return frozenset(
        ConsultationRole.objects.filter(consultation=consultation, user=user).values_list(
            "role", flat=True
        )
    )


def phase_specs(phases: Iterable[Phase]) -> list[PhaseSpec]:
    return [
        PhaseSpec(
            kind=phase.kind,
            starts_at=phase.starts_at,
            ends_at=phase.ends_at,
            title=phase.title,
            description=phase.description,
        )
        for phase in phases
    ]


def _decisions(
    *,
    user: AnyUser,
    consultation: Consultation,
    verbs: Iterable[Verb],
    now: datetime | None,
    roles: Iterable[str] | None,
) -> dict[Verb, GateDecision]:
    # Phases come from the selector's prefetch when there is one, and are read only when a
    # verb depends on them; roles cost one query at most.
    verbs = list(verbs)
    prefetched = "phases" in getattr(consultation, "_prefetched_objects_cache", {})
    needs_phases = prefetched or any(domain.MATRIX[verb].phases is not None for verb in verbs)
    specs = phase_specs(consultation.phases.all()) if needs_phases else []
    held = (
        frozenset(roles)
        if roles is not None
        else consultation_roles_of(user=user, consultation=consultation)
    )
    signed_in = is_signed_in(user)
    moment = now or timezone.now()
    result: dict[Verb, GateDecision] = {}
    for verb in verbs:
        decision = domain.decide(
            verb=verb,
            is_authenticated=signed_in,
            is_staff=signed_in and bool(user.is_staff),
            roles=held,
            status=consultation.status,
            phases=specs,
            now=moment,
        )
        result[verb] = GateDecision(
            verb=verb,
            allowed=decision.allowed,
            code=decision.code,
            open_phase=decision.open_phase,
            allowed_in=tuple(str(kind) for kind in decision.allowed_in),
            status=consultation.status,
        )
    return result


def consultation_gate(
    *,
    user: AnyUser,
    consultation: Consultation,
    verb: Verb | str,
    now: datetime | None = None,
    roles: Iterable[str] | None = None,
) -> GateDecision:
    """Decide whether `user` may use `verb` on `consultation` at `now`.

    Pass `roles` when the caller already knows them (saves the one roles query).
    """
    verb = Verb(verb)
    return _decisions(user=user, consultation=consultation, verbs=[verb], now=now, roles=roles)[
        verb
    ]


def consultation_permissions(
    *,
    user: AnyUser,
    consultation: Consultation,
    now: datetime | None = None,
    roles: Iterable[str] | None = None,
) -> dict[Verb, GateDecision]:
    """The gate's decision for every verb (for clients that grey out buttons)."""
    return _decisions(user=user, consultation=consultation, verbs=list(Verb), now=now, roles=roles)


def raise_for(decision: GateDecision) -> None:
    """Raise the application error matching a refused decision; do nothing if allowed."""
    if decision.allowed:
        return
    if decision.code == GateCode.NOT_AUTHENTICATED:
        raise errors.NotAuthenticated()
    if decision.code == GateCode.PERMISSION_DENIED:
        raise errors.PermissionDenied()
    if decision.code == GateCode.CONSULTATION_NOT_OPEN:
        raise errors.ConsultationNotOpen(details={"status": decision.status})
    raise errors.PhaseClosed(
        details={
            "open_phase": decision.open_phase_details(),
            "allowed_in": list(decision.allowed_in),
        }
    )


def ensure_allowed(
    *,
    user: AnyUser,
    consultation: Consultation,
    verb: Verb | str,
    now: datetime | None = None,
) -> GateDecision:
    """The gate, raising NotAuthenticated, PermissionDenied, ConsultationNotOpen or PhaseClosed."""
    decision = consultation_gate(user=user, consultation=consultation, verb=verb, now=now)
    raise_for(decision)
    return decision


def can_create_consultation(*, user: AnyUser) -> bool:
    """Region or City staff: staff accounts or holders of the add_consultation permission."""
    return is_signed_in(user) and (
        bool(user.is_staff) or user.has_perm("consultations.add_consultation")
    )


def can_view_consultation(*, user: AnyUser, obj: Consultation) -> bool:
    """Published and archived rounds are public; drafts only for their role holders and staff."""
    if obj.status != ConsultationStatus.DRAFT:
        return True
    if not is_signed_in(user):
        return False
    return bool(user.is_staff) or bool(consultation_roles_of(user=user, consultation=obj))


def can_manage_consultation(*, user: AnyUser, obj: Consultation) -> bool:
    return consultation_gate(user=user, consultation=obj, verb=Verb.MANAGE).allowed


def can_replicate_consultation(*, user: AnyUser, obj: Consultation) -> bool:
    return consultation_gate(user=user, consultation=obj, verb=Verb.REPLICATE).allowed
