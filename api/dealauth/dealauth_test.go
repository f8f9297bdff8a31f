package dealauth_test

import (
	"bytes"
	"crypto/ecdh"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
)

func fixedKey(t *testing.T, b byte) *ecdh.PrivateKey {
	t.Helper()
	k, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{b}, 32))
	require.NoError(t, err)
	return k
}

func TestBothPartiesDeriveTheSameCredentials(t *testing.T) {
	consumer, provider := fixedKey(t, 1), fixedKey(t, 2)
	cPub, pPub := consumer.PublicKey().Bytes(), provider.PublicKey().Bytes()

	fromConsumer, err := dealauth.Derive(consumer, cPub, pPub, "flashback-1", 42)
	require.NoError(t, err)
	fromProvider, err := dealauth.Derive(provider, cPub, pPub, "flashback-1", 42)
	require.NoError(t, err)
	require.Equal(t, fromConsumer, fromProvider)
	require.Regexp(t, regexp.MustCompile(`^FB[A-Z2-7]{18}$`), fromConsumer.AccessKeyID)
	require.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9_-]{40}$`), fromConsumer.SecretAccessKey)

	// The derivation is a protocol between bridges and nodes: pinned. These
	// values were computed by a separate implementation of X25519 (RFC 7748)
	// and HKDF-SHA256 (RFC 5869).
	require.Equal(t, dealauth.Credentials{
		AccessKeyID:     "FBGAI4PAWGPKNBQH53MR",
		SecretAccessKey: "-hZhxLiGEhQcPAY93zcmGsH_-TrSqNwrR-LC3jr0",
	}, fromConsumer)
}

func TestCredentialsAreBoundToDealChainAndKeys(t *testing.T) {
	consumer, provider, stranger := fixedKey(t, 1), fixedKey(t, 2), fixedKey(t, 3)
	cPub, pPub, sPub := consumer.PublicKey().Bytes(), provider.PublicKey().Bytes(), stranger.PublicKey().Bytes()
	base, err := dealauth.Derive(consumer, cPub, pPub, "flashback-1", 42)
	require.NoError(t, err)

	others := map[string]func() (dealauth.Credentials, error){
		"another deal":  func() (dealauth.Credentials, error) { return dealauth.Derive(consumer, cPub, pPub, "flashback-1", 43) },
		"another chain": func() (dealauth.Credentials, error) { return dealauth.Derive(consumer, cPub, pPub, "flashback-2", 42) },
		"roles swapped": func() (dealauth.Credentials, error) { return dealauth.Derive(consumer, pPub, cPub, "flashback-1", 42) },
		"another provider key": func() (dealauth.Credentials, error) {
			return dealauth.Derive(consumer, cPub, sPub, "flashback-1", 42)
		},
	}
	for name, derive := range others {
		got, err := derive()
		require.NoError(t, err, name)
		require.NotEqual(t, base.AccessKeyID, got.AccessKeyID, name)
		require.NotEqual(t, base.SecretAccessKey, got.SecretAccessKey, name)
	}

	// A third party holding neither private key cannot derive them.
	_, err = dealauth.Derive(stranger, cPub, pPub, "flashback-1", 42)
	require.ErrorContains(t, err, "neither the deal's consumer key nor its provider key")
	_, err = dealauth.Derive(nil, cPub, pPub, "flashback-1", 42)
	require.Error(t, err)
	// Keys that make the agreement predictable are refused.
	_, err = dealauth.Derive(consumer, cPub, make([]byte, 32), "flashback-1", 42)
	require.ErrorContains(t, err, "unusable")
	_, err = dealauth.Derive(consumer, cPub, []byte{1, 2, 3}, "flashback-1", 42)
	require.Error(t, err)
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "access_key.json")
	key, created, err := dealauth.LoadOrCreateKey(path)
	require.NoError(t, err)
	require.True(t, created)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "readable by its owner only")

	again, created, err := dealauth.LoadOrCreateKey(path)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, key.Bytes(), again.Bytes())

	_, err = dealauth.CreateKey(path)
	require.Error(t, err, "an existing key is never overwritten")

	require.NoError(t, os.WriteFile(path, []byte(`{"type":"ed25519","private_key":"00"}`), 0o600))
	_, err = dealauth.LoadKey(path)
	require.ErrorContains(t, err, "type")
	require.NoError(t, os.WriteFile(path, []byte(`not json`), 0o600))
	_, err = dealauth.LoadKey(path)
	require.Error(t, err)
}
