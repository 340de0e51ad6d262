"""Structure API payloads; members show a display name and a role, never an e-mail."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.api.serializers import person_by_id_or_email
from backend.accounts.models import User
from backend.core.serializers import NameField, StrictInputSerializer
from backend.structures.models import MemberRole, Membership, Structure, StructureType
from backend.territories.api.serializers import TerritoryBriefOutput
from backend.territories.models import Territory


class StructureMemberOutput(serializers.ModelSerializer[Membership]):
    user_id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "display_name", "role", "joined_at"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 200,
        "anyOf": [{"format": "uri"}, {"const": ""}],
        "description": "An http(s) address, or empty for none.",
    }
)
class OptionalURLField(serializers.URLField):
    """A web address, or "" for none: documented as such (a bare `uri` excludes "")."""


class StructureOutput(serializers.ModelSerializer[Structure]):
    territory = TerritoryBriefOutput(read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    is_verified = serializers.BooleanField(
        read_only=True,
        help_text="Checked by staff. An unverified structure was declared by its members "
        "only: show it as such; its voice does not count in 'one structure, one voice'.",
    )
    website = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": ["string", "null"], "format": "uri", "description": "null when none"}
    )
    def get_website(self, obj: Any) -> str | None:
        return obj.website or None

    class Meta:
        model = Structure
        fields = [
            "id",
            "name",
            "slug",
            "type",
            "territory",
            "website",
            "member_count",
            "is_verified",
            "verified_at",
            "created_at",
        ]
        read_only_fields = fields


class StructureDetailOutput(StructureOutput):
    members = StructureMemberOutput(source="memberships", many=True, read_only=True)

    class Meta(StructureOutput.Meta):
        fields = [*StructureOutput.Meta.fields, "description", "members"]
        read_only_fields = fields


class StructureCreateInput(StrictInputSerializer):
    name = NameField(max_length=200)
    type = serializers.ChoiceField(choices=StructureType.choices)
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all())
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    website = OptionalURLField(required=False, allow_blank=True, default="", max_length=200)


class StructureUpdateInput(StrictInputSerializer):
    name = NameField(max_length=200, required=False)
    type = serializers.ChoiceField(choices=StructureType.choices, required=False)
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all(), required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    website = OptionalURLField(required=False, allow_blank=True, max_length=200)


class StructureMemberCreateInput(StrictInputSerializer):
    user_id = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Id of the person to add (or `email`).",
    )
    email = serializers.EmailField(
        required=False,
        max_length=254,
        help_text="E-mail address of an account, instead of `user_id` (400 no_account when no "
        "account has it: invite the address with POST .../invitations/).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return person_by_id_or_email(attrs, id_field="user_id")

    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)


class StructureMemberUpdateInput(StrictInputSerializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)
