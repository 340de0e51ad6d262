"""Profile outputs: the person, their territory and the structures they belong to."""

from rest_framework import serializers

from backend.accounts.models import User
from backend.structures.models import MemberRole, Membership, StructureType
from backend.territories.models import Territory, TerritoryKind


class UserProfileTerritoryOutput(serializers.ModelSerializer[Territory]):
    kind = serializers.ChoiceField(choices=TerritoryKind.choices)

    class Meta:
        model = Territory
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class UserProfileStructureOutput(serializers.Serializer[Membership]):
    """A structure the person belongs to, with their role in it."""

    id = serializers.IntegerField(source="structure_id")
    name = serializers.CharField(source="structure.name")
    type = serializers.ChoiceField(choices=StructureType.choices, source="structure.type")
    is_verified = serializers.BooleanField(source="structure.is_verified")
    role = serializers.ChoiceField(choices=MemberRole.choices)


class UserProfileOutput(serializers.ModelSerializer[User]):
    territory = UserProfileTerritoryOutput(allow_null=True)
    structures = UserProfileStructureOutput(many=True, source="memberships")

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "territory", "structures", "date_joined"]
        read_only_fields = fields
