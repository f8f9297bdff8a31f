package server

import (
	"github.com/versity/versitygw/auth"
	"github.com/versity/versitygw/s3err"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
)

// keyIAM is versitygw's account store: the keys of bridge.toml. versitygw
// verifies SigV4 with the secret it returns; what a key may do is in the
// buckets' ACL (router.GetBucketAcl).
type keyIAM struct {
	keys map[string]config.Key
}

var _ auth.IAMService = keyIAM{}

func newKeyIAM(keys []config.Key) keyIAM {
	m := make(map[string]config.Key, len(keys))
	for _, k := range keys {
		m[k.AccessKeyID] = k
	}
	return keyIAM{keys: m}
}

func (i keyIAM) GetUserAccount(access string) (auth.Account, error) {
	k, ok := i.keys[access]
	if !ok {
		return auth.Account{}, auth.ErrNoSuchUser
	}
	// userplus: versitygw lets it reach CreateBucket, which tells tools
	// that a repository is theirs.
	return auth.Account{Access: k.AccessKeyID, Secret: k.SecretAccessKey, Role: auth.RoleUserPlus}, nil
}

func (i keyIAM) ResolveAccounts(keys []string) ([]string, error) {
	missing := []string{}
	for _, k := range keys {
		if _, ok := i.keys[k]; !ok {
			missing = append(missing, k)
		}
	}
	return missing, nil
}

func (i keyIAM) ListUserAccounts() ([]auth.Account, error) {
	var out []auth.Account
	for _, k := range i.keys {
		out = append(out, auth.Account{Access: k.AccessKeyID, Role: auth.RoleUserPlus})
	}
	return out, nil
}

// Keys change in bridge.toml (flashbackd bridge keys add|remove).
func (keyIAM) CreateAccount(auth.Account) error {
	return s3err.GetAPIError(s3err.ErrAdminMethodNotSupported)
}

func (keyIAM) UpdateUserAccount(string, auth.MutableProps) error {
	return s3err.GetAPIError(s3err.ErrAdminMethodNotSupported)
}

func (keyIAM) DeleteUserAccount(string) error {
	return s3err.GetAPIError(s3err.ErrAdminMethodNotSupported)
}

func (keyIAM) Shutdown() error { return nil }
