#!/usr/bin/env bash
# Regenerates the Go code (gogoproto + grpc-gateway v1) and the merged OpenAPI
# spec from proto/flashback, offline: the Buf Schema Registry is never
# contacted. Include roots come from the Go module cache; the generator
# plugins are built into .tools/bin at pinned versions.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

BIN="$ROOT/.tools/bin"
DEPS="$ROOT/.proto-deps"
OUT="$ROOT/.proto-gen"
mkdir -p "$BIN"
export PATH="$BIN:$PATH"

install_tool() { # binary  go-install-target
  if [ ! -x "$BIN/$1" ]; then
    echo "installing $2"
    GOBIN="$BIN" GOFLAGS=-mod=mod go install "$2"
  fi
}
install_tool buf github.com/bufbuild/buf/cmd/buf@v1.75.0
install_tool protoc-gen-gocosmos github.com/cosmos/gogoproto/protoc-gen-gocosmos@v1.7.2
install_tool protoc-gen-grpc-gateway github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@v1.16.0
install_tool protoc-gen-openapiv2 github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@v2.33.0

moddir() { go mod download "$1" && go list -m -f '{{.Dir}}' "$1"; }
SDK=$(moddir github.com/cosmos/cosmos-sdk)
COSMOS_PROTO=$(moddir github.com/cosmos/cosmos-proto)
GOGO=$(moddir github.com/cosmos/gogoproto)
GATEWAY=$(moddir github.com/grpc-ecosystem/grpc-gateway)

# Copy only .proto files of the include roots (buf rejects absolute module
# paths and the module cache is read-only).
rm -rf "$DEPS" "$OUT"
copy_protos() { # src dst
  (cd "$1" && find . -name '*.proto' -print0 | xargs -0 -I{} install -D -m 0644 {} "$2/{}")
}
copy_protos "$SDK/proto" "$DEPS/cosmos-sdk"
copy_protos "$COSMOS_PROTO/proto" "$DEPS/cosmos-proto"
install -D -m 0644 "$GOGO/gogoproto/gogo.proto" "$DEPS/gogoproto/gogoproto/gogo.proto"
copy_protos "$GATEWAY/third_party/googleapis" "$DEPS/googleapis"

buf generate --template proto/buf.gen.yaml --path proto/flashback

# Move the Go files to where their go_package says they belong.
cp -r "$OUT/go/github.com/flashbacknetwork/flashbackd/." "$ROOT/"

# One OpenAPI spec for everything the node's REST server answers: the
# Flashback modules and the SDK services app.RegisterAPIRoutes registers
# (docs/openapi/gen checks the list against the app and finishes the file:
# title, version, unique operation ids). Served by the node under /swagger/.
SDK_REST_PROTOS=(
  cosmos/auth/v1beta1/query.proto cosmos/authz/v1beta1/query.proto cosmos/bank/v1beta1/query.proto
  cosmos/base/node/v1beta1/query.proto cosmos/base/tendermint/v1beta1/query.proto cosmos/consensus/v1/query.proto
  cosmos/distribution/v1beta1/query.proto cosmos/epochs/v1beta1/query.proto cosmos/evidence/v1beta1/query.proto
  cosmos/feegrant/v1beta1/query.proto cosmos/gov/v1/query.proto cosmos/gov/v1beta1/query.proto
  cosmos/mint/v1beta1/query.proto cosmos/slashing/v1beta1/query.proto cosmos/staking/v1beta1/query.proto
  cosmos/tx/v1beta1/service.proto cosmos/upgrade/v1beta1/query.proto
)
paths=(--path proto/flashback)
for p in "${SDK_REST_PROTOS[@]}"; do paths+=(--path ".proto-deps/cosmos-sdk/$p"); done
buf generate --template proto/buf.gen.openapi.yaml "${paths[@]}"
go run ./docs/openapi/gen "$OUT/openapi/flashbackd.swagger.json" "$ROOT/docs/openapi/openapi.json"

rm -rf "$OUT"
echo "proto generation done"
