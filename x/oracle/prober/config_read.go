package prober

import (
	"fmt"
	"time"

	"github.com/spf13/cast"
)

// AppOptions is the subset of servertypes.AppOptions the prober needs.
type AppOptions interface {
	Get(string) any
}

// app.toml keys of the [oracle] section.
const (
	flagEnabled        = "oracle.enabled"
	flagProbeInterval  = "oracle.probe-interval"
	flagRequestTimeout = "oracle.request-timeout"
	flagCheckTimeout   = "oracle.check-timeout"
	flagObjectSize     = "oracle.object-size"
	flagLatencySamples = "oracle.latency-samples"
	flagConcurrency    = "oracle.concurrency"
	flagMaxStaleness   = "oracle.max-staleness"
	flagAllowPrivate   = "oracle.allow-private-endpoints"
)

// ReadConfig reads the [oracle] section from the node's app options. Missing
// keys keep their defaults. Durations may be strings ("2s") or
// time.Duration values; note that a bare integer duration is read as
// nanoseconds, as everywhere in viper/cast. The result is validated.
func ReadConfig(opts AppOptions) (Config, error) {
	cfg := DefaultConfig()
	if opts == nil {
		return cfg, cfg.Validate()
	}
	var err error
	read := func(key string, set func(v any) error) {
		if err != nil {
			return
		}
		v := opts.Get(key)
		if v == nil {
			return
		}
		if e := set(v); e != nil {
			err = fmt.Errorf("%s: %w", key, e)
		}
	}
	read(flagEnabled, func(v any) (e error) { cfg.Enabled, e = cast.ToBoolE(v); return })
	read(flagProbeInterval, func(v any) (e error) { cfg.ProbeInterval, e = toDuration(v); return })
	read(flagRequestTimeout, func(v any) (e error) { cfg.RequestTimeout, e = toDuration(v); return })
	read(flagCheckTimeout, func(v any) (e error) { cfg.CheckTimeout, e = toDuration(v); return })
	read(flagObjectSize, func(v any) (e error) { cfg.ObjectSize, e = cast.ToInt64E(v); return })
	read(flagLatencySamples, func(v any) (e error) { cfg.LatencySamples, e = cast.ToIntE(v); return })
	read(flagConcurrency, func(v any) (e error) { cfg.Concurrency, e = cast.ToIntE(v); return })
	read(flagMaxStaleness, func(v any) (e error) { cfg.MaxStaleness, e = toDuration(v); return })
	read(flagAllowPrivate, func(v any) (e error) { cfg.AllowPrivateEndpoints, e = cast.ToBoolE(v); return })
	if err != nil {
		return DefaultConfig(), err
	}
	if opts.Get(flagCheckTimeout) == nil {
		// An app.toml written before check-timeout existed may raise
		// request-timeout above the default check budget; keep such a node
		// starting, with one request's worth of budget.
		cfg.CheckTimeout = max(cfg.CheckTimeout, cfg.RequestTimeout)
	}
	return cfg, cfg.Validate()
}

// toDuration is cast.ToDurationE, except that an empty string is an error
// rather than a silent zero.
func toDuration(v any) (time.Duration, error) {
	if s, ok := v.(string); ok && s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	return cast.ToDurationE(v)
}
