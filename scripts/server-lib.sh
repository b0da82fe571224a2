# Helpers for the scripts and benches that start an `ess-atlas serve` of their own:
# sourced (`. scripts/server-lib.sh`), not run.

# free_port: a TCP port free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_server BASE PID LOG [SECONDS]: returns once BASE/api/meta answers. Fails,
# with the server's log, if the process PID stops or does not answer within SECONDS
# (default 300: a bound against a hung start, far above the demo's generation).
wait_for_server() {
  local base=$1 pid=$2 log=$3 seconds=${4:-300}
  local deadline=$(($(date +%s) + seconds))
  until curl -sf "$base/api/meta" >/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the server stopped before answering; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "the server did not answer at $base within $seconds s; its log ends:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
}
