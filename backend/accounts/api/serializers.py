"""Accounts API serializers: inputs are strict, outputs never carry a secret."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.accounts import selectors
from backend.accounts.domain import TOKEN_NAME_MAX_LENGTH
from backend.accounts.models import AccessToken
from backend.core.serializers import NameField, StrictInputSerializer
from backend.territories.models import Territory

# Long enough for any passphrase, short enough that hashing it costs nothing special.
PASSWORD_MAX_LENGTH = 256


def password_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, style={"input_type": "password"}
    )


def territory_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField[Territory]:
    return serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), allow_null=True, **kwargs
    )


class CsrfTokenOutput(serializers.Serializer[Any]):
    csrf_token = serializers.CharField(
        help_text="Send it back in the X-CSRFToken header of unsafe session requests."
    )


class AuthRegisterInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()
    display_name = NameField(max_length=80)
    territory = territory_field(required=False, default=None)
    session = serializers.BooleanField(
        required=False,
        default=True,
        help_text="true (web): sign in with a session cookie, which needs the X-CSRFToken "
        "header; false (mobile apps, scripts): only create the account, no CSRF token "
        "needed, then create a token with POST /api/v1/auth/tokens/.",
    )


class AuthLoginInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()


class AccessTokenCreateInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()
    name = NameField(
        max_length=TOKEN_NAME_MAX_LENGTH, help_text="Device or client name, e.g. “Fairphone”."
    )


class UserProfileUpdateInput(StrictInputSerializer):
    display_name = NameField(max_length=80, required=False)
    territory = territory_field(required=False)


class PasswordChangeInput(StrictInputSerializer):
    old_password = password_field()
    new_password = password_field()


class AccessTokenOutput(serializers.ModelSerializer[AccessToken]):
    class Meta:
        model = AccessToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields


class AccessTokenCreatedOutput(serializers.ModelSerializer[AccessToken]):
    token = serializers.SerializerMethodField(
        help_text="The token itself, shown this once: send it as `Authorization: Bearer <token>`."
    )

    class Meta:
        model = AccessToken
        fields = ["id", "name", "prefix", "created_at", "token"]
        read_only_fields = fields

    def get_token(self, obj: AccessToken) -> str:
        return str(self.context["raw"])


def person_by_id_or_email(attrs: dict[str, Any], *, id_field: str) -> dict[str, Any]:
    """Role and member inputs name a person by id or by e-mail address, exactly one of them;
    the address is looked up among active accounts (case-insensitive)."""
    email = attrs.pop("email", None)
    if (attrs.get(id_field) is None) == (email is None):
        raise serializers.ValidationError(
            {
                id_field: [
                    serializers.ErrorDetail(
                        str(_("Give either the id or the e-mail address of the person.")),
                        code="required",
                    )
                ]
            }
        )
    if email is not None:
        user = selectors.user_find_by_email(email=email)
        if user is None:
            raise serializers.ValidationError(
                {
                    "email": [
                        serializers.ErrorDetail(
                            str(_("No account uses this address: send an invitation instead.")),
                            code="no_account",
                        )
                    ]
                }
            )
        attrs[id_field] = user
    return attrs
