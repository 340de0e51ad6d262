"""Field errors that services collect before raising one ValidationFailed (see errors.py)."""

from django.utils.translation import gettext as _

from backend.core import errors

FieldErrors = dict[str, list[dict[str, str]]]


def field_error(fields: FieldErrors, name: str, code: str, message: str) -> None:
    fields.setdefault(name, []).append({"code": code, "message": message})


def raise_if_errors(fields: FieldErrors) -> None:
    if fields:
        raise errors.ValidationFailed(fields=fields)


def check_text(fields: FieldErrors, name: str, value: str, *, limit: int, blank: bool) -> None:
    """Text is stored as written; only emptiness and the explicit limit are checked."""
    if not blank and not value.strip():
        field_error(fields, name, "blank", _("This field may not be blank."))
    if len(value) > limit:
        field_error(
            fields,
            name,
            "max_length",
            _("Ensure this field has no more than %(limit)d characters.") % {"limit": limit},
        )
