// Package policy decides a provider node's pending deal requests: accept,
// or decline with a reason the consumer reads on chain. It is a pure
// function of the request and what the node knows about the consumer and
// the unit's storage, so that every rule can be tested both ways.
package policy

import (
	"fmt"

	sdkmath "cosmossdk.io/math"
)

// GB is the byte size of the chain's GB: deals and units are sold in GB
// and the node enforces them as 10^9 bytes (SI), the unit storage vendors
// sell and the chain's README leaves to the provider.
const GB = 1_000_000_000

// Policy is the provider's rules ([policy] in provider.toml).
type Policy struct {
	// MinPricePerGBMonth is the price floor (uflash per GB-month).
	MinPricePerGBMonth sdkmath.Int
	// MarginBytes is the storage kept free on a unit.
	MarginBytes uint64
	// VerifiedOnly accepts verified consumers only.
	VerifiedOnly bool
	// Allow, if not empty, is the only consumers accepted; Deny are never.
	Allow map[string]bool
	Deny  map[string]bool
}

// Request is a pending deal request and what the node found out about it.
type Request struct {
	DealID, UnitID  uint64
	Consumer        string
	CapacityGB      uint64
	PricePerGBMonth sdkmath.Int
	// ConsumerVerified: the consumer's record is verified on chain.
	ConsumerVerified bool
	// ConsumerHasKey: the consumer published an access key.
	ConsumerHasKey bool
	// Room is the storage the unit can still take for new deals, in bytes
	// (free space, less what its running deals may still write); RoomKnown
	// is false when the node cannot measure it (an s3 unit without a cap).
	Room      uint64
	RoomKnown bool
}

// Codes name the rule behind a decision (a metric label).
const (
	CodeAccepted    = "accepted"
	CodeDenied      = "deny_list"
	CodeNotAllowed  = "allow_list"
	CodeUnverified  = "unverified"
	CodeNoAccessKey = "no_access_key"
	CodePrice       = "price"
	CodeCapacity    = "capacity"
)

// Decision is the outcome for one request.
type Decision struct {
	Accept bool
	// Code is the rule that decided (CodeAccepted when accepted).
	Code string
	// Reason explains the decision in a sentence: the decline reason put on
	// chain, and the log line.
	Reason string
}

// Decide applies the rules in a fixed order: who the consumer is (deny,
// allow, verified), whether it can use the deal (access key), then the
// economics (price) and the storage (room). The first failing rule is the
// reason.
func (p Policy) Decide(r Request) Decision {
	decline := func(code, format string, args ...any) Decision {
		return Decision{Code: code, Reason: fmt.Sprintf(format, args...)}
	}
	if p.Deny[r.Consumer] {
		return decline(CodeDenied, "the provider does not take requests from %s", r.Consumer)
	}
	if len(p.Allow) > 0 && !p.Allow[r.Consumer] {
		return decline(CodeNotAllowed, "the provider takes requests only from consumers on its allow list")
	}
	if p.VerifiedOnly && !r.ConsumerVerified {
		return decline(CodeUnverified, "the provider takes requests from verified consumers only")
	}
	if !r.ConsumerHasKey {
		return decline(CodeNoAccessKey, "the consumer has published no access key, so the deal's S3 credentials cannot be derived: "+
			"run `flashbackd bridge access-key`, publish it with `tx orchestrator set-access-key`, and request again")
	}
	floor := p.MinPricePerGBMonth
	if floor.IsNil() {
		floor = sdkmath.ZeroInt()
	}
	price := r.PricePerGBMonth
	if price.IsNil() {
		price = sdkmath.ZeroInt()
	}
	if price.LT(floor) {
		return decline(CodePrice, "price %s uflash per GB-month is below the provider's floor of %s", price, floor)
	}
	if r.RoomKnown {
		need := sdkmath.NewIntFromUint64(r.CapacityGB).MulRaw(GB).Add(sdkmath.NewIntFromUint64(p.MarginBytes))
		if sdkmath.NewIntFromUint64(r.Room).LT(need) {
			return decline(CodeCapacity, "unit %d has room for %s, not %d GB (the provider keeps %s free)",
				r.UnitID, gbText(r.Room), r.CapacityGB, gbText(p.MarginBytes))
		}
	}
	return Decision{Accept: true, Code: CodeAccepted, Reason: "the request meets the provider's policy"}
}

// gbText prints bytes as GB with one decimal.
func gbText(b uint64) string {
	return fmt.Sprintf("%d.%d GB", b/GB, b%GB/(GB/10))
}
