# Starts a background env server on a free loopback port for the calling script and stops it when that script
# exits. Extra arguments go to the server; ZEROGYM_SERVER_PREFIX (e.g. "taskset -c 0") runs it under a wrapper;
# ZEROGYM_SERVER_TRANSPORT=ipc makes it listen on an ipc:// socket in its private folder instead (as the local server
# of scripts/train does). Afterwards ZEROGYM_ADDRESS (e.g. tcp://127.0.0.1:41234), ZEROGYM_SERVER_LOG and
# ZEROGYM_SERVER_PID are set.
start_server() {
  local root workdir line bind
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  workdir="$(mktemp -d)"
  case "${ZEROGYM_SERVER_TRANSPORT:-tcp}" in
    tcp) bind='tcp://127.0.0.1:*' ;;
    ipc) bind="ipc://$workdir/env.sock" ;;
    *) echo "ZEROGYM_SERVER_TRANSPORT must be tcp or ipc; got '$ZEROGYM_SERVER_TRANSPORT'" >&2; exit 2 ;;
  esac
  ZEROGYM_SERVER_LOG="$workdir/server.log"
  ${ZEROGYM_SERVER_PREFIX:-} dotnet "$root/artifacts/bin/ZeroGym.EnvServer/release/ZeroGym.EnvServer.dll" --bind "$bind" "$@" \
    >"$workdir/stdout" 2>"$ZEROGYM_SERVER_LOG" &
  ZEROGYM_SERVER_PID=$!
  trap 'kill -TERM "$ZEROGYM_SERVER_PID" 2>/dev/null; wait "$ZEROGYM_SERVER_PID" 2>/dev/null; rm -rf "'"$workdir"'"' EXIT
  for _ in $(seq 600); do
    line="$(grep -m1 '^zerogym-server listening on ' "$workdir/stdout" || true)"
    [[ -n $line ]] && break
    kill -0 "$ZEROGYM_SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $line ]]; then
    echo "the env server did not start; its log:" >&2
    cat "$ZEROGYM_SERVER_LOG" >&2
    exit 1
  fi
  ZEROGYM_ADDRESS="${line#zerogym-server listening on }"
  export ZEROGYM_ADDRESS ZEROGYM_SERVER_LOG ZEROGYM_SERVER_PID
}
