#!/usr/bin/env bash
# Sets up what is missing, builds the web app and the server (release), and serves LogLens
# on its embedded defaults; prints the URL. Extra arguments go to `loglens serve`
# (e.g. scripts/run.sh --bind 0.0.0.0:8080).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# Where cargo puts binaries (CARGO_TARGET_DIR is honoured, relative to the repo if relative).
TARGET="${CARGO_TARGET_DIR:-target}"
[[ "$TARGET" = /* ]] || TARGET="$ROOT/$TARGET"

bash scripts/setup.sh --no-e2e
echo "run: building the web app (trunk build --release)"
trunk build --release
echo "run: building the server (cargo build --release)"
cargo build --release -p loglens --bin loglens
exec "$TARGET/release/loglens" serve "$@"
