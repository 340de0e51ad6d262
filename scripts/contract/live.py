"""Contract checks that need a live server: a generated Python client and schemathesis.

Creates a fresh database next to DATABASE_URL's (`<name>_contract`), migrates it, loads the
Grenoble demo, serves the app with uvicorn on a free port, then:
1. generates a Python client with openapi-python-client, installs it (no network: built with
   the locked setuptools) and runs `python_round.py`, a scripted round, with it;
2. plays the TypeScript round (frontend-contract/typescript/round.ts, compiled by
   `npm run build`) with node;
3. runs schemathesis on every operation, anonymously and with an organizer's token, with all
   checks and the stateful phase, bounded by --max-examples and --max-time.
Prints the time of each step; exits non-zero on the first failing one.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEMO_PASSWORD = "demo-numerique-2026"  # noqa: S105 (the documented demo password)
DEMO_DOMAIN = "demo.numerique-pour-tous.fr"
TIMINGS: list[tuple[str, float]] = []


@contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.monotonic()
    print(f"--> {label}", flush=True)
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        TIMINGS.append((label, elapsed))
        print(f"<-- {label}: {elapsed:.1f} s", flush=True)


FAILED: list[str] = []


def run(
    args: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT, fatal: bool = True
) -> None:
    result = subprocess.run(args, env=env, cwd=cwd, check=False)  # noqa: S603
    if result.returncode != 0:
        FAILED.append(" ".join(args[:3]))
        if fatal:
            raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}")


def fresh_database(url: str) -> str:
    """Drop and create `<name>_contract` on the same server; its URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_contract"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603
        [
            *(PYTHON, "-m", "uvicorn", "backend.asgi:application", "--port", str(port)),
            *("--log-level", "warning", "--no-access-log"),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health/", timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def token_for(base: str, email: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/tokens/",
        json={"email": email, "password": DEMO_PASSWORD, "name": "contract checks"},
    )
    response.raise_for_status()
    return str(response.json()["token"])


def python_client_round(base: str, workdir: Path) -> None:
    client_dir = workdir / "client"
    site = workdir / "site"
    with timed("openapi-python-client: generate"):
        run(
            [
                *(str(BIN / "openapi-python-client"), "generate"),
                *("--path", str(ROOT / "openapi" / "openapi.yaml")),
                *("--config", str(ROOT / "frontend-contract" / "python-client" / "config.yaml")),
                *("--meta", "setup", "--output-path", str(client_dir), "--fail-on-warning"),
            ]
        )
    with timed("openapi-python-client: install"):
        uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
        run(
            [
                *(uv, "pip", "install", "--quiet", "--python", PYTHON, "--no-deps"),
                *("--no-build-isolation", "--target", str(site), str(client_dir)),
            ]
        )
    with timed("openapi-python-client: scripted round against the live server"):
        env = {**os.environ, "PYTHONPATH": str(site), "API_BASE_URL": base}
        run(
            [PYTHON, str(ROOT / "frontend-contract" / "python-client" / "python_round.py")],
            env=env,
        )


def typescript_round(base: str) -> None:
    """The TypeScript round compiled by `npm run build` (make contract), played for real."""
    compiled = ROOT / "frontend-contract" / "generated" / "js" / "typescript" / "round.js"
    if not compiled.exists():
        print(f"(no {compiled.relative_to(ROOT)}: run `npm run build` in frontend-contract/)")
        return
    with timed("openapi-typescript: typed round against the live server (node)"):
        run(["node", str(compiled), base])


def schemathesis(
    base: str,
    *,
    label: str,
    args: argparse.Namespace,
    token: str | None = None,
    exclude: tuple[str, ...] = (),
) -> None:
    """One schemathesis run; with a token, given through the bearerToken scheme of the
    document (not a fixed header), so `ignored_auth` knows what it may replace."""
    workdir = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    config = (ROOT / "scripts" / "contract" / "schemathesis.toml").read_text()
    if token:
        config += f'\n[auth.openapi.bearerToken]\nbearer = "{token}"\n'
    (workdir / "schemathesis.toml").write_text(config)
    command = [PYTHON, str(ROOT / "scripts" / "contract" / "st.py")]
    command += ["--config-file", str(workdir / "schemathesis.toml")]
    command += ["run", str(ROOT / "openapi" / "openapi.yaml")]
    command += ["--url", base, "--checks", "all", "--phases", args.phases]
    command += ["--max-examples", str(args.max_examples), "--seed", str(args.seed)]
    command += ["--max-time", str(args.max_time), "--workers", str(args.workers), "--no-shrink"]
    command += ["--request-timeout", "30", "--report", "junit", "--report-dir", str(workdir)]
    command += ["--output-truncate", "true"]
    for operation_id in exclude:
        command += ["--exclude-operation-id", operation_id]
    with timed(f"schemathesis ({label})"):
        run(command, fatal=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--max-time", type=int, default=75, help="seconds per schemathesis run")
    parser.add_argument("--seed", type=int, default=20260503)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--only", choices=["python", "typescript", "schemathesis"], default=None)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("DATABASE_URL must point at a PostgreSQL server")
    with timed("database: create, migrate, load the demo"):
        live_url = fresh_database(database_url)
        env = {
            **os.environ,
            "DATABASE_URL": live_url,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            # The checks send many sign-in attempts from one address on purpose.
            "AUTH_THROTTLE_RATE": "10000/min",
            "SIMILAR_THROTTLE_RATE": "10000/min",
            # Refused requests are expected by the thousand: only errors are worth a line.
            "LOG_LEVEL": "ERROR",
        }
        env.pop("REDIS_URL", None)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
        run([PYTHON, "manage.py", "load_demo"], env=env)
    try:
        with server(env) as base, tempfile.TemporaryDirectory() as workdir:
            if args.only in (None, "python"):
                python_client_round(base, Path(workdir))
            if args.only in (None, "typescript"):
                typescript_round(base)
            if args.only in (None, "schemathesis"):
                schemathesis(base, label="anonymous", args=args)
                schemathesis(
                    base,
                    label="organizer's token",
                    args=args,
                    token=token_for(base, f"organisatrice@{DEMO_DOMAIN}"),
                    # Signing out, or revoking a token (its own, by chance), would end the
                    # run's authentication; both are tested by the anonymous run and the
                    # test suite.
                    exclude=("auth_logout", "access_token_revoke", "me_password_change"),
                )
    finally:
        drop_database(live_url)
    print("\ncontract checks against a live server:")
    for label, seconds in TIMINGS:
        print(f"  {seconds:7.1f} s  {label}")
    if FAILED:
        raise SystemExit(f"failed: {', '.join(FAILED)}")


if __name__ == "__main__":
    main()
