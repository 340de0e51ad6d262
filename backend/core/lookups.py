"""`unaccented` transform: accent-insensitive lookups through npt_unaccent (no extension)."""

from django.db.models import CharField, TextField, Transform


class Unaccented(Transform):
    lookup_name = "unaccented"
    function = "npt_unaccent"
    bilateral = True


def register() -> None:
    CharField.register_lookup(Unaccented)
    TextField.register_lookup(Unaccented)
