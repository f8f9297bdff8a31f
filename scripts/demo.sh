#!/usr/bin/env bash
# End-to-end demo of flashbackd, and a smoke test of the whole system:
#
#   scripts/demo.sh        (or: make demo)
#
# On a throwaway single-validator localnet with 1-minute SLA epochs, a
# provider offers two data units — one served by a healthy stand-in storage
# server, one by a failing one — and a consumer reserves both. The validator
# probes the units (x/oracle), the chain judges them every epoch
# (x/orchestrator: SLA verdicts, refunds, slashing, termination) and scores
# them (x/reputation: scores, ratings, leaderboard, reward pool); the
# marketplace ranks them. Everything printed comes from chain queries.
# It exits 0 when every expected outcome was observed, 1 otherwise.
# Run time: about 4 minutes. Needs bash, curl, jq and go (to build).
#
# Environment (defaults keep it apart from `make localnet`):
#   DEMO_DIR          homes, logs and pids (default ./.localnet-demo; wiped at start)
#   DEMO_BASE_PORT    first port of the node (default 26900; uses +0..+4)
#   DEMO_PROBE_PORT   port of the healthy server; the failing one uses +1 (default 9101)
#   FLASHBACKD_BIN    flashbackd to run (default build/flashbackd, built if missing)
#   PROBETARGET_BIN   probe target to run (default: built into build/probetarget)
set -euo pipefail
set -E

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DEMO_DIR:-$ROOT/.localnet-demo}
BASE_PORT=${DEMO_BASE_PORT:-26900}
PROBE_PORT=${DEMO_PROBE_PORT:-9101}
BIN=${FLASHBACKD_BIN:-$ROOT/build/flashbackd}
CHAIN_ID=flashback-demo-1

HOME0=$DIR/homes/node0
NODE=tcp://127.0.0.1:$((BASE_PORT + 1))
REST=http://127.0.0.1:$((BASE_PORT + 3))
HEALTHY=http://127.0.0.1:$PROBE_PORT
FAILING=http://127.0.0.1:$((PROBE_PORT + 1))
LOG=$DIR/logs/demo.log

BOND=2000000000           # provider bond: 2,000 FLASH (minimum 1,000)
CAPACITY=1000             # GB per unit
PRICE=432000000           # uflash per GB-month: 100 GB cost 43,200 FLASH a month = 1 FLASH a minute
DEAL_GB=100
DEAL_TERM=1h
DEPOSIT=60000000uflash    # the whole 1-hour term: 60 FLASH
SLA='{"max_latency_ms":200,"min_upload_kbps":1000,"min_download_kbps":1000,"min_uptime_bps":9900,"max_error_rate_bps":100}'
# The reference SLA (what a unit is graded against in an epoch without deal
# verdicts, e.g. before its deal is accepted) is the demo's SLA: the docs'
# default (50 ms, 10/20 MB/s) is stricter than a localhost probe of a
# 256 KiB object shows.
GENESIS_PATCH='{
  "orchestrator": {"params": {"sla_epoch_identifier": "minute", "reference_sla": '"$SLA"'}},
  "reputation":   {"params": {"reward_epoch_identifier": "minute", "min_public_ratings": 2}},
  "oracle":       {"params": {"window_blocks": "5", "summary_bucket_duration": "1s", "summary_retention": "3600s"}}
}'

# ---------------------------------------------------------------- helpers --

START=$SECONDS
FAILED_CHECKS=0

say() { printf '%s\n' "$*"; }
heading() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }

die() {
  printf '\ndemo: FAILED: %s\n' "$*" >&2
  [ -f "$LOG" ] && printf 'demo: details in %s and %s/logs/node0.log\n' "$LOG" "$DIR" >&2
  exit 1
}

on_err() {
  die "command failed (line $1): $2"
}
trap 'on_err $LINENO "$BASH_COMMAND"' ERR

PT_PIDS=()
STARTED=
cleanup() {
  local rc=$? pid
  trap - ERR EXIT INT TERM
  set +e
  for pid in ${PT_PIDS[@]+"${PT_PIDS[@]}"}; do kill -TERM "$pid" 2>/dev/null; done
  if [ -d "$DIR/pids" ]; then
    LOCALNET_DIR=$DIR FLASHBACKD_BIN=$BIN bash "$ROOT/scripts/localnet.sh" stop >/dev/null 2>&1
  fi
  for pid in ${PT_PIDS[@]+"${PT_PIDS[@]}"}; do wait "$pid" 2>/dev/null; done
  [ -z "$STARTED" ] || printf '\nStopped the localnet and the storage servers (homes and logs kept in %s).\n' "$DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# fb runs flashbackd against the demo node; q queries it in JSON.
fb() { "$BIN" "$@" --home "$HOME0"; }
q() { "$BIN" q "$@" --home "$HOME0" --node "$NODE" -o json 2>>"$LOG"; }

# tx FROM ARGS... signs and broadcasts a transaction, waits for its block and
# fails loudly if it did not succeed. The included tx is left in $TX_RESULT.
TX_RESULT=
tx() {
  local from=$1 out hash code
  shift
  printf '\n$ flashbackd tx %s --from %s\n' "$*" "$from" >>"$LOG"
  if ! out=$("$BIN" tx "$@" --from "$from" --home "$HOME0" --node "$NODE" --chain-id "$CHAIN_ID" \
    --keyring-backend test --gas auto --gas-adjustment 1.5 --gas-prices 0.0025uflash -y -o json 2>>"$LOG"); then
    die "'flashbackd tx $*' was refused: $(tail -n 1 "$LOG")"
  fi
  code=$(jq -r '.code' <<<"$out")
  [ "$code" = 0 ] || die "'flashbackd tx $*' was rejected (code $code): $(jq -r '.raw_log' <<<"$out")"
  hash=$(jq -r '.txhash' <<<"$out")
  if ! TX_RESULT=$("$BIN" q wait-tx "$hash" --timeout 90s --home "$HOME0" --node "$NODE" -o json 2>>"$LOG"); then
    die "'flashbackd tx $*' ($hash) was not included in a block within 90 s"
  fi
  code=$(jq -r '.code' <<<"$TX_RESULT")
  [ "$code" = 0 ] || die "'flashbackd tx $*' failed in block $(jq -r .height <<<"$TX_RESULT"): $(jq -r '.raw_log' <<<"$TX_RESULT")"
}

# wait_until DESCRIPTION SECONDS COMMAND... polls COMMAND every 2 s.
wait_until() {
  local what=$1 timeout=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${timeout}s waiting for $what"
    sleep 2
  done
}

# flash 1234567 → 1.234567 (uflash to FLASH, trailing zeros dropped).
flash() {
  local a=${1:-0} sign=
  if [ "${a:0:1}" = - ]; then sign=-; a=${a:1}; fi
  printf '%s%d.%06d' "$sign" $((a / 1000000)) $((a % 1000000)) | sed -E 's/\.?0+$//'
}
# pct 9583 → 95.83% (basis points).
pct() { printf '%d.%02d%%' $(($1 / 100)) $(($1 % 100)); }
# mbps 98337 → 98.3 Mbps (kbps).
mbps() { printf '%d.%d Mbps' $(($1 / 1000)) $(($1 % 1000 / 100)); }
# dec 0.100000000000000000 → 10 (a decimal as a whole percentage).
dec_pct() { jq -rn --arg d "$1" '($d | tonumber) * 100 | round'; }

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    printf '   ok    %s\n' "$what"
  else
    printf '   FAIL  %s\n' "$what"
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ------------------------------------------------------------ preconditions --

for tool in curl jq; do
  if ! command -v "$tool" >/dev/null; then
    printf 'demo: %s is required. Install it, e.g. "sudo apt-get install %s" (Debian/Ubuntu) or "brew install %s" (macOS).\n' \
      "$tool" "$tool" "$tool" >&2
    exit 1
  fi
done

say "Flashback demo: a storage marketplace whose SLAs are measured by the validators"
say "(throwaway single-validator localnet in $DIR, 1-minute SLA epochs; about 4 minutes)"

heading "1. Binaries"
if [ ! -x "$BIN" ]; then
  note "building flashbackd (make build)…"
  make -C "$ROOT" build >/dev/null
  BIN=$ROOT/build/flashbackd
fi
if ! version=$("$BIN" version 2>&1); then
  die "$BIN does not run: $(printf '%s\n' "$version" | head -n 1)"
fi
PT_BIN=${PROBETARGET_BIN:-$ROOT/build/probetarget}
if [ -z "${PROBETARGET_BIN:-}" ]; then
  (cd "$ROOT" && go build -o "$PT_BIN" ./tools/cmd/probetarget) || die "cannot build tools/cmd/probetarget"
fi
note "flashbackd  $BIN (version ${version:-unknown})"
note "probetarget $PT_BIN (a stand-in storage server speaking the probe protocol)"

# A previous run may have been killed hard: stop what it left, then start clean.
if [ -d "$DIR/demo-pids" ]; then
  for f in "$DIR"/demo-pids/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if grep -q probetarget "/proc/$pid/cmdline" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
fi
[ ! -d "$DIR/pids" ] || LOCALNET_DIR=$DIR FLASHBACKD_BIN=$BIN bash "$ROOT/scripts/localnet.sh" stop >/dev/null 2>&1 || true
rm -rf "$DIR"
for p in "$PROBE_PORT" $((PROBE_PORT + 1)); do
  if port_in_use "$p"; then die "port $p is in use; stop what holds it or set DEMO_PROBE_PORT"; fi
done

# ------------------------------------------------------------------- chain --

heading "2. A one-validator chain"
mkdir -p "$DIR"
STARTED=1
# No provider node: this demo drives the provider account by hand (scripts/demo-storage.sh shows the node).
if ! PROVIDER_NODE=0 N=1 LOCALNET_DIR=$DIR BASE_PORT=$BASE_PORT CHAIN_ID=$CHAIN_ID FLASHBACKD_BIN=$BIN START_TIMEOUT=180 \
  GENESIS_PATCH=$GENESIS_PATCH bash "$ROOT/scripts/localnet.sh" start >"$DIR.start.log" 2>&1; then
  cat "$DIR.start.log" >&2
  rm -f "$DIR.start.log"
  die "the localnet did not start"
fi
mv "$DIR.start.log" "$DIR/logs/localnet-start.log"
mkdir -p "$DIR/demo-pids"
: >"$LOG"

oracle_enabled=$(awk '/^\[oracle\]/ {s = 1; next} /^\[/ {s = 0} s && $1 == "enabled" {print $3}' "$HOME0/config/app.toml")
probe_interval=$(awk '/^\[oracle\]/ {s = 1; next} /^\[/ {s = 0} s && $1 == "probe-interval" {gsub(/"/, "", $3); print $3}' "$HOME0/config/app.toml")
[ "$oracle_enabled" = true ] || die "the validator's prober is off ([oracle] enabled = $oracle_enabled in $HOME0/config/app.toml)"
# The demo's storage servers listen on 127.0.0.1, which a prober refuses to
# reach unless the node allows private endpoints (the localnet's app.toml does).
allow_private=$(awk '/^\[oracle\]/ {s = 1; next} /^\[/ {s = 0} s && $1 == "allow-private-endpoints" {print $3}' "$HOME0/config/app.toml")
[ "$allow_private" = true ] || die "the validator's prober may not probe 127.0.0.1 ([oracle] allow-private-endpoints = $allow_private in $HOME0/config/app.toml)"

ORCH=$(q orchestrator params | jq -c .params)
REP=$(q reputation params | jq -c .params)
ORA=$(q oracle params | jq -c .params)
WINDOW=$(jq -r .window_blocks <<<"$ORA")
CRIT_DOWN=$(jq -r .critical_downtime_per_day <<<"$ORCH") # a proto JSON duration: 3600s
SLASH_PCT=$(dec_pct "$(jq -r .critical_slash_rate <<<"$ORCH")")
POOL_PCT=$(dec_pct "$(jq -r .slash_pool_share <<<"$ORCH")")
TERM_COUNT=$(jq -r .critical_termination_count <<<"$ORCH")
MARGIN_BPS=$(jq -r .exceed_margin_bps <<<"$ORCH")

note "chain $CHAIN_ID at height $(fb status --node "$NODE" | jq -r .sync_info.latest_block_height), RPC $NODE, REST $REST"
note "genesis patch for a quick demo: SLA and reward epochs = the x/epochs \"$(jq -r .sla_epoch_identifier <<<"$ORCH")\" epoch (default: day),"
note "  oracle windows of $WINDOW blocks, QoS summary buckets of $(jq -r .summary_bucket_duration <<<"$ORA"), ratings public from $(jq -r .min_public_ratings <<<"$REP") (default 10)"
note "the validator runs the prober (app.toml [oracle] enabled = true, a check of each unit every $probe_interval)"
note "test accounts (keyring-backend test, home $HOME0): provider, consumer, validator, spare"
PROVIDER=$(fb keys show provider -a --keyring-backend test)
CONSUMER=$(fb keys show consumer -a --keyring-backend test)

# --------------------------------------------------------- storage servers --

heading "3. Two stand-in storage servers"
start_target() { # name port
  "$PT_BIN" --listen "127.0.0.1:$2" --latency 20ms >"$DIR/logs/probetarget-$1.log" 2>&1 &
  PT_PIDS+=("$!")
  echo "$!" >"$DIR/demo-pids/probetarget-$1.pid"
}
start_target healthy "$PROBE_PORT"
start_target failing $((PROBE_PORT + 1))
target_up() { curl -fsS "$1/_control" >/dev/null 2>&1; }
wait_until "the storage servers to listen" 60 target_up "$HEALTHY"
wait_until "the storage servers to listen" 60 target_up "$FAILING"
curl -fsS -X POST -d '{"failure_bps":10000}' "$FAILING/_control" >/dev/null
note "healthy  $HEALTHY  answers pings, 256 KiB downloads and uploads after 20 ms"
note "failing  $FAILING  the same server, broken through its control endpoint:"
note "         curl -X POST -d '{\"failure_bps\":10000}' $FAILING/_control"
note "         → $(curl -fsS "$FAILING/_control" | jq -c .)  (every request answered with HTTP 500)"

# ----------------------------------------------------------------- provider --

heading "4. A provider offers two data units (x/orchestrator)"
tx provider orchestrator register-provider "Acme Storage" "${BOND}uflash" --country FR --website https://acme.example
note "provider $PROVIDER registers \"Acme Storage\" with a $(flash "$BOND") FLASH bond"
note "  (at least $(flash "$(jq -r .min_provider_bond.amount <<<"$ORCH")") FLASH; it can be slashed when the provider fails its SLA)"
tx provider orchestrator create-data-unit "$CAPACITY" "$PRICE" eu-west FR s3 "$HEALTHY/unit1" --sla "$SLA"
tx provider orchestrator create-data-unit "$CAPACITY" "$PRICE" eu-west FR s3 "$FAILING/unit2" --sla "$SLA"
for id in 1 2; do
  q orchestrator data-unit "$id" | jq -r '.data_unit | "   unit \(.id)  \(.capacity_gb) GB  \(.region)/\(.country)  \(.api | sub("API_COMPATIBILITY_"; "") | ascii_downcase)  \(.endpoint)  \(.state | sub("DATA_UNIT_STATE_"; ""))"'
done
note "price $(flash "$PRICE") FLASH per GB-month; each unit pays a $(flash "$(jq -r .unit_submission_fee.amount <<<"$ORCH")") FLASH submission fee to the community pool"
note "offered SLA: latency ≤ 200 ms, upload and download ≥ 1 Mbps, uptime ≥ 99.00%, errors ≤ 1.00%"

# ----------------------------------------------------------------- consumer --

heading "5. A consumer reserves $DEAL_GB GB on each unit for $DEAL_TERM"
tx consumer orchestrator register-consumer
tx consumer orchestrator request-deal 1 "$DEAL_GB" "$DEAL_TERM" "$DEPOSIT" --sla "$SLA"
tx consumer orchestrator request-deal 2 "$DEAL_GB" "$DEAL_TERM" "$DEPOSIT" --sla "$SLA"
CONSUMER_BEFORE=$(q bank balance "$CONSUMER" uflash | jq -r .balance.amount)
tx provider orchestrator accept-deal 1
tx provider orchestrator accept-deal 2
for id in 1 2; do
  read -r unit state since gb term deposited per_day < <(q orchestrator deal "$id" | jq -r '[.deal.unit_id,
    (.deal.state | sub("DEAL_STATE_"; "")), .deal.start_time[11:19], .deal.capacity_gb, .deal.term, .deal.deposited,
    .escrow.rate_per_day] | @tsv')
  note "deal $id on unit $unit: requested by the consumer, accepted by the provider → $state since $since"
  note "  $gb GB for $term, $(flash "$deposited") FLASH in escrow, paid to the provider as it accrues: $(flash "$per_day") FLASH a day"
done
note "the consumer requires the same SLA as the units offer (request-deal --sla)"

# ------------------------------------------------------------------- oracle --

heading "6. The validators measure the units (x/oracle)"
note "Every $WINDOW blocks (a window) the chain assigns the live units to probe. Each validator's prober"
note "pings every unit, downloads and uploads a 256 KiB object, and reports latency, throughput, uptime"
note "and error rate in its vote extension at the window's last block. The next block keeps, per unit"
note "and metric, the stake-weighted median of the reports — if validators with ≥ 2/3 of the power reported."
has_record() { q oracle latest-qos "$1" >/dev/null 2>&1; }
wait_until "an agreed QoS record for unit 1" 120 has_record 1
wait_until "an agreed QoS record for unit 2" 120 has_record 2
note "$(q oracle assignment | jq -r '"window \(.assignment.window) (heights \(.assignment.start_height)–\(.assignment.end_height)) probes units \([.assignment.units[].unit_id] | join(", "))"')"
printf '   %-5s %-7s %-8s %-11s %-11s %-8s %-8s %s\n' unit window latency download upload uptime errors reporters
for id in 1 2; do
  read -r w lat down up upt err rep pw tot < <(q oracle latest-qos "$id" | jq -r '.record |
    [.window, (.latency_ms // 0), (.download_kbps // 0), (.upload_kbps // 0), (.uptime_bps // 0),
     (.error_rate_bps // 0), (.reporters // 0), (.reporting_power // 0), (.total_power // 0)] | @tsv')
  printf '   %-5s %-7s %-8s %-11s %-11s %-8s %-8s %s\n' "$id" "$w" "$([ "$lat" -gt 0 ] && echo "$lat ms" || echo -)" \
    "$([ "$down" -gt 0 ] && mbps "$down" || echo -)" "$([ "$up" -gt 0 ] && mbps "$up" || echo -)" "$(pct "$upt")" "$(pct "$err")" "$rep validator(s), $((pw * 100 / tot))% of the power"
done
note "(flashbackd q oracle latest-qos 1 · qos-history 1 · qos-summary 1h --unit-id 1 · reporter-stats)"

# ---------------------------------------------------------------- SLA epochs --

heading "7. SLA epochs (x/orchestrator → x/reputation)"
note "When an epoch ends, the chain averages each unit's agreed QoS records of the epoch and judges"
note "  · every running deal against the SLA its consumer requires → refunds, termination;"
note "  · every unit by the worst of its deals' verdicts (without deals: against the SLA it offers,"
note "    tightened to the reference SLA) → its reputation score, and a slash on CRITICAL."
note "EXCEEDED (every metric better by $(pct "$MARGIN_BPS")) +$(jq -r .delta_exceeded <<<"$REP") · MET +$(jq -r .delta_met <<<"$REP") · MISSED $(jq -r .delta_missed <<<"$REP") · CRITICAL (more than $CRIT_DOWN of downtime a day) $(jq -r .delta_critical <<<"$REP")"
note "MISSED/CRITICAL deal: the consumer gets back (100 − unit score)% of what the deal paid in the epoch."
note "CRITICAL unit: $SLASH_PCT% of the provider's bond is slashed ($POOL_PCT% to the reward pool, the rest burned);"
note "  $TERM_COUNT CRITICAL epochs in a row terminate the deal."
note "(flashbackd q orchestrator unit-verdicts 2 · deal-verdicts 2)"

epoch_start_secs() { # the current minute epoch's start, unix seconds
  q epochs epoch-infos | jq -r '.epochs[] | select(.identifier == "minute") | .current_epoch_start_time | sub("\\.[0-9]+"; "") | fromdateiso8601'
}
unit_verdict() { # unit epoch → the verdict JSON, or nothing
  q orchestrator unit-verdicts "$1" | jq -c --arg e "$2" '.verdicts[]? | select(.epoch == $e)'
}
deal_verdict() { # deal epoch → the verdict JSON, or nothing
  q orchestrator deal-verdicts "$1" | jq -c --arg e "$2" '.verdicts[]? | select(.epoch == $e)'
}
first_unit_epoch() { q orchestrator unit-verdicts 2 | jq -r '.verdicts[0].epoch // empty'; }
round_done() { [ -n "$(unit_verdict 1 "$1")" ] && [ -n "$(unit_verdict 2 "$1")" ]; }
short() { sed -E 's/^SLA_VERDICT_//' <<<"$1"; }

print_unit() { # verdict-json
  local v=$1 id verdict rec lat down up upt err before after slashed to_pool
  read -r id verdict rec lat down up upt err before after slashed to_pool < <(jq -r '[.unit_id, .verdict, (.qos.records // 0),
    (.qos.latency_ms // 0), (.qos.download_kbps // 0), (.qos.upload_kbps // 0), (.qos.uptime_bps // 0),
    (.qos.error_rate_bps // 0), (.score_before // 0), (.score_after // 0), (.slashed // "0"), (.slashed_to_pool // "0")] | @tsv' <<<"$v")
  verdict=$(short "$verdict")
  case $verdict in
    UNKNOWN) printf '   unit %s  %-8s  no agreed QoS in the epoch: score stays %s\n' "$id" "$verdict" "$after" ;;
    CRITICAL)
      printf '   unit %s  %-8s  uptime %s (more than %s down a day), errors %s → score %s → %s; bond slashed %s FLASH (%s to the pool, %s burned)\n' \
        "$id" "$verdict" "$(pct "$upt")" "$CRIT_DOWN" "$(pct "$err")" "$before" "$after" \
        "$(flash "$slashed")" "$(flash "$to_pool")" "$(flash $((slashed - to_pool)))" ;;
    *)
      printf '   unit %s  %-8s  uptime %s, latency %s ms, down %s, up %s, errors %s → score %s → %s\n' \
        "$id" "$verdict" "$(pct "$upt")" "$lat" "$(mbps "$down")" "$(mbps "$up")" "$(pct "$err")" "$before" "$after" ;;
  esac
}

print_deal() { # deal-id epoch
  local v id verdict pay score refund from_bond row streak
  v=$(deal_verdict "$1" "$2")
  if [ -z "$v" ]; then
    printf '   deal %s  not running in this epoch\n' "$1"
    return
  fi
  read -r id verdict pay score refund from_bond < <(jq -r '[.deal_id, .verdict, (.epoch_payment // "0"), (.unit_score // 0),
    (.refund // "0"), (.refund_from_bond // "0")] | @tsv' <<<"$v")
  verdict=$(short "$verdict")
  case $verdict in
    MISSED | CRITICAL)
      streak=$(q orchestrator deal-verdicts "$1" | jq --arg e "$2" '[.verdicts[] | select((.epoch | tonumber) <= ($e | tonumber)) | .verdict]
        | reverse | (map(. == "SLA_VERDICT_CRITICAL") | index(false)) // length')
      row="paid $(flash "$pay") FLASH in the epoch → refund (100 − $score)% = $(flash "$refund") FLASH to the consumer"
      [ "$from_bond" = 0 ] || row="$row ($(flash "$from_bond") from the bond)"
      [ "$verdict" != CRITICAL ] || row="$row; CRITICAL $streak in a row" ;;
    *) row="paid $(flash "$pay") FLASH in the epoch, no refund" ;;
  esac
  printf '   deal %s  %-8s  %s\n' "$id" "$verdict" "$row"
}

EPOCH=
have_first() { EPOCH=$(first_unit_epoch); [ -n "$EPOCH" ]; }
have_first || note "waiting for the current epoch to end (in $(($(epoch_start_secs) + 60 - $(date +%s)))s)…"
wait_until "the first SLA verdicts" 200 have_first
LAST_EPOCH=$((EPOCH + TERM_COUNT + 3))
while :; do
  wait_until "the SLA verdicts of epoch $EPOCH" 200 round_done "$EPOCH"
  u1=$(unit_verdict 1 "$EPOCH")
  u2=$(unit_verdict 2 "$EPOCH")
  printf '\n   Epoch %s ended at %s (%s QoS records of unit 1, %s of unit 2):\n' "$EPOCH" "$(jq -r .time[11:19] <<<"$u1")" \
    "$(jq -r '.qos.records // 0' <<<"$u1")" "$(jq -r '.qos.records // 0' <<<"$u2")"
  print_unit "$u1"
  print_unit "$u2"
  print_deal 1 "$EPOCH"
  print_deal 2 "$EPOCH"
  deal2=$(q orchestrator deal 2 | jq -c .deal)
  if [ "$(jq -r .state <<<"$deal2")" = DEAL_STATE_CLOSED ]; then
    printf '   deal 2  closed: %s → the unused escrow, %s FLASH, went back to the consumer\n' \
      "$(jq -r '.close_reason | sub("CLOSE_REASON_"; "")' <<<"$deal2")" "$(flash "$(jq -r .refunded <<<"$deal2")")"
    break
  fi
  [ "$EPOCH" -lt "$LAST_EPOCH" ] || die "deal 2 was not terminated by epoch $EPOCH"
  EPOCH=$((EPOCH + 1))
  printf '   … next epoch ends in %ss\n' "$(($(epoch_start_secs) + 60 - $(date +%s)))"
done

# ------------------------------------------------------------------- money --

heading "8. Where the money went (state at one height)"
H=$(fb status --node "$NODE" | jq -r .sync_info.latest_block_height)
qh() { q "$@" --height "$H"; }
CONSUMER_AFTER=$(qh bank balance "$CONSUMER" uflash | jq -r .balance.amount)
DEALS=$(for id in 1 2; do qh orchestrator deal "$id" | jq -c .deal; done | jq -sc .)
UV=$(for id in 1 2; do qh orchestrator unit-verdicts "$id" | jq -c '.verdicts[]?'; done | jq -sc .)
DV=$(for id in 1 2; do qh orchestrator deal-verdicts "$id" | jq -c '.verdicts[]?'; done | jq -sc .)
PROVIDER_BOND=$(qh orchestrator provider "$PROVIDER" | jq -r .provider.bond)
POOL=$(qh reputation reward-pool | jq -c .pool)

sum() { jq -r "[$1 | tonumber] | add // 0"; }
SLA_REFUNDS=$(sum '.[] | .sla_refunded // "0"' <<<"$DEALS")
ESCROW_BACK=$(sum '.[] | .refunded // "0"' <<<"$DEALS")
SLASHED=$(sum '.[] | .slashed // "0"' <<<"$UV")
SLASHED_TO_POOL=$(sum '.[] | .slashed_to_pool // "0"' <<<"$UV")
REFUND_FROM_BOND=$(sum '.[] | .refund_from_bond // "0"' <<<"$DV")
CONSUMER_DELTA=$((CONSUMER_AFTER - CONSUMER_BEFORE))
POOL_BALANCE=$(jq -r '.balance // "0"' <<<"$POOL")

note "at height $H:"
note "consumer balance  $(flash "$CONSUMER_BEFORE") → $(flash "$CONSUMER_AFTER") FLASH (+$(flash "$CONSUMER_DELTA"))"
note "                  = SLA refunds $(flash "$SLA_REFUNDS") + escrow returned on termination $(flash "$ESCROW_BACK")"
jq -r '.[] | [.id, (.state | sub("DEAL_STATE_"; "")), .accrued, (.clawed_back // "0")] | @tsv' <<<"$DEALS" |
  while IFS=$'\t' read -r id state accrued clawed; do
    note "deal $id ($state): the provider earned $(flash "$accrued") FLASH, of which $(flash "$clawed") went back as SLA refunds"
  done
note "provider bond     $(flash "$BOND") → $(flash "$PROVIDER_BOND") FLASH: slashed $(flash "$SLASHED") over $(jq '[.[] | select(.verdict == "SLA_VERDICT_CRITICAL")] | length' <<<"$UV") CRITICAL unit epochs"
note "reward pool       $(flash "$POOL_BALANCE") FLASH (its share of the slashes: $(flash "$SLASHED_TO_POOL")); last reward round, epoch $(jq -r '.last_epoch // 0' <<<"$POOL"):"
note "                  due $(flash "$(jq -r '.last_due // 0' <<<"$POOL")"), paid $(flash "$(jq -r '.last_paid // 0' <<<"$POOL")"), penalties $(flash "$(jq -r '.last_penalties // 0' <<<"$POOL")") FLASH"

# --------------------------------------------------------------- reputation --

heading "9. Reputation (x/reputation)"
SCORES=()
for id in 1 2; do
  SCORES+=("$(q reputation unit-score "$id" | jq -r .score.score)")
  q reputation unit-score "$id" | jq -r --arg b "$(jq -r .baseline_score <<<"$REP")" \
    '.score | "   unit \(.unit_id) score \(.score): from the baseline \($b), \(.verdicts) verdicts (last epoch \(.last_epoch))"'
done
tx consumer reputation rate-provider 1 5 --comment "fast and reliable"
tx consumer reputation rate-provider 2 1 --comment "unit 2 never answered"
note "the consumer rates the provider, once per deal (tx reputation rate-provider DEAL STARS --comment …):"
q reputation ratings "$PROVIDER" | jq -r '.ratings[] | "     deal \(.deal_id): \([range(.stars)] | map("★") | join(""))\([range(5 - .stars)] | map("☆") | join(""))  \"\(.comment)\""'
PS=$(q reputation provider-score "$PROVIDER")
OW=$(jq -r '.objective_weight | tonumber' <<<"$REP")
CW=$(jq -r '.community_weight | tonumber' <<<"$REP")
read -r objective community count public overall rank < <(jq -r '[.score.objective, (.score.community_score // 0),
  (.score.community.count // "0"), (.score.community_public // false), .score.overall, .rank] | @tsv' <<<"$PS")
note "provider $PROVIDER:"
note "  objective $objective = the mean of its units' scores ($(IFS=+; echo "${SCORES[*]}" | sed 's/+/ + /g')) / ${#SCORES[@]}"
note "  community $community = its average stars × 20 over $count ratings (recent ones weigh $(jq -r '.recent_rating_weight | tonumber' <<<"$REP")×,"
note "    verified consumers' $(jq -r '.verified_rating_weight | tonumber' <<<"$REP")×); it counts once there are $(jq -r .min_public_ratings <<<"$REP") ratings (public: $public)"
if [ "$public" = true ]; then
  note "  overall $overall = $OW × $objective + $CW × $community, rank $rank"
else
  note "  overall $overall = the objective score alone until the community score is public, rank $rank"
fi
note "  badges: $(jq -r 'if (.badges // []) == [] then "none yet" else (.badges | join(", ")) end' <<<"$PS");" \
  "overall after each epoch: $(jq -r '[.history[]? | "\(.epoch) → \(.overall)"] | join(", ")' <<<"$PS")"
note "leaderboard (q reputation leaderboard):"
q reputation leaderboard | jq -r '.entries[] | "     #\(.rank)  \(.provider)  overall \(.overall)"'
note "Every reward epoch (here: every minute, after the SLA round) the pool pays providers by band, as a"
note "yearly rate on their bond — it never mints: $(jq -r '[.reward_bands[] | "\(.min_score // 0)–\(.max_score // 0): \((.rate | tonumber) * 100 | round)%"] | join(" · ")' <<<"$REP")"
note "(negative: the provider pays into the pool). Overall $overall: $(jq -r --argjson o "$overall" \
  '[.reward_bands[] | select($o >= (.min_score // 0) and $o <= (.max_score // 0)) | "\((.rate | tonumber) * 100 | round)% a year"] | first // "no band, so neither reward nor penalty"' <<<"$REP")."
note "(flashbackd q reputation unit-score 1 · provider-score ADDRESS · ratings ADDRESS · leaderboard · reward-pool)"

# -------------------------------------------------------------- marketplace --

heading "10. The marketplace (flashbackd q orchestrator data-units; REST: $REST/flashback/orchestrator/v1/data_units)"
MARKET=$(q orchestrator data-units --api-compatibility s3)
note "units that take new deals, ranked by priority fee (burned to rank higher), then reputation, then id:"
printf '     %-4s %-4s %-12s %-10s %-7s %s\n' rank unit priority-fee reputation free-GB endpoint
# The CLI's JSON leaves out fields at their zero value, hence the defaults.
jq -r '.data_units | to_entries[] | [(.key + 1), .value.id, (.value.priority_fee // "0"), (.value.reputation // 0),
  ((.value.capacity_gb // "0" | tonumber) - (.value.allocated_gb // "0" | tonumber)), .value.endpoint] | @tsv' <<<"$MARKET" |
  while IFS=$'\t' read -r rank id fee rep free endpoint; do
    printf '     %-4s %-4s %-12s %-10s %-7s %s\n' "$rank" "$id" "$(flash "$fee")" "$rep" "$free" "$endpoint"
  done

# ------------------------------------------------------------------- checks --

heading "11. Checks"
check "unit 2 (failing server) got a CRITICAL verdict and a slash" \
  jq -e '[.[] | select(.unit_id == "2" and .verdict == "SLA_VERDICT_CRITICAL" and ((.slashed // "0") | tonumber) > 0)] | length > 0' <<<"$UV"
check "unit 1 (healthy server) met or exceeded its SLA and was never MISSED or CRITICAL" \
  jq -e '[.[] | select(.unit_id == "1") | .verdict] | (any(. == "SLA_VERDICT_MET" or . == "SLA_VERDICT_EXCEEDED")) and
    (all(. != "SLA_VERDICT_MISSED" and . != "SLA_VERDICT_CRITICAL"))' <<<"$UV"
check "deal 2 was refunded and terminated after $TERM_COUNT CRITICAL epochs" \
  jq -e '.[1] | ((.sla_refunded // "0") | tonumber) > 0 and .close_reason == "CLOSE_REASON_SLA_TERMINATION"' <<<"$DEALS"
check "deal 1 runs on without refunds" \
  jq -e '.[0] | .state == "DEAL_STATE_ACTIVE" and ((.sla_refunded // "0") | tonumber) == 0' <<<"$DEALS"
check "the consumer's balance rose by exactly the SLA refunds plus the returned escrow" \
  test "$CONSUMER_DELTA" -eq $((SLA_REFUNDS + ESCROW_BACK))
check "the provider's bond lost exactly the slashes and the refunds taken from it" \
  test "$PROVIDER_BOND" -eq $((BOND - SLASHED - REFUND_FROM_BOND))
check "the reward pool holds its share of the slashes" \
  test "$POOL_BALANCE" -eq "$SLASHED_TO_POOL" -a "$POOL_BALANCE" -gt 0
check "unit 1 scores higher than unit 2 and ranks first in the marketplace" \
  jq -e '[.data_units[] | select(.id == "1" or .id == "2")] | .[0].id == "1" and ((.[0].reputation // 0) > (.[1].reputation // 0))' <<<"$MARKET"
check "both ratings are recorded" \
  test "$(q reputation ratings "$PROVIDER" | jq '.ratings | length')" -eq 2

elapsed=$((SECONDS - START))
if [ "$FAILED_CHECKS" -gt 0 ]; then
  die "$FAILED_CHECKS check(s) failed (after $((elapsed / 60))m$((elapsed % 60))s)"
fi
printf '\nDemo passed in %dm%02ds. Logs: %s\n' $((elapsed / 60)) $((elapsed % 60)) "$DIR/logs"
