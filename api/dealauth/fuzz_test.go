package dealauth

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseKey: a key file the node reads at start never panics the
// parser; a file it accepts names one X25519 key, written back the way
// CreateKey writes it, and read again to the same key.
func FuzzParseKey(f *testing.F) {
	key, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{7}, 32))
	require.NoError(f, err)
	good, err := json.Marshal(keyFile{Type: keyType, PrivateKey: hex.EncodeToString(key.Bytes()), PublicKey: hex.EncodeToString(key.PublicKey().Bytes())})
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"type":"x25519","private_key":"` + hex.EncodeToString(key.Bytes()) + `"}`))
	f.Add([]byte(`{"type":"ed25519","private_key":"00"}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, bz []byte) {
		k, err := parseKey(bz)
		if err != nil {
			require.Nil(t, k)
			return
		}
		var file keyFile
		require.NoError(t, json.Unmarshal(bz, &file))
		if file.PublicKey != "" {
			require.Equal(t, hex.EncodeToString(k.PublicKey().Bytes()), file.PublicKey, "an accepted file names the key's own public key")
		}
		again, err := json.Marshal(keyFile{Type: keyType, PrivateKey: hex.EncodeToString(k.Bytes()), PublicKey: hex.EncodeToString(k.PublicKey().Bytes())})
		require.NoError(t, err)
		k2, err := parseKey(again)
		require.NoError(t, err)
		require.True(t, k.Equal(k2))
	})
}

var credentialShape = regexp.MustCompile(`^FB[A-Z2-7]{18}$`)

// FuzzDerive: public keys read from chain records (any bytes a party
// published) never panic the derivation; what it refuses is an error, and
// credentials it returns have the S3 shape and are the ones the other
// party derives.
func FuzzDerive(f *testing.F) {
	local, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{1}, 32))
	require.NoError(f, err)
	peer, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{2}, 32))
	require.NoError(f, err)
	f.Add(peer.PublicKey().Bytes(), true, "flashback-1", uint64(42))
	f.Add(make([]byte, 32), false, "c", uint64(1))
	f.Add([]byte{1, 2, 3}, true, "", uint64(0))
	f.Fuzz(func(t *testing.T, other []byte, localIsConsumer bool, chainID string, dealID uint64) {
		consumer, provider := local.PublicKey().Bytes(), other
		if !localIsConsumer {
			consumer, provider = other, consumer
		}
		c, err := Derive(local, consumer, provider, chainID, dealID)
		if err != nil {
			require.Empty(t, c)
			return
		}
		require.Regexp(t, credentialShape, c.AccessKeyID)
		require.Len(t, c.SecretAccessKey, 40)
		if bytes.Equal(other, peer.PublicKey().Bytes()) {
			mirror, err := Derive(peer, consumer, provider, chainID, dealID)
			require.NoError(t, err)
			require.Equal(t, c, mirror, "both parties derive the same credentials")
		}
	})
}
