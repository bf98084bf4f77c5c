#!/usr/bin/env bash
# Load benchmark (not a test): one release `loglens serve`; 1,000 WebSocket watchers of one
# running job plus 200 pollers (ETag/304), against one watcher as the baseline in the same run;
# then 50 concurrent uploads of the validation zip. Prints server CPU and peak RSS, the fan-out
# delay of progress events (p50/p99), whether every watcher saw the end, and what became of
# every upload.
#
#   scripts/bench_load.sh [WATCHERS] [POLLERS] [UPLOADS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WATCHERS="${1:-1000}"; POLLERS="${2:-200}"; UPLOADS="${3:-50}"
BENCH="$ROOT/.cache/bench-load"
mkdir -p "$BENCH"
# A thousand sockets on each side need more than the usual 1,024 descriptors.
ulimit -n 8192
# The watched job: the validation cases at four times their size; the upload burst: the
# validation cases as the organizers ship them (10 files x 50,000 lines per case).
[[ -f "$BENCH/vc-long.zip" ]] || python3 ../shared/tools/gen_cases.py --validation --lines 200000 --out "$BENCH/vc-long.zip"
[[ -f "$BENCH/vc.zip" ]] || python3 ../shared/tools/gen_cases.py --validation --out "$BENCH/vc.zip"
ls -l "$BENCH/vc.zip" | awk '{printf "bench-load: upload burst of %.1f MB archives\n", $5/1e6}'
cargo build --release -q -p loglens --bin loglens --example load
# shellcheck source=scripts/lib/serve.sh
source scripts/lib/serve.sh
# Uploads from this one machine: the per-client caps are lifted so the queue itself decides.
start_server target/release/loglens "$(mktemp -d)" --static-dir dist --models-dir models \
  --uploads-per-client 1000 --uploads-per-minute 100000 --upload-burst 100000
URL="$SERVER_URL"; PID="$SERVER_PID"
echo "bench-load: server $URL (pid $PID), $(nproc) cores"
target/release/examples/load "$URL" "$PID" "$BENCH/vc-long.zip" "$BENCH/vc.zip" "$WATCHERS" "$POLLERS" "$UPLOADS"
