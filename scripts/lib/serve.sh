# Sourced by scripts that need a server of their own. Not run.
#
#   start_server BIN DIR [serve flags...]
# starts `BIN serve` on a free loopback port with its data, stdout and log under DIR, sets
# SERVER_URL and SERVER_PID, and stops it (and removes DIR) when the calling script exits.
start_server() {
  local bin="$1" dir="$2"
  shift 2
  mkdir -p "$dir"
  "$bin" serve --bind 127.0.0.1:0 --data-dir "$dir/data" "$@" >"$dir/stdout" 2>"$dir/server.log" &
  SERVER_PID=$!
  # shellcheck disable=SC2064
  trap "kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf '$dir'" EXIT
  SERVER_URL=""
  for _ in $(seq 1 100); do
    SERVER_URL=$(grep -Eo 'http://[0-9.:]+' "$dir/stdout" 2>/dev/null | head -1 || true)
    [[ -n "$SERVER_URL" ]] && return 0
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$dir/server.log" >&2
  return 1
}
