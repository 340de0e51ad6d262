"""Invitation payloads: an address and a role in, the pending invitation out (no token)."""

from typing import Any

from rest_framework import serializers

from backend.consultations.models import RoleKind
from backend.core.serializers import StrictInputSerializer
from backend.invitations.models import Invitation
from backend.structures.models import MemberRole


class ConsultationInvitationCreateInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=RoleKind.choices)


class StructureInvitationCreateInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=MemberRole.choices, required=False, default="member")


class InvitationAcceptInput(StrictInputSerializer):
    token = serializers.CharField(max_length=200, help_text="the code of the invitation e-mail")


class InvitationOutput(serializers.ModelSerializer[Invitation]):
    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "consultation",
            "structure",
            "role",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Invitation) -> dict[str, Any]:
        return dict(super().to_representation(instance))
