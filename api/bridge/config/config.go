// Package config is the consumer bridge's configuration: the bridge.toml
// file that `flashbackd bridge init` writes and `flashbackd bridge serve`
// reads. Every key carries its documentation as a comment in the written
// file (the `comment` struct tags below), and loading refuses unknown keys,
// so a typo never silently falls back to a default.
package config

import (
	"strings"
	"time"
)

// FileName is the configuration file in the bridge's home.
const FileName = "bridge.toml"

// Repository modes.
const (
	ModeNormal = "normal"
	ModeMirror = "mirror"
)

// Config is the whole bridge.toml.
type Config struct {
	Chain        Chain        `toml:"chain" comment:"How the bridge reads the chain, and whose deals it serves."`
	Server       Server       `toml:"server" comment:"The local S3 endpoint, the status endpoint and the bridge's files."`
	Mirror       Mirror       `toml:"mirror" comment:"Health checks, failover and repair of the deals behind the repositories."`
	Autopilot    Autopilot    `toml:"autopilot" comment:"The autopilot (api/bridge/autopilot): how bridge reserve ranks units, and how bridge serve renews, replaces and tops up\nthe repositories' deals from a budget. Every decision is logged, kept in data_dir/autopilot.db and shown by bridge status."`
	Keys         []Key        `toml:"keys" comment:"The S3 access keys the bridge accepts from your apps: one [[keys]] table per key.\nAdd one with flashbackd bridge keys add NAME [--read-only] (it rewrites this file), or by hand.\nThese keys never leave this machine; the providers see only your deals' own credentials."`
	Repositories []Repository `toml:"repositories" comment:"The repositories: each is a bucket on the bridge backed by one or more of your deals (one [[repositories]]\ntable each). normal: one deal. mirror: every object written to every deal, acknowledged once write_quorum\nof them have it; reads from the fastest healthy deal that has the current version."`

	// home is the directory relative paths are resolved against (not in
	// the file).
	home string
}

// Chain is the [chain] section.
type Chain struct {
	GRPCAddress    string   `toml:"grpc_address" comment:"gRPC address (host:port) of a flashbackd node: the bridge reads deals, units and access keys there."`
	GRPCTLS        bool     `toml:"grpc_tls" comment:"Use TLS for gRPC (with the system's root certificates); false: plaintext, for a node on localhost or a private network."`
	RPCAddress     string   `toml:"rpc_address" comment:"CometBFT RPC address of a flashbackd node (tcp://host:port or http(s)://host:port): the chain id is read there when chain_id is empty."`
	ChainID        string   `toml:"chain_id" comment:"Chain id (deal credentials are bound to it); empty: read from the RPC node at start."`
	KeyringDir     string   `toml:"keyring_dir" comment:"Directory of the keyring that holds the consumer's key (as --keyring-dir of flashbackd keys; relative to the home of this file)."`
	KeyringBackend string   `toml:"keyring_backend" comment:"Keyring backend: os, file or test. With file, the passphrase is read from standard input at start."`
	KeyName        string   `toml:"key_name" comment:"Name of the consumer's key in the keyring. Its address must be the consumer of every deal of every repository."`
	PollInterval   Duration `toml:"poll_interval" comment:"How often the bridge reads its deals' states on chain (shown by bridge status; a deal that is no longer ACTIVE is logged)."`
	// QoSCheckInterval: 0 (a file written before the key existed) is the
	// default.
	QoSCheckInterval Duration `toml:"qos_check_interval" comment:"How often the bridge checks whether a deal's QoS self-report is due (one block query each). The chain decides how often\na report may be filed (x/oracle's self_report_min_interval, 24h by default); when that is shorter than five checks, the\ncheck runs five times per self_report_min_interval (at least once a second). 0: the default (1m)."`
}

// Server is the [server] section.
type Server struct {
	Listen        string `toml:"listen" comment:"Address (host:port) of the bridge's S3 endpoint (path-style; keep it on localhost or a private network)."`
	Region        string `toml:"region" comment:"Region your apps sign their requests for."`
	StatusListen  string `toml:"status_listen" comment:"Address (host:port) of the status endpoint: GET /status (JSON, read by flashbackd bridge status)."`
	AccessKeyFile string `toml:"access_key_file" comment:"Your private X25519 access key (flashbackd bridge access-key creates it; relative to the home of this file).\nYour deals' S3 credentials are derived from it."`
	DataDir       string `toml:"data_dir" comment:"The bridge's own data (relative to the home of this file): bridge.db (which deals hold which object, writes a deal\nmissed, open multipart uploads) and spool/ (mirror-mode uploads while they go out to the deals)."`
}

// Mirror is the [mirror] section.
type Mirror struct {
	HealthInterval Duration `toml:"health_interval" comment:"How often every deal's bucket is checked (a HEAD request); a deal that fails failures_to_down requests or checks\nin a row is down: it is read last and written to only by repair, until a check succeeds."`
	FailuresToDown int      `toml:"failures_to_down" comment:"Consecutive failed requests or checks after which a deal is considered down."`
	FailoverAfter  Duration `toml:"failover_after" comment:"A read (GET, HEAD, list) that has no answer from a deal after this long is abandoned and tried on the next deal."`
	HedgeAfter     Duration `toml:"hedge_after" comment:"mirror: a GET or HEAD that has no answer from a deal after this long is also sent to the next deal that holds the object,\nand the first answer is served (so a hung provider holds reads up this long, not failover_after). 0: off. At most failover_after."`
	WriteTimeout   Duration `toml:"write_timeout" comment:"Longest a write to one deal may take (each replica of a PUT, a part, a repair copy); it then counts as missed."`
	RepairInterval Duration `toml:"repair_interval" comment:"How often writes that a deal missed are copied to it from a deal that has them (also at once when a deal comes back)."`
}

// Key is one [[keys]] table.
type Key struct {
	Name            string `toml:"name" comment:"A name for the key (for you; shown in the log and by keys list)."`
	AccessKeyID     string `toml:"access_key_id" comment:"The access key id apps sign with (16 to 128 letters and digits)."`
	SecretAccessKey string `toml:"secret_access_key" comment:"Its secret (at least 16 characters). This file holds it: keep the file private (written with mode 0600)."`
	ReadOnly        bool   `toml:"read_only" comment:"true: the key may only read and list (every write gets AccessDenied)."`
}

// Repository is one [[repositories]] table.
type Repository struct {
	Name        string   `toml:"name" comment:"The repository's bucket name on the bridge (3 to 63 lower-case letters, digits and '-')."`
	Mode        string   `toml:"mode" comment:"normal (one deal) or mirror (every deal holds every object)."`
	Deals       []uint64 `toml:"deals" comment:"Your deals behind the repository: ACTIVE deals whose consumer is chain.key_name. A deal belongs to one repository."`
	WriteQuorum int      `toml:"write_quorum" comment:"mirror: how many deals must have a write before it is acknowledged (1 to the number of deals; 0: a majority)."`
}

// Defaults of a new configuration.
const (
	DefaultGRPCAddress    = "127.0.0.1:9090"
	DefaultRPCAddress     = "tcp://127.0.0.1:26657"
	DefaultKeyName        = "consumer"
	DefaultKeyringBackend = "os"
	DefaultListen         = "127.0.0.1:9200"
	DefaultRegion         = "us-east-1"
	DefaultStatusListen   = "127.0.0.1:9201"
	DefaultAccessKeyFile  = "access_key.json"
	DefaultDataDir        = "data"
	DefaultHealthInterval = 5 * time.Second
	DefaultFailuresToDown = 3
	DefaultFailoverAfter  = 2 * time.Second
	DefaultHedgeAfter     = 500 * time.Millisecond
	DefaultWriteTimeout   = 10 * time.Minute
	DefaultRepairInterval = 30 * time.Second
	DefaultPollInterval   = 30 * time.Second
	// DefaultQoSCheckInterval is chain.qos_check_interval's default.
	DefaultQoSCheckInterval = time.Minute
)

// Default returns a configuration with every key at its default, no keys
// and no repositories. keyringDir is where `flashbackd keys` keeps keys by
// default.
func Default(keyringDir string) Config {
	return Config{
		Chain: Chain{
			GRPCAddress:      DefaultGRPCAddress,
			RPCAddress:       DefaultRPCAddress,
			KeyringDir:       keyringDir,
			KeyringBackend:   DefaultKeyringBackend,
			KeyName:          DefaultKeyName,
			PollInterval:     Duration{DefaultPollInterval},
			QoSCheckInterval: Duration{DefaultQoSCheckInterval},
		},
		Server: Server{
			Listen:        DefaultListen,
			Region:        DefaultRegion,
			StatusListen:  DefaultStatusListen,
			AccessKeyFile: DefaultAccessKeyFile,
			DataDir:       DefaultDataDir,
		},
		Mirror: Mirror{
			HealthInterval: Duration{DefaultHealthInterval},
			FailuresToDown: DefaultFailuresToDown,
			FailoverAfter:  Duration{DefaultFailoverAfter},
			HedgeAfter:     Duration{DefaultHedgeAfter},
			WriteTimeout:   Duration{DefaultWriteTimeout},
			RepairInterval: Duration{DefaultRepairInterval},
		},
		Autopilot:    DefaultAutopilot(),
		Keys:         []Key{},
		Repositories: []Repository{},
	}
}

// Quorum is the repository's effective write quorum: write_quorum, a
// majority of its deals when 0, and 1 in normal mode.
func (r Repository) Quorum() int {
	if r.Mode != ModeMirror {
		return 1
	}
	if r.WriteQuorum == 0 {
		return len(r.Deals)/2 + 1
	}
	return r.WriteQuorum
}

// Duration is a time.Duration written as text ("5s", "10m") in the file.
type Duration struct{ time.Duration }

// MarshalText writes the duration without zero trailing units: 10m, not 10m0s.
func (d Duration) MarshalText() ([]byte, error) {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return []byte(s), nil
}

// UnmarshalText reads a Go duration ("5s", "72h").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}
