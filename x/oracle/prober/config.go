package prober

import (
	"fmt"
	"time"
)

// Config configures the prober; it is the [oracle] section of app.toml (see
// ConfigTemplate). The mapstructure tags are the app.toml keys.
type Config struct {
	// Enabled turns probing on. A disabled prober reports nothing.
	Enabled bool `mapstructure:"enabled"`
	// ProbeInterval is the time between two checks of the same target.
	ProbeInterval time.Duration `mapstructure:"probe-interval"`
	// RequestTimeout is the hard limit for any single HTTP request,
	// including reading its body.
	RequestTimeout time.Duration `mapstructure:"request-timeout"`
	// CheckTimeout is the hard limit for a whole check (every ping, the
	// download and the upload). It keeps a check well inside an assignment
	// window, so that an endpoint that never answers is still measured (as
	// down) within the window, and bounds how long one target holds a slot.
	// Operations the budget leaves no time for count as failed.
	CheckTimeout time.Duration `mapstructure:"check-timeout"`
	// ObjectSize is the size in bytes of the download and upload probe
	// objects.
	ObjectSize int64 `mapstructure:"object-size"`
	// LatencySamples is the number of ping requests per check.
	LatencySamples int `mapstructure:"latency-samples"`
	// Concurrency is the maximum number of targets probed at the same time.
	Concurrency int `mapstructure:"concurrency"`
	// MaxStaleness is how old a target's last completed check may be for its
	// measurement to be reported.
	MaxStaleness time.Duration `mapstructure:"max-staleness"`
	// AllowPrivateEndpoints lets probes connect to addresses that are not
	// public unicast (loopback, private, link-local, CGNAT, ...). Off by
	// default: endpoints are written by providers, and a validator must not
	// be made to send requests into its own network. Local test networks,
	// whose probe targets listen on 127.0.0.1, turn it on.
	AllowPrivateEndpoints bool `mapstructure:"allow-private-endpoints"`
}

// Bounds enforced by Validate.
const (
	MinProbeInterval  = 100 * time.Millisecond
	MinRequestTimeout = 100 * time.Millisecond
	MaxRequestTimeout = 60 * time.Second
	MaxCheckTimeout   = 60 * time.Second
	MinObjectSize     = 1 << 10  // 1 KiB: smaller objects measure latency, not throughput
	MaxObjectSize     = 64 << 20 // 64 MiB: bounds bandwidth and memory per check
	MinLatencySamples = 1
	MaxLatencySamples = 15
	MinConcurrency    = 1
	MaxConcurrency    = 256
)

// Defaults returned by DefaultConfig.
const (
	DefaultProbeInterval  = 5 * time.Second
	DefaultRequestTimeout = 5 * time.Second
	// DefaultCheckTimeout fits a check, with its start offset, in the first
	// two thirds of a default window (10 blocks of ~1 s): a healthy check
	// takes well under a second, and an endpoint that never answers has
	// used up the budget with its first ping.
	DefaultCheckTimeout   = 5 * time.Second
	DefaultObjectSize     = 256 << 10 // 256 KiB
	DefaultLatencySamples = 3
	DefaultConcurrency    = 8
	DefaultMaxStaleness   = 60 * time.Second
)

// DefaultConfig returns the defaults: probing disabled, sensible values for
// when an operator enables it.
func DefaultConfig() Config {
	return Config{
		Enabled:        false,
		ProbeInterval:  DefaultProbeInterval,
		RequestTimeout: DefaultRequestTimeout,
		CheckTimeout:   DefaultCheckTimeout,
		ObjectSize:     DefaultObjectSize,
		LatencySamples: DefaultLatencySamples,
		Concurrency:    DefaultConcurrency,
		MaxStaleness:   DefaultMaxStaleness,
	}
}

// Validate checks every value, whether or not the prober is enabled, so that
// a mistake in app.toml shows up at startup and not on the day an operator
// turns probing on. Error messages name the app.toml key.
func (c Config) Validate() error {
	if c.ProbeInterval < MinProbeInterval {
		return fmt.Errorf("oracle.probe-interval must be at least %s, got %s", MinProbeInterval, c.ProbeInterval)
	}
	if c.RequestTimeout < MinRequestTimeout || c.RequestTimeout > MaxRequestTimeout {
		return fmt.Errorf("oracle.request-timeout must be in [%s, %s], got %s", MinRequestTimeout, MaxRequestTimeout, c.RequestTimeout)
	}
	if c.CheckTimeout < c.RequestTimeout || c.CheckTimeout > MaxCheckTimeout {
		return fmt.Errorf("oracle.check-timeout must be in [oracle.request-timeout (%s), %s], got %s", c.RequestTimeout, MaxCheckTimeout, c.CheckTimeout)
	}
	if c.ObjectSize < MinObjectSize || c.ObjectSize > MaxObjectSize {
		return fmt.Errorf("oracle.object-size must be in [%d, %d] bytes (1 KiB to 64 MiB), got %d", MinObjectSize, MaxObjectSize, c.ObjectSize)
	}
	if c.LatencySamples < MinLatencySamples || c.LatencySamples > MaxLatencySamples {
		return fmt.Errorf("oracle.latency-samples must be in [%d, %d], got %d", MinLatencySamples, MaxLatencySamples, c.LatencySamples)
	}
	if c.Concurrency < MinConcurrency || c.Concurrency > MaxConcurrency {
		return fmt.Errorf("oracle.concurrency must be in [%d, %d], got %d", MinConcurrency, MaxConcurrency, c.Concurrency)
	}
	if c.MaxStaleness < c.ProbeInterval {
		return fmt.Errorf("oracle.max-staleness (%s) must be at least oracle.probe-interval (%s), or every measurement would be stale before the next check", c.MaxStaleness, c.ProbeInterval)
	}
	return nil
}
