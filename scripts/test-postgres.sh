#!/usr/bin/env bash
# Runs a command (the test suite) against a throwaway PostgreSQL server on loopback:
#   bash scripts/test-postgres.sh .venv/bin/python -m pytest -n auto
# The cluster lives in a temporary folder with trust authentication on 127.0.0.1 and a free
# port, and is stopped and deleted at the end. The command gets XMESS_TEST_POSTGRES_URL, which
# tests/conftest.py turns into a fresh database per test. PostgreSQL refuses to run as root, so
# as root the server runs as the `postgres` user that Debian's package creates.
set -euo pipefail

bindir=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed: run 'make system-packages' (as root) or" \
    "'sudo apt-get install -y postgresql'" >&2
  exit 1
fi

workdir=$(mktemp -d /tmp/xmess-postgres.XXXXXX)  # /tmp: the server user can reach it
as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$workdir"
  as_server_user=(runuser -u postgres --)
fi

stop_server() {
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_server_user[@]}" "$bindir/initdb" --no-sync --auth=trust --username=postgres \
  --encoding=UTF8 --locale=C.UTF-8 -D "$workdir/data" >/dev/null
# A test server: durability off (the cluster is thrown away), room for parallel workers.
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off" \
  -o "-c full_page_writes=off -c max_connections=300" start >/dev/null

export XMESS_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
