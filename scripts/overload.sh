#!/usr/bin/env bash
# Overload measurement (docs/FAULTS.md, "Overload"): the block interval of a
# 4-validator localnet idle and at a multiple of its capacity, run after run.
#
#   scripts/overload.sh            # RUNS pairs of (idle, loaded) runs, then a summary table
#   scripts/overload.sh summary    # the table of the runs already in OUT_DIR
#
# Environment (defaults in brackets):
#   RUNS [2]  RATE [500] tx/s offered when loaded  IDLE_RATE [2] tx/s  DURATION [60s]
#   ACCOUNTS [400] (each has one broadcast in flight: enough for RATE on a slow RPC)
#   OUT_DIR [bench/overload]  BASE_PORT [28800]  FLASHBACKD_BIN [build/flashbackd, built]
#   DRAIN [60s]: how long loadgen waits for accepted transactions after sending stops; one
#   still missing after it is reported as "not included" (lost or late)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-2}
RATE=${RATE:-500}
IDLE_RATE=${IDLE_RATE:-2}
DURATION=${DURATION:-60s}
ACCOUNTS=${ACCOUNTS:-400}
DRAIN=${DRAIN:-60s}
OUT_DIR=${OUT_DIR:-$ROOT/bench/overload}
BASE_PORT=${BASE_PORT:-28800}
mkdir -p "$OUT_DIR"

summary() {
  printf '%-28s %8s %9s %9s %8s %8s %8s %9s %9s %9s %9s\n' run offered committed steady p50_ms p99_ms txs/blk refused rechecks accepted lost
  local f
  for f in "$OUT_DIR"/*.json; do
    [ -e "$f" ] || continue
    jq -r --arg name "$(basename "$f" .json)" '
      def row(n): ([.rows[] | select(.name | startswith(n)) | .value] | first // 0);
      [$name,
       (row("offered load") | floor),
       (row("committed (code 0) including drain") | floor),
       (row("committed (code 0) in steady state") | floor),
       (row("block interval p50") | floor),
       (row("block interval p99") | floor),
       (row("txs per block mean") | floor),
       ((.details.rpc_error_kinds["mempool is full"] // 0) + (.details.check_failures["sdk/20"] // 0)),
       (row("mempool rechecks per block") | floor),
       .details.accepted, .details.not_included] | @tsv' "$f" |
      awk -F'\t' '{printf "%-28s %8s %9s %9s %8s %8s %8s %9s %9s %9s %9s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11}'
  done
}

one() { # name rate
  local name=$1 rate=$2 dir nodes="" metrics="" i h=0 waited=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/flashbackd-overload.XXXXXX")
  for i in 0 1 2 3; do
    nodes+="${nodes:+,}http://127.0.0.1:$((BASE_PORT + 10 * i + 1))"
    metrics+="${metrics:+,}http://127.0.0.1:$((BASE_PORT + 10 * i + 5))/metrics"
  done
  local net=(env PROVIDER_NODE=0 N=4 LOCALNET_DIR="$dir" BASE_PORT="$BASE_PORT" FLASHBACKD_BIN="$BIN")
  trap '"${net[@]}" bash "$ROOT/scripts/localnet.sh" stop >/dev/null 2>&1 || true' EXIT
  "${net[@]}" bash "$ROOT/scripts/localnet.sh" start >/dev/null
  while [ "${h:-0}" -lt 4 ] && [ "$waited" -lt 60 ]; do
    sleep 1
    waited=$((waited + 1))
    h=$(curl -s "http://127.0.0.1:$((BASE_PORT + 1))/status" | grep -o '"latest_block_height":"[0-9]*"' | grep -o '[0-9][0-9]*' || echo 0)
  done
  echo "== $name: $rate tx/s for $DURATION ($(uptime | sed 's/.*load average/load average/'))"
  "$LOADGEN" --home "$dir" --nodes "$nodes" --metrics "$metrics" --rate "$rate" --duration "$DURATION" \
    --accounts "$ACCOUNTS" --drain "$DRAIN" --out "$OUT_DIR/$name.json" >/dev/null
  "${net[@]}" bash "$ROOT/scripts/localnet.sh" stop >/dev/null
  trap - EXIT
  rm -rf "$dir"
}

case "${1:-run}" in
  summary) summary; exit 0 ;;
  run) ;;
  *) echo "usage: $0 [run|summary]" >&2; exit 2 ;;
esac

BIN=${FLASHBACKD_BIN:-}
if [ -z "$BIN" ]; then
  make -C "$ROOT" build >/dev/null
  BIN=$ROOT/build/flashbackd
fi
TOOLS=$(mktemp -d "${TMPDIR:-/tmp}/flashbackd-overload-bin.XXXXXX")
trap 'rm -rf "$TOOLS"' EXIT
cp "$BIN" "$TOOLS/flashbackd"
BIN=$TOOLS/flashbackd
go build -o "$TOOLS/loadgen" ./tools/cmd/loadgen
LOADGEN=$TOOLS/loadgen
stamp=$(date -u +%H%M)
for ((r = 1; r <= RUNS; r++)); do
  (one "$stamp-idle-$r" "$IDLE_RATE")
  (one "$stamp-load$RATE-$r" "$RATE")
done
summary
