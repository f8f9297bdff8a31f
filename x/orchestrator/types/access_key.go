package types

import (
	"bytes"
	"crypto/ecdh"

	errorsmod "cosmossdk.io/errors"
)

// AccessKeySize is the size of an X25519 public key.
const AccessKeySize = 32

// lowOrderProbe is a fixed X25519 private key. Every X25519 private key is a
// multiple of the curve's cofactor, so its agreement with a public key of
// small order is the all-zero point, which crypto/ecdh refuses: one
// agreement tells such keys apart.
var lowOrderProbe = func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		panic(err) // a constant 32-byte key cannot fail
	}
	return k
}()

// ValidateAccessKey checks that pub is a usable X25519 public key: 32 bytes
// and not of small order, since a small-order key would make the deal
// credentials derived with it predictable by anyone.
func ValidateAccessKey(pub []byte) error {
	if len(pub) != AccessKeySize {
		return errorsmod.Wrapf(ErrInvalidAccessKey, "an access key is a %d-byte X25519 public key, got %d bytes", AccessKeySize, len(pub))
	}
	key, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return errorsmod.Wrap(ErrInvalidAccessKey, err.Error())
	}
	if _, err := lowOrderProbe.ECDH(key); err != nil {
		return errorsmod.Wrap(ErrInvalidAccessKey, "the key is of small order: credentials derived with it would be public")
	}
	return nil
}

// ValidateBasic checks the signer and the key (empty: remove).
func (m *MsgSetAccessKey) ValidateBasic() error {
	if err := validateAddress("owner", m.Owner); err != nil {
		return err
	}
	if len(m.PublicKey) == 0 {
		return nil
	}
	return ValidateAccessKey(m.PublicKey)
}

// Validate checks a genesis access key.
func (a AccessKey) Validate() error {
	if err := validateAddress("access key", a.Address); err != nil {
		return err
	}
	return ValidateAccessKey(a.PublicKey)
}
