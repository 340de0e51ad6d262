"""Helpers shared by the programme's services: row locks and text checks."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from backend.consultations.models import Theme
from backend.core.validation import FieldErrors, field_error
from backend.programmes.models import Programme, RegionalAction


def lock_programme(programme: Programme) -> Programme:
    """The programme row, locked: every budget check and publication of one programme runs
    one at a time (lock order: programme, then regional action, then funder rows)."""
    return Programme.objects.select_for_update(of=("self",)).get(pk=programme.pk)


def lock_action(action: RegionalAction) -> RegionalAction:
    return (
        RegionalAction.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=action.pk)
    )


def check_themes(fields: FieldErrors, name: str, themes: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for theme in themes:
        if theme not in Theme.values:
            field_error(fields, name, "invalid_choice", _("Unknown theme: %(t)s.") % {"t": theme})
        elif theme not in cleaned:
            cleaned.append(theme)
    return cleaned
