#!/usr/bin/env bash
# Storage demo: a deal becomes storage any S3 client can use.
#
#   scripts/demo-storage.sh        (or: make demo-storage)
#
# On a throwaway single-validator localnet, a provider runs its provider node
# (`flashbackd provider serve`) next to a storage directory and offers a data
# unit at the node's endpoint. A consumer publishes an access key and
# requests a deal: the node accepts it by its policy, with nobody watching
# the chain. Both sides derive the deal's S3 credentials from the chain's
# public keys; the consumer stores and reads back a file with the aws CLI.
# A request without an access key is declined with its reason. The node
# withdraws the provider's earnings on its schedule. The consumer closes the
# deal: the bucket turns read-only for the retrieval period, then the node
# deletes it. In between, the consumer's bridge (`flashbackd bridge serve`)
# gives an app one S3 endpoint over the deal, and reports the QoS it
# measured to the chain. It exits 0 when every expected outcome was observed.
# Run time: about 2 minutes. Needs bash, jq, the aws CLI and go (to build).
#
# Environment (defaults keep it apart from `make localnet` and `make demo`):
#   DEMO_DIR          homes, logs, pids (default ./.localnet-storage; wiped at start)
#   DEMO_BASE_PORT    first port of the chain node (default 27000); the provider node uses +200 and +201,
#                     the bridge +210 and +211
#   FLASHBACKD_BIN    flashbackd to run (default build/flashbackd, built if missing)
set -euo pipefail
set -E

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DEMO_DIR:-$ROOT/.localnet-storage}
BASE_PORT=${DEMO_BASE_PORT:-27000}
BIN=${FLASHBACKD_BIN:-$ROOT/build/flashbackd}
CHAIN_ID=flashback-storage-1
HOME0=$DIR/homes/node0
PHOME=$DIR/provider
NODE=tcp://127.0.0.1:$((BASE_PORT + 1))
S3URL=http://127.0.0.1:$((BASE_PORT + 200))
LOG=$DIR/logs/demo.log
WORK=$DIR/files

PRICE=2592000          # uflash per GB-month: 1 uflash per GB-second, so earnings show within seconds
DEAL_GB=10
DEPOSIT=$((PRICE * DEAL_GB / 30 / 24))   # the whole 1-hour term (the minimum prepaid period is the term)
RETRIEVAL=20s
SLA='{"max_latency_ms":500,"min_upload_kbps":1000,"min_download_kbps":1000,"min_uptime_bps":9900,"max_error_rate_bps":100}'
# A consumer's early close takes effect after 10 s (default: a day).
# Self-reports every 15 s (default: a day), so that the bridge's show up.
GENESIS_PATCH='{"orchestrator": {"params": {"consumer_close_notice": "10s"}}, "oracle": {"params": {"self_report_min_interval": "15s"}}}'

START=$SECONDS
FAILED_CHECKS=0
say() { printf '%s\n' "$*"; }
heading() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
run() { printf '   $ %s\n' "$*"; }
die() {
  printf '\ndemo-storage: FAILED: %s\n' "$*" >&2
  [ -f "$LOG" ] && printf 'demo-storage: details in %s, %s/logs/provider.log and node0.log\n' "$LOG" "$DIR" >&2
  exit 1
}
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR
STARTED=
cleanup() {
  local rc=$?
  trap - ERR EXIT INT TERM
  set +e
  if [ -d "$DIR/pids" ]; then
    LOCALNET_DIR=$DIR FLASHBACKD_BIN=$BIN bash "$ROOT/scripts/localnet.sh" stop >/dev/null 2>&1
  fi
  [ -z "$STARTED" ] || printf '\nStopped the localnet and the provider node (homes and logs kept in %s).\n' "$DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fb() { "$BIN" "$@" --home "$HOME0"; }
q() { "$BIN" q "$@" --home "$HOME0" --node "$NODE" -o json 2>>"$LOG"; }
status() { "$BIN" provider status --home "$PHOME" -o json; }
TX_RESULT=
tx() { # tx FROM ARGS...: sign, broadcast, wait for the block, fail loudly
  local from=$1 out hash attempt
  shift
  # The provider node signs with the provider's key too: a sequence
  # mismatch is answered by sending again.
  for attempt in 1 2 3; do
    printf '\n$ flashbackd tx %s --from %s\n' "$*" "$from" >>"$LOG"
    out=$("$BIN" tx "$@" --from "$from" --home "$HOME0" --node "$NODE" --chain-id "$CHAIN_ID" \
      --keyring-backend test --gas auto --gas-adjustment 1.5 --gas-prices 0.0025uflash -y -o json 2>>"$LOG") && break
    tail -n 1 "$LOG" | grep -q "account sequence mismatch" && [ "$attempt" -lt 3 ] || die "'flashbackd tx $*' was refused: $(tail -n 1 "$LOG")"
    sleep 2
  done
  [ "$(jq -r .code <<<"$out")" = 0 ] || die "'flashbackd tx $*' was rejected: $(jq -r .raw_log <<<"$out")"
  hash=$(jq -r .txhash <<<"$out")
  TX_RESULT=$("$BIN" q wait-tx "$hash" --timeout 60s --home "$HOME0" --node "$NODE" -o json 2>>"$LOG") ||
    die "'flashbackd tx $*' ($hash) was not included within 60 s"
  [ "$(jq -r .code <<<"$TX_RESULT")" = 0 ] || die "'flashbackd tx $*' failed: $(jq -r .raw_log <<<"$TX_RESULT")"
}
wait_until() { # wait_until DESCRIPTION SECONDS COMMAND...
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for $what"
    sleep 0.5
  done
}
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then printf '   ok    %s\n' "$what"; else printf '   FAIL  %s\n' "$what"; FAILED_CHECKS=$((FAILED_CHECKS + 1)); fi
}
deal_state() { q orchestrator deal "$1" | jq -r .deal.state; }
deal_is() { [ "$(deal_state "$1")" = "$2" ]; }
s3() { aws --endpoint-url "$S3_ENDPOINT" s3 "$@"; }
s3_error() { # s3_error COMMAND...: run an aws command that must fail; print its error
  local out
  if out=$(aws --endpoint-url "$S3_ENDPOINT" "$@" 2>&1); then return 1; fi
  grep -o -m1 'An error occurred ([A-Za-z]*)' <<<"$out" || true
}

for tool in jq aws sha256sum; do
  command -v "$tool" >/dev/null || { echo "demo-storage: $tool is required (Debian: apt-get install jq awscli)" >&2; exit 1; }
done

say "Flashback storage demo: a deal becomes a bucket any S3 client can use"
say "(throwaway localnet in $DIR with a provider node; about 2 minutes)"

heading "1. A chain, and a provider node next to the provider's storage"
if [ ! -x "$BIN" ]; then
  note "building flashbackd (make build)…"
  make -C "$ROOT" build >/dev/null
  BIN=$ROOT/build/flashbackd
fi
[ ! -d "$DIR/pids" ] || LOCALNET_DIR=$DIR FLASHBACKD_BIN=$BIN bash "$ROOT/scripts/localnet.sh" stop >/dev/null 2>&1 || true
rm -rf "$DIR"
mkdir -p "$DIR"
STARTED=1
if ! N=1 LOCALNET_DIR=$DIR BASE_PORT=$BASE_PORT CHAIN_ID=$CHAIN_ID FLASHBACKD_BIN=$BIN GENESIS_PATCH=$GENESIS_PATCH \
  PROVIDER_NODE=1 PROVIDER_ARGS="--retrieval-period $RETRIEVAL --withdraw-interval 15s" \
  bash "$ROOT/scripts/localnet.sh" start >"$DIR.start.log" 2>&1; then
  cat "$DIR.start.log" >&2
  rm -f "$DIR.start.log"
  die "the localnet did not start"
fi
mv "$DIR.start.log" "$DIR/logs/localnet-start.log"
: >"$LOG"
mkdir -p "$WORK"
PROVIDER=$(fb keys show provider -a --keyring-backend test)
CONSUMER=$(fb keys show consumer -a --keyring-backend test)
STRANGER=$(fb keys show spare -a --keyring-backend test)
note "chain $CHAIN_ID (RPC $NODE); accounts: provider $PROVIDER, consumer $CONSUMER"
note "the provider node was set up with:"
run "flashbackd provider init --home $PHOME --public-url $S3URL --unit 1=posix \\"
run "    --key-name provider --retrieval-period $RETRIEVAL --withdraw-interval 15s …"
run "flashbackd provider serve --home $PHOME"
note "it serves unit 1 from $PHOME/data/unit-1 and its documented config is $PHOME/provider.toml"
note "until the provider registers, it waits: \"$(status | jq -r 'if .provider_registered then "registered" else "provider not registered yet" end')\""

heading "2. The provider registers and offers unit 1 at the node's endpoint"
tx provider orchestrator register-provider "Acme Storage" 1000000000uflash --country FR
tx provider orchestrator create-data-unit 1000 "$PRICE" eu-west FR s3 "$S3URL/unit-1" --sla "$SLA"
run "flashbackd tx orchestrator create-data-unit 1000 $PRICE eu-west FR s3 $S3URL/unit-1 --from provider …"
wait_until "the node to publish its access key and take unit 1" 30 \
  bash -c "\"$BIN\" provider status --home \"$PHOME\" -o json | jq -e '.access_key_published and (.units[0].problem // \"\") == \"\"'"
NODE_KEY=$(status | jq -r .access_key)
note "the node published its X25519 access key on the provider's record: $NODE_KEY"
note "  (flashbackd q orchestrator access-key $PROVIDER → the same key)"
check "the chain has the node's access key" test "$(q orchestrator access-key "$PROVIDER" | jq -r .access_key.public_key | base64 -d | od -An -tx1 | tr -d ' \n')" = "$NODE_KEY"
note "the validators' probers find the probe protocol at the unit's endpoint, served by the node itself:"
run "curl $S3URL/unit-1/flashback-probe/ping → $(curl -fsS "$S3URL/unit-1/flashback-probe/ping")"

heading "3. A consumer publishes an access key and requests a deal: the node accepts it by itself"
tx consumer orchestrator register-consumer
PUB=$(fb bridge access-key | awk '/^public key:/ {print $3}')
run "flashbackd bridge access-key      # → $HOME0/bridge/access_key.json, public key $PUB"
tx consumer orchestrator set-access-key "$PUB"
run "flashbackd tx orchestrator set-access-key $PUB --from consumer …"
requested=$(date +%s%N)
tx consumer orchestrator request-deal 1 "$DEAL_GB" 1h "${DEPOSIT}uflash" --sla "$SLA"
run "flashbackd tx orchestrator request-deal 1 $DEAL_GB 1h ${DEPOSIT}uflash --from consumer …"
DEAL=$(jq -r '.events[] | select(.type == "flashback.orchestrator.v1.EventDealRequested") | .attributes[] | select(.key == "deal_id") | .value' <<<"$TX_RESULT" | tr -d '"')
wait_until "the node to accept deal $DEAL" 30 deal_is "$DEAL" DEAL_STATE_ACTIVE
took=$((($(date +%s%N) - requested) / 1000000))
note "deal $DEAL: $(deal_state "$DEAL") ${took} ms after the request was sent; the node's decision:"
note "  $(status | jq -r --argjson d "$DEAL" '.decisions[] | select(.deal_id == $d) | "\(if .accept then "accepted" else "declined" end): \(.reason) (tx \(.tx_hash[0:16])…)"')"

heading "4. The consumer stores and reads back a file with the aws CLI"
run 'eval "$(flashbackd bridge credentials '"$DEAL"' -o env)"'
eval "$(fb bridge credentials "$DEAL" -o env --node "$NODE")"
note "endpoint $S3_ENDPOINT, bucket $S3_BUCKET, access key id $AWS_ACCESS_KEY_ID (derived, never sent)"
head -c $((12 << 20)) /dev/urandom >"$WORK/photos.tar"
echo "hello from a Flashback deal" >"$WORK/hello.txt"
run "aws --endpoint-url \$S3_ENDPOINT s3 cp photos.tar s3://\$S3_BUCKET/   (12 MiB: a multipart upload)"
s3 cp "$WORK/photos.tar" "s3://$S3_BUCKET/photos.tar" --only-show-errors
s3 cp "$WORK/hello.txt" "s3://$S3_BUCKET/hello.txt" --only-show-errors
run "aws --endpoint-url \$S3_ENDPOINT s3 ls s3://\$S3_BUCKET"
s3 ls "s3://$S3_BUCKET" | sed 's/^/     /'
s3 cp "s3://$S3_BUCKET/photos.tar" "$WORK/photos.back" --only-show-errors
run "aws --endpoint-url \$S3_ENDPOINT s3 cp s3://\$S3_BUCKET/hello.txt -   → $(s3 cp "s3://$S3_BUCKET/hello.txt" -)"
note "sha256 uploaded   $(sha256sum <"$WORK/photos.tar" | cut -c1-16)…"
note "sha256 downloaded $(sha256sum <"$WORK/photos.back" | cut -c1-16)…"
check "the downloaded file is the uploaded one" test "$(sha256sum <"$WORK/photos.tar")" = "$(sha256sum <"$WORK/photos.back")"
STRANGER_KEY=$DIR/stranger-key.json
fb bridge access-key --access-key-file "$STRANGER_KEY" >/dev/null
refused=$(fb bridge credentials "$DEAL" --access-key-file "$STRANGER_KEY" --node "$NODE" 2>&1 || true)
note "someone else's key derives nothing: ${refused##*$'\n'}"
check "another key derives no credentials for the deal" bash -c "! \"$BIN\" bridge credentials $DEAL --home $HOME0 --access-key-file $STRANGER_KEY --node $NODE"

heading "5. The consumer's bridge: one S3 endpoint for its apps, QoS reported to the chain"
BRIDGE_HOME=$HOME0   # its files in $HOME0/bridge, next to the access key the consumer published
BRIDGE_URL=http://127.0.0.1:$((BASE_PORT + 210))
"$BIN" bridge init --home "$BRIDGE_HOME" --repository "photos=normal:$DEAL" \
  --key-name consumer --keyring-backend test --keyring-dir "$HOME0" --grpc-address "127.0.0.1:$((BASE_PORT + 2))" \
  --rpc-address "$NODE" --chain-id "$CHAIN_ID" --listen "127.0.0.1:$((BASE_PORT + 210))" \
  --status-listen "127.0.0.1:$((BASE_PORT + 211))" >"$DIR/logs/bridge-init.log" 2>&1 || die "bridge init: $(cat "$DIR/logs/bridge-init.log")"
run "flashbackd bridge init --repository photos=normal:$DEAL --key-name consumer …   # writes bridge.toml, prints an app key"
nohup "$BIN" bridge serve --home "$BRIDGE_HOME" >"$DIR/logs/bridge.log" 2>&1 &
echo $! >"$DIR/pids/bridge.pid"
run "flashbackd bridge serve    # S3 on $BRIDGE_URL: bucket photos is deal $DEAL"
wait_until "the bridge to listen" 30 curl -fsS "http://127.0.0.1:$((BASE_PORT + 211))/status"
APP_ID=$(grep -o 'AWS_ACCESS_KEY_ID=[A-Za-z0-9]*' "$DIR/logs/bridge-init.log" | cut -d= -f2)
APP_SECRET=$(grep -o 'AWS_SECRET_ACCESS_KEY=[A-Za-z0-9+/]*' "$DIR/logs/bridge-init.log" | cut -d= -f2)
app() { AWS_ACCESS_KEY_ID=$APP_ID AWS_SECRET_ACCESS_KEY=$APP_SECRET aws --endpoint-url "$BRIDGE_URL" s3 "$@"; }
note "the app knows only the bridge and its own key ($APP_ID); the bridge holds the deal's credentials"
run "aws --endpoint-url $BRIDGE_URL s3 ls s3://photos   # what the consumer stored in step 4, through the bridge"
app ls s3://photos | sed 's/^/     /'
head -c $((4 << 20)) /dev/urandom >"$WORK/album.zip"
run "aws --endpoint-url $BRIDGE_URL s3 cp album.zip s3://photos/   (4 MiB)"
app cp "$WORK/album.zip" s3://photos/album.zip --only-show-errors
app cp s3://photos/album.zip "$WORK/album.back" --only-show-errors
app cp s3://photos/photos.tar "$WORK/photos.bridge" --only-show-errors
check "the album reads back through the bridge" test "$(sha256sum <"$WORK/album.zip")" = "$(sha256sum <"$WORK/album.back")"
check "the file stored straight on the deal reads back through the bridge" test "$(sha256sum <"$WORK/photos.tar")" = "$(sha256sum <"$WORK/photos.bridge")"
note "the bridge measured every request it made to the deal and files a signed QoS self-report"
note "as often as the chain allows (self_report_min_interval: 15 s here, 24 h by default):"
wait_until "the bridge's QoS report with the album's transfers" 40 \
  bash -c "\"$BIN\" q oracle self-reports $DEAL --home $HOME0 --node $NODE -o json | jq -e '[.reports[] | select(.reporter == \"$CONSUMER\" and ((.throughput_kbps // \"0\") | tonumber) > 0)] | length > 0'"
run "flashbackd q oracle self-reports $DEAL"
q oracle self-reports "$DEAL" | jq -r '.reports[] | "     report \(.id) at \(.time) by the \(.role): \(.operation | sub("OPERATION_TYPE_"; "")), latency \(.latency_ms // 0) ms, throughput \(.throughput_kbps // 0) kbps, success \(.success // false)"'
run "flashbackd bridge status --home $BRIDGE_HOME"
"$BIN" bridge status --home "$BRIDGE_HOME" | sed -n '/^repository/,$p' | sed 's/^/  /'
check "the consumer's QoS reports are on chain" test "$(q oracle self-reports "$DEAL" | jq '[.reports[] | select(.role == "consumer")] | length')" -ge 1

heading "6. A request without an access key is declined, with the reason on chain"
tx spare orchestrator register-consumer
tx spare orchestrator request-deal 1 1 1h "$((PRICE / 30 / 24))uflash" --sla "$SLA"
DECLINED=$(jq -r '.events[] | select(.type == "flashback.orchestrator.v1.EventDealRequested") | .attributes[] | select(.key == "deal_id") | .value' <<<"$TX_RESULT" | tr -d '"')
wait_until "the node to decide deal $DECLINED" 30 deal_is "$DECLINED" DEAL_STATE_CLOSED
decision_tx() { status | jq -er --argjson d "$1" '.decisions[] | select(.deal_id == $d and (.error // "") == "") | .tx_hash'; }
# The node records its decision once it has seen its transaction in a block.
wait_until "the node to record its decision on deal $DECLINED" 10 decision_tx "$DECLINED"
DECLINE_TX=$(decision_tx "$DECLINED")
REASON=$(q tx "$DECLINE_TX" | jq -r '.tx.body.messages[0].reason')
note "deal $DECLINED from $STRANGER: $(q orchestrator deal "$DECLINED" | jq -r .deal.close_reason), deposit refunded"
note "reason in the provider's MsgDeclineDeal (tx $DECLINE_TX):"
note "  \"$REASON\""
check "the decline reason says the consumer has no access key" grep -q "no access key" <<<"$REASON"

heading "7. The node withdraws the provider's earnings on its schedule (every 15 s here)"
wait_until "a withdrawal" 40 bash -c "\"$BIN\" provider status --home \"$PHOME\" -o json | jq -e .last_withdrawal"
W=$(status | jq -c .last_withdrawal)
note "withdrawal of deals $(jq -c .deals <<<"$W"): $(jq -r .net <<<"$W") net, $(jq -r .fee <<<"$W") platform fee (tx $(jq -r .tx_hash <<<"$W" | cut -c1-16)…)"
check "deal $DEAL's earnings were withdrawn" test "$(q orchestrator deal "$DEAL" | jq -r '.deal.withdrawn // "0"')" -gt 0
note "the node's status (flashbackd provider status --home $PHOME):"
"$BIN" provider status --home "$PHOME" | sed -n '/^deals:/,/^$/p' | sed 's/^/  /'

heading "8. The consumer closes the deal: read-only for the retrieval period ($RETRIEVAL), then deleted"
tx consumer orchestrator close-deal "$DEAL"
note "the close takes effect after the consumer's notice (10 s here; a day by default)"
wait_until "deal $DEAL to close" 40 deal_is "$DEAL" DEAL_STATE_CLOSED
CLOSED_AT=$(q orchestrator deal "$DEAL" | jq -r .deal.closed_at)
wait_until "the bucket to turn read-only" 15 bash -c "\"$BIN\" provider status --home \"$PHOME\" -o json | jq -e --argjson d $DEAL '.deals[] | select(.id == \$d) | .access == \"read-only\"'"
note "closed at $CLOSED_AT; the node deletes the bucket at $(status | jq -r --argjson d "$DEAL" '.deals[] | select(.id == $d) | .retrieval_ends')"
err=$(s3_error s3 cp "$WORK/hello.txt" "s3://$S3_BUCKET/new.txt") || true
note "upload now:   ${err:-accepted?!}"
check "uploads are refused after the close" test "$err" = "An error occurred (AccessDenied)"
check "downloads still work during the retrieval period" test "$(s3 cp "s3://$S3_BUCKET/hello.txt" -)" = "hello from a Flashback deal"
note "download now: $(s3 cp "s3://$S3_BUCKET/hello.txt" -)"
wait_until "the retrieval period to end" 60 bash -c "! aws --endpoint-url $S3_ENDPOINT s3 ls s3://$S3_BUCKET"
err=$(s3_error s3 ls "s3://$S3_BUCKET") || true
note "after the retrieval period: $err (the deal's bucket and credentials are gone)"
check "the bucket is gone after the retrieval period" grep -Eq "NoSuchBucket|InvalidAccessKeyId" <<<"$err"
check "its data is deleted from the unit's directory" test ! -e "$PHOME/data/unit-1/deals/$DEAL"

heading "9. Checks"
elapsed=$((SECONDS - START))
[ "$FAILED_CHECKS" -eq 0 ] || die "$FAILED_CHECKS check(s) failed (after $((elapsed / 60))m$((elapsed % 60))s)"
printf '\nStorage demo passed in %dm%02ds. Logs: %s (the provider node: provider.log)\n' $((elapsed / 60)) $((elapsed % 60)) "$DIR/logs"
