"""Territory API payloads: one input for creation, outputs with a light list of ancestors."""

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.serializers import StrictInputSerializer
from backend.territories.models import Territory, TerritoryKind

insee_code_validator = RegexValidator(
    r"^[0-9A-Z]{1,10}$",
    message=_("An INSEE code has only digits and capital letters (38185, 2A004)."),
    code="invalid_insee_code",
)


class TerritoryBriefOutput(serializers.ModelSerializer[Territory]):
    class Meta:
        model = Territory
        fields = ["id", "kind", "name"]
        read_only_fields = fields


class TerritoryOutput(serializers.ModelSerializer[Territory]):
    """A territory with its ancestors, root first."""

    ancestors = serializers.SerializerMethodField()

    class Meta:
        model = Territory
        fields = ["id", "kind", "name", "slug", "insee_code", "parent", "depth", "ancestors"]
        read_only_fields = fields

    @extend_schema_field(TerritoryBriefOutput(many=True))
    def get_ancestors(self, obj: Territory) -> list[dict[str, Any]]:
        ancestors = self.context["ancestors"].get(obj.pk, [])
        return list(TerritoryBriefOutput(ancestors, many=True).data)


class TerritoryCreateInput(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=TerritoryKind.choices)
    name = serializers.CharField(max_length=200)
    # The metaclass turns this into a declared field; the stubs see Field.parent instead.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Territory.objects.all(), allow_null=True, required=False, default=None
    )
    insee_code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        validators=[insee_code_validator],
    )
