"""Structure admin, with its memberships inline; a structure keeps an administrator."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.structures.models import MemberRole, Membership, Structure
from backend.structures.services import structure_unverify, structure_verify


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if kept and not any(data.get("role") == MemberRole.ADMIN for data in kept):
            raise forms.ValidationError(
                _("A structure must keep at least one administrator."), code="last_admin"
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]
    raw_id_fields = ["user"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "territory", "is_verified", "member_count", "created_at"]
    list_filter = ["type", ("verified_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["verified_at", "verified_by"]
    actions = ["verify", "unverify"]
    search_fields = ["name", "slug"]
    list_select_related = ["territory"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["territory"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Structure]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def is_verified(self, obj: Structure) -> bool:
        return obj.is_verified

    @admin.action(description=_("Verify the selected structures"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Structure]) -> None:
        for structure in queryset:
            structure_verify(structure=structure, by=_staff(request))

    @admin.action(description=_("Withdraw the verification of the selected structures"))
    def unverify(self, request: HttpRequest, queryset: QuerySet[Structure]) -> None:
        for structure in queryset:
            structure_unverify(structure=structure, by=_staff(request))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: Structure) -> int:
        return int(getattr(obj, "member_count", 0))
