"""Finding 10: every HTML page (the plan, the live workshop page, the admin, the API docs) is
served with a Content-Security-Policy that allows no inline or foreign script, and works
under it: no page carries an inline script (Swagger UI's start-up script is a file)."""

import re
from collections.abc import Callable

import pytest
from django.test import Client

from backend.accounts.models import User
from tests.fixtures.personas import Personas
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def _check_page(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy
    html = response.content.decode()
    for attributes, body in SCRIPT.findall(html):
        assert "src=" in attributes, f"inline script: {body[:80]}"
        assert not body.strip(), f"inline script: {body[:80]}"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"


def test_docs_pages_run_without_inline_script() -> None:
    client = Client()
    swagger = client.get("/api/docs/")
    _check_page(swagger)
    script = re.search(r'<script src="([^"]*script=[^"]*)"', swagger.content.decode())
    assert script is not None
    start_up = client.get(script.group(1).replace("&amp;", "&"))
    assert start_up.status_code == 200
    assert "SwaggerUIBundle" in start_up.content.decode()
    _check_page(client.get("/api/docs/redoc/"))


def test_live_pages() -> None:
    client = Client()
    _check_page(client.get("/live/"))
    page = client.get("/live/ABC123/")
    _check_page(page)
    assert "ws://testserver" in page["Content-Security-Policy"]


def test_admin_pages(make_user: Callable[..., User]) -> None:
    client = Client()
    _check_page(client.get("/admin/login/"))
    client.force_login(make_user(is_staff=True, is_superuser=True))
    _check_page(client.get("/admin/"))
    _check_page(client.get("/admin/accounts/user/"))


def test_plan_page(built: Built, people: Personas, in_restitution: None) -> None:
    from backend.plans.services import plan_publish

    plan_publish(by=people.organizer, consultation=built.consultation)
    _check_page(Client().get(f"/consultations/{built.consultation.pk}/plan/"))


def test_api_responses_forbid_being_rendered() -> None:
    response = Client().get("/api/v1/health/")
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
