"""What the synthesis writes share: limits, the contributions lock, merge events."""

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from backend.consultations.models import Consultation
from backend.core.domain_events import DomainEvent, publish_on_commit
from backend.core.realtime import consultation_group
from backend.core.validation import FieldErrors, field_error
from backend.proposals.models import Contribution, ContributionStatus
from backend.synthesis.models import (
    MergeLogEntry,
)

MAX_MERGE = 200
MAX_SOURCES = 500
MAX_TERRITORIES = 100


def _lock_contributions(
    fields: FieldErrors, *, name: str, consultation: Consultation, ids: Sequence[int]
) -> list[Contribution]:
    """Lock the published contributions of the consultation with these ids, in id order (a
    fixed order, so two merges over overlapping sets cannot deadlock); field errors for the
    others."""
    found = {
        c.pk: c
        for c in Contribution.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    }
    for pk in ids:
        contribution = found.get(pk)
        if contribution is None or contribution.consultation_id != consultation.pk:
            field_error(
                fields,
                name,
                "not_found",
                _("Contribution %(id)d is not part of this consultation.") % {"id": pk},
            )
        elif contribution.status != ContributionStatus.PUBLISHED:
            field_error(
                fields,
                name,
                "not_published",
                _("Contribution %(id)d is not published.") % {"id": pk},
            )
    return [found[pk] for pk in ids if pk in found]


def _authors(contributions: Iterable[Contribution]) -> list[int]:
    return sorted({c.author_id for c in contributions if c.author_id is not None})


def _merge_event(
    *, event: str, entry: MergeLogEntry, contributions: Sequence[Contribution]
) -> None:
    """`contribution.merged` / `contribution.split`, a domain event after commit: to the
    consultation group and to in-process subscribers (notifications). `authors` lists the
    accounts whose contributions moved, so their clients can show it in their activity
    stream (contributions and their authors are public)."""
    publish_on_commit(
        DomainEvent(
            name=event,
            data={
                "consultation": entry.consultation_id,
                "cluster": entry.cluster_id,
                "log_entry": entry.pk,
                "undoes": entry.undoes_id,
                "contributions": sorted(c.pk for c in contributions),
                "authors": _authors(contributions),
            },
            groups=(consultation_group(entry.consultation_id),),
            actor=entry.by_id,
        )
    )


def _unique_ids(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))
