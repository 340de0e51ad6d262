"""Objects named by id in requests: territories, structures, milestones, indicators."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from backend.core import errors
from backend.core.validation import FieldErrors, field_error, raise_if_errors
from backend.programmes.models import Indicator, Milestone
from backend.programmes.policies import AnyUser, can_view_programme
from backend.structures.models import Structure
from backend.territories.models import Territory


def territories_by_ids(*, ids: Sequence[int], field: str) -> list[Territory]:
    """The territories, in the order given; a field error names the unknown ones."""
    found = Territory.objects.in_bulk(list(ids))
    missing = [i for i in ids if i not in found]
    if missing:
        fields: FieldErrors = {}
        field_error(fields, field, "not_found", _("Unknown territory: %(i)s.") % {"i": missing})
        raise_if_errors(fields)
    return [found[i] for i in ids]


def structures_by_ids(*, ids: Sequence[int], field: str) -> list[Structure]:
    found = Structure.objects.in_bulk(list(ids))
    missing = [i for i in ids if i not in found]
    if missing:
        fields: FieldErrors = {}
        field_error(fields, field, "not_found", _("Unknown structure: %(i)s.") % {"i": missing})
        raise_if_errors(fields)
    return [found[i] for i in ids]


def milestone_get(*, milestone_id: int, user: AnyUser) -> Milestone:
    milestone = (
        Milestone.objects.select_related("action__programme").filter(pk=milestone_id).first()
    )
    if milestone is None or not can_view_programme(user=user, obj=milestone.action.programme):
        raise errors.NotFound()
    return milestone


def indicator_get(*, indicator_id: int, user: AnyUser) -> Indicator:
    indicator = (
        Indicator.objects.select_related("action__programme").filter(pk=indicator_id).first()
    )
    if indicator is None or not can_view_programme(user=user, obj=indicator.action.programme):
        raise errors.NotFound()
    return indicator
