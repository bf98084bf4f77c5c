#!/usr/bin/env bash
# Peak memory of `loglens analyze` when the input is mostly WARNING lines: 50 MB of them
# (880,000 lines, the hostile-input report's case) and 1 GB (about 17.6 M lines), against a
# one-line archive analysed in the same run (the fixed cost: binary, runtime, model). Prints
# peak RSS, wall time and the ratios; asserts nothing.
#
#   scripts/bench_memory.sh [light|heavy] [--skip-1g]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODEL="${1:-light}"; shift || true
SKIP_1G=0
[[ "${1:-}" == "--skip-1g" ]] && SKIP_1G=1
BENCH="$ROOT/.cache/bench-memory"
mkdir -p "$BENCH"
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install -y time)"; exit 1; }

# Archives of WARNING lines: a few templates with varying numbers, hosts and ids, as a flood
# of warnings in a real log looks; written by Python's zipfile straight into the archive.
make_zip() { # name megabytes
  local out="$BENCH/$1.zip"
  [[ -f "$out" ]] && return
  python3 - "$out" "$2" <<'PY'
import sys, zipfile
out, mb = sys.argv[1], int(sys.argv[2])
templates = [
    "2025-10-06T{h:02}:{m:02}:{s:02} WARNING disk: Disk usage at {n}% on /dev/sd{c}",
    "2025-10-06T{h:02}:{m:02}:{s:02} WARNING net: Packet loss {n}% on eth{k} to 10.0.{k}.{n}",
    "2025-10-06T{h:02}:{m:02}:{s:02} WARNING app: Slow request id={i} took {n} ms",
    "2025-10-06T{h:02}:{m:02}:{s:02} WARNING database: Slow query from index issue",
]
target = mb * 1024 * 1024
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    with z.open("Case 1/app.log", "w", force_zip64=True) as f:
        written, i, chunk = 0, 0, []
        while written < target:
            t = i % 86400
            line = templates[i % 4].format(h=t // 3600, m=t // 60 % 60, s=t % 60, n=i % 97,
                                           c="abcd"[i % 4], k=i % 8, i=i) + "\n"
            chunk.append(line)
            written += len(line)
            i += 1
            if len(chunk) == 10000:
                f.write("".join(chunk).encode()); chunk = []
        f.write("".join(chunk).encode())
print(f"{out}: {i} lines, {written / 1e6:.1f} MB of WARNING lines")
PY
}

python3 - "$BENCH/one.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("Case 1/app.log", "2025-10-06T00:00:00 WARNING database: Slow query from index issue\n")
PY
make_zip warn50m 50
[[ $SKIP_1G -eq 1 ]] || make_zip warn1g 1024

cargo build --release -q -p loglens --bin loglens

measure() { # name -> "rss_mb wall_s"
  rm -rf "$BENCH/out-$1"
  /usr/bin/time -v -o "$BENCH/time-$1.txt" target/release/loglens analyze "$BENCH/$1.zip" \
    --out "$BENCH/out-$1" --model "$MODEL" >/dev/null 2>"$BENCH/stderr-$1.txt"
  local rss_kb wall
  rss_kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$BENCH/time-$1.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$BENCH/time-$1.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  echo "$(echo "$rss_kb / 1024" | bc -l) $wall"
}

read -r base_rss base_wall < <(measure one)
printf 'baseline (one line, %s model):      peak RSS %6.0f MB, %6.2f s\n' "$MODEL" "$base_rss" "$base_wall"
for name in warn50m warn1g; do
  [[ -f "$BENCH/$name.zip" ]] || continue
  read -r rss wall < <(measure "$name")
  lines=$(grep -o '"lines":[0-9]*' "$BENCH/out-$name/report.json" | head -1 | cut -d: -f2)
  printf '%-8s (%s lines):  peak RSS %6.0f MB (%.2fx baseline, +%.0f MB), %6.2f s\n' \
    "$name" "$lines" "$rss" "$(echo "$rss / $base_rss" | bc -l)" "$(echo "$rss - $base_rss" | bc -l)" "$wall"
done
