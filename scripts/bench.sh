#!/usr/bin/env bash
# Performance harness (docs/PERFORMANCE.md).
#
#   scripts/bench.sh throughput   # in-process FinalizeBlock+Commit throughput per message type
#   scripts/bench.sh scaling      # per-block / query Go benchmarks at growing sizes
#   scripts/bench.sh network      # 4-validator localnet under load (loadgen)
#   scripts/bench.sh all          # the three, then one table and bench/results.json
#
# Environment (defaults in brackets):
#   BENCH_DIR          output directory [bench]
#   SMOKE=1            a quick check of every part (tiny sizes), not a measurement
#   throughput:  ACCOUNTS [5000]  TXS_PER_BLOCK [500]  ROUNDS [10]  WORKLOADS [all]
#                PROFILE [1]: CPU profile of the slowest workload in $BENCH_DIR/<workload>.prof
#                PROFILE_BLOCKS [10]: extra unmeasured blocks per workload (the slowest one's are profiled)
#   scaling:     SCALING_FILTER [all specs]  SCALING_SMOKE [0]
#   network:     RATE [250] tx/s  DURATION [60s]  LOAD_ACCOUNTS [200]  MIX [request=45,topup=40,send=15]
#                NETWORK_DIR [.localnet/bench]  NETWORK_BASE_PORT [28600]
#                LOADGEN_ARGS: extra loadgen flags, e.g. "--cpuprofile /tmp/loadgen.prof"
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}
BENCH_DIR=${BENCH_DIR:-$ROOT/bench}
SMOKE=${SMOKE:-0}
mkdir -p "$BENCH_DIR"

if [ "$SMOKE" = 1 ]; then
  : "${ACCOUNTS:=200}" "${TXS_PER_BLOCK:=50}" "${ROUNDS:=1}" "${PROFILE_BLOCKS:=1}"
  : "${SCALING_SMOKE:=1}"
  : "${RATE:=20}" "${DURATION:=10s}" "${LOAD_ACCOUNTS:=20}"
fi
ACCOUNTS=${ACCOUNTS:-5000}
TXS_PER_BLOCK=${TXS_PER_BLOCK:-500}
ROUNDS=${ROUNDS:-10}
WORKLOADS=${WORKLOADS:-}
PROFILE=${PROFILE:-1}
PROFILE_BLOCKS=${PROFILE_BLOCKS:-10}
SCALING_FILTER=${SCALING_FILTER:-}
SCALING_SMOKE=${SCALING_SMOKE:-0}
RATE=${RATE:-250}
DURATION=${DURATION:-60s}
LOAD_ACCOUNTS=${LOAD_ACCOUNTS:-200}
MIX=${MIX:-request=45,topup=40,send=15}
NETWORK_DIR=${NETWORK_DIR:-$ROOT/.localnet/bench}
NETWORK_BASE_PORT=${NETWORK_BASE_PORT:-28600}

# Helper binaries go to a private directory, so that a concurrent `make
# clean` or build cannot pull them away mid-run.
BIN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/flashbackd-bench.XXXXXX")
cleanup_bins() { rm -rf "$BIN_DIR"; }
trap cleanup_bins EXIT

benchreport() {
  "$GO" build -o "$BIN_DIR/benchreport" ./tools/cmd/benchreport
  "$BIN_DIR/benchreport" "$@"
}

throughput() {
  local args=(-accounts "$ACCOUNTS" -txs-per-block "$TXS_PER_BLOCK" -rounds "$ROUNDS" -out "$BENCH_DIR/throughput.json")
  [ -z "$WORKLOADS" ] || args+=(-workloads "$WORKLOADS")
  [ "$PROFILE" != 1 ] || args+=(-profile-dir "$BENCH_DIR" -profile-blocks "$PROFILE_BLOCKS")
  echo "== throughput: ${args[*]}"
  benchreport throughput "${args[@]}"
}

scaling() {
  local args=(-out "$BENCH_DIR/scaling.json" -raw "$BENCH_DIR/scaling.txt")
  [ -z "$SCALING_FILTER" ] || args+=(-filter "$SCALING_FILTER")
  [ "$SCALING_SMOKE" != 1 ] || args+=(-smoke)
  echo "== scaling: ${args[*]}"
  benchreport scaling "${args[@]}"
}

localnet() { # start|stop (chain nodes only: the load generator uses the provider account)
  PROVIDER_NODE=0 N=4 LOCALNET_DIR="$NETWORK_DIR" BASE_PORT="$NETWORK_BASE_PORT" FLASHBACKD_BIN="$BIN_DIR/flashbackd" \
    bash "$ROOT/scripts/localnet.sh" "$1"
}

network() {
  make -C "$ROOT" build >/dev/null
  cp "$ROOT/build/flashbackd" "$BIN_DIR/flashbackd"
  "$GO" build -o "$BIN_DIR/loadgen" ./tools/cmd/loadgen
  local nodes="" metrics="" i
  for i in 0 1 2 3; do
    nodes+="${nodes:+,}http://127.0.0.1:$((NETWORK_BASE_PORT + 10 * i + 1))"
    metrics+="${metrics:+,}http://127.0.0.1:$((NETWORK_BASE_PORT + 10 * i + 5))/metrics"
  done
  echo "== network: 4 validators in $NETWORK_DIR (ports from $NETWORK_BASE_PORT), $RATE tx/s for $DURATION"
  # The network is always stopped, whatever happens.
  trap 'localnet stop >/dev/null 2>&1 || true; cleanup_bins' EXIT
  trap 'exit 130' INT TERM
  localnet start
  # A few blocks with vote extensions before the load.
  local h=0 waited=0
  while [ "${h:-0}" -lt 4 ] && [ "$waited" -lt 60 ]; do
    sleep 1
    waited=$((waited + 1))
    h=$(curl -s "http://127.0.0.1:$((NETWORK_BASE_PORT + 1))/status" | grep -o '"latest_block_height":"[0-9]*"' | grep -o '[0-9][0-9]*' || echo 0)
  done
  "$BIN_DIR/loadgen" --home "$NETWORK_DIR" --nodes "$nodes" --metrics "$metrics" --rate "$RATE" --duration "$DURATION" \
    --accounts "$LOAD_ACCOUNTS" --mix "$MIX" --out "$BENCH_DIR/network.json" ${LOADGEN_ARGS:-}
  localnet stop
  trap cleanup_bins EXIT
}

merge() {
  benchreport merge -out "$BENCH_DIR/results.json" "$BENCH_DIR/throughput.json" "$BENCH_DIR/scaling.json" "$BENCH_DIR/network.json"
}

all() {
  # No stale part may end up in the table.
  rm -f "$BENCH_DIR/throughput.json" "$BENCH_DIR/scaling.json" "$BENCH_DIR/network.json"
  # Each part in its own process: one failing does not stop the others, and
  # `set -e` keeps working inside each.
  local failed=() part
  for part in throughput scaling network; do
    bash "$ROOT/scripts/bench.sh" "$part" || failed+=("$part")
  done
  echo
  echo "================ flashbackd performance ================"
  merge
  if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]} (see the output above)" >&2
    exit 1
  fi
}

case "${1:-all}" in
  throughput) throughput ;;
  scaling) scaling ;;
  network) network ;;
  merge) merge ;;
  all) all ;;
  *) echo "usage: $0 throughput|scaling|network|merge|all" >&2; exit 2 ;;
esac
