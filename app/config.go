package app

import (
	"sync"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// AppName is the name of the application and of its binary.
	AppName = "flashbackd"

	// BondDenom is the base denom of FLASH (1 FLASH = 10^6 uflash): the staking,
	// fee, governance and payment token.
	BondDenom = "uflash"
	// DisplayDenom is the human-facing denom of FLASH.
	DisplayDenom = "flash"
	// DisplayExponent is the exponent of DisplayDenom over BondDenom.
	DisplayExponent = 6

	// Bech32Prefix is the human-readable part of account addresses.
	Bech32Prefix = "flash"
	// CoinType is the BIP-44 coin type used to derive keys (the Cosmos Hub's).
	CoinType = 118

	// DefaultMinGasPrices is written into every generated app.toml.
	DefaultMinGasPrices = "0.0025" + BondDenom

	// VoteExtensionsEnableHeight is the height from which validators attach QoS
	// vote extensions; every genesis the project writes sets it.
	VoteExtensionsEnableHeight = 2
)

// Bech32 prefixes of the other address types, derived from Bech32Prefix.
var (
	Bech32PrefixAccPub   = Bech32Prefix + "pub"
	Bech32PrefixValAddr  = Bech32Prefix + "valoper"
	Bech32PrefixValPub   = Bech32Prefix + "valoperpub"
	Bech32PrefixConsAddr = Bech32Prefix + "valcons"
	Bech32PrefixConsPub  = Bech32Prefix + "valconspub"
)

var setConfigOnce sync.Once

// SetConfig seals the SDK's global configuration with flashbackd's address
// prefixes, coin type and denoms. It is safe to call more than once.
func SetConfig() {
	setConfigOnce.Do(func() {
		cfg := sdk.GetConfig()
		cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32PrefixAccPub)
		cfg.SetBech32PrefixForValidator(Bech32PrefixValAddr, Bech32PrefixValPub)
		cfg.SetBech32PrefixForConsensusNode(Bech32PrefixConsAddr, Bech32PrefixConsPub)
		cfg.SetCoinType(CoinType)
		cfg.Seal()

		sdk.DefaultBondDenom = BondDenom
		if err := sdk.RegisterDenom(DisplayDenom, sdkmath.LegacyOneDec()); err != nil {
			panic(err)
		}
		if err := sdk.RegisterDenom(BondDenom, sdkmath.LegacyNewDecWithPrec(1, DisplayExponent)); err != nil {
			panic(err)
		}
	})
}

func init() {
	// Addresses must render with the flash prefixes wherever the app package is
	// used: the node, the CLI and the tests.
	SetConfig()
}

// DefaultIndexEvents are the event attributes a node indexes for transaction
// search unless app.toml's index-events says otherwise: a sender's
// transactions and their message types, coins received (payments, refunds,
// withdrawn earnings), and the lookup by account and sequence of `q tx
// --type=acc_seq`. Transactions are always found by hash. The SDK's default,
// an empty list, indexes every attribute of every event, one key each in
// CometBFT's tx index (see cmd/flashbackd/cmd/config.go for what that cost).
var DefaultIndexEvents = []string{"message.action", "message.sender", "transfer.recipient", "tx.acc_seq"}
