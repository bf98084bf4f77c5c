#!/usr/bin/env bash
# Sets up what is missing, then runs every test: unit and integration (cargo nextest over the
# whole workspace, the web app's view models compiled natively too), the browser suite (e2e/,
# real Chromium against the real server), the cluster test (scripts/cluster_test.sh) and API
# fuzzing (schemathesis, bounded).
# Fails on the first failing suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# Where cargo puts binaries (CARGO_TARGET_DIR is honoured, relative to the repo if relative).
TARGET="${CARGO_TARGET_DIR:-target}"
[[ "$TARGET" = /* ]] || TARGET="$ROOT/$TARGET"
started=$(date +%s)

bash scripts/setup.sh

echo "test: building the web app (trunk build)"
trunk build

echo "test: unit and integration tests (cargo nextest)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  echo "test: cargo-nextest not installed, using cargo test"
  cargo test --workspace --no-fail-fast
fi
# Doc tests are not run by nextest.
cargo test --workspace --doc --quiet

echo "test: cluster test (PostgreSQL + S3 + 3 nodes, kills and a database restart)"
bash scripts/cluster_test.sh

echo "test: browser tests (e2e/, Chromium)"
# The same package selection and dev-dependency features as the test build above, so this
# reuses its artifacts (`-p loglens` alone would resolve features differently and recompile).
cargo build --workspace --tests --bin loglens
LOGLENS_BIN="$TARGET/debug/loglens" npm --prefix e2e test

echo "test: API fuzzing (schemathesis against the OpenAPI document, 60 s)"
LOGLENS_BIN="$TARGET/debug/loglens" bash scripts/api_fuzz.sh 60

echo "test: all suites passed in $(( $(date +%s) - started ))s"
