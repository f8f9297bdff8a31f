#!/usr/bin/env bash
# Starts a consumer bridge (`flashbackd bridge serve`) on a running localnet
# for its funded `consumer` account, in front of the localnet's provider
# node: scripts/localnet.sh runs it with BRIDGE=1 (after the provider node).
#
# On the chain, as needed: the `provider` account registers and creates
# unit 1 at the provider node's endpoint; the `consumer` registers,
# publishes the bridge's access key and requests a 1 GB deal on unit 1 for
# 30 days, which the node accepts. Then `bridge init` writes
# LOCALNET_DIR/bridge/bridge/bridge.toml with one normal repository,
# `data`, on that deal, and the bridge serves it on BRIDGE_PORT. The
# app's S3 key is written to LOCALNET_DIR/bridge.env.
#
# Environment (set by scripts/localnet.sh): LOCALNET_DIR, BASE_PORT,
# CHAIN_ID, FLASHBACKD_BIN, PROVIDER_PORT, BRIDGE_PORT (default
# PROVIDER_PORT+10; its status endpoint is BRIDGE_PORT+1).
set -euo pipefail

DIR=${LOCALNET_DIR:?}
BASE_PORT=${BASE_PORT:-26600}
CHAIN_ID=${CHAIN_ID:-flashback-local-1}
BIN=${FLASHBACKD_BIN:?}
PROVIDER_PORT=${PROVIDER_PORT:-$((BASE_PORT + 200))}
BRIDGE_PORT=${BRIDGE_PORT:-$((PROVIDER_PORT + 10))}
HOME0=$DIR/homes/node0
BRIDGE_HOME=$DIR/bridge
NODE="--node tcp://127.0.0.1:$((BASE_PORT + 1))"
TX="--keyring-backend test $NODE --chain-id $CHAIN_ID --gas auto --gas-adjustment 1.5 --gas-prices 0.0025uflash -y -o json"
SLA='{"max_latency_ms":1000,"min_upload_kbps":100,"min_download_kbps":100,"min_uptime_bps":9000,"max_error_rate_bps":1000}'

die() { echo "localnet bridge: $*" >&2; exit 1; }
fb() { "$BIN" --home "$HOME0" "$@"; }
command -v jq >/dev/null || die "jq is required (apt-get install jq)"

# tx sends a transaction and waits until a block includes it successfully
# (the provider node signs with the provider's key too: a sequence
# mismatch is answered by sending again).
tx() {
  local out hash i attempt err
  err=$(mktemp)
  for attempt in 1 2 3; do
    out=$(fb tx "$@" $TX 2>"$err") && break
    grep -q "account sequence mismatch" "$err" && [ "$attempt" -lt 3 ] || die "flashbackd tx $*: $(cat "$err") $out"
    sleep 2
  done
  rm -f "$err"
  hash=$(jq -r '.txhash // empty' <<<"$out")
  [ "$(jq -r .code <<<"$out")" = 0 ] || die "flashbackd tx $*: $(jq -r .raw_log <<<"$out")"
  for i in $(seq 1 40); do
    if out=$(fb q tx "$hash" $NODE -o json 2>/dev/null); then
      [ "$(jq -r .code <<<"$out")" = 0 ] || die "flashbackd tx $*: $(jq -r .raw_log <<<"$out")"
      return 0
    fi
    sleep 0.5
  done
  die "flashbackd tx $*: not included"
}

PROVIDER=$(fb keys show provider -a --keyring-backend test)
CONSUMER=$(fb keys show consumer -a --keyring-backend test)
fb q orchestrator provider "$PROVIDER" $NODE >/dev/null 2>&1 ||
  tx orchestrator register-provider "Acme Storage" 1000000000uflash --country FR --from provider
fb q orchestrator data-unit 1 $NODE >/dev/null 2>&1 ||
  tx orchestrator create-data-unit 1000 20000 eu-west FR s3 "http://127.0.0.1:$PROVIDER_PORT/unit-1" --sla "$SLA" --from provider
fb q orchestrator consumer "$CONSUMER" $NODE >/dev/null 2>&1 || tx orchestrator register-consumer --from consumer
PUB=$("$BIN" bridge access-key --home "$BRIDGE_HOME" | awk '/^public key:/ {print $3}')
tx orchestrator set-access-key "$PUB" --from consumer
PRICE=$(fb q orchestrator data-unit 1 $NODE -o json | jq -r .data_unit.price_per_gb_month)
tx orchestrator request-deal 1 1 720h "$PRICE"uflash --sla "$SLA" --from consumer
DEAL=$(fb q orchestrator deals --consumer "$CONSUMER" --page-reverse --page-limit 1 $NODE -o json | jq -r '.deals[0].id')
for _ in $(seq 1 60); do
  state=$(fb q orchestrator deal "$DEAL" $NODE -o json | jq -r .deal.state)
  [ "$state" = DEAL_STATE_ACTIVE ] && break
  [ "$state" = DEAL_STATE_CLOSED ] && die "deal $DEAL was declined by the provider node (see $DIR/logs/provider.log)"
  sleep 0.5
done
[ "$state" = DEAL_STATE_ACTIVE ] || die "deal $DEAL not accepted by the provider node"

"$BIN" bridge init --home "$BRIDGE_HOME" --repository "data=normal:$DEAL" \
  --key-name consumer --keyring-backend test --keyring-dir "$HOME0" \
  --grpc-address "127.0.0.1:$((BASE_PORT + 2))" --rpc-address "tcp://127.0.0.1:$((BASE_PORT + 1))" --chain-id "$CHAIN_ID" \
  --listen "127.0.0.1:$BRIDGE_PORT" --status-listen "127.0.0.1:$((BRIDGE_PORT + 1))" >"$DIR/logs/bridge-init.log" 2>&1 ||
  die "bridge init failed: $(cat "$DIR/logs/bridge-init.log")"
{
  grep -o 'AWS_ACCESS_KEY_ID=[A-Za-z0-9]*' "$DIR/logs/bridge-init.log" | sed 's/^/export /'
  grep -o 'AWS_SECRET_ACCESS_KEY=[A-Za-z0-9+/]*' "$DIR/logs/bridge-init.log" | sed 's/^/export /'
  echo "export AWS_DEFAULT_REGION=us-east-1"
  echo "export BRIDGE_ENDPOINT=http://127.0.0.1:$BRIDGE_PORT"
} >"$DIR/bridge.env"
sed -i 's/AWS_SECRET_ACCESS_KEY=.*/AWS_SECRET_ACCESS_KEY=(in bridge.env)/' "$DIR/logs/bridge-init.log"
nohup "$BIN" bridge serve --home "$BRIDGE_HOME" >"$DIR/logs/bridge.log" 2>&1 &
echo $! >"$DIR/pids/bridge.pid"
for _ in $(seq 1 30); do
  curl -fsS "http://127.0.0.1:$((BRIDGE_PORT + 1))/status" >/dev/null 2>&1 && exit 0
  kill -0 "$(cat "$DIR/pids/bridge.pid")" 2>/dev/null || { tail -n 20 "$DIR/logs/bridge.log" >&2; die "the bridge exited; logs in $DIR/logs/bridge.log"; }
  sleep 1
done
die "the bridge did not answer on 127.0.0.1:$((BRIDGE_PORT + 1)) within 30 s"
