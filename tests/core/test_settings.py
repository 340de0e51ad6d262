"""Settings are production-safe when DEBUG is off, and strict about their inputs."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECRET_KEY"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="a-production-like-secret-key-with-enough-entropy-8f3k2j5h7g9d0s1a",
        ALLOWED_HOSTS="participer.example.org",
    )
    env.update(overrides)
    return env


def test_check_deploy_has_no_warning_with_production_configuration() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_refuses_to_start_without_secret_key_when_debug_is_off() -> None:
    env = production_env()
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_rejects_a_malformed_boolean() -> None:
    result = run_manage("check", env=production_env(DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
