package keeper

import "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"

// msgServer implements types.MsgServer. Each message group lives in its own
// file (msg_server_<group>.go). Handlers check a message against state
// only: its ValidateBasic has run before, in baseapp and in the SDK's
// message router, which runs it for every message it dispatches (a
// transaction's, and those x/authz and x/gov carry).
type msgServer struct {
	k Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the module's Msg service implementation.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{k: k}
}
