package prober

import (
	"bytes"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/spf13/viper"
	"github.com/stretchr/testify/require"
)

func TestDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	require.False(t, cfg.Enabled)
	require.Equal(t, 5*time.Second, cfg.ProbeInterval)
	require.Equal(t, 5*time.Second, cfg.RequestTimeout)
	require.Equal(t, 5*time.Second, cfg.CheckTimeout)
	require.Equal(t, int64(256<<10), cfg.ObjectSize)
	require.Equal(t, 3, cfg.LatencySamples)
	require.Equal(t, 8, cfg.Concurrency)
	require.Equal(t, 60*time.Second, cfg.MaxStaleness)
	require.False(t, cfg.AllowPrivateEndpoints, "probes reach public addresses only unless told otherwise")
	require.NoError(t, cfg.Validate())
	cfg.Enabled = true
	require.NoError(t, cfg.Validate())
}

func TestConfigValidateRejectsOutOfBounds(t *testing.T) {
	cases := map[string]struct {
		mutate  func(*Config)
		wantErr string
	}{
		"interval too short":   {func(c *Config) { c.ProbeInterval = 99 * time.Millisecond }, "oracle.probe-interval must be at least 100ms, got 99ms"},
		"timeout too short":    {func(c *Config) { c.RequestTimeout = 99 * time.Millisecond }, "oracle.request-timeout must be in [100ms, 1m0s], got 99ms"},
		"timeout too long":     {func(c *Config) { c.RequestTimeout = 61 * time.Second }, "oracle.request-timeout must be in [100ms, 1m0s], got 1m1s"},
		"check < request":      {func(c *Config) { c.CheckTimeout = c.RequestTimeout - 1 }, "oracle.check-timeout must be in [oracle.request-timeout (5s), 1m0s], got 4.999999999s"},
		"check too long":       {func(c *Config) { c.CheckTimeout = 61 * time.Second }, "oracle.check-timeout must be in [oracle.request-timeout (5s), 1m0s], got 1m1s"},
		"object too small":     {func(c *Config) { c.ObjectSize = 1023 }, "oracle.object-size must be in [1024, 67108864] bytes (1 KiB to 64 MiB), got 1023"},
		"object too large":     {func(c *Config) { c.ObjectSize = 64<<20 + 1 }, "oracle.object-size must be in [1024, 67108864] bytes (1 KiB to 64 MiB), got 67108865"},
		"no latency samples":   {func(c *Config) { c.LatencySamples = 0 }, "oracle.latency-samples must be in [1, 15], got 0"},
		"too many samples":     {func(c *Config) { c.LatencySamples = 16 }, "oracle.latency-samples must be in [1, 15], got 16"},
		"no concurrency":       {func(c *Config) { c.Concurrency = 0 }, "oracle.concurrency must be in [1, 256], got 0"},
		"too much concurrency": {func(c *Config) { c.Concurrency = 257 }, "oracle.concurrency must be in [1, 256], got 257"},
		"staleness < interval": {func(c *Config) { c.MaxStaleness = c.ProbeInterval - 1 }, "oracle.max-staleness (4.999999999s) must be at least oracle.probe-interval (5s)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, enabled := range []bool{true, false} {
				cfg := DefaultConfig()
				cfg.Enabled = enabled
				tc.mutate(&cfg)
				err := cfg.Validate()
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.wantErr)
			}
		})
	}

	edges := DefaultConfig()
	edges.ProbeInterval, edges.MaxStaleness = MinProbeInterval, MinProbeInterval
	edges.RequestTimeout, edges.CheckTimeout = MaxRequestTimeout, MaxCheckTimeout
	edges.ObjectSize = MinObjectSize
	edges.LatencySamples, edges.Concurrency = MaxLatencySamples, MaxConcurrency
	require.NoError(t, edges.Validate(), "bounds are inclusive")
}

// mapOptions is an AppOptions backed by a map, like the SDK's test helpers.
type mapOptions map[string]any

func (m mapOptions) Get(key string) any { return m[key] }

func TestReadConfig(t *testing.T) {
	cfg, err := ReadConfig(mapOptions{})
	require.NoError(t, err)
	require.Equal(t, DefaultConfig(), cfg, "missing keys keep defaults")

	cfg, err = ReadConfig(nil)
	require.NoError(t, err)
	require.Equal(t, DefaultConfig(), cfg)

	cfg, err = ReadConfig(mapOptions{
		"oracle.enabled":                 "true",
		"oracle.probe-interval":          "2s",
		"oracle.request-timeout":         1500 * time.Millisecond,
		"oracle.check-timeout":           "3s",
		"oracle.object-size":             65536,
		"oracle.latency-samples":         "5",
		"oracle.concurrency":             int64(4),
		"oracle.max-staleness":           "1m",
		"oracle.allow-private-endpoints": "true",
	})
	require.NoError(t, err)
	require.Equal(t, Config{
		Enabled:               true,
		ProbeInterval:         2 * time.Second,
		RequestTimeout:        1500 * time.Millisecond,
		CheckTimeout:          3 * time.Second,
		ObjectSize:            65536,
		LatencySamples:        5,
		Concurrency:           4,
		MaxStaleness:          time.Minute,
		AllowPrivateEndpoints: true,
	}, cfg)

	// Without check-timeout, a request-timeout above its default raises it.
	cfg, err = ReadConfig(mapOptions{"oracle.request-timeout": "8s"})
	require.NoError(t, err)
	require.Equal(t, 8*time.Second, cfg.CheckTimeout)

	// Only some keys: the rest keep defaults.
	cfg, err = ReadConfig(mapOptions{"oracle.enabled": true, "oracle.object-size": "1048576"})
	require.NoError(t, err)
	want := DefaultConfig()
	want.Enabled, want.ObjectSize = true, 1<<20
	require.Equal(t, want, cfg)
}

func TestReadConfigErrors(t *testing.T) {
	cases := []struct {
		opts    mapOptions
		wantErr string
	}{
		{mapOptions{"oracle.probe-interval": "soon"}, "oracle.probe-interval"},
		{mapOptions{"oracle.max-staleness": ""}, "oracle.max-staleness: empty duration"},
		{mapOptions{"oracle.enabled": "maybe"}, "oracle.enabled"},
		{mapOptions{"oracle.allow-private-endpoints": "sometimes"}, "oracle.allow-private-endpoints"},
		{mapOptions{"oracle.object-size": "big"}, "oracle.object-size"},
		{mapOptions{"oracle.concurrency": []string{"8"}}, "oracle.concurrency"},
		{mapOptions{"oracle.latency-samples": "three"}, "oracle.latency-samples"},
		{mapOptions{"oracle.request-timeout": struct{}{}}, "oracle.request-timeout"},
		// Values that parse but are out of bounds fail validation.
		{mapOptions{"oracle.probe-interval": "10ms"}, "oracle.probe-interval must be at least 100ms"},
		{mapOptions{"oracle.latency-samples": 0}, "oracle.latency-samples must be in [1, 15]"},
		{mapOptions{"oracle.request-timeout": "2m"}, "oracle.request-timeout must be in"},
		{mapOptions{"oracle.check-timeout": "1s"}, "oracle.check-timeout must be in [oracle.request-timeout (5s)"},
		{mapOptions{"oracle.check-timeout": "never"}, "oracle.check-timeout"},
		{mapOptions{"oracle.max-staleness": "1s"}, "oracle.max-staleness (1s) must be at least"},
		{mapOptions{"oracle.object-size": int64(1) << 40}, "oracle.object-size must be in"},
		{mapOptions{"oracle.concurrency": "1000"}, "oracle.concurrency must be in [1, 256]"},
	}
	for _, tc := range cases {
		_, err := ReadConfig(tc.opts)
		require.Error(t, err, "%v", tc.opts)
		require.Contains(t, err.Error(), tc.wantErr)
	}
}

// TestConfigTemplateRoundTrip renders the template the way the SDK renders
// app.toml, reads it back with viper (what the node uses as AppOptions) and
// expects the same config.
func TestConfigTemplateRoundTrip(t *testing.T) {
	want := Config{
		Enabled:               true,
		ProbeInterval:         2500 * time.Millisecond,
		RequestTimeout:        3 * time.Second,
		CheckTimeout:          4 * time.Second,
		ObjectSize:            1 << 20,
		LatencySamples:        7,
		Concurrency:           16,
		MaxStaleness:          90 * time.Second,
		AllowPrivateEndpoints: true,
	}
	tmpl, err := template.New("app").Parse(ConfigTemplate)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, tmpl.Execute(&buf, struct{ Oracle Config }{want}))

	// Every key has a comment line right above it.
	lines := strings.Split(buf.String(), "\n")
	keys := 0
	for i, line := range lines {
		if strings.Contains(line, " = ") {
			keys++
			require.True(t, strings.HasPrefix(lines[i-1], "# "), "no comment above %q", line)
		}
	}
	require.Equal(t, 9, keys)

	v := viper.New()
	v.SetConfigType("toml")
	require.NoError(t, v.ReadConfig(&buf))
	got, err := ReadConfig(v)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// The lead engineer's app config decodes the section with mapstructure.
	var decoded struct {
		Oracle Config `mapstructure:"oracle"`
	}
	require.NoError(t, v.Unmarshal(&decoded))
	require.Equal(t, want, decoded.Oracle)
}
