#!/usr/bin/env bash
# Runs the TypeScript end-to-end tests against a fresh single-validator
# localnet of its own (ports from BASE_PORT, default 28600, and its own
# folder, so that it never meets a localnet a developer runs), then stops it.
set -euo pipefail
TS=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$TS/.." && pwd)
BIN=${FLASHBACKD_BIN:-$ROOT/build/flashbackd}
export BASE_PORT=${BASE_PORT:-28600}
export LOCALNET_DIR=${LOCALNET_DIR:-$ROOT/.localnet-ts}
# The test registers its own provider and units: no provider node.
export PROVIDER_NODE=0
export CHAIN_ID=flashback-local-1
export FLASHBACKD_BIN=$BIN

trap 'bash "$ROOT/scripts/localnet.sh" stop >/dev/null' EXIT
bash "$ROOT/scripts/localnet.sh" start >/dev/null

HOME0=$LOCALNET_DIR/homes/node0
key() { echo y | "$BIN" keys export "$1" --unarmored-hex --unsafe --keyring-backend test --home "$HOME0" 2>/dev/null; }
export FLASHBACK_RPC=http://127.0.0.1:$((BASE_PORT + 1))
export FLASHBACK_REST=http://127.0.0.1:$((BASE_PORT + 3))
export FLASHBACK_METRICS=http://127.0.0.1:$((BASE_PORT + 5))/metrics
export FLASHBACK_CHAIN_ID=$CHAIN_ID
FLASHBACK_PROVIDER_KEY=$(key provider)
FLASHBACK_CONSUMER_KEY=$(key consumer)
export FLASHBACK_PROVIDER_KEY FLASHBACK_CONSUMER_KEY

cd "$TS"
node --test --test-concurrency=1 dist/test/e2e/
