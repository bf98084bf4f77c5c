#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for SECONDS each (default 60), from the
# committed seed corpora (fuzz/corpus/<target>), and prints executions and findings per target.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# FUZZ_RUNS=N stops a target after N executions if that comes first (the closing-note runs use
# FUZZ_RUNS=10000000 with 1800 seconds: ten million executions or half an hour per target).
# FUZZ_TIMEOUT=N (default 30) is the seconds one input may take before it counts as a finding.
#
# cargo-fuzz drives libFuzzer with sanitizer flags that need a nightly compiler; the machine's
# stable toolchain accepts them with RUSTC_BOOTSTRAP=1. New inputs the fuzzer finds go to
# fuzz/corpus-work/<target> (not committed); crashes to fuzz/artifacts/<target>/ — each one
# becomes a regression test: copy it to fuzz/regressions/<target>/ (replayed by the engine test
# safety::fuzz_findings_are_refused_not_panics).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then
  TARGETS=(log_lines kb_csv kb_workbook archive container playbooks request_data)
fi
# shellcheck source=scripts/versions.sh
source scripts/versions.sh
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
export RUSTC_BOOTSTRAP=1
summary=()
for t in "${TARGETS[@]}"; do
  work="fuzz/corpus-work/$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  log="fuzz/corpus-work/$t.log"
  echo "fuzz: $t for ${SECONDS_EACH}s"
  status=0
  (cd fuzz && cargo fuzz run "$t" "../$work" "corpus/$t" -- \
      -max_total_time="$SECONDS_EACH" -runs="${FUZZ_RUNS:--1}" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-30}" \
      -print_final_stats=1) \
      >"$log" 2>&1 || status=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
  crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
  summary+=("$t: ${runs:-?} executions, $crashes findings, exit $status")
  if [[ $status -ne 0 ]]; then
    tail -40 "$log"
  fi
done
echo "fuzz: summary (${SECONDS_EACH}s per target)"
printf '  %s\n' "${summary[@]}"
for line in "${summary[@]}"; do
  [[ "$line" == *" 0 findings, exit 0" ]] || exit 1
done
