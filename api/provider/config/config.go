// Package config is the provider node's configuration: the provider.toml
// file that `flashbackd provider init` writes and `flashbackd provider
// serve` reads. Every key carries its documentation as a comment in the
// written file (the `comment` struct tags below), and loading refuses
// unknown keys, so a typo never silently falls back to a default.
package config

import (
	"strings"
	"time"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
)

// FileName is the configuration file in the provider node's home.
const FileName = "provider.toml"

// Config is the whole provider.toml.
type Config struct {
	Chain     Chain     `toml:"chain" comment:"How the node follows the chain and signs its transactions."`
	Server    Server    `toml:"server" comment:"The S3 endpoint, the status endpoint and the node's files."`
	Probe     Probe     `toml:"probe" comment:"The anonymous probe objects the validators' probers measure (x/oracle/prober/PROTOCOL.md)."`
	Policy    Policy    `toml:"policy" comment:"Which deal requests the node accepts. A request that fails any rule is declined, with the rule as the reason.\nA request on a unit whose on-chain endpoint is not this node's is left pending (see the log)."`
	Withdraw  Withdraw  `toml:"withdraw" comment:"Withdrawing the deals' earnings to the provider's account."`
	Retrieval Retrieval `toml:"retrieval" comment:"What happens to a deal's bucket once the deal has closed."`
	Receipts  Receipts  `toml:"receipts" comment:"Egress billing: the usage receipts consumers' bridges upload to their deals' buckets (api/receipts), submitted on chain."`
	Units     []Unit    `toml:"units" comment:"The data units this node serves: one [[units]] table per unit, with exactly one storage backend,\n[units.posix] or [units.s3]. Each unit must be registered on chain by this provider with the endpoint\n<server.public_url>/unit-<id>."`

	// home is the directory relative paths are resolved against (not in
	// the file).
	home string
}

// Chain is the [chain] section.
type Chain struct {
	GRPCAddress    string   `toml:"grpc_address" comment:"gRPC address (host:port) of a flashbackd node: the node reads deals, units and access keys there."`
	GRPCTLS        bool     `toml:"grpc_tls" comment:"Use TLS for gRPC (with the system's root certificates); false: plaintext, for a node on localhost or a private network."`
	RPCAddress     string   `toml:"rpc_address" comment:"CometBFT RPC address of a flashbackd node (tcp://host:port or http(s)://host:port): transactions are broadcast and looked up there."`
	ChainID        string   `toml:"chain_id" comment:"Chain id the node signs for; empty: read from the RPC node at start (and remembered in the state file)."`
	KeyringDir     string   `toml:"keyring_dir" comment:"Directory of the keyring that holds the provider's key (as --keyring-dir of flashbackd keys; relative to the home of this file)."`
	KeyringBackend string   `toml:"keyring_backend" comment:"Keyring backend: os, file or test. With file, the passphrase is read from standard input at start."`
	KeyName        string   `toml:"key_name" comment:"Name of the provider's key in the keyring. Its address is the provider's on-chain address."`
	GasPrices      string   `toml:"gas_prices" comment:"Gas prices of the node's transactions (at least the chain nodes' minimum gas prices)."`
	GasAdjustment  float64  `toml:"gas_adjustment" comment:"Simulated gas is multiplied by this to set a transaction's gas limit."`
	PollInterval   Duration `toml:"poll_interval" comment:"How often the node reads the chain: pending requests, running deals, access keys, closed deals.\nWhile the chain is unreachable it retries with a growing delay (up to 1 minute) and keeps serving what it knows."`
	TxTimeout      Duration `toml:"tx_timeout" comment:"How long the node waits for one of its transactions to be included in a block before it reports it as failed."`
}

// Server is the [server] section.
type Server struct {
	Listen        string `toml:"listen" comment:"Address (host:port) the S3 endpoint listens on."`
	PublicURL     string `toml:"public_url" comment:"URL at which consumers and validators reach the S3 endpoint (http or https, no path). A unit registers\n<public_url>/unit-<id> as its endpoint; consumers use <public_url> as their S3 endpoint (path-style)."`
	StatusListen  string `toml:"status_listen" comment:"Address (host:port) of the status endpoint: GET /status (JSON, read by flashbackd provider status)\nand GET /metrics (Prometheus). Keep it private: it lists the deals the node serves."`
	AccessKeyFile string `toml:"access_key_file" comment:"The node's private X25519 access key (written by provider init; relative to the home of this file). The node publishes\nits public key on chain; deal credentials are derived from it. Back it up: a new key changes every deal's credentials."`
	DataDir       string `toml:"data_dir" comment:"Directory of the posix units' directories (relative to the home of this file)."`
	StateFile     string `toml:"state_file" comment:"The node's record of the deals it serves (JSON; relative to the home of this file): closed deals in their\nretrieval period are tracked from it, and the node serves the deals it knows at start even when the chain is unreachable."`
}

// Probe is the [probe] section (the gateway's probe settings).
type Probe struct {
	ObjectSizes          []int64  `toml:"object_sizes" comment:"Sizes in bytes of the download objects object-<size> served to probers (the validators' default object-size is 262144)."`
	UploadMaxBytes       int64    `toml:"upload_max_bytes" comment:"Largest anonymous probe upload, in bytes."`
	UploadExpiry         Duration `toml:"upload_expiry" comment:"How long an anonymous probe upload is kept before it is deleted."`
	UploadMaxOutstanding int64    `toml:"upload_max_outstanding" comment:"Bytes of probe uploads stored or in flight over all units; beyond it uploads are refused with 503 SlowDown."`
}

// Policy is the [policy] section.
type Policy struct {
	MinPricePerGBMonth uint64   `toml:"min_price_per_gb_month" comment:"Price floor in uflash per GB per 30-day month: a request whose locked price is lower is declined."`
	FreeSpaceMarginGB  uint64   `toml:"free_space_margin_gb" comment:"GB (10^9 bytes) of storage the node keeps free on a unit: a request is declined unless the unit's storage has room for\nits capacity, for what running deals may still write, and this margin. Room is the free space of a posix unit's\nfile system (and at most the unit's capacity_gb when set), or the capacity_gb of an s3 unit (unchecked when 0)."`
	VerifiedOnly       bool     `toml:"verified_consumers_only" comment:"Accept requests from verified consumers only (the chain's register of certified consumers)."`
	AllowConsumers     []string `toml:"allow_consumers" comment:"If not empty, only these consumer addresses (flash1…) are accepted."`
	DenyConsumers      []string `toml:"deny_consumers" comment:"Consumer addresses (flash1…) whose requests are always declined."`
}

// Receipts is the [receipts] section.
type Receipts struct {
	SubmitInterval Duration `toml:"submit_interval" comment:"How often the node submits a deal's latest usage receipt when it bills new bytes (and whenever the deal ends\nwithin this interval). 0s: never (receipts are still checked and kept, and can be submitted by hand)."`
	SubmitMinBytes uint64   `toml:"submit_min_bytes" comment:"Submit earlier, at the next poll, once the latest receipt bills at least this many bytes not billed yet."`
}

// Withdraw is the [withdraw] section.
type Withdraw struct {
	Interval    Duration `toml:"interval" comment:"How often the node withdraws the earnings of its deals (running ones, and closed ones it still tracks), in batches of\nat most 100 deals per transaction. 0s: never (withdraw by hand with tx orchestrator withdraw-earnings)."`
	MinEarnings uint64   `toml:"min_earnings" comment:"A deal is included only when its earnings (before the platform fee) are at least this many uflash."`
}

// Retrieval is the [retrieval] section.
type Retrieval struct {
	Period Duration `toml:"period" comment:"After a deal closes (the closed_at time of its chain record), its bucket stays readable (every write refused)\nfor this long so that the consumer can fetch its data; then the node deletes the bucket and its data. 0s: at once."`
}

// Unit is one [[units]] table.
type Unit struct {
	ID         uint64     `toml:"id" comment:"The data unit's id on chain."`
	CapacityGB uint64     `toml:"capacity_gb" comment:"Most GB (10^9 bytes) the node lets this unit's deals hold (see policy.free_space_margin_gb); 0: no cap besides free space."`
	Posix      *UnitPosix `toml:"posix,omitempty" comment:"Storage in a local directory (on a file system with user extended attributes)."`
	S3         *UnitS3    `toml:"s3,omitempty" comment:"Storage in a bucket of an S3-compatible service (the provider's own cloud bucket)."`
}

// UnitPosix is a posix unit's storage.
type UnitPosix struct {
	Dir string `toml:"dir" comment:"Directory name under server.data_dir (lower-case letters, digits, '-', '.'); make it a symbolic link to put the unit on another disk."`
}

// UnitS3 is an s3 unit's storage.
type UnitS3 struct {
	Endpoint  string `toml:"endpoint" comment:"The service's endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com."`
	Region    string `toml:"region" comment:"The service's region."`
	Bucket    string `toml:"bucket" comment:"The bucket (it must exist). Deals' objects are stored under deals/<deal-id>/ in it."`
	AccessKey string `toml:"access_key" comment:"Credentials for the bucket (empty: anonymous)."`
	SecretKey string `toml:"secret_key" comment:"Secret of access_key. This file holds it: keep the file private (provider init writes it with mode 0600)."`
	PathStyle bool   `toml:"path_style" comment:"Path-style addressing (most self-hosted S3 services need it)."`
}

// Defaults of a new configuration.
const (
	DefaultGRPCAddress    = "127.0.0.1:9090"
	DefaultRPCAddress     = "tcp://127.0.0.1:26657"
	DefaultKeyName        = "provider"
	DefaultKeyringBackend = "os"
	DefaultGasPrices      = "0.0025uflash"
	DefaultGasAdjustment  = 1.5
	DefaultPollInterval   = 5 * time.Second
	DefaultTxTimeout      = time.Minute
	DefaultListen         = "0.0.0.0:9000"
	DefaultPublicURL      = "http://127.0.0.1:9000"
	DefaultStatusListen   = "127.0.0.1:9100"
	DefaultAccessKeyFile  = "access_key.json"
	DefaultDataDir        = "data"
	DefaultStateFile      = "node_state.json"
	DefaultRetention      = 72 * time.Hour
	DefaultWithdraw       = 24 * time.Hour
	// Receipts are submitted hourly, or as soon as 10 GB are unbilled: a
	// transaction's fee is small next to an hour's or 10 GB's egress.
	DefaultReceiptSubmit   = time.Hour
	DefaultReceiptMinBytes = 10_000_000_000
	DefaultS3Region        = gateway.DefaultRegion
	// The probe settings default to the gateway's own defaults.
	defaultProbeSize     = gateway.DefaultProbeObjectSize
	defaultProbeExpiry   = gateway.DefaultProbeUploadExpiry
	defaultProbeOutstand = gateway.DefaultProbeMaxOutstanding
)

// Default returns a configuration with every key at its default and no
// units. keyringDir is where `flashbackd keys` keeps keys by default.
func Default(keyringDir string) Config {
	return Config{
		Chain: Chain{
			GRPCAddress:    DefaultGRPCAddress,
			RPCAddress:     DefaultRPCAddress,
			KeyringDir:     keyringDir,
			KeyringBackend: DefaultKeyringBackend,
			KeyName:        DefaultKeyName,
			GasPrices:      DefaultGasPrices,
			GasAdjustment:  DefaultGasAdjustment,
			PollInterval:   Duration{DefaultPollInterval},
			TxTimeout:      Duration{DefaultTxTimeout},
		},
		Server: Server{
			Listen:        DefaultListen,
			PublicURL:     DefaultPublicURL,
			StatusListen:  DefaultStatusListen,
			AccessKeyFile: DefaultAccessKeyFile,
			DataDir:       DefaultDataDir,
			StateFile:     DefaultStateFile,
		},
		Probe: Probe{
			ObjectSizes:          []int64{defaultProbeSize},
			UploadMaxBytes:       defaultProbeSize,
			UploadExpiry:         Duration{defaultProbeExpiry},
			UploadMaxOutstanding: defaultProbeOutstand,
		},
		Policy:    Policy{MinPricePerGBMonth: 0, FreeSpaceMarginGB: 1, AllowConsumers: []string{}, DenyConsumers: []string{}},
		Withdraw:  Withdraw{Interval: Duration{DefaultWithdraw}, MinEarnings: 1},
		Retrieval: Retrieval{Period: Duration{DefaultRetention}},
		Receipts:  Receipts{SubmitInterval: Duration{DefaultReceiptSubmit}, SubmitMinBytes: DefaultReceiptMinBytes},
		Units:     []Unit{},
	}
}

// Duration is a time.Duration written as text ("72h", "1m30s") in the file.
type Duration struct{ time.Duration }

// MarshalText writes the duration without zero trailing units: 72h, not 72h0m0s.
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
