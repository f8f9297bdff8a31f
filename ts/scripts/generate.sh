#!/usr/bin/env bash
# Regenerates src/generated (ts-proto) from ../proto, offline: the include
# roots are the ones scripts/protocgen.sh copies from the Go module cache,
# buf is the project's pinned one, ts-proto comes from node_modules.
set -euo pipefail
TS=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$TS/.." && pwd)
cd "$ROOT"
[ -x ts/node_modules/.bin/protoc-gen-ts_proto ] || { echo "run npm ci in ts/ first" >&2; exit 1; }
[ -d .proto-deps/cosmos-sdk ] && [ -x .tools/bin/buf ] || bash scripts/protocgen.sh
rm -rf ts/src/generated
# Our protos and the SDK types they use (the rest of their imports only
# carry options: gogoproto, amino, cosmos_proto, google.api).
.tools/bin/buf generate --template ts/buf.gen.ts.yaml --path proto/flashback \
  --path .proto-deps/cosmos-sdk/cosmos/base/v1beta1/coin.proto \
  --path .proto-deps/cosmos-sdk/cosmos/base/query/v1beta1/pagination.proto
# Files that only declare options (gogoproto, amino, cosmos_proto, google.api
# and descriptor.proto) are imported by nothing generated.
rm -rf ts/src/generated/gogoproto ts/src/generated/amino ts/src/generated/cosmos_proto ts/src/generated/google/api \
  ts/src/generated/google/protobuf/descriptor.ts ts/src/generated/cosmos/msg
echo "ts-proto generation done"
