package config

import (
	"crypto/rand"
	"fmt"
)

// NewKey makes a key with a random access key id ("FBB" and 17 upper-case
// letters and digits) and a random 40-character secret.
func NewKey(name string, readOnly bool) (Key, error) {
	if err := ValidKeyName(name); err != nil {
		return Key{}, err
	}
	return Key{Name: name, AccessKeyID: "FBB" + randomString(17, upperAlnum), SecretAccessKey: randomString(40, secretAlphabet), ReadOnly: readOnly}, nil
}

// AddKey appends k; a name already in use is refused.
func (c *Config) AddKey(k Key) error {
	for _, o := range c.Keys {
		if o.Name == k.Name {
			return fmt.Errorf("a key named %q exists (remove it first: flashbackd bridge keys remove %s)", k.Name, k.Name)
		}
	}
	c.Keys = append(c.Keys, k)
	return nil
}

// RemoveKey removes the key named name.
func (c *Config) RemoveKey(name string) error {
	for i, k := range c.Keys {
		if k.Name == name {
			c.Keys = append(c.Keys[:i:i], c.Keys[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("no key named %q", name)
}

const (
	upperAlnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// randomString draws n characters of alphabet (whose length divides 256, or
// nearly: the bias of 36 is irrelevant for key ids).
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
