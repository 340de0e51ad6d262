"""The admin's "delete" of a person erases by anonymization, through the same service."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.accounts.admin import UserAdmin
from backend.accounts.models import User
from backend.privacy.services import user_erase


class ErasingUserAdmin(UserAdmin):
    """Deleting would be refused (contributions protect their authors) or would erase ballots
    from closed votes: the admin anonymizes instead, like `POST /me/erasure/`."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        return [str(obj) for obj in objs], {}, set(), []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_erase(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_erase(user=user)


admin.site.unregister(User)
admin.site.register(User, ErasingUserAdmin)
