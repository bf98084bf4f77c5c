#!/usr/bin/env bash
# Throughput of reading real-world formats: the Loghub-2k samples (16 systems; research-only,
# never committed — pass their folder) repeated into one ZIP of about TARGET_MB, read by
# `loglens parse --json` (format detection, every field of every entry, a pattern for every
# entry) beside `unzip -p` of the same ZIP in the same run. Prints MB/s per core and peak RSS;
# asserts nothing. Usage: scripts/bench_formats.sh LOGHUB_DIR [TARGET_MB]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${1:?usage: scripts/bench_formats.sh LOGHUB_DIR [TARGET_MB]}"
TARGET_MB="${2:-1024}"
BENCH="$ROOT/.cache/bench-formats"
mkdir -p "$BENCH"
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install -y time)"; exit 1; }
ZIP="$BENCH/loghub_${TARGET_MB}mb.zip"
if [[ ! -f "$ZIP" ]]; then
  python3 - "$DATA" "$ZIP" "$TARGET_MB" <<'PY'
import sys, zipfile, pathlib
data, out, target = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]) * 1024 * 1024
logs = sorted(data.glob("*/*_2k.log"))
if not logs:
    sys.exit(f"no */*_2k.log under {data}")
sample = {p: p.read_bytes() for p in logs}
per_round = sum(len(b) for b in sample.values())
rounds = max(1, target // per_round)
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for p, b in sample.items():
        # Each system's sample repeated in one file per system, as a long-running log would be.
        with z.open(f"{p.parent.name}/{p.name}", "w", force_zip64=True) as f:
            for _ in range(rounds):
                f.write(b)
print(f"{len(logs)} systems x {rounds} rounds")
PY
fi
cargo build --release -q -p loglens --bin loglens
ls -l "$ZIP" | awk '{printf "archive: %.1f MB compressed\n", $5/1e6}'
bytes=$(unzip -l "$ZIP" | tail -1 | awk '{print $1}')
echo "$bytes" | awk '{printf "         %.1f MB uncompressed\n", $1/1e6}'

start=$(date +%s.%N)
unzip -p "$ZIP" > /dev/null
unzip_s=$(echo "$(date +%s.%N) - $start" | bc)

/usr/bin/time -v -o "$BENCH/time.txt" target/release/loglens parse --json "$ZIP" > /dev/null 2>"$BENCH/stderr.txt"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$BENCH/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss_kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$BENCH/time.txt")
cpu=$(awk -F': ' '/Percent of CPU/{print $2}' "$BENCH/time.txt" | tr -d '%')
mb=$(echo "$bytes / 1000000" | bc -l)
printf 'unzip -p > /dev/null:        %7.2f s  (%.0f MB/s)\n' "$unzip_s" "$(echo "$mb / $unzip_s" | bc -l)"
printf 'loglens parse --json:        %7.2f s  (%.0f MB/s, %.0f MB/s per core at %s%% CPU; %.2fx unzip), peak RSS %.0f MB\n' \
  "$wall" "$(echo "$mb / $wall" | bc -l)" "$(echo "$mb / $wall / ($cpu / 100)" | bc -l)" "$cpu" \
  "$(echo "$wall / $unzip_s" | bc -l)" "$(echo "$rss_kb / 1024" | bc -l)"
rm -rf "$BENCH/out"
/usr/bin/time -v -o "$BENCH/time2.txt" target/release/loglens analyze "$ZIP" --out "$BENCH/out" --exact-only > "$BENCH/analyze.txt" 2>/dev/null
wall2=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$BENCH/time2.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss2=$(awk -F': ' '/Maximum resident set size/{print $2}' "$BENCH/time2.txt")
cpu2=$(awk -F': ' '/Percent of CPU/{print $2}' "$BENCH/time2.txt" | tr -d '%')
printf 'loglens analyze --exact-only: %6.2f s  (%.0f MB/s, %.0f MB/s per core at %s%% CPU; %.2fx unzip), peak RSS %.0f MB\n' \
  "$wall2" "$(echo "$mb / $wall2" | bc -l)" "$(echo "$mb / $wall2 / ($cpu2 / 100)" | bc -l)" "$cpu2" \
  "$(echo "$wall2 / $unzip_s" | bc -l)" "$(echo "$rss2 / 1024" | bc -l)"
echo "per file:"; cat "$BENCH/stderr.txt"
