package types

// Protocol limits on user input. They are constants rather than params:
// they bound storage and arithmetic, and changing them is a software upgrade.
const (
	MaxNameLength        = 64
	MaxDescriptionLength = 512
	MaxURLLength         = 256
	MaxRegionLength      = 32
	MaxDeclineReason     = 256

	// MaxCapacityGB bounds a unit's or a deal's capacity (1 EB).
	MaxCapacityGB uint64 = 1_000_000_000
	// MaxPricePerGBMonth bounds a price (10^15 uflash = 10^9 FLASH per GB-month).
	MaxPricePerGBMonth uint64 = 1_000_000_000_000_000
	// MaxPricePerGBEgress bounds an egress price the same way; with
	// receipts' bytes below 2^64 the cost stays far inside math.Int.
	MaxPricePerGBEgress uint64 = 1_000_000_000_000_000
	// MaxPriorityFee bounds a unit's total priority fee so that the
	// marketplace ranking key (fee << 8 | reputation) fits in 64 bits.
	MaxPriorityFee uint64 = 1<<56 - 1
	// MaxWithdrawDeals bounds the deals one MsgWithdrawEarnings may name.
	MaxWithdrawDeals = 100

	// SecondsPerMonth is the billing month: 30 days.
	SecondsPerMonth = 30 * 24 * 60 * 60
)
