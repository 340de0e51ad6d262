"""Territory admin: the path is never edited by hand; creation goes through territory_create."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.territories.domain import is_valid_placement
from backend.territories.models import KIND_RANK, Territory, TerritoryKind
from backend.territories.services import territory_create


class TerritoryAdminForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = ["kind", "name", "slug", "insee_code", "parent"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, parent = cleaned.get("kind"), cleaned.get("parent")
        if kind and parent is not None:
            rank = KIND_RANK[TerritoryKind(kind)]
            parent_rank = KIND_RANK[TerritoryKind(parent.kind)]
            if not is_valid_placement(rank=rank, parent_rank=parent_rank):
                self.add_error(
                    "parent", _("A territory must be below its parent in the hierarchy.")
                )
        return cleaned


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    form = TerritoryAdminForm
    list_display = ["name", "kind", "insee_code", "parent", "depth"]
    list_filter = ["kind"]
    search_fields = ["name", "insee_code"]
    list_select_related = ["parent"]
    ordering = ["path"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["depth"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Territory | None = None
    ) -> list[str] | tuple[Any, ...]:
        # Moving a node or changing its kind would invalidate the paths of its whole subtree.
        if obj is not None:
            return ["kind", "parent", "depth"]
        return ["depth"]

    def save_model(self, request: HttpRequest, obj: Territory, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = territory_create(
            kind=obj.kind,
            name=obj.name,
            parent=obj.parent,
            insee_code=obj.insee_code,
            slug=obj.slug,
        )
        obj.pk, obj.slug, obj.path, obj.depth = (
            created.pk,
            created.slug,
            created.path,
            created.depth,
        )
