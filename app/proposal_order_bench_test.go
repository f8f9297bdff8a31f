package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// BenchmarkProposalSelector compares the SDK's default transaction selector
// with sequenceOrderSelector over a proposal of 700 decoded transactions
// (the most the block gas limit lets loadgen's mix fit), from 350 senders
// with two transactions each, a tenth of them swapped. It measures the
// selector alone: decoding is the default handler's, the same for both.
func BenchmarkProposalSelector(b *testing.B) {
	enc := MakeEncodingConfig()
	banktypes.RegisterInterfaces(enc.InterfaceRegistry)
	const senders, perSender = 350, 2
	var txs []sdk.Tx
	var raw [][]byte
	for i := 0; i < senders; i++ {
		key := secp256k1.GenPrivKeyFromSecret([]byte(fmt.Sprintf("selector-bench-%d", i)))
		from := sdk.AccAddress(key.PubKey().Address())
		seqs := []uint64{0, 1}
		if i%10 == 0 {
			seqs = []uint64{1, 0}
		}
		for _, seq := range seqs[:perSender] {
			builder := enc.TxConfig.NewTxBuilder()
			if err := builder.SetMsgs(banktypes.NewMsgSend(from, from, sdk.NewCoins(sdk.NewInt64Coin(BondDenom, 1)))); err != nil {
				b.Fatal(err)
			}
			builder.SetGasLimit(100_000)
			if err := builder.SetSignatures(signing.SignatureV2{
				PubKey:   key.PubKey(),
				Data:     &signing.SingleSignatureData{SignMode: signing.SignMode_SIGN_MODE_DIRECT, Signature: make([]byte, 64)},
				Sequence: seq,
			}); err != nil {
				b.Fatal(err)
			}
			bz, err := enc.TxConfig.TxEncoder()(builder.GetTx())
			if err != nil {
				b.Fatal(err)
			}
			tx, err := enc.TxConfig.TxDecoder()(bz)
			if err != nil {
				b.Fatal(err)
			}
			txs, raw = append(txs, tx), append(raw, bz)
		}
	}
	for _, bc := range []struct {
		name     string
		selector baseapp.TxSelector
	}{{"sdk-default", baseapp.NewDefaultTxSelector()}, {"sequence-order", newSequenceOrderSelector()}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			for n := 0; n < b.N; n++ {
				for i, tx := range txs {
					bc.selector.SelectTxForProposal(ctx, 1<<30, 0, tx, raw[i])
				}
				if got := len(bc.selector.SelectedTxs(ctx)); got != len(txs) {
					b.Fatalf("selected %d of %d", got, len(txs))
				}
				bc.selector.Clear()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(txs)), "ns/tx")
		})
	}
}
