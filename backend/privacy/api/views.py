"""Personal data endpoints: one's export and erasure; a participant card's erasure."""

from django.contrib.auth import logout
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.core import errors
from backend.core.api.requests import parse_input, signed_in_user
from backend.core.serializers import StrictInputSerializer
from backend.privacy import selectors, services


class AccountErasureInput(StrictInputSerializer):
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, help_text="The current password."
    )


class PersonalDataExportView(APIView):
    """Everything the platform holds about the signed-in person, as JSON in a ZIP."""

    @extend_schema(
        operation_id="me_export_retrieve",
        tags=["me"],
        summary="Download my personal data (JSON in a ZIP)",
        description="A ZIP holding `donnees-personnelles.json`: profile, structures, roles, "
        "contributions and comments written or typed by me, ballot lines (mine and those I "
        "entered for participant cards), endorsements, participant cards I created, workshop "
        "participations, ideas and poll answers, reports I filed, access tokens (metadata "
        "only). Layout in frontend-contract/privacy.md.",
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The ZIP file"
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        content = selectors.personal_data_zip(user=signed_in_user(request))
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="donnees-personnelles.zip"'
        response["Cache-Control"] = "no-store"
        return response


class AccountErasureView(APIView):
    """Erase one's account: anonymized, what was written and voted stays counted."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_check"

    @extend_schema(
        operation_id="me_erasure_create",
        tags=["me"],
        summary="Erase my account (anonymized; contributions and ballots stay counted)",
        description="Needs the current password. The account becomes an empty shell shown as "
        "'Compte supprimé': e-mail, name, territory, password, tokens, sessions, structure "
        "memberships, roles and reports filed are gone; contributions, comments and ballots "
        "stay published and counted, linked to nobody. Withdraw contributions first if their "
        "text must go. Wrong password: 400 password_incorrect on `password`.",
        request=AccountErasureInput,
        responses={204: OpenApiResponse(description="Erased; the session is closed.")},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        data = parse_input(AccountErasureInput, request)
        if not user.check_password(data["password"]):
            raise errors.ValidationFailed(
                fields={
                    "password": [
                        {
                            "code": "password_incorrect",
                            "message": str(errors.InvalidCredentials.default_message),
                        }
                    ]
                }
            )
        services.user_erase(user=user)
        logout(request._request)
        return Response(status=204)


class ParticipantCardErasureView(APIView):
    """Erase a participant card at the person's request (organizers)."""

    @extend_schema(
        operation_id="participant_cards_erasure_create",
        tags=["contributions"],
        summary="Erase a participant card (organizers; what was entered stays counted)",
        description="Its label, territory and age bracket are replaced; its contributions, "
        "comments and ballots stay published and counted. The record of consent stays.",
        request=None,
        responses={204: OpenApiResponse(description="Erased.")},
    )
    def post(self, request: Request, card_id: int) -> Response:
        card = selectors.participant_card_get(card_id=card_id)
        services.participant_card_erase(by=signed_in_user(request), card=card)
        return Response(status=204)
