// Package dealauth derives the S3 credentials of a deal from its parties'
// published X25519 access keys, so that a deal's consumer (its bridge) and
// its provider (its node) compute the same credentials without either ever
// sending a secret, and nobody else can compute them from chain data.
//
// A consumer and a provider each publish an access key with
// MsgSetAccessKey. For deal d on chain c, both sides compute the X25519
// agreement of their private key with the other's public key, and expand it
// with HKDF-SHA256 bound to c, d and both public keys (consumer first). The
// first 12 bytes give the access key id, the next 30 the secret. A change of
// either key changes the credentials of every deal between the two.
package dealauth

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// AccessKeyIDPrefix starts every derived access key id, so that operators
// recognise deal credentials.
const AccessKeyIDPrefix = "FB"

// salt separates these keys from any other use of the same X25519 keys.
const salt = "flashback/deal-credentials/v1"

// Credentials are a deal's S3 credentials (AWS Signature V4).
type Credentials struct {
	// AccessKeyID is 20 characters, upper-case letters and digits.
	AccessKeyID string
	// SecretAccessKey is 40 URL-safe base64 characters.
	SecretAccessKey string
}

// Derive computes the credentials of deal dealID on chainID. local is this
// side's private access key; its public key must be consumerPub (a bridge)
// or providerPub (a provider node).
func Derive(local *ecdh.PrivateKey, consumerPub, providerPub []byte, chainID string, dealID uint64) (Credentials, error) {
	if local == nil {
		return Credentials{}, errors.New("no private access key")
	}
	own := local.PublicKey().Bytes()
	var peer []byte
	switch {
	case bytes.Equal(own, consumerPub):
		peer = providerPub
	case bytes.Equal(own, providerPub):
		peer = consumerPub
	default:
		return Credentials{}, errors.New("this access key is neither the deal's consumer key nor its provider key (was it replaced on chain?)")
	}
	peerKey, err := ecdh.X25519().NewPublicKey(peer)
	if err != nil {
		return Credentials{}, fmt.Errorf("the other party's access key: %w", err)
	}
	shared, err := local.ECDH(peerKey)
	if err != nil {
		return Credentials{}, fmt.Errorf("the other party's access key is unusable: %w", err)
	}
	okm, err := hkdf.Key(sha256.New, shared, []byte(salt), string(info(consumerPub, providerPub, chainID, dealID)), 42)
	if err != nil {
		return Credentials{}, err
	}
	id := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(okm[:12])
	return Credentials{
		AccessKeyID:     AccessKeyIDPrefix + id[:18],
		SecretAccessKey: base64.RawURLEncoding.EncodeToString(okm[12:42]),
	}, nil
}

// info binds the derived keys to the chain, the deal and both parties' keys,
// each field length-prefixed so that no two inputs share an encoding.
func info(consumerPub, providerPub []byte, chainID string, dealID uint64) []byte {
	var b []byte
	for _, field := range [][]byte{[]byte(chainID), binary.BigEndian.AppendUint64(nil, dealID), consumerPub, providerPub} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(field)))
		b = append(b, field...)
	}
	return b
}
