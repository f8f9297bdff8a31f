package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/flashbacknetwork/flashbackd/app"
)

func validConfig(t *testing.T) Config {
	t.Helper()
	c := Default("/keys")
	for _, spec := range []string{"1=posix", "2=posix:big-disk", "3=s3:https://s3.example.com/acme-bucket"} {
		u, err := ParseUnitSpec(spec)
		require.NoError(t, err)
		c.Units = append(c.Units, u)
	}
	return c
}

// TestWrittenFileRoundTrips: the file init writes loads back to the same
// configuration, is private, and is never overwritten.
func TestWrittenFileRoundTrips(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, FileName)
	want := validConfig(t)
	require.NoError(t, Write(path, want))
	got, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, home, got.Home())
	want.home = home
	require.Equal(t, want, got)
	require.Equal(t, filepath.Join(home, "data"), got.Path(got.Server.DataDir))
	require.Equal(t, "/keys", got.Path(got.Chain.KeyringDir))

	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	require.ErrorIs(t, Write(path, want), os.ErrExist)

	gc := got.Gateway()
	require.Len(t, gc.Units, 3)
	require.Equal(t, "unit-1", gc.Units[0].Posix.Dir)
	require.Equal(t, "big-disk", gc.Units[1].Posix.Dir)
	require.Equal(t, "acme-bucket", gc.Units[2].S3.Bucket)
	require.Equal(t, "https://s3.example.com", gc.Units[2].S3.Endpoint)
	require.True(t, gc.Units[2].S3.PathStyle)
}

// TestEveryKeyIsDocumented: every key of the file has a comment, so the
// file init writes documents itself.
func TestEveryKeyIsDocumented(t *testing.T) {
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, prefix string) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			key := prefix + strings.Split(f.Tag.Get("toml"), ",")[0]
			require.NotEmpty(t, f.Tag.Get("comment"), "key %s has no comment", key)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration{}) {
				walk(ft, key+".")
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")

	body, err := Marshal(validConfig(t))
	require.NoError(t, err)
	lines := strings.Split(string(body), "\n")
	seen := map[string]bool{}
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || seen[trimmed] && strings.HasPrefix(trimmed, "[[") {
			continue // the second [[units]] table is documented by the first
		}
		seen[trimmed] = true
		require.True(t, strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#"), "line %q has no comment above it", line)
	}
}

// TestUnknownKeysRefused: a misspelt key or section is an error that names
// it and its line, never a silent default.
func TestUnknownKeysRefused(t *testing.T) {
	body, err := Marshal(validConfig(t))
	require.NoError(t, err)
	for _, tc := range []struct{ edit, want string }{
		{strings.Replace(string(body), "poll_interval", "poll_intervall", 1), `unknown key "chain.poll_intervall"`},
		{string(body) + "\n[retreival]\nperiod = '1h'\n", `unknown key "retreival"`},
		{strings.Replace(string(body), "  [units.posix]", "  [units.posixx]", 1), `unknown key "units.posixx`},
	} {
		_, err := Parse([]byte(tc.edit), "/home")
		require.ErrorContains(t, err, tc.want)
		require.ErrorContains(t, err, "line ")
	}
	_, err = Parse([]byte("[chain]\npoll_interval = 'soon'\n"), "/home")
	require.ErrorContains(t, err, "line 2 (poll_interval = 'soon')")
	_, err = Parse([]byte("[policy]\nmin_price_per_gb_month = -5\n"), "/home")
	require.ErrorContains(t, err, "negative number -5")
}

// TestBadValues: each bad value is reported with its key, and all of them
// at once.
func TestBadValues(t *testing.T) {
	app.SetConfig()
	good := validConfig(t)
	require.NoError(t, good.Validate())
	consumer, err := bech32.ConvertAndEncode(app.Bech32Prefix, make([]byte, 20))
	require.NoError(t, err)
	cases := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Chain.GRPCAddress = "localhost" }, "chain.grpc_address"},
		{func(c *Config) { c.Chain.RPCAddress = "127.0.0.1:26657" }, "chain.rpc_address"},
		{func(c *Config) { c.Chain.ChainID = "has space" }, "chain.chain_id"},
		{func(c *Config) { c.Chain.KeyringDir = "" }, "chain.keyring_dir"},
		{func(c *Config) { c.Chain.KeyringBackend = "memory" }, "chain.keyring_backend"},
		{func(c *Config) { c.Chain.KeyName = "" }, "chain.key_name"},
		{func(c *Config) { c.Chain.GasPrices = "cheap" }, "chain.gas_prices"},
		{func(c *Config) { c.Chain.GasAdjustment = 0.5 }, "chain.gas_adjustment"},
		{func(c *Config) { c.Chain.PollInterval.Duration = time.Millisecond }, "chain.poll_interval"},
		{func(c *Config) { c.Chain.TxTimeout.Duration = 0 }, "chain.tx_timeout"},
		{func(c *Config) { c.Server.Listen = ":x" }, "server.listen"},
		{func(c *Config) { c.Server.PublicURL = "ftp://node.example" }, "server.public_url"},
		{func(c *Config) { c.Server.PublicURL = "https://node.example/s3" }, "no path"},
		{func(c *Config) { c.Server.StatusListen = c.Server.Listen }, "server.status_listen"},
		{func(c *Config) { c.Server.StateFile = "" }, "server.state_file"},
		{func(c *Config) { c.Probe.ObjectSizes = []int64{0} }, "probe.object_sizes"},
		{func(c *Config) { c.Probe.ObjectSizes = []int64{5, 5} }, "listed twice"},
		{func(c *Config) { c.Probe.UploadExpiry.Duration = 0 }, "probe.upload_expiry"},
		{func(c *Config) { c.Probe.UploadMaxOutstanding = 1 }, "probe.upload_max_outstanding"},
		{func(c *Config) { c.Policy.AllowConsumers = []string{"cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a"} }, "policy.allow_consumers"},
		{func(c *Config) { c.Policy.DenyConsumers = []string{strings.ToUpper(consumer)} }, "lower-case"},
		{func(c *Config) {
			c.Policy.AllowConsumers, c.Policy.DenyConsumers = []string{consumer}, []string{consumer}
		}, "also in policy.allow_consumers"},
		{func(c *Config) { c.Withdraw.Interval.Duration = time.Millisecond }, "withdraw.interval"},
		{func(c *Config) { c.Retrieval.Period.Duration = -time.Hour }, "retrieval.period"},
		{func(c *Config) { c.Units = nil }, "no data unit configured"},
		{func(c *Config) { c.Units[1].ID = 1 }, "unit 1 configured twice"},
		{func(c *Config) { c.Units[0].ID = 0 }, "at least 1"},
		{func(c *Config) { c.Units[0].S3 = c.Units[2].S3 }, "not both"},
		{func(c *Config) { c.Units[0].Posix = nil }, "no storage"},
		{func(c *Config) { c.Units[0].Posix.Dir = "../escape" }, "posix.dir"},
		{func(c *Config) { c.Units[0].Posix.Dir = "Upper" }, "lower-case letters"},
		{func(c *Config) { c.Units[1].Posix.Dir = "unit-1" }, "also unit 1's"},
		{func(c *Config) { c.Units[2].S3.Endpoint = "s3.example.com" }, "s3.endpoint"},
		{func(c *Config) { c.Units[2].S3.Bucket = "" }, "s3.bucket"},
		{func(c *Config) { c.Units[2].S3.AccessKey = "AKIA" }, "set together"},
	}
	for _, tc := range cases {
		c := validConfig(t)
		tc.edit(&c)
		err := c.Validate()
		require.ErrorContains(t, err, tc.want)
	}

	// Every problem is reported, not just the first.
	c := validConfig(t)
	c.Chain.KeyName, c.Server.Listen, c.Units[0].Posix.Dir = "", "nowhere", ".hidden"
	err = c.Validate()
	for _, key := range []string{"chain.key_name", "server.listen", "posix.dir"} {
		require.ErrorContains(t, err, key)
	}
	// Defaults of optional unit keys are filled in.
	c = validConfig(t)
	c.Units[0].Posix.Dir, c.Units[2].S3.Region = "", ""
	require.NoError(t, c.Validate())
	require.Equal(t, "unit-1", c.Units[0].Posix.Dir)
	require.Equal(t, DefaultS3Region, c.Units[2].S3.Region)
}

// TestParseUnitSpec: the --unit forms of provider init, and bad ones.
func TestParseUnitSpec(t *testing.T) {
	u, err := ParseUnitSpec("12=posix")
	require.NoError(t, err)
	require.Equal(t, Unit{ID: 12, Posix: &UnitPosix{Dir: "unit-12"}}, u)
	u, err = ParseUnitSpec("4=s3:http://127.0.0.1:7070/bucket-a")
	require.NoError(t, err)
	require.Equal(t, &UnitS3{Endpoint: "http://127.0.0.1:7070", Region: DefaultS3Region, Bucket: "bucket-a", PathStyle: true}, u.S3)
	for _, bad := range []string{"posix", "0=posix", "x=posix", "1=nfs:/mnt", "1=s3:bucket", "1=s3:https://host", "1=s3:https://host/a/b"} {
		_, err := ParseUnitSpec(bad)
		require.Error(t, err, bad)
	}
}
