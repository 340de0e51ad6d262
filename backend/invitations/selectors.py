"""Invitations still pending for a consultation or a structure."""

from django.db.models import QuerySet
from django.utils import timezone

from backend.consultations.models import Consultation
from backend.invitations.models import Invitation
from backend.structures.models import Structure


def invitation_pending_list(
    *, consultation: Consultation | None = None, structure: Structure | None = None
) -> QuerySet[Invitation]:
    """Not accepted and not expired, newest first (one query)."""
    queryset = Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
    if consultation is not None:
        return queryset.filter(consultation=consultation)
    return queryset.filter(structure=structure)
