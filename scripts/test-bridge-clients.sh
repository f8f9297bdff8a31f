#!/usr/bin/env bash
# S3 clients no one here wrote — the aws CLI and rclone — against the
# consumer bridge (`flashbackd bridge serve`) over deals on several provider
# nodes: for a normal and a mirror repository, upload (multipart above
# 64 MiB), list, ranged reads, rclone sync (which deletes what the source
# no longer has), deletion, and a sha256 of every download. Then one
# provider node behind the mirror repository is killed (SIGKILL) while an
# upload and a download are under way: both finish (the write with the
# quorum's deals, the read on another deal), and what was written reads
# back byte for byte. Repairing the killed node's replica when it comes
# back is checked by the caller, which can restart it.
#
#   run by api/bridge/server's TestBridgeClients (go test -tags e2e; make test-e2e)
#
# Environment:
#   BRIDGE_ENDPOINT    the bridge's S3 endpoint (http://host:port)
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   a read-write key of the bridge
#   NORMAL_BUCKET      a normal repository (default solo)
#   MIRROR_BUCKET      a mirror repository (default media)
#   KILL_PID           the process of a provider node holding one of the mirror's deals
#                      (empty: the failover part is skipped)
#   BIG_MIB            size of the multipart uploads in MiB (default 70)
set -euo pipefail

: "${BRIDGE_ENDPOINT:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
NORMAL=${NORMAL_BUCKET:-solo}
MIRROR=${MIRROR_BUCKET:-media}
BIG_MIB=${BIG_MIB:-70}
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

for tool in aws rclone jq sha256sum; do
  command -v "$tool" >/dev/null || { echo "test-bridge-clients: $tool is required (apt-get install awscli rclone jq)" >&2; exit 2; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; jobs -p | xargs -r kill 2>/dev/null || true' EXIT
step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
same() { [ "$(sha "$1")" = "$(sha "$2")" ] || fail "$3: sha256 differs"; ok "$3: sha256 matches"; }

S3="aws --endpoint-url $BRIDGE_ENDPOINT s3"
API="aws --endpoint-url $BRIDGE_ENDPOINT s3api"
export RCLONE_CONFIG_FB_TYPE=s3 RCLONE_CONFIG_FB_PROVIDER=Other RCLONE_CONFIG_FB_ENDPOINT="$BRIDGE_ENDPOINT" \
  RCLONE_CONFIG_FB_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_FB_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  RCLONE_CONFIG_FB_FORCE_PATH_STYLE=true
# Keys given explicitly (rclone's SDK cannot apply an AWS_CA_BUNDLE to its own transport).
rc() { env -u AWS_CA_BUNDLE rclone --config /dev/null -q "$@"; }

head -c 12345 /dev/urandom >"$WORK/small.bin"
head -c $((BIG_MIB << 20)) /dev/urandom >"$WORK/big.bin"
mkdir -p "$WORK/dir/sub"
for i in 1 2 3; do head -c $((i * 1000)) /dev/urandom >"$WORK/dir/f$i"; done
head -c 70000 /dev/urandom >"$WORK/dir/sub/g"
start=$((33 << 20)); len=1000001
dd if="$WORK/big.bin" of="$WORK/range.want" iflag=skip_bytes,count_bytes skip=$start count=$len bs=1M status=none

for B in "$NORMAL" "$MIRROR"; do
  step "aws CLI ($(aws --version 2>&1 | cut -d' ' -f1)) on repository $B"
  $S3 cp "$WORK/small.bin" "s3://$B/aws/small.bin" --only-show-errors
  # Above the CLI's 8 MiB threshold: a multipart upload in 8 MiB parts.
  $S3 cp "$WORK/big.bin" "s3://$B/aws/big.bin" --only-show-errors
  etag=$($API head-object --bucket "$B" --key aws/big.bin --query ETag --output text)
  [[ "$etag" == *-* ]] || fail "aws/big.bin was not uploaded in parts (ETag $etag)"
  ok "multipart upload of $BIG_MIB MiB (ETag $etag)"
  listing=$($S3 ls "s3://$B/aws/" --recursive)
  [ "$(wc -l <<<"$listing")" = 2 ] || fail "listing: $listing"
  grep -q " $((BIG_MIB << 20)) aws/big.bin" <<<"$listing" || fail "listing lacks big.bin's size: $listing"
  ok "listing with sizes"
  $S3 cp "s3://$B/aws/big.bin" "$WORK/big.$B" --only-show-errors
  same "$WORK/big.bin" "$WORK/big.$B" "aws download of big.bin"
  $S3 cp "s3://$B/aws/small.bin" "$WORK/small.$B" --only-show-errors
  same "$WORK/small.bin" "$WORK/small.$B" "aws download of small.bin"
  $API get-object --bucket "$B" --key aws/big.bin --range "bytes=$start-$((start + len - 1))" "$WORK/range.$B" >/dev/null
  same "$WORK/range.want" "$WORK/range.$B" "ranged read of $len bytes at $start"
  $S3 cp "s3://$B/aws/small.bin" "s3://$B/aws/copy.bin" --only-show-errors
  $S3 cp "s3://$B/aws/copy.bin" "$WORK/copy.$B" --only-show-errors
  same "$WORK/small.bin" "$WORK/copy.$B" "server-side copy (CopyObject)"

  step "rclone ($(rclone version 2>/dev/null | head -1)) on repository $B"
  rc sync "$WORK/dir" "fb:$B/rclone/dir"
  rc check --download "$WORK/dir" "fb:$B/rclone/dir"
  ok "rclone sync of a folder; rclone check --download matches byte for byte"
  rm "$WORK/dir/f1"
  head -c 5000 /dev/urandom >"$WORK/dir/f2"
  rc sync "$WORK/dir" "fb:$B/rclone/dir"
  rc check --download "$WORK/dir" "fb:$B/rclone/dir"
  [ "$(rc size "fb:$B/rclone/dir" --json | jq .count)" = 3 ] || fail "rclone sync did not delete f1"
  ok "second sync: a changed file re-uploaded, a removed one deleted"
  rc copyto "fb:$B/aws/big.bin" "$WORK/big.rclone.$B"
  same "$WORK/big.bin" "$WORK/big.rclone.$B" "rclone download of big.bin"
  rc cat "fb:$B/aws/big.bin" --offset "$start" --count "$len" >"$WORK/range.rclone.$B"
  same "$WORK/range.want" "$WORK/range.rclone.$B" "rclone ranged read"
  # What one client wrote, the other reads; then everything goes.
  $S3 cp "s3://$B/rclone/dir/sub/g" "$WORK/g.$B" --only-show-errors
  same "$WORK/dir/sub/g" "$WORK/g.$B" "rclone upload read back by aws"
  $S3 rm "s3://$B/rclone" --recursive --only-show-errors
  $S3 rm "s3://$B/aws/copy.bin" --only-show-errors
  [ "$($S3 ls "s3://$B/" --recursive | wc -l)" = 2 ] || fail "recursive delete: $($S3 ls "s3://$B/" --recursive)"
  ok "recursive delete"
  # Restore f1 for the next repository.
  head -c 1000 /dev/urandom >"$WORK/dir/f1"
done

if [ -n "${KILL_PID:-}" ]; then
  step "repository $MIRROR: a provider node (pid $KILL_PID) is killed mid-transfer"
  head -c $((BIG_MIB << 20)) /dev/urandom >"$WORK/during.bin"
  $S3 cp "$WORK/during.bin" "s3://$MIRROR/kill/during.bin" --only-show-errors &
  up=$!
  $S3 cp "s3://$MIRROR/aws/big.bin" "$WORK/big.during" --only-show-errors &
  down=$!
  sleep 1
  kill -9 "$KILL_PID"
  killed=$(date +%s.%N)
  wait "$up" || fail "the upload under way when the node died failed"
  ok "upload of $BIG_MIB MiB under way when the node died: done with the write quorum"
  wait "$down" || fail "the download under way when the node died failed"
  same "$WORK/big.bin" "$WORK/big.during" "download under way when the node died"
  $S3 cp "s3://$MIRROR/kill/during.bin" "$WORK/during.back" --only-show-errors
  same "$WORK/during.bin" "$WORK/during.back" "the upload reads back (from the deals that took it)"
  t0=$(date +%s.%N)
  $S3 cp "s3://$MIRROR/aws/small.bin" "$WORK/small.after" --only-show-errors
  same "$WORK/small.bin" "$WORK/small.after" "read after the death"
  awk -v t0="$t0" -v k="$killed" -v now="$(date +%s.%N)" 'BEGIN { printf "   read after the death took %.2f s (%.1f s after the kill)\n", now - t0, now - k }'
  $S3 cp "$WORK/small.bin" "s3://$MIRROR/kill/small.bin" --only-show-errors
  ok "writes go on with the quorum"
  echo "DURING_SHA256=$(sha "$WORK/during.bin")"
fi

printf '\nall bridge client checks passed (%s, repositories %s and %s)\n' "$BRIDGE_ENDPOINT" "$NORMAL" "$MIRROR"
