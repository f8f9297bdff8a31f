#!/usr/bin/env bash
# Local flashbackd network on 127.0.0.1.
#
#   scripts/localnet.sh start    # N validators (default 1; N=4 for the distributed setup)
#   scripts/localnet.sh stop
#   scripts/localnet.sh status
#
# Environment:
#   N                 number of validators (default 1)
#   LOCALNET_DIR      folder for homes, logs and pids (default ./.localnet)
#   BASE_PORT         first port of node0; node i uses BASE_PORT+10i .. +5 (default 26600)
#   CHAIN_ID          chain ID (default flashback-local-1)
#   FLASHBACKD_BIN    binary to run (default build/flashbackd, built if missing)
#   GENESIS_PATCH     JSON merged into the genesis app state (see `testnet init-files --help`)
#   PROVIDER_NODE     1 (default): also run a provider node (`flashbackd provider serve`) for the
#                     funded `provider` account, serving unit 1 from a directory under LOCALNET_DIR;
#                     0: chain nodes only
#   PROVIDER_PORT     its S3 port (default BASE_PORT+200); its status/metrics endpoint is PROVIDER_PORT+1
#   BRIDGE            1: also run a consumer bridge (`flashbackd bridge serve`) for the funded `consumer`
#                     account over a deal on the provider node (scripts/localnet-bridge.sh sets the
#                     chain up: provider, unit 1, consumer, access key, a 1 GB deal); default 0
#   BRIDGE_PORT       its S3 port (default PROVIDER_PORT+10); its status endpoint is BRIDGE_PORT+1
#   PROVIDER_ARGS     extra `provider init` flags (e.g. "--retrieval-period 30s --withdraw-interval 1m")
#   SNAPSHOT_INTERVAL state-sync snapshots every this many blocks on every validator (default 0: none),
#                     so that a new node can join by state sync (app.toml [state-sync])
#   SNAPSHOT_KEEP_RECENT snapshots each validator keeps (default 10). Keep them for minutes, not
#                     seconds: a joining node spends ~15 s discovering snapshots and then fetches the
#                     one it chose; if every peer has pruned it meanwhile, CometBFT retries the
#                     missing chunk for ever ("cannot add nil chunk"). 2 (the SDK's default) with
#                     10-block intervals and ~1 s blocks left a node stuck that way.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-1}
DIR=${LOCALNET_DIR:-$ROOT/.localnet}
BASE_PORT=${BASE_PORT:-26600}
CHAIN_ID=${CHAIN_ID:-flashback-local-1}
BIN=${FLASHBACKD_BIN:-$ROOT/build/flashbackd}
GENESIS_PATCH=${GENESIS_PATCH:-}
START_TIMEOUT=${START_TIMEOUT:-90}
PROVIDER_NODE=${PROVIDER_NODE:-1}
PROVIDER_PORT=${PROVIDER_PORT:-$((BASE_PORT + 200))}
PROVIDER_ARGS=${PROVIDER_ARGS:-}
BRIDGE=${BRIDGE:-0}
BRIDGE_PORT=${BRIDGE_PORT:-$((PROVIDER_PORT + 10))}
SNAPSHOT_INTERVAL=${SNAPSHOT_INTERVAL:-0}
SNAPSHOT_KEEP_RECENT=${SNAPSHOT_KEEP_RECENT:-10}
PROVIDER_HOME=$DIR/provider

die() { echo "localnet: $*" >&2; exit 1; }

port() { # node-index offset
  echo $((BASE_PORT + 10 * $1 + $2))
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

height() { # node-index → latest height, or empty
  "$BIN" status --node "tcp://127.0.0.1:$(port "$1" 1)" 2>/dev/null |
    grep -o '"latest_block_height":"[0-9]*"' | grep -o '[0-9][0-9]*' || true
}

running_pids() {
  local f pid
  [ -d "$DIR/pids" ] || return 0
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
  done
}

start() {
  [[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 20 ] || die "N must be between 1 and 20, got '$N'"
  [ -z "$(running_pids)" ] || die "a network is already running from $DIR; run 'make localnet-stop' first"
  if [ ! -x "$BIN" ]; then
    echo "building flashbackd…"
    make -C "$ROOT" build >/dev/null
    BIN=$ROOT/build/flashbackd
  fi
  local i off
  for ((i = 0; i < N; i++)); do
    for off in 0 1 2 3 4 5; do
      if port_in_use "$(port "$i" "$off")"; then
        die "port $(port "$i" "$off") is in use; stop what holds it or set BASE_PORT"
      fi
    done
  done
  if [ "$PROVIDER_NODE" = 1 ]; then
    for off in 0 1; do
      port_in_use $((PROVIDER_PORT + off)) && die "port $((PROVIDER_PORT + off)) is in use; stop what holds it or set PROVIDER_PORT"
    done
  fi

  rm -rf "$DIR"
  mkdir -p "$DIR/logs" "$DIR/pids"
  local init_args=(testnet init-files --validators "$N" --output-dir "$DIR/homes" --chain-id "$CHAIN_ID" --base-port "$BASE_PORT")
  [ -z "$GENESIS_PATCH" ] || init_args+=(--genesis-patch "$GENESIS_PATCH")
  "$BIN" "${init_args[@]}" >"$DIR/logs/init.log" 2>&1 || { cat "$DIR/logs/init.log" >&2; die "init-files failed"; }
  [[ "$SNAPSHOT_INTERVAL" =~ ^[0-9]+$ ]] || die "SNAPSHOT_INTERVAL must be a number of blocks, got '$SNAPSHOT_INTERVAL'"
  [[ "$SNAPSHOT_KEEP_RECENT" =~ ^[0-9]+$ ]] || die "SNAPSHOT_KEEP_RECENT must be a number, got '$SNAPSHOT_KEEP_RECENT'"
  if [ "$SNAPSHOT_INTERVAL" != 0 ]; then
    for ((i = 0; i < N; i++)); do
      sed -i -e "s/^snapshot-interval = .*/snapshot-interval = $SNAPSHOT_INTERVAL/" \
        -e "s/^snapshot-keep-recent = .*/snapshot-keep-recent = $SNAPSHOT_KEEP_RECENT/" "$DIR/homes/node$i/config/app.toml"
      grep -q "^snapshot-interval = $SNAPSHOT_INTERVAL\$" "$DIR/homes/node$i/config/app.toml" &&
        grep -q "^snapshot-keep-recent = $SNAPSHOT_KEEP_RECENT\$" "$DIR/homes/node$i/config/app.toml" ||
        die "could not set the snapshot settings in node$i's app.toml"
    done
  fi

  for ((i = 0; i < N; i++)); do
    nohup "$BIN" start --home "$DIR/homes/node$i" >"$DIR/logs/node$i.log" 2>&1 &
    echo $! >"$DIR/pids/node$i.pid"
  done

  local waited=0 h
  while :; do
    h=$(height 0)
    if [ -n "$h" ] && [ "$h" -ge 2 ]; then break; fi
    if [ "$waited" -ge "$START_TIMEOUT" ]; then
      tail -n 30 "$DIR/logs/node0.log" >&2 || true
      stop >/dev/null
      die "no block after ${START_TIMEOUT}s; logs are in $DIR/logs"
    fi
    for f in "$DIR"/pids/*.pid; do
      kill -0 "$(cat "$f")" 2>/dev/null || { tail -n 30 "$DIR/logs/$(basename "$f" .pid).log" >&2; stop >/dev/null; die "$(basename "$f" .pid) exited; logs are in $DIR/logs"; }
    done
    sleep 1
    waited=$((waited + 1))
  done
  [ "$PROVIDER_NODE" != 1 ] || start_provider
  if [ "$BRIDGE" = 1 ]; then
    [ "$PROVIDER_NODE" = 1 ] || { stop >/dev/null; die "BRIDGE=1 needs the provider node (PROVIDER_NODE=1)"; }
    LOCALNET_DIR=$DIR BASE_PORT=$BASE_PORT CHAIN_ID=$CHAIN_ID FLASHBACKD_BIN=$BIN PROVIDER_PORT=$PROVIDER_PORT BRIDGE_PORT=$BRIDGE_PORT \
      bash "$ROOT/scripts/localnet-bridge.sh" || { stop >/dev/null; die "the bridge did not start"; }
  fi
  summary
}

# start_provider writes a provider node's configuration for the `provider`
# account of node0's test keyring and runs it. The node serves unit 1 (the
# first unit created on the fresh chain) from $PROVIDER_HOME/data/unit-1; it
# waits for the provider to register, publishes its access key, and decides
# deal requests on unit 1 by its policy (provider.toml).
start_provider() {
  local url="http://127.0.0.1:$PROVIDER_PORT"
  # shellcheck disable=SC2086 # PROVIDER_ARGS is a list of flags
  "$BIN" provider init --home "$PROVIDER_HOME" --public-url "$url" \
    --listen "127.0.0.1:$PROVIDER_PORT" --status-listen "127.0.0.1:$((PROVIDER_PORT + 1))" --unit 1=posix \
    --grpc-address "127.0.0.1:$(port 0 2)" --rpc-address "tcp://127.0.0.1:$(port 0 1)" --chain-id "$CHAIN_ID" \
    --key-name provider --keyring-backend test --keyring-dir "$DIR/homes/node0" --poll-interval 1s $PROVIDER_ARGS \
    >"$DIR/logs/provider-init.log" 2>&1 || { cat "$DIR/logs/provider-init.log" >&2; stop >/dev/null; die "provider init failed"; }
  nohup "$BIN" provider serve --home "$PROVIDER_HOME" >"$DIR/logs/provider.log" 2>&1 &
  echo $! >"$DIR/pids/provider.pid"
  local waited=0
  until port_in_use $((PROVIDER_PORT + 1)); do
    if ! kill -0 "$(cat "$DIR/pids/provider.pid")" 2>/dev/null || [ "$waited" -ge 30 ]; then
      tail -n 30 "$DIR/logs/provider.log" >&2 || true
      stop >/dev/null
      die "the provider node did not start; logs are in $DIR/logs"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

summary() {
  local i name
  echo
  echo "flashbackd localnet '$CHAIN_ID' is producing blocks (height $(height 0)) with $N validator(s)."
  echo
  printf '%-6s %-28s %-22s %-28s\n' node RPC gRPC REST
  for ((i = 0; i < N; i++)); do
    printf '%-6s %-28s %-22s %-28s\n' "node$i" "http://127.0.0.1:$(port "$i" 1)" "127.0.0.1:$(port "$i" 2)" "http://127.0.0.1:$(port "$i" 3)"
  done
  echo
  echo "Accounts (test keyring in $DIR/homes/node0, each funded with 1,000,000 FLASH):"
  for name in validator provider consumer spare; do
    printf '  %-10s %s\n' "$name" "$("$BIN" keys show "$name" -a --keyring-backend test --home "$DIR/homes/node0" 2>/dev/null || echo '-')"
  done
  echo
  if [ "$PROVIDER_NODE" = 1 ]; then
    echo
    echo "Provider node (account 'provider'): S3 http://127.0.0.1:$PROVIDER_PORT, status http://127.0.0.1:$((PROVIDER_PORT + 1))/status"
    echo "  serves unit 1 once the provider registers it with endpoint http://127.0.0.1:$PROVIDER_PORT/unit-1"
    echo "  home $PROVIDER_HOME, log $DIR/logs/provider.log; $BIN provider status --home $PROVIDER_HOME"
  fi
  if [ "$BRIDGE" = 1 ]; then
    echo
    echo "Bridge (account 'consumer'): S3 http://127.0.0.1:$BRIDGE_PORT (repository 'data'), status http://127.0.0.1:$((BRIDGE_PORT + 1))/status"
    echo "  its app key: source $DIR/bridge.env; log $DIR/logs/bridge.log; $BIN bridge status --home $DIR/bridge"
  fi
  echo
  echo "Homes: $DIR/homes   Logs: $DIR/logs   OpenAPI: http://127.0.0.1:$(port 0 3)/swagger/"
  echo "Try:   $BIN q orchestrator params --node tcp://127.0.0.1:$(port 0 1)"
  echo "Stop:  make localnet-stop"
}

stop() {
  local pids pid waited=0
  pids=$(running_pids)
  if [ -z "$pids" ]; then
    echo "no localnet running from $DIR"
    rm -f "$DIR"/pids/*.pid 2>/dev/null || true
    return 0
  fi
  # The bridge first (it sends its last usage receipts to the provider
  # node), then the provider node: it finishes its requests and writes its
  # state while the chain is still up.
  if [ -e "$DIR/pids/bridge.pid" ]; then
    kill -TERM "$(cat "$DIR/pids/bridge.pid")" 2>/dev/null || true
    while kill -0 "$(cat "$DIR/pids/bridge.pid")" 2>/dev/null && [ "$waited" -lt 15 ]; do
      sleep 1
      waited=$((waited + 1))
    done
    rm -f "$DIR/pids/bridge.pid"
    waited=0
  fi
  if [ -e "$DIR/pids/provider.pid" ]; then
    pid=$(cat "$DIR/pids/provider.pid")
    if kill -TERM "$pid" 2>/dev/null; then
      while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
        sleep 1
        waited=$((waited + 1))
      done
    fi
    waited=0
    pids=$(running_pids)
  fi
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  while [ -n "$(running_pids)" ] && [ "$waited" -lt 30 ]; do
    sleep 1
    waited=$((waited + 1))
  done
  for pid in $(running_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$DIR"/pids/*.pid
  echo "localnet stopped (homes and logs kept in $DIR)"
}

status() {
  local f i
  [ -d "$DIR/homes" ] || die "no localnet in $DIR"
  for f in "$DIR"/homes/node*; do
    i=${f##*node}
    printf 'node%s  height=%s\n' "$i" "$(height "$i" || true)"
  done
  if [ -e "$PROVIDER_HOME/provider.toml" ]; then
    echo
    "$BIN" provider status --home "$PROVIDER_HOME" || true
  fi
  if [ -e "$DIR/bridge/bridge/bridge.toml" ]; then
    echo
    "$BIN" bridge status --home "$DIR/bridge" || true
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
