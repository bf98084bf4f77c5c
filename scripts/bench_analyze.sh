#!/usr/bin/env bash
# End-to-end benchmark of `loglens analyze` on 30 cases x 10 files x 50,000 lines (15 M lines),
# against `unzip -p` of the same archive in the same run. Prints wall times, the ratio and
# peak RSS; asserts nothing. Usage: scripts/bench_analyze.sh [light|heavy] [--exact-only]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODEL="${1:-light}"; shift || true
BENCH="$ROOT/.cache/bench"
mkdir -p "$BENCH"
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install -y time)"; exit 1; }
if [[ ! -f "$BENCH/tc30.zip" ]]; then
  python3 scripts/bench_spec.py ../shared/data/anomalies_problems.csv "$BENCH/spec.json"
  python3 ../shared/tools/gen_cases.py --spec "$BENCH/spec.json" --out "$BENCH/tc30.zip" --lines 50000
fi
cargo build --release -q -p loglens --bin loglens
ls -l "$BENCH/tc30.zip" | awk '{printf "archive: %.1f MB compressed\n", $5/1e6}'
unzip -l "$BENCH/tc30.zip" | tail -1 | awk '{printf "         %.1f MB uncompressed in %d entries\n", $1/1e6, $2}'

start=$(date +%s.%N)
unzip -p "$BENCH/tc30.zip" > /dev/null
unzip_s=$(echo "$(date +%s.%N) - $start" | bc)

rm -rf "$BENCH/out"
/usr/bin/time -v -o "$BENCH/time.txt" target/release/loglens analyze "$BENCH/tc30.zip" --out "$BENCH/out" --model "$MODEL" "$@" 2>"$BENCH/stderr.txt"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$BENCH/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss_kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$BENCH/time.txt")
cpu=$(awk -F': ' '/Percent of CPU/{print $2}' "$BENCH/time.txt")
printf 'unzip -p > /dev/null:   %6.2f s\n' "$unzip_s"
printf 'loglens analyze (%s): %6.2f s  (%.2fx unzip), peak RSS %.0f MB, CPU %s\n' "$MODEL" "$wall" "$(echo "$wall / $unzip_s" | bc -l)" "$(echo "$rss_kb / 1024" | bc -l)" "$cpu"
