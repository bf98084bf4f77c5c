#!/usr/bin/env bash
# API fuzzing: schemathesis (PyPI, pinned by hash) generates requests from the server's own
# OpenAPI document (/api/openapi.json) for every operation and checks each answer: no server
# error (5xx), status codes, content types and bodies as documented (problem+json included).
# Part of the README test command, with a bounded time budget.
#
#   scripts/api_fuzz.sh [SECONDS]        (default 90; LOGLENS_BIN picks the server binary)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUDGET="${1:-90}"
TARGET="${CARGO_TARGET_DIR:-target}"
[[ "$TARGET" = /* ]] || TARGET="$ROOT/$TARGET"
BIN="${LOGLENS_BIN:-$TARGET/debug/loglens}"
VENV="$ROOT/.cache/schemathesis"
REQS="scripts/schemathesis-requirements.txt"
want=$(grep -Eo '^schemathesis==[^ ]+' "$REQS" | cut -d= -f3)
if [[ "$("$VENV/bin/st" --version 2>/dev/null || true)" != "st, version $want" ]]; then
  echo "api-fuzz: installing schemathesis $want (PyPI, hashes checked)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --require-hashes --no-deps -r "$REQS"
fi
[[ -x "$BIN" ]] || { echo "api-fuzz: no server binary at $BIN (cargo build first)"; exit 1; }

# shellcheck source=scripts/lib/serve.sh
source scripts/lib/serve.sh
DATA="$(mktemp -d)"
start_server "$BIN" "$DATA" --static-dir "$ROOT/dist" --models-dir "$ROOT/models"
URL="$SERVER_URL"
LOG="$DATA/server.log"
echo "api-fuzz: schemathesis against $URL/api/openapi.json for ${BUDGET}s"
# The progress WebSocket is not an HTTP operation (its tests are in backend/tests/api).
status=0
# The hooks teach it the media type of a resumable upload's PATCH body.
PYTHONPATH="$ROOT/scripts" SCHEMATHESIS_HOOKS=schemathesis_hooks \
"$VENV/bin/st" run "$URL/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path '/ws/progress/{id}' \
  --max-time "$BUDGET" --workers 1 --request-timeout 20 \
  --suppress-health-check all --no-color || status=$?
if grep -q " ERROR " "$LOG"; then
  echo "api-fuzz: the server logged errors:"
  grep " ERROR " "$LOG" | head -20
fi
exit $status
