package gateway

import (
	"github.com/versity/versitygw/auth"
	"github.com/versity/versitygw/s3err"
)

// dealIAM is versitygw's account store: one user account per served deal,
// whose access key and secret are the deal's. A removed deal's key is
// unknown at once (InvalidAccessKeyId); versitygw derives the SigV4 signing
// key from the secret on every request, so nothing stale is cached. The
// root account is versitygw's own and never looked up here.
type dealIAM struct {
	deals *dealTable
}

var _ auth.IAMService = dealIAM{}

func (i dealIAM) GetUserAccount(access string) (auth.Account, error) {
	st := i.deals.byAccessKey(access)
	if st == nil {
		return auth.Account{}, auth.ErrNoSuchUser
	}
	d := st.deal()
	// userplus differs from user only in that versitygw lets it reach the
	// backend's CreateBucket, which answers BucketAlreadyOwnedByYou for the
	// deal's own bucket (what tools that "make" their bucket first expect)
	// and refuses every other.
	return auth.Account{Access: d.AccessKeyID, Secret: d.Secret, Role: auth.RoleUserPlus}, nil
}

func (i dealIAM) ResolveAccounts(keys []string) ([]string, error) {
	missing := []string{}
	for _, k := range keys {
		if i.deals.byAccessKey(k) == nil {
			missing = append(missing, k)
		}
	}
	return missing, nil
}

func (i dealIAM) ListUserAccounts() ([]auth.Account, error) {
	var out []auth.Account
	for _, st := range i.deals.all() {
		out = append(out, auth.Account{Access: st.deal().AccessKeyID, Role: auth.RoleUserPlus})
	}
	return out, nil
}

// Accounts change only through the node's deal table (PutDeal, RemoveDeal);
// the admin API is not served.
func (dealIAM) CreateAccount(auth.Account) error {
	return s3err.GetAPIError(s3err.ErrAdminMethodNotSupported)
}

func (dealIAM) UpdateUserAccount(string, auth.MutableProps) error {
	return s3err.GetAPIError(s3err.ErrAdminMethodNotSupported)
}

func (dealIAM) DeleteUserAccount(string) error {
	return s3err.GetAPIError(s3err.ErrAdminMethodNotSupported)
}

func (dealIAM) Shutdown() error { return nil }
