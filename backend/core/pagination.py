"""Page-number pagination with a capped, client-chosen page size, checked like any input."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.request import Request

from backend.core import errors

MAX_PAGE = 2**31 - 1


def _field_error(name: str, code: str, message: Any) -> errors.ValidationFailed:
    return errors.ValidationFailed(fields={name: [{"code": code, "message": str(message)}]})


def positive_query_int(request: Request, name: str, *, maximum: int) -> int | None:
    """The query parameter `name` as an integer from 1 to `maximum`, None when absent;
    anything else is a validation error naming the parameter (never silently ignored)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise _field_error(name, "invalid", _("A whole number is required."))
    value = int(text)
    if value < 1:
        raise _field_error(name, "min_value", _("Ensure this value is greater than or equal to 1."))
    if value > maximum:
        raise _field_error(
            name,
            "max_value",
            _("Ensure this value is less than or equal to %(limit)s.") % {"limit": maximum},
        )
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        """1 or more; above `max_page_size` it is capped (as it always was), not refused."""
        size = positive_query_int(request, self.page_size_query_param, maximum=MAX_PAGE)
        return min(size, self.max_page_size) if size is not None else self.page_size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        positive_query_int(request, self.page_query_param, maximum=MAX_PAGE)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": MAX_PAGE},
            self.page_size_query_param: {"minimum": 1, "maximum": MAX_PAGE},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results per page, {self.page_size} by default; values above "
                    f"{self.max_page_size} are capped to {self.max_page_size}."
                )
        return parameters
