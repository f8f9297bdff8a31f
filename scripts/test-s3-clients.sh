#!/usr/bin/env bash
# S3 clients no one here wrote — the aws CLI and rclone — against a deal on a
# provider node of a localnet (scripts/localnet.sh with its provider node):
# upload, multipart upload of more than 64 MiB, ranged reads, listings,
# deletion, and a sha256 comparison of everything downloaded with what was
# uploaded.
#
#   scripts/test-s3-clients.sh      (run by testutil/e2e's TestS3ClientsOnLocalnet)
#
# It sets the chain up for the localnet's `provider` and `consumer` accounts
# when needed (provider and unit 1 at the node's endpoint, the consumer's
# access key, a deal) and exits non-zero at the first failed check.
#
# Environment (defaults: those of scripts/localnet.sh):
#   LOCALNET_DIR      the localnet's folder (default ./.localnet)
#   BASE_PORT         node0's first port (default 26600)
#   PROVIDER_PORT     the provider node's S3 port (default BASE_PORT+200)
#   CHAIN_ID          default flashback-local-1
#   FLASHBACKD_BIN    default build/flashbackd
#   BIG_MIB           size of the multipart uploads in MiB (default 70)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${LOCALNET_DIR:-$ROOT/.localnet}
BASE_PORT=${BASE_PORT:-26600}
PROVIDER_PORT=${PROVIDER_PORT:-$((BASE_PORT + 200))}
CHAIN_ID=${CHAIN_ID:-flashback-local-1}
BIN=${FLASHBACKD_BIN:-$ROOT/build/flashbackd}
BIG_MIB=${BIG_MIB:-70}

for tool in aws rclone jq sha256sum; do
  command -v "$tool" >/dev/null || { echo "test-s3-clients: $tool is required (apt-get install awscli rclone jq)" >&2; exit 2; }
done

HOME0=$DIR/homes/node0
NODE="--node tcp://127.0.0.1:$((BASE_PORT + 1))"
TX="--keyring-backend test $NODE --chain-id $CHAIN_ID --gas auto --gas-adjustment 1.5 --gas-prices 0.0025uflash -y -o json"
ENDPOINT=http://127.0.0.1:$PROVIDER_PORT
SLA='{"max_latency_ms":1000,"min_upload_kbps":100,"min_download_kbps":100,"min_uptime_bps":9000,"max_error_rate_bps":1000}'
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fb() { "$BIN" --home "$HOME0" "$@"; }
step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# tx sends a transaction and waits until a block includes it successfully.
# The provider node signs with the provider's key too: a sequence mismatch
# is answered by sending again.
tx() {
  local out hash i attempt
  for attempt in 1 2 3; do
    out=$(fb tx "$@" $TX 2>"$WORK/tx.err") && break
    grep -q "account sequence mismatch" "$WORK/tx.err" && [ "$attempt" -lt 3 ] || fail "flashbackd tx $*: $(cat "$WORK/tx.err") $out"
    sleep 2
  done
  hash=$(jq -r '.txhash // empty' <<<"$out" 2>/dev/null || true)
  [ -n "$hash" ] || fail "flashbackd tx $*: $out"
  [ "$(jq -r .code <<<"$out")" = 0 ] || fail "flashbackd tx $*: $(jq -r .raw_log <<<"$out")"
  for i in $(seq 1 30); do
    if out=$(fb q tx "$hash" $NODE -o json 2>/dev/null); then
      [ "$(jq -r .code <<<"$out")" = 0 ] || fail "flashbackd tx $*: $(jq -r .raw_log <<<"$out")"
      return 0
    fi
    sleep 0.5
  done
  fail "flashbackd tx $*: not included"
}

deal_state() { fb q orchestrator deal "$1" $NODE -o json | jq -r .deal.state; }

step "chain set-up: provider, unit 1 at the node's endpoint, consumer access key, a deal"
PROVIDER=$(fb keys show provider -a --keyring-backend test)
CONSUMER=$(fb keys show consumer -a --keyring-backend test)
fb q orchestrator provider "$PROVIDER" $NODE >/dev/null 2>&1 ||
  tx orchestrator register-provider "Acme Storage" 1000000000uflash --country FR --from provider
fb q orchestrator data-unit 1 $NODE >/dev/null 2>&1 ||
  tx orchestrator create-data-unit 1000 20000 eu-west FR s3 "$ENDPOINT/unit-1" --sla "$SLA" --from provider
fb q orchestrator consumer "$CONSUMER" $NODE >/dev/null 2>&1 || tx orchestrator register-consumer --from consumer
PUB=$(fb bridge access-key | awk '/^public key:/ {print $3}')
tx orchestrator set-access-key "$PUB" --from consumer # (publishing the same key again changes nothing)
# 5 GB for 30 days at the unit's price, paid up front (the minimum prepaid period).
PRICE=$(fb q orchestrator data-unit 1 $NODE -o json | jq -r .data_unit.price_per_gb_month)
tx orchestrator request-deal 1 5 720h "$((PRICE * 5))uflash" --sla "$SLA" --from consumer
DEAL=$(fb q orchestrator deals --consumer "$CONSUMER" --page-reverse --page-limit 1 $NODE -o json | jq -r '.deals[0].id')
for i in $(seq 1 60); do
  [ "$(deal_state "$DEAL")" = DEAL_STATE_ACTIVE ] && break
  [ "$(deal_state "$DEAL")" = DEAL_STATE_CLOSED ] && fail "deal $DEAL was declined: $("$BIN" provider status --home "$DIR/provider" | tail -3)"
  sleep 0.5
done
[ "$(deal_state "$DEAL")" = DEAL_STATE_ACTIVE ] || fail "deal $DEAL not accepted by the provider node"
ok "deal $DEAL accepted by the provider node's policy"

eval "$(fb bridge credentials "$DEAL" -o env $NODE)"
[ "$S3_ENDPOINT" = "$ENDPOINT" ] || fail "endpoint $S3_ENDPOINT, want $ENDPOINT"
ok "credentials for s3://$S3_BUCKET at $S3_ENDPOINT"

head -c 12345 /dev/urandom >"$WORK/small.bin"
head -c $((BIG_MIB << 20)) /dev/urandom >"$WORK/big.bin"
mkdir -p "$WORK/dir"
for i in 1 2 3; do head -c $((i * 1000)) /dev/urandom >"$WORK/dir/f$i"; done
same() { [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ] || fail "$3: sha256 differs"; ok "$3: sha256 matches"; }

step "aws CLI ($(aws --version 2>&1 | cut -d' ' -f1))"
S3="aws --endpoint-url $S3_ENDPOINT s3"
API="aws --endpoint-url $S3_ENDPOINT s3api"
$S3 cp "$WORK/small.bin" "s3://$S3_BUCKET/aws/small.bin" --only-show-errors
# Above the CLI's 8 MiB threshold: a multipart upload in 8 MiB parts.
$S3 cp "$WORK/big.bin" "s3://$S3_BUCKET/aws/big.bin" --only-show-errors
parts=$($API head-object --bucket "$S3_BUCKET" --key aws/big.bin --query ETag --output text)
[[ "$parts" == *-* ]] || fail "aws/big.bin was not uploaded in parts (ETag $parts)"
ok "multipart upload of $BIG_MIB MiB (ETag $parts)"
$S3 cp "$WORK/dir" "s3://$S3_BUCKET/aws/dir" --recursive --only-show-errors
listing=$($S3 ls "s3://$S3_BUCKET/aws/" --recursive)
[ "$(wc -l <<<"$listing")" = 5 ] || fail "listing: $listing"
grep -q " $((BIG_MIB << 20)) aws/big.bin" <<<"$listing" || fail "listing lacks big.bin's size: $listing"
ok "listing: 5 objects with their sizes"
$S3 cp "s3://$S3_BUCKET/aws/big.bin" "$WORK/big.aws" --only-show-errors
same "$WORK/big.bin" "$WORK/big.aws" "aws download of big.bin"
$S3 cp "s3://$S3_BUCKET/aws/small.bin" "$WORK/small.aws" --only-show-errors
same "$WORK/small.bin" "$WORK/small.aws" "aws download of small.bin"
start=$((33 << 20)); len=1000001
$API get-object --bucket "$S3_BUCKET" --key aws/big.bin --range "bytes=$start-$((start + len - 1))" "$WORK/range.aws" >/dev/null
dd if="$WORK/big.bin" of="$WORK/range.want" iflag=skip_bytes,count_bytes skip=$start count=$len bs=1M status=none
same "$WORK/range.want" "$WORK/range.aws" "ranged read of $len bytes at $start"
$S3 rm "s3://$S3_BUCKET/aws/dir" --recursive --only-show-errors
[ "$($S3 ls "s3://$S3_BUCKET/aws/" --recursive | wc -l)" = 2 ] || fail "delete"
ok "recursive delete"

step "rclone ($(rclone version 2>/dev/null | head -1))"
# rclone's S3 backend from environment variables, as a user would set it up:
# keys given explicitly (not env_auth: rclone's SDK cannot apply an
# AWS_CA_BUNDLE to its own transport), path-style. rclone creates the bucket
# before its first upload; the gateway answers BucketAlreadyOwnedByYou.
export RCLONE_CONFIG_FB_TYPE=s3 RCLONE_CONFIG_FB_PROVIDER=Other RCLONE_CONFIG_FB_ENDPOINT="$S3_ENDPOINT" \
  RCLONE_CONFIG_FB_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_FB_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  RCLONE_CONFIG_FB_FORCE_PATH_STYLE=true
rc() { env -u AWS_CA_BUNDLE rclone --config /dev/null -q "$@"; }
# Above a 16 MiB cutoff: multipart in 16 MiB chunks.
rc copyto "$WORK/big.bin" "fb:$S3_BUCKET/rclone/big.bin" --s3-upload-cutoff 16M --s3-chunk-size 16M
rc copy "$WORK/dir" "fb:$S3_BUCKET/rclone/dir"
[ "$(rc size "fb:$S3_BUCKET/rclone" --json | jq .count)" = 4 ] || fail "rclone size"
listing=$(rc lsl "fb:$S3_BUCKET/rclone")
grep -q "$((BIG_MIB << 20)) .* big.bin" <<<"$listing" || fail "rclone lsl: $listing"
ok "multipart upload of $BIG_MIB MiB and a folder; listing"
rc check --download "$WORK/dir" "fb:$S3_BUCKET/rclone/dir"
ok "rclone check --download: the folder matches byte for byte"
rc copyto "fb:$S3_BUCKET/rclone/big.bin" "$WORK/big.rclone"
same "$WORK/big.bin" "$WORK/big.rclone" "rclone download of big.bin"
rc cat "fb:$S3_BUCKET/rclone/big.bin" --offset "$start" --count "$len" >"$WORK/range.rclone"
same "$WORK/range.want" "$WORK/range.rclone" "rclone ranged read"
# What one client wrote, the other reads.
aws --endpoint-url "$S3_ENDPOINT" s3 cp "s3://$S3_BUCKET/rclone/dir/f2" "$WORK/f2.aws" --only-show-errors
same "$WORK/dir/f2" "$WORK/f2.aws" "rclone upload read back by aws"

printf '\nall S3 client checks passed (deal %s on %s)\n' "$DEAL" "$S3_ENDPOINT"
