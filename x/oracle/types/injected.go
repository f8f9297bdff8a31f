package types

import (
	"context"

	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"cosmossdk.io/x/tx/signing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
)

// MsgInjectVoteExtensions has no signer: the proposer injects it and nobody
// signs it. Its signers are declared by DefineInjectedSigners instead of a
// cosmos.msg.v1.signer option, which would name an address field.

// DefineInjectedSigners declares in opts that MsgInjectVoteExtensions has no
// signers. The app's interface registry must be built with it, or no node can
// decode the transaction that carries it.
func DefineInjectedSigners(opts *signing.Options) {
	name := protoreflect.FullName(proto.MessageName(&MsgInjectVoteExtensions{}))
	opts.DefineCustomGetSigners(name, func(protov2.Message) ([][]byte, error) { return nil, nil })
}

// injectedTxKey marks the context of the block's injected transaction.
type injectedTxKey struct{}

// WithInjectedTx marks ctx as executing the block's injected transaction;
// the ante handler sets it once it has admitted that transaction.
func WithInjectedTx(ctx sdk.Context) sdk.Context { return ctx.WithValue(injectedTxKey{}, true) }

// IsInjectedTx reports whether ctx executes the block's injected transaction.
func IsInjectedTx(ctx context.Context) bool {
	marked, _ := sdk.UnwrapSDKContext(ctx).Value(injectedTxKey{}).(bool)
	return marked
}
