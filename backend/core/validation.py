"""Field errors that services collect before raising one ValidationFailed (see errors.py)."""

from django.utils.translation import gettext as _

from backend.core import errors
from backend.core.text import has_unsafe_characters

FieldErrors = dict[str, list[dict[str, str]]]


def field_error(fields: FieldErrors, name: str, code: str, message: str) -> None:
    fields.setdefault(name, []).append({"code": code, "message": message})


def raise_if_errors(fields: FieldErrors) -> None:
    if fields:
        raise errors.ValidationFailed(fields=fields)


def check_text(
    fields: FieldErrors,
    name: str,
    value: str,
    *,
    limit: int,
    blank: bool,
    single_line: bool = False,
) -> None:
    """Text is stored as written; emptiness, the explicit limit and refused characters
    (control characters, bidirectional overrides: backend.core.text) are checked."""
    if has_unsafe_characters(value, single_line=single_line):
        field_error(
            fields,
            name,
            "invalid_characters",
            _("Control characters and bidirectional overrides are not allowed in this text."),
        )
    if not blank and not value.strip():
        field_error(fields, name, "blank", _("This field may not be blank."))
    if len(value) > limit:
        field_error(
            fields,
            name,
            "max_length",
            _("Ensure this field has no more than %(limit)d characters.") % {"limit": limit},
        )
