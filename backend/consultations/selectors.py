"""Reads on consultations: visibility, filters, one query per relation."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, QuerySet

from backend.consultations.filters import ConsultationFilter
from backend.consultations.models import Consultation, ConsultationRole, ConsultationStatus
from backend.consultations.policies import AnyUser, can_view_consultation, is_signed_in
from backend.core import errors

PUBLIC_STATUSES = (ConsultationStatus.PUBLISHED, ConsultationStatus.ARCHIVED)


def _visible(*, user: AnyUser) -> QuerySet[Consultation]:
    """Published and archived rounds for everyone; drafts for their role holders; all for staff."""
    queryset = Consultation.objects.all()
    if not is_signed_in(user):
        return queryset.filter(status__in=PUBLIC_STATUSES)
    if user.is_staff:
        return queryset
    has_role = ConsultationRole.objects.filter(consultation=OuterRef("pk"), user=user)
    return queryset.filter(Q(status__in=PUBLIC_STATUSES) | Q(Exists(has_role)))


def _with_details(queryset: QuerySet[Consultation], *, user: AnyUser) -> QuerySet[Consultation]:
    """Territory joined, phases prefetched, and the caller's roles as `my_roles`."""
    queryset = queryset.select_related("territory").prefetch_related("phases")
    if is_signed_in(user):
        mine = (
            ConsultationRole.objects.filter(consultation=OuterRef("pk"), user=user)
            .order_by("role")
            .values("role")
        )
        queryset = queryset.annotate(my_roles=ArraySubquery(mine))
    return queryset


def consultation_list(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[Consultation]:
    """The consultations `user` may see, filtered (see ConsultationFilter for the filters).

    Two queries whatever the size: consultations with territory and roles, then phases.
    """
    filterset = ConsultationFilter(data=filters or {}, queryset=_visible(user=user))
    if not filterset.is_valid():
        raise errors.ValidationFailed(
            fields={
                name: [
                    {"code": error.code or "invalid", "message": " ".join(error.messages)}
                    for error in field_errors
                ]
                for name, field_errors in filterset.form.errors.as_data().items()
            }
        )
    return _with_details(filterset.qs, user=user)


def consultation_get(*, consultation_id: int, user: AnyUser) -> Consultation:
    """One consultation visible to `user`, with its details; NotFound otherwise."""
    consultation = _with_details(_visible(user=user), user=user).filter(pk=consultation_id).first()
    if consultation is None:
        raise errors.NotFound()
    return consultation


def consultation_find_visible(*, consultation_id: int, user: AnyUser) -> Consultation | None:
    """The consultation if `user` may view it (one query and the policy), else None: what a
    websocket needs before it joins the consultation's group."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or not can_view_consultation(user=user, obj=consultation):
        return None
    return consultation


def role_list(*, consultation: Consultation) -> QuerySet[ConsultationRole]:
    return (
        ConsultationRole.objects.filter(consultation=consultation)
        .select_related("user")
        .order_by("role", "user__display_name", "id")
    )


def role_get(*, consultation: Consultation, role_id: int) -> ConsultationRole:
    role = ConsultationRole.objects.filter(consultation=consultation, pk=role_id).first()
    if role is None:
        raise errors.NotFound()
    return role


def consultation_list_by_ids(*, ids: Sequence[int], user: AnyUser) -> list[Consultation]:
    """Given consultations with their details, in the order of `ids` (after a bulk write)."""
    found = {
        consultation.pk: consultation
        for consultation in _with_details(_visible(user=user).filter(pk__in=ids), user=user)
    }
    return [found[pk] for pk in ids if pk in found]
