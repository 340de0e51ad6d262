"""Admin forms for the custom user: e-mail instead of a username."""

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from backend.accounts.domain import email_normalize
from backend.accounts.models import User


class EmailNormalizingMixin(forms.ModelForm):
    """Store e-mail addresses lower-case, so that the unique check is case-insensitive."""

    def clean_email(self) -> str:
        return email_normalize(str(self.cleaned_data.get("email") or ""))


class UserAdminCreationForm(EmailNormalizingMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "territory")


class UserAdminChangeForm(EmailNormalizingMixin, UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "display_name",
            "territory",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )
