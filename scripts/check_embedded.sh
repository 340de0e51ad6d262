#!/usr/bin/env bash
# Proves the embedded path on a fresh data folder, as on a fresh clone with no DATABASE_URL and
# no REDIS_URL: start, migrate, one real HTTP request, then the WHOLE test suite (every test
# that starts uvicorn or db_worker hands it the embedded server's socket URL), then stop.
# CHECK_EMBEDDED_SUITE=0 skips the suite (the smoke check alone, a few seconds).
# PGHOST/PGPORT point nowhere: a connection that forgot the embedded server's address fails
# instead of quietly reaching a system PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL REDIS_URL
export EMBEDDED_POSTGRES_DIR="$PWD/var/check-embedded/pgdata"
export SECRET_KEY="check-embedded-secret-key-not-for-production-0123456789abcdef"
export DEBUG=false SECURE_SSL_REDIRECT=false
export PGHOST=/nonexistent/npt-check-embedded PGPORT=1
UV=$(command -v uv || echo .tools/bin/uv)
PORT=${CHECK_PORT:-8765}

rm -rf "$PWD/var/check-embedded"
mkdir -p "$PWD/var/check-embedded"
server_pid=""
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  "$UV" run --frozen python -m backend.localdb stop "$EMBEDDED_POSTGRES_DIR" || true
  exit "$rc"
}
trap cleanup EXIT

"$UV" run --frozen python manage.py migrate --noinput >/dev/null
"$UV" run --frozen uvicorn backend.asgi:application --host 127.0.0.1 --port "$PORT" \
  --log-level warning &
server_pid=$!
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$PORT/api/v1/health/" -o /tmp/check-embedded.json 2>/dev/null; then
    break
  fi
  sleep 0.2
done
body=$(cat /tmp/check-embedded.json)
echo "embedded PostgreSQL: GET /api/v1/health/ -> $body"
[ "$body" = '{"status":"ok","database":"ok"}' ]
echo "embedded path: ok"

if [ "${CHECK_EMBEDDED_SUITE:-1}" = 1 ]; then
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  echo "embedded path: the whole test suite"
  SECRET_KEY="test-only-secret-key-not-for-production-0123456789abcdef" \
    "$UV" run --frozen pytest -n "${TEST_WORKERS:-auto}" --dist loadgroup -p no:cacheprovider \
    --durations=5 ${PYTEST_ARGS:-}
fi
