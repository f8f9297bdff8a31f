package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cosmos/cosmos-sdk/types/bech32"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
)

// Bounds of the values a configuration may hold.
const (
	minPollInterval    = 100 * time.Millisecond
	maxPollInterval    = time.Hour
	minTxTimeout       = time.Second
	minWithdraw        = time.Second
	maxGasAdjustment   = 10
	maxChainIDLen      = 50 // CometBFT's limit
	maxPosixDirLen     = 63
	maxProbeObjectSize = 64 << 20
)

// applyDefaults fills the optional keys of units: a posix unit's directory
// and an s3 unit's region.
func (c *Config) applyDefaults() {
	for i := range c.Units {
		u := &c.Units[i]
		if u.Posix != nil && u.Posix.Dir == "" {
			u.Posix.Dir = "unit-" + strconv.FormatUint(u.ID, 10)
		}
		if u.S3 != nil && u.S3.Region == "" {
			u.S3.Region = DefaultS3Region
		}
	}
}

// Validate checks every value and reports every problem it finds, each
// prefixed with its key.
func (c *Config) Validate() error {
	c.applyDefaults()
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	ch := c.Chain
	if err := validHostPort(ch.GRPCAddress); err != nil {
		bad("chain.grpc_address", "%v", err)
	}
	if err := validRPC(ch.RPCAddress); err != nil {
		bad("chain.rpc_address", "%v", err)
	}
	if len(ch.ChainID) > maxChainIDLen || strings.ContainsAny(ch.ChainID, " \t\n") {
		bad("chain.chain_id", "%q is not a chain id (at most %d characters, no spaces)", ch.ChainID, maxChainIDLen)
	}
	if ch.KeyringDir == "" {
		bad("chain.keyring_dir", "empty (the directory that holds the provider's key)")
	}
	switch ch.KeyringBackend {
	case "os", "file", "test":
	default:
		bad("chain.keyring_backend", "%q: use os, file or test", ch.KeyringBackend)
	}
	if ch.KeyName == "" {
		bad("chain.key_name", "empty (the name of the provider's key in the keyring)")
	}
	if _, err := sdk.ParseDecCoins(ch.GasPrices); err != nil {
		bad("chain.gas_prices", "%q: %v (e.g. 0.0025%s)", ch.GasPrices, err, app.BondDenom)
	}
	if ch.GasAdjustment < 1 || ch.GasAdjustment > maxGasAdjustment {
		bad("chain.gas_adjustment", "%g: must be in [1, %d]", ch.GasAdjustment, maxGasAdjustment)
	}
	if d := ch.PollInterval.Duration; d < minPollInterval || d > maxPollInterval {
		bad("chain.poll_interval", "%s: must be in [%s, %s]", d, minPollInterval, maxPollInterval)
	}
	if d := ch.TxTimeout.Duration; d < minTxTimeout {
		bad("chain.tx_timeout", "%s: must be at least %s", d, minTxTimeout)
	}

	s := c.Server
	if err := validHostPort(s.Listen); err != nil {
		bad("server.listen", "%v", err)
	}
	if err := ValidPublicURL(s.PublicURL); err != nil {
		bad("server.public_url", "%v", err)
	}
	if err := validHostPort(s.StatusListen); err != nil {
		bad("server.status_listen", "%v", err)
	} else if s.StatusListen == s.Listen {
		bad("server.status_listen", "%q is also server.listen", s.StatusListen)
	}
	for _, kv := range [][2]string{{"server.access_key_file", s.AccessKeyFile}, {"server.data_dir", s.DataDir}, {"server.state_file", s.StateFile}} {
		if kv[1] == "" {
			bad(kv[0], "empty")
		}
	}

	p := c.Probe
	if len(p.ObjectSizes) == 0 {
		bad("probe.object_sizes", "empty (the validators download object-<size> for one of these sizes)")
	}
	seen := map[int64]bool{}
	for _, size := range p.ObjectSizes {
		if size < 1 || size > maxProbeObjectSize {
			bad("probe.object_sizes", "%d: each size must be in [1, %d]", size, maxProbeObjectSize)
		}
		if seen[size] {
			bad("probe.object_sizes", "%d listed twice", size)
		}
		seen[size] = true
	}
	if p.UploadMaxBytes < 1 || p.UploadMaxBytes > maxProbeObjectSize {
		bad("probe.upload_max_bytes", "%d: must be in [1, %d]", p.UploadMaxBytes, maxProbeObjectSize)
	}
	if p.UploadExpiry.Duration < time.Second {
		bad("probe.upload_expiry", "%s: must be at least 1s", p.UploadExpiry.Duration)
	}
	if p.UploadMaxOutstanding < p.UploadMaxBytes {
		bad("probe.upload_max_outstanding", "%d is smaller than one upload (probe.upload_max_bytes = %d)", p.UploadMaxOutstanding, p.UploadMaxBytes)
	}

	allowed := map[string]bool{}
	for _, a := range c.Policy.AllowConsumers {
		if err := validAccount(a); err != nil {
			bad("policy.allow_consumers", "%v", err)
		}
		allowed[a] = true
	}
	for _, a := range c.Policy.DenyConsumers {
		if err := validAccount(a); err != nil {
			bad("policy.deny_consumers", "%v", err)
		}
		if allowed[a] {
			bad("policy.deny_consumers", "%s is also in policy.allow_consumers", a)
		}
	}

	if d := c.Receipts.SubmitInterval.Duration; d != 0 && d < minWithdraw {
		bad("receipts.submit_interval", "%s: must be 0s (never) or at least %s", d, minWithdraw)
	}
	if c.Receipts.SubmitMinBytes == 0 {
		bad("receipts.submit_min_bytes", "must be positive")
	}
	if d := c.Withdraw.Interval.Duration; d != 0 && d < minWithdraw {
		bad("withdraw.interval", "%s: must be 0s (never) or at least %s", d, minWithdraw)
	}
	if d := c.Retrieval.Period.Duration; d < 0 {
		bad("retrieval.period", "%s is negative", d)
	}

	errs = append(errs, c.validateUnits()...)
	return errors.Join(errs...)
}

func (c *Config) validateUnits() []error {
	var errs []error
	if len(c.Units) == 0 {
		return []error{errors.New("units: no data unit configured: add a [[units]] table (flashbackd provider init --unit ID=posix)")}
	}
	ids := map[uint64]bool{}
	dirs := map[string]uint64{}
	for i, u := range c.Units {
		key := fmt.Sprintf("units[%d] (id %d)", i, u.ID)
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
		}
		if u.ID == 0 {
			bad("id must be a unit id, at least 1")
		}
		if ids[u.ID] {
			bad("unit %d configured twice", u.ID)
		}
		ids[u.ID] = true
		switch {
		case u.Posix != nil && u.S3 != nil:
			bad("configure either [units.posix] or [units.s3], not both")
		case u.Posix != nil:
			if err := validPosixDir(u.Posix.Dir); err != nil {
				bad("posix.dir: %v", err)
			}
			if other, dup := dirs[u.Posix.Dir]; dup {
				bad("posix.dir %q is also unit %d's", u.Posix.Dir, other)
			}
			dirs[u.Posix.Dir] = u.ID
		case u.S3 != nil:
			if err := validHTTPURL(u.S3.Endpoint); err != nil {
				bad("s3.endpoint: %v", err)
			}
			if u.S3.Bucket == "" {
				bad("s3.bucket is empty")
			}
			if (u.S3.AccessKey == "") != (u.S3.SecretKey == "") {
				bad("s3.access_key and s3.secret_key must be set together (or both left empty)")
			}
		default:
			bad("no storage: add [units.posix] or [units.s3]")
		}
	}
	return errs
}

func validHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: bad port", addr)
	}
	return nil
}

func validRPC(addr string) error {
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "tcp" && u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not tcp://host:port or http(s)://host:port", addr)
	}
	return nil
}

func validHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// ValidPublicURL checks a node's public URL: http(s), a host, and no path,
// query, fragment or credentials (S3 clients sign the path, so a proxy
// cannot add a prefix).
func ValidPublicURL(s string) error {
	if err := validHTTPURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q must be scheme://host[:port] only (no path, query, fragment or credentials)", s)
	}
	return nil
}

// validAccount accepts a flashbackd account address in its canonical
// (lower-case) form, the form the chain stores and compares.
func validAccount(s string) error {
	hrp, _, err := bech32.DecodeAndConvert(s)
	if err != nil {
		return fmt.Errorf("%q is not an address: %v", s, err)
	}
	if hrp != app.Bech32Prefix || s != strings.ToLower(s) {
		return fmt.Errorf("%q: use a lower-case %s1… account address", s, app.Bech32Prefix)
	}
	return nil
}

func validPosixDir(dir string) error {
	if dir == "" || len(dir) > maxPosixDirLen || dir == "." || dir == ".." || strings.HasPrefix(dir, ".") {
		return fmt.Errorf("%q must be one directory name of at most %d characters, not starting with a dot", dir, maxPosixDirLen)
	}
	for _, r := range dir {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("%q may only contain lower-case letters, digits, '-' and '.'", dir)
		}
	}
	return nil
}
