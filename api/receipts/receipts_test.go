package receipts_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/flashbacknetwork/flashbackd/api/receipts"
	"github.com/flashbacknetwork/flashbackd/app"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func testKeyring(t *testing.T) keyring.Keyring {
	t.Helper()
	kr := keyring.NewInMemory(app.MakeEncodingConfig().Codec)
	_, _, err := kr.NewMnemonic("consumer", keyring.English, "m/44'/118'/0'/0/0", keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	return kr
}

func TestSignEncodeDecodeVerify(t *testing.T) {
	kr := testKeyring(t)
	rec, err := kr.Key("consumer")
	require.NoError(t, err)
	pub, err := rec.GetPubKey()
	require.NoError(t, err)

	r := orchestratortypes.UsageReceipt{ChainId: "flashback-1", DealId: 7, BytesServed: 1 << 62, Sequence: 12}
	s, err := receipts.Sign(kr, "consumer", r)
	require.NoError(t, err)
	wire := receipts.Encode(s)
	require.Contains(t, string(wire), `"bytes_served":"4611686018427387904"`, "integers are decimal strings")
	back, err := receipts.Decode(wire)
	require.NoError(t, err)
	require.Equal(t, s, back)
	require.NoError(t, receipts.Verify(pub, back))

	// Another key, or any changed field, fails.
	require.ErrorContains(t, receipts.Verify(secp256k1.GenPrivKey().PubKey(), back), "not signed by the deal's consumer")
	for _, edit := range []func(*orchestratortypes.UsageReceipt){
		func(r *orchestratortypes.UsageReceipt) { r.BytesServed++ },
		func(r *orchestratortypes.UsageReceipt) { r.Sequence++ },
		func(r *orchestratortypes.UsageReceipt) { r.DealId++ },
		func(r *orchestratortypes.UsageReceipt) { r.ChainId = "other" },
	} {
		tampered := back
		edit(&tampered.Receipt)
		require.Error(t, receipts.Verify(pub, tampered))
	}
	require.ErrorContains(t, receipts.Verify(nil, back), "no public key")
}

func TestDecodeRefusesBadReceipts(t *testing.T) {
	sig := `"c2lnbmF0dXJl"`
	cases := map[string]string{
		"not JSON":          `receipt`,
		"empty":             ``,
		"unknown field":     `{"chain_id":"c","deal_id":"1","bytes_served":"1","sequence":"1","signature":` + sig + `,"extra":1}`,
		"number not string": `{"chain_id":"c","deal_id":1,"bytes_served":"1","sequence":"1","signature":` + sig + `}`,
		"zero deal":         `{"chain_id":"c","deal_id":"0","bytes_served":"1","sequence":"1","signature":` + sig + `}`,
		"negative bytes":    `{"chain_id":"c","deal_id":"1","bytes_served":"-1","sequence":"1","signature":` + sig + `}`,
		"overflowing seq":   `{"chain_id":"c","deal_id":"1","bytes_served":"1","sequence":"18446744073709551616","signature":` + sig + `}`,
		"missing chain":     `{"deal_id":"1","bytes_served":"1","sequence":"1","signature":` + sig + `}`,
		"bad base64":        `{"chain_id":"c","deal_id":"1","bytes_served":"1","sequence":"1","signature":"!!"}`,
		"empty signature":   `{"chain_id":"c","deal_id":"1","bytes_served":"1","sequence":"1","signature":""}`,
		"trailing data":     `{"chain_id":"c","deal_id":"1","bytes_served":"1","sequence":"1","signature":` + sig + `} {}`,
		"oversized":         `{"chain_id":"` + strings.Repeat("c", receipts.MaxSize) + `"}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := receipts.Decode([]byte(in))
			require.Error(t, err)
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"chain_id":"c","deal_id":"1","bytes_served":"1","sequence":"1","signature":"c2ln"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := receipts.Decode(in)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, err := receipts.Decode(receipts.Encode(s))
		require.NoError(t, err)
		require.Equal(t, s, again)
	})
}
