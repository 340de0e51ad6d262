"""Finding 4: guessing passwords through the API, the token endpoint and the admin's form.

Per-account lockout (django-axes) after LOGIN_FAILURE_LIMIT wrong passwords from any address,
even with the right password afterwards; per-address rate limits on the admin's login form; a
per-account limit on the current-password check of /me/password/; the client address is never
taken from a header the client sends; the proxy trust is explicit in the Makefile and README.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from backend.accounts.models import User
from tests.fixtures.live import uvicorn_server
from tests.fixtures.openapi_contract import ContractAPIClient

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "motdepasse-solide-42"
TOKENS = "/api/v1/auth/tokens/"
LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def victim(make_user: Callable[..., User]) -> User:
    return make_user(email="victime@exemple.fr", is_staff=True, is_superuser=True)


@pytest.fixture
def small_limits(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "1000/min")


def _token(client: APIClient, password: str, address: str, email: str = "victime@exemple.fr"):  # type: ignore[no-untyped-def]
    return client.post(
        TOKENS,
        {"email": email, "password": password, "name": "essai"},
        format="json",
        REMOTE_ADDR=address,
    )


def test_token_endpoint_locks_the_account_after_the_limit_from_any_address(
    victim: User, small_limits: None
) -> None:
    client = ContractAPIClient()
    for attempt in range(5):
        response = _token(client, "mauvais", f"203.0.113.{attempt}")
        assert response.status_code in (401, 429)
    locked = _token(client, PASSWORD, "198.51.100.7")
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "account_locked"
    assert body["details"]["retry_after_seconds"] == 15 * 60
    assert locked["Retry-After"] == str(15 * 60)
    # another account is not affected
    other = _token(client, "mauvais", "203.0.113.1", email="autre@exemple.fr")
    assert other.json()["code"] == "invalid_credentials"


def test_the_lock_covers_session_sign_in_too_and_case_variants(
    victim: User, small_limits: None
) -> None:
    client = ContractAPIClient()  # CSRF checks off: this test is about the lockout
    for attempt in range(5):
        _token(client, "mauvais", "203.0.113.9", email=f"  VICTIME@exemple.fr{' ' * attempt}")
    response = client.post(LOGIN, {"email": "victime@exemple.fr", "password": PASSWORD})
    assert (response.status_code, response.json()["code"]) == (429, "account_locked")


def test_the_lock_expires_and_a_success_resets_the_count(
    victim: User, small_limits: None, settings: Any
) -> None:
    client = ContractAPIClient()
    for _ in range(4):
        _token(client, "mauvais", "203.0.113.1")
    assert _token(client, PASSWORD, "203.0.113.1").status_code == 201
    for _ in range(4):  # the success reset the count: four more failures do not lock
        _token(client, "mauvais", "203.0.113.1")
    assert _token(client, PASSWORD, "203.0.113.1").status_code == 201
    for _ in range(5):
        _token(client, "mauvais", "203.0.113.1")
    assert _token(client, PASSWORD, "203.0.113.1").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert _token(client, PASSWORD, "203.0.113.1").status_code == 201


def test_admin_login_is_locked_per_account(victim: User, small_limits: None) -> None:
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "victime@exemple.fr", "password": "mauvais"},
            REMOTE_ADDR="203.0.113.5",
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "victime@exemple.fr", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.5",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_is_rate_limited_per_address(
    victim: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "3/min")
    client = Client()
    statuses = [
        client.post(
            "/admin/login/",
            {"username": f"x{n}@exemple.fr", "password": "mauvais"},
            REMOTE_ADDR="203.0.113.6",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    # the right password from that address is refused too until the window passes
    response = client.post(
        "/admin/login/",
        {"username": "victime@exemple.fr", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.6",
    )
    assert response.status_code == 429
    assert "Retry-After" in response


def test_forwarded_for_header_does_not_choose_the_throttled_address(
    victim: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "3/min")
    client = ContractAPIClient()
    statuses = [
        client.post(
            TOKENS,
            {"email": f"x{n}@exemple.fr", "password": "mauvais", "name": "n"},
            format="json",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            HTTP_X_REAL_IP=f"192.0.2.{n}",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_current_password_check_is_throttled_per_account(
    victim: User, monkeypatch: pytest.MonkeyPatch, client_for: Callable[[User], APIClient]
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "password_check", "3/hour")
    client = client_for(victim)
    codes = [
        client.post(
            "/api/v1/me/password/",
            {"old_password": f"essai-{n}", "new_password": "un-nouveau-secret-solide"},
            format="json",
            REMOTE_ADDR=f"203.0.113.{n}",
        ).json()
        for n in range(4)
    ]
    assert [body["code"] for body in codes] == ["validation_error"] * 3 + ["throttled"]
    right = client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "un-nouveau-secret-solide"},
        format="json",
    )
    assert right.status_code == 429


def _uvicorn_commands(makefile: str) -> list[str]:
    """Each uvicorn command of the Makefile with its continuation lines."""
    commands, lines = [], makefile.splitlines()
    for index, line in enumerate(lines):
        if "uvicorn backend.asgi:application" in line:
            command = [line]
            while command[-1].rstrip().endswith("\\"):
                index += 1
                command.append(lines[index])
            commands.append(" ".join(command))
    return commands


def test_proxy_trust_is_explicit_in_the_makefile_and_the_readme() -> None:
    makefile = (ROOT / "Makefile").read_text()
    commands = _uvicorn_commands(makefile)
    assert commands
    for command in commands:
        assert "$(PROXY_FLAGS)" in command, command
        assert "--proxy-headers" not in command, command
    flags = re.search(r"^PROXY_FLAGS := (.*)$", makefile, re.MULTILINE)
    assert flags is not None
    assert "--forwarded-allow-ips $(FORWARDED_ALLOW_IPS)" in flags.group(1)
    assert "--no-proxy-headers" in flags.group(1)
    assert re.search(r"^FORWARDED_ALLOW_IPS \?=\s*$", makefile, re.MULTILINE)
    readme = (ROOT / "README.md").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in readme
    assert "--forwarded-allow-ips" in readme


def _makefile_proxy_flags(forwarded_allow_ips: str = "") -> list[str]:
    """The uvicorn flags the Makefile's PROXY_FLAGS gives for that FORWARDED_ALLOW_IPS."""
    if forwarded_allow_ips:
        return ["--proxy-headers", "--forwarded-allow-ips", forwarded_allow_ips]
    return ["--no-proxy-headers"]


@pytest.mark.django_db(transaction=True)
def test_a_real_uvicorn_started_as_the_makefile_does_ignores_forged_forwarded_for() -> None:
    """Over real HTTP: four token attempts, each claiming another address in X-Forwarded-For,
    all count against the one real address."""
    with uvicorn_server(args=_makefile_proxy_flags(), AUTH_THROTTLE_RATE="3/min") as url:
        statuses = [
            httpx.post(
                f"{url}{TOKENS}",
                json={"email": f"x{n}@exemple.fr", "password": "mauvais", "name": "n"},
                headers={"X-Forwarded-For": f"192.0.2.{n}", "X-Real-IP": f"192.0.2.{n}"},
            ).status_code
            for n in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
