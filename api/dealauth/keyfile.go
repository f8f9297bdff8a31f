package dealauth

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// keyFile is the on-disk form of a private access key. Whoever reads it can
// use every deal of its owner: it is written readable by its owner only.
type keyFile struct {
	// Type names the key scheme, for files written by later versions.
	Type string `json:"type"`
	// PrivateKey is the X25519 private key, hex.
	PrivateKey string `json:"private_key"`
	// PublicKey is the matching public key, hex: what MsgSetAccessKey publishes.
	PublicKey string `json:"public_key"`
}

const keyType = "x25519"

// LoadKey reads a private access key written by CreateKey.
func LoadKey(path string) (*ecdh.PrivateKey, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := parseKey(bz)
	if err != nil {
		return nil, fmt.Errorf("access key file %s: %w", path, err)
	}
	return key, nil
}

// parseKey decodes a key file's content. Its public_key, when present, must
// be the private key's: an operator reads it from the file to compare with
// the key published on chain, and a file that names another key would lie.
func parseKey(bz []byte) (*ecdh.PrivateKey, error) {
	var f keyFile
	if err := json.Unmarshal(bz, &f); err != nil {
		return nil, err
	}
	if f.Type != keyType {
		return nil, fmt.Errorf("type %q, want %q", f.Type, keyType)
	}
	raw, err := hex.DecodeString(f.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	key, err := ecdh.X25519().NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	if f.PublicKey != "" && f.PublicKey != hex.EncodeToString(key.PublicKey().Bytes()) {
		return nil, fmt.Errorf("public_key %q is not the public key of private_key (%x)", f.PublicKey, key.PublicKey().Bytes())
	}
	return key, nil
}

// CreateKey writes a new random private access key to path (mode 0600) and
// returns it. It never overwrites an existing file: a replaced key changes
// the credentials of every deal.
func CreateKey(path string) (*ecdh.PrivateKey, error) {
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	bz, err := json.MarshalIndent(keyFile{
		Type:       keyType,
		PrivateKey: hex.EncodeToString(key.Bytes()),
		PublicKey:  hex.EncodeToString(key.PublicKey().Bytes()),
	}, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(append(bz, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// LoadOrCreateKey reads the key at path, or creates it when there is none.
func LoadOrCreateKey(path string) (key *ecdh.PrivateKey, created bool, err error) {
	key, err = LoadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = CreateKey(path)
		return key, err == nil, err
	}
	return key, false, err
}
