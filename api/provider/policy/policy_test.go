package policy

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/flashbacknetwork/flashbackd/app"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

const (
	alice = "flash1alice"
	bob   = "flash1bob"
)

// okRequest passes every rule of okPolicy.
func okRequest() Request {
	return Request{
		DealID: 7, UnitID: 3, Consumer: alice, CapacityGB: 10, PricePerGBMonth: sdkmath.NewInt(20_000),
		ConsumerVerified: true, ConsumerHasKey: true, Room: 100 * GB, RoomKnown: true,
	}
}

func okPolicy() Policy {
	return Policy{MinPricePerGBMonth: sdkmath.NewInt(20_000), MarginBytes: 5 * GB, VerifiedOnly: true,
		Allow: map[string]bool{alice: true}, Deny: map[string]bool{bob: true}}
}

// TestDecideEveryRuleBothWays: each rule declines the request that breaks
// it, with its code and a reason that says which rule, and the same request
// with that one thing fixed is accepted.
func TestDecideEveryRuleBothWays(t *testing.T) {
	cases := []struct {
		name          string
		policy        func(*Policy)
		breakIt       func(*Request)
		code, mention string
	}{
		{"deny list", func(p *Policy) { p.Allow = nil }, func(r *Request) { r.Consumer = bob }, CodeDenied, bob},
		{"allow list", nil, func(r *Request) { r.Consumer = "flash1carol" }, CodeNotAllowed, "allow list"},
		{"verified only", nil, func(r *Request) { r.ConsumerVerified = false }, CodeUnverified, "verified consumers only"},
		{"access key", nil, func(r *Request) { r.ConsumerHasKey = false }, CodeNoAccessKey, "no access key"},
		{"price floor", nil, func(r *Request) { r.PricePerGBMonth = sdkmath.NewInt(19_999) }, CodePrice, "below the provider's floor of 20000"},
		{"room for capacity and margin", nil, func(r *Request) { r.Room = 15*GB - 1 }, CodeCapacity, "room for 14.9 GB, not 10 GB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := okPolicy()
			if tc.policy != nil {
				tc.policy(&p)
			}
			app.SetConfig()
			provider, err := bech32.ConvertAndEncode(app.Bech32Prefix, make([]byte, 20))
			require.NoError(t, err)
			good := okRequest()
			d := p.Decide(good)
			require.True(t, d.Accept, d.Reason)
			require.Equal(t, CodeAccepted, d.Code)

			bad := okRequest()
			tc.breakIt(&bad)
			d = p.Decide(bad)
			require.False(t, d.Accept)
			require.Equal(t, tc.code, d.Code)
			require.Contains(t, d.Reason, tc.mention)
			// The reason goes on chain in MsgDeclineDeal.
			require.NoError(t, (&orchestratortypes.MsgDeclineDeal{
				Provider: provider, DealId: 1, Reason: d.Reason,
			}).ValidateBasic(), "reason %q", d.Reason)
		})
	}
}

// TestDecideBoundaries: the floor and the room are inclusive, and an
// unmeasured room (an s3 unit without a cap) is not a reason to decline.
func TestDecideBoundaries(t *testing.T) {
	p := okPolicy()
	r := okRequest()
	r.PricePerGBMonth = sdkmath.NewInt(20_000)
	r.Room = 15 * GB // 10 GB + 5 GB margin, exactly
	require.True(t, p.Decide(r).Accept)

	r.Room, r.RoomKnown = 0, false
	require.True(t, p.Decide(r).Accept, "room unknown")

	// An empty policy takes anyone with an access key, at any price.
	var open Policy
	r = okRequest()
	r.ConsumerVerified, r.PricePerGBMonth, r.Consumer = false, sdkmath.ZeroInt(), "flash1anyone"
	require.True(t, open.Decide(r).Accept)
	r.ConsumerHasKey = false
	require.Equal(t, CodeNoAccessKey, open.Decide(r).Code)
}

// TestDecideRuleOrder: the deny list outranks everything, so a denied
// consumer learns nothing about the other rules.
func TestDecideRuleOrder(t *testing.T) {
	p := okPolicy()
	p.Allow = nil
	r := okRequest()
	r.Consumer, r.ConsumerVerified, r.ConsumerHasKey, r.PricePerGBMonth, r.Room = bob, false, false, sdkmath.NewInt(1), 0
	require.Equal(t, CodeDenied, p.Decide(r).Code)
	r.Consumer = alice
	p.Allow = map[string]bool{alice: true}
	require.Equal(t, CodeUnverified, p.Decide(r).Code)
	r.ConsumerVerified = true
	require.Equal(t, CodeNoAccessKey, p.Decide(r).Code)
	r.ConsumerHasKey = true
	require.Equal(t, CodePrice, p.Decide(r).Code)
	r.PricePerGBMonth = sdkmath.NewInt(20_000)
	require.Equal(t, CodeCapacity, p.Decide(r).Code)
}
