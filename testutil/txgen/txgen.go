// Package txgen builds and signs flashbackd transactions for the performance
// harness (tools/bench/throughput) and the load generator
// (tools/cmd/loadgen): deterministic secp256k1 keys, SIGN_MODE_DIRECT
// signatures with explicit account numbers and sequences, fees at the
// minimum gas price, and valid marketplace messages.
package txgen

import (
	"context"
	"fmt"
	"os"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"

	"github.com/flashbacknetwork/flashbackd/app"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// MinGasPrice is the minimum gas price every generated app.toml sets
// (app.DefaultMinGasPrices): fees are gas limit × this, rounded up.
var MinGasPrice = sdkmath.LegacyMustNewDecFromStr("0.0025")

// Fee is the fee of a transaction with the given gas limit at MinGasPrice.
func Fee(gas uint64) sdk.Coins {
	amount := MinGasPrice.MulInt(sdkmath.NewIntFromUint64(gas)).Ceil().TruncateInt()
	return sdk.NewCoins(sdk.NewCoin(app.BondDenom, amount))
}

// Account is a signer: its key, its account number and the next sequence
// to sign with.
type Account struct {
	Priv cryptotypes.PrivKey
	Addr sdk.AccAddress
	Num  uint64
	Seq  uint64
}

// NewAccount wraps a private key.
func NewAccount(priv cryptotypes.PrivKey) *Account {
	return &Account{Priv: priv, Addr: sdk.AccAddress(priv.PubKey().Address())}
}

// DeterministicKey derives the i-th secp256k1 key of a seed: the same seed
// always gives the same accounts.
func DeterministicKey(seed string, i int) *secp256k1.PrivKey {
	return secp256k1.GenPrivKeyFromSecret([]byte(fmt.Sprintf("%s/%d", seed, i)))
}

// KeyFromMnemonic derives the key that `flashbackd keys add` derives from a
// mnemonic (BIP-44 path m/44'/118'/0'/0/0, no passphrase).
func KeyFromMnemonic(mnemonic string) (*secp256k1.PrivKey, error) {
	derived, err := hd.Secp256k1.Derive()(mnemonic, "", sdk.GetConfig().GetFullBIP44Path())
	if err != nil {
		return nil, err
	}
	priv, ok := hd.Secp256k1.Generate()(derived).(*secp256k1.PrivKey)
	if !ok {
		return nil, fmt.Errorf("unexpected key type")
	}
	return priv, nil
}

// NewTxConfig returns the TxConfig of a flashbackd app (built in memory and
// thrown away), the same one a node decodes transactions with.
func NewTxConfig() (client.TxConfig, error) {
	home, err := os.MkdirTemp("", "flashbackd-txgen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(home)
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome(home))
	return a.TxConfig(), nil
}

// Sign builds one transaction of msgs signed by acc with the given sequence
// (SIGN_MODE_DIRECT), gas limit and the fee at MinGasPrice, and encodes it.
// It does not change acc.Seq, so that callers decide the order of
// sequences. It is safe for concurrent use with distinct msgs.
func Sign(txCfg client.TxConfig, chainID string, acc *Account, seq, gas uint64, memo string, msgs ...sdk.Msg) ([]byte, error) {
	b := txCfg.NewTxBuilder()
	if err := b.SetMsgs(msgs...); err != nil {
		return nil, err
	}
	b.SetGasLimit(gas)
	b.SetFeeAmount(Fee(gas))
	b.SetMemo(memo)
	mode := signing.SignMode_SIGN_MODE_DIRECT
	pub := acc.Priv.PubKey()
	// The signer infos (public key, mode, sequence) are part of the signed
	// bytes: set them first with an empty signature.
	sig := signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: mode}, Sequence: seq}
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	signerData := authsigning.SignerData{
		ChainID: chainID, AccountNumber: acc.Num, Sequence: seq, PubKey: pub, Address: acc.Addr.String(),
	}
	signBytes, err := authsigning.GetSignBytesAdapter(context.Background(), txCfg.SignModeHandler(), mode, signerData, b.GetTx())
	if err != nil {
		return nil, err
	}
	sigBytes, err := acc.Priv.Sign(signBytes)
	if err != nil {
		return nil, err
	}
	sig.Data = &signing.SingleSignatureData{SignMode: mode, Signature: sigBytes}
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	return txCfg.TxEncoder()(b.GetTx())
}

// Marketplace message templates. Prices: PricePerGBMonth uflash per GB per
// 30-day month, so a deal of c GB costs c × PricePerGBMonth per month.
const (
	PricePerGBMonth = 20_000
	// Month is the billing month.
	Month = 30 * 24 * time.Hour
)

// SLA is the SLA units offer and deals require.
func SLA() orchestratortypes.Sla {
	return orchestratortypes.Sla{MaxLatencyMs: 100, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_990, MaxErrorRateBps: 10}
}

// ProviderMsg registers owner as a provider with the given bond (uflash).
func ProviderMsg(owner sdk.AccAddress, bond int64) *orchestratortypes.MsgRegisterProvider {
	return &orchestratortypes.MsgRegisterProvider{
		Owner: owner.String(), Name: "Bench Storage", Country: "FR", Website: "https://bench.example",
		Bond: sdk.NewInt64Coin(app.BondDenom, bond),
	}
}

// ConsumerMsg registers owner as a consumer.
func ConsumerMsg(owner sdk.AccAddress) *orchestratortypes.MsgRegisterConsumer {
	return &orchestratortypes.MsgRegisterConsumer{Owner: owner.String(), Name: "bench consumer"}
}

// UnitMsg creates an S3 unit of capacityGB at PricePerGBMonth in eu-west.
func UnitMsg(provider sdk.AccAddress, capacityGB uint64, endpoint string) *orchestratortypes.MsgCreateDataUnit {
	return &orchestratortypes.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: capacityGB, PricePerGbMonth: sdkmath.NewInt(PricePerGBMonth),
		Region: "eu-west", Country: "FR", Api: orchestratortypes.API_COMPATIBILITY_S3, Endpoint: endpoint,
		Sla: SLA(), Features: &orchestratortypes.Features{Versioning: true},
	}
}

// MonthlyCost is what capacityGB costs per month at PricePerGBMonth.
func MonthlyCost(capacityGB uint64) int64 { return int64(capacityGB) * PricePerGBMonth }

// DealMsg requests capacityGB on a unit for term, depositing one month's
// cost (the minimum prepaid period) or the whole term's if shorter.
func DealMsg(consumer sdk.AccAddress, unitID, capacityGB uint64, term time.Duration) *orchestratortypes.MsgRequestDeal {
	deposit := MonthlyCost(capacityGB)
	if term < Month {
		deposit = deposit * int64(term/time.Second) / int64(Month/time.Second)
	}
	return &orchestratortypes.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: capacityGB, Term: term,
		Sla: SLA(), Deposit: sdk.NewInt64Coin(app.BondDenom, deposit),
	}
}
