package keeper

import "github.com/flashbacknetwork/flashbackd/x/reputation/types"

// msgServer implements types.MsgServer. Each message group lives in its own
// file (msg_server_<group>.go).
type msgServer struct {
	k Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the module's Msg service implementation.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{k: k}
}
