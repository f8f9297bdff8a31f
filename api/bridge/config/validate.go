package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Bounds of the values a configuration may hold.
const (
	maxChainIDLen     = 50 // CometBFT's limit
	minInterval       = 100 * time.Millisecond
	minHedge          = 10 * time.Millisecond
	maxInterval       = time.Hour
	minWriteTimeout   = time.Second
	maxFailuresToDown = 100
	minAccessKeyLen   = 16
	maxAccessKeyLen   = 128
	minSecretLen      = 16
	maxSecretLen      = 128
	maxDealsPerRepo   = 16
)

// Validate checks every value and reports every problem it finds, each
// prefixed with its key.
func (c *Config) Validate() error {
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
		bad("chain.keyring_dir", "empty (the directory that holds the consumer's key)")
	}
	switch ch.KeyringBackend {
	case "os", "file", "test":
	default:
		bad("chain.keyring_backend", "%q: use os, file or test", ch.KeyringBackend)
	}
	if ch.KeyName == "" {
		bad("chain.key_name", "empty (the name of the consumer's key in the keyring)")
	}
	if d := ch.PollInterval.Duration; d < minInterval || d > maxInterval {
		bad("chain.poll_interval", "%s: must be in [%s, %s]", d, minInterval, maxInterval)
	}
	if d := ch.QoSCheckInterval.Duration; d != 0 && (d < minInterval || d > maxInterval) {
		bad("chain.qos_check_interval", "%s: must be 0 (the default) or in [%s, %s]", d, minInterval, maxInterval)
	}

	s := c.Server
	if err := validHostPort(s.Listen); err != nil {
		bad("server.listen", "%v", err)
	}
	if err := validHostPort(s.StatusListen); err != nil {
		bad("server.status_listen", "%v", err)
	} else if s.StatusListen == s.Listen {
		bad("server.status_listen", "%q is also server.listen", s.StatusListen)
	}
	if s.Region == "" || strings.ContainsAny(s.Region, " /\t\n") {
		bad("server.region", "%q is not a region name", s.Region)
	}
	if s.AccessKeyFile == "" {
		bad("server.access_key_file", "empty")
	}
	if s.DataDir == "" {
		bad("server.data_dir", "empty")
	}

	m := c.Mirror
	for _, kv := range []struct {
		key string
		d   time.Duration
	}{{"mirror.health_interval", m.HealthInterval.Duration}, {"mirror.failover_after", m.FailoverAfter.Duration}, {"mirror.repair_interval", m.RepairInterval.Duration}} {
		if kv.d < minInterval || kv.d > maxInterval {
			bad(kv.key, "%s: must be in [%s, %s]", kv.d, minInterval, maxInterval)
		}
	}
	if h := m.HedgeAfter.Duration; h != 0 && (h < minHedge || h > m.FailoverAfter.Duration) {
		bad("mirror.hedge_after", "%s: must be 0 (off) or in [%s, failover_after (%s)]", h, minHedge, m.FailoverAfter.Duration)
	}
	if m.WriteTimeout.Duration < minWriteTimeout {
		bad("mirror.write_timeout", "%s: must be at least %s", m.WriteTimeout.Duration, minWriteTimeout)
	}
	if m.FailuresToDown < 1 || m.FailuresToDown > maxFailuresToDown {
		bad("mirror.failures_to_down", "%d: must be in [1, %d]", m.FailuresToDown, maxFailuresToDown)
	}

	c.Autopilot.validate(bad)
	errs = append(errs, c.validateKeys()...)
	errs = append(errs, c.validateRepositories()...)
	return errors.Join(errs...)
}

func (c *Config) validateKeys() []error {
	var errs []error
	names, ids := map[string]bool{}, map[string]bool{}
	for i, k := range c.Keys {
		key := fmt.Sprintf("keys[%d] (%s)", i, k.Name)
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
		}
		if err := ValidKeyName(k.Name); err != nil {
			bad("name: %v", err)
		}
		if names[k.Name] {
			bad("name %q is used twice", k.Name)
		}
		names[k.Name] = true
		if err := validAccessKeyID(k.AccessKeyID); err != nil {
			bad("access_key_id: %v", err)
		}
		if ids[k.AccessKeyID] {
			bad("access_key_id %q is used twice", k.AccessKeyID)
		}
		ids[k.AccessKeyID] = true
		if n := len(k.SecretAccessKey); n < minSecretLen || n > maxSecretLen || strings.ContainsFunc(k.SecretAccessKey, func(r rune) bool { return r <= ' ' || r > '~' }) {
			bad("secret_access_key: must be %d to %d printable ASCII characters without spaces", minSecretLen, maxSecretLen)
		}
	}
	return errs
}

func (c *Config) validateRepositories() []error {
	var errs []error
	names := map[string]bool{}
	owner := map[uint64]string{}
	for i, r := range c.Repositories {
		key := fmt.Sprintf("repositories[%d] (%s)", i, r.Name)
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
		}
		if err := ValidRepositoryName(r.Name); err != nil {
			bad("name: %v", err)
		}
		if names[r.Name] {
			bad("name %q is used twice", r.Name)
		}
		names[r.Name] = true
		if len(r.Deals) == 0 {
			bad("deals: empty (list the deal ids behind the repository)")
		}
		if len(r.Deals) > maxDealsPerRepo {
			bad("deals: %d deals; at most %d", len(r.Deals), maxDealsPerRepo)
		}
		for _, d := range r.Deals {
			if d == 0 {
				bad("deals: 0 is not a deal id")
				continue
			}
			if other, dup := owner[d]; dup {
				if other == r.Name {
					bad("deals: deal %d listed twice", d)
				} else {
					bad("deals: deal %d is also in repository %q", d, other)
				}
			}
			owner[d] = r.Name
		}
		switch r.Mode {
		case ModeNormal:
			if len(r.Deals) > 1 {
				bad("mode normal takes one deal, got %d (use mode = \"mirror\")", len(r.Deals))
			}
			if r.WriteQuorum > 1 {
				bad("write_quorum: %d; a normal repository writes to its one deal (leave it 0)", r.WriteQuorum)
			}
		case ModeMirror:
			if r.WriteQuorum < 0 || r.WriteQuorum > len(r.Deals) {
				bad("write_quorum: %d; must be in [1, %d] (the number of deals), or 0 for a majority", r.WriteQuorum, len(r.Deals))
			}
		default:
			bad("mode: %q; use %q or %q", r.Mode, ModeNormal, ModeMirror)
		}
	}
	return errs
}

// ValidRepositoryName accepts S3 bucket names of the simple kind: 3 to 63
// lower-case letters, digits and '-', starting and ending with a letter or
// digit (no dots: path-style and virtual-host addressing stay unambiguous).
func ValidRepositoryName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("%q must be 3 to 63 characters", name)
	}
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !alnum && (r != '-' || i == 0 || i == len(name)-1) {
			return fmt.Errorf("%q may only hold lower-case letters, digits and inner '-'", name)
		}
	}
	return nil
}

// ValidKeyName accepts 1 to 64 letters, digits, '-', '_' and '.'.
func ValidKeyName(name string) error {
	if name == "" || len(name) > 64 || strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) {
		return fmt.Errorf("%q must be 1 to 64 letters, digits, '-', '_' or '.'", name)
	}
	return nil
}

func validAccessKeyID(id string) error {
	if len(id) < minAccessKeyLen || len(id) > maxAccessKeyLen || strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		return fmt.Errorf("%q must be %d to %d letters and digits", id, minAccessKeyLen, maxAccessKeyLen)
	}
	if strings.HasPrefix(id, "ASIA") {
		// versitygw treats ASIA… keys as temporary (STS) credentials.
		return fmt.Errorf("%q must not start with ASIA", id)
	}
	return nil
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
