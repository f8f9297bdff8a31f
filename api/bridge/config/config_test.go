package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func validConfig(t *testing.T) Config {
	t.Helper()
	c := Default("/keys")
	for _, spec := range []string{"photos=normal:1", "backups=mirror:2,3,4/2", "logs=mirror:5,6"} {
		r, err := ParseRepositorySpec(spec)
		require.NoError(t, err)
		c.Repositories = append(c.Repositories, r)
	}
	for _, k := range []struct {
		name string
		ro   bool
	}{{"app", false}, {"reader", true}} {
		key, err := NewKey(k.name, k.ro)
		require.NoError(t, err)
		require.NoError(t, c.AddKey(key))
	}
	require.NoError(t, c.Validate())
	return c
}

// TestWrittenFileRoundTrips: the file init writes loads back to the same
// configuration, is private, and is never overwritten by Write; Rewrite
// (keys add|remove) replaces it atomically.
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

	require.NoError(t, got.RemoveKey("reader"))
	require.ErrorContains(t, got.RemoveKey("reader"), `no key named "reader"`)
	require.NoError(t, Rewrite(path, got))
	again, err := Load(path)
	require.NoError(t, err)
	require.Len(t, again.Keys, 1)
	info, err = os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// A rewrite of a bad configuration changes nothing.
	again.Repositories[0].Mode = "raid5"
	require.ErrorContains(t, Rewrite(path, again), "mode")
	still, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, ModeNormal, still.Repositories[0].Mode)

	// An empty configuration (what init writes without flags) loads too.
	empty := filepath.Join(t.TempDir(), FileName)
	require.NoError(t, Write(empty, Default("/keys")))
	_, err = Load(empty)
	require.NoError(t, err)
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
			continue // a second [[keys]] table is documented by the first
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
		{strings.Replace(string(body), "write_quorum =", "write_quorom =", 1), `unknown key "repositories.write_quorom"`},
		{string(body) + "\n[mirorr]\nrepair_interval = '1h'\n", `unknown key "mirorr"`},
		{strings.Replace(string(body), "read_only =", "readonly =", 1), `unknown key "keys.readonly"`},
	} {
		_, err := Parse([]byte(tc.edit), "/home")
		require.ErrorContains(t, err, tc.want)
		require.ErrorContains(t, err, "line ")
	}
	_, err = Parse([]byte("[mirror]\nfailover_after = 'soon'\n"), "/home")
	require.ErrorContains(t, err, "line 2 (failover_after = 'soon')")
	_, err = Parse([]byte("[[repositories]]\ndeals = [-1]\n"), "/home")
	require.ErrorContains(t, err, "negative number -1")
}

// TestBadValues: each bad value is reported with its key, and all of them
// at once.
func TestBadValues(t *testing.T) {
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
		{func(c *Config) { c.Chain.PollInterval.Duration = 0 }, "chain.poll_interval"},
		{func(c *Config) { c.Chain.QoSCheckInterval.Duration = 2 * time.Hour }, "chain.qos_check_interval: 2h0m0s: must be 0 (the default) or in [100ms, 1h0m0s]"},
		{func(c *Config) { c.Chain.QoSCheckInterval.Duration = -time.Second }, "chain.qos_check_interval"},
		{func(c *Config) { c.Server.Listen = ":x" }, "server.listen"},
		{func(c *Config) { c.Server.StatusListen = c.Server.Listen }, "server.status_listen"},
		{func(c *Config) { c.Server.Region = "" }, "server.region"},
		{func(c *Config) { c.Server.AccessKeyFile = "" }, "server.access_key_file"},
		{func(c *Config) { c.Server.DataDir = "" }, "server.data_dir"},
		{func(c *Config) { c.Mirror.HealthInterval.Duration = time.Millisecond }, "mirror.health_interval"},
		{func(c *Config) { c.Mirror.FailoverAfter.Duration = 2 * time.Hour }, "mirror.failover_after"},
		{func(c *Config) { c.Mirror.RepairInterval.Duration = 0 }, "mirror.repair_interval"},
		{func(c *Config) { c.Mirror.HedgeAfter.Duration = time.Millisecond }, "mirror.hedge_after"},
		{func(c *Config) { c.Mirror.HedgeAfter.Duration = 3 * time.Second }, "mirror.hedge_after: 3s: must be 0 (off) or in [10ms, failover_after (2s)]"},
		{func(c *Config) { c.Mirror.WriteTimeout.Duration = time.Millisecond }, "mirror.write_timeout"},
		{func(c *Config) { c.Mirror.FailuresToDown = 0 }, "mirror.failures_to_down"},
		{func(c *Config) { c.Keys[1].Name = "app" }, `keys[1] (app): name "app" is used twice`},
		{func(c *Config) { c.Keys[1].Name = "has space" }, "keys[1] (has space): name"},
		{func(c *Config) { c.Keys[1].AccessKeyID = c.Keys[0].AccessKeyID }, "access_key_id"},
		{func(c *Config) { c.Keys[0].AccessKeyID = "short" }, "keys[0] (app): access_key_id"},
		{func(c *Config) { c.Keys[0].AccessKeyID = "ASIA0123456789ABCDEF" }, "ASIA"},
		{func(c *Config) { c.Keys[0].SecretAccessKey = "tiny" }, "keys[0] (app): secret_access_key"},
		{func(c *Config) { c.Repositories[1].Name = "photos" }, `name "photos" is used twice`},
		{func(c *Config) { c.Repositories[0].Name = "Photos" }, "repositories[0] (Photos): name"},
		{func(c *Config) { c.Repositories[0].Name = "a.b.c" }, "name"},
		{func(c *Config) { c.Repositories[0].Mode = "raid5" }, `repositories[0] (photos): mode: "raid5"`},
		{func(c *Config) { c.Repositories[0].Deals = nil }, "repositories[0] (photos): deals: empty"},
		{func(c *Config) { c.Repositories[0].Deals = []uint64{1, 7} }, "mode normal takes one deal"},
		{func(c *Config) { c.Repositories[0].Deals = []uint64{0} }, "0 is not a deal id"},
		{func(c *Config) { c.Repositories[1].Deals = []uint64{2, 2} }, "deal 2 listed twice"},
		{func(c *Config) { c.Repositories[2].Deals = []uint64{5, 1} }, `deal 1 is also in repository "photos"`},
		{func(c *Config) { c.Repositories[1].WriteQuorum = 4 }, "repositories[1] (backups): write_quorum: 4"},
		{func(c *Config) { c.Repositories[1].WriteQuorum = -1 }, "write_quorum"},
		{func(c *Config) { c.Repositories[0].WriteQuorum = 2 }, "normal repository"},
	}
	for _, tc := range cases {
		c := validConfig(t)
		tc.edit(&c)
		require.ErrorContains(t, c.Validate(), tc.want)
	}

	// Every problem is reported, not just the first.
	c := validConfig(t)
	c.Chain.KeyName, c.Server.Listen, c.Repositories[2].Mode = "", "nowhere", "?"
	err := c.Validate()
	for _, key := range []string{"chain.key_name", "server.listen", "repositories[2] (logs): mode"} {
		require.ErrorContains(t, err, key)
	}
}

// TestQuorumAndSpecs: the effective quorum, and init's --repository forms.
func TestQuorumAndSpecs(t *testing.T) {
	c := validConfig(t)
	require.Equal(t, 1, c.Repositories[0].Quorum())
	require.Equal(t, 2, c.Repositories[1].Quorum())
	require.Equal(t, 2, c.Repositories[2].Quorum(), "0 means a majority: 2 of 2")
	require.Equal(t, 2, Repository{Mode: ModeMirror, Deals: []uint64{1, 2, 3}}.Quorum())
	r, err := ParseRepositorySpec("media=mirror:7,8,9/1")
	require.NoError(t, err)
	require.Equal(t, Repository{Name: "media", Mode: ModeMirror, Deals: []uint64{7, 8, 9}, WriteQuorum: 1}, r)
	for _, bad := range []string{"media", "media=raid:1", "media=normal:x", "media=normal:1/1", "media=mirror:1,2/x", "media=mirror:"} {
		_, err := ParseRepositorySpec(bad)
		require.Error(t, err, bad)
	}
	_, err = NewKey("bad name", false)
	require.Error(t, err)
	c.Keys[0].Name = "x"
	require.ErrorContains(t, c.AddKey(Key{Name: "x"}), "exists")
}

// TestQoSCheckIntervalKey: chain.qos_check_interval is written by init with
// its documentation, read back, and a file without it (written before the
// key existed) loads with 0, which the bridge takes as the default.
func TestQoSCheckIntervalKey(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, FileName)
	c := validConfig(t)
	c.Chain.QoSCheckInterval.Duration = 5 * time.Second
	require.NoError(t, Write(path, c))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(raw), "qos_check_interval = '5s'")
	require.Contains(t, string(raw), "# How often the bridge checks whether a deal's QoS self-report is due")
	got, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, got.Chain.QoSCheckInterval.Duration)
	require.Equal(t, DefaultQoSCheckInterval, Default("/keys").Chain.QoSCheckInterval.Duration)

	var kept []string
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "qos_check_interval") {
			kept = append(kept, line)
		}
	}
	old, err := Parse([]byte(strings.Join(kept, "\n")), home)
	require.NoError(t, err)
	require.Zero(t, old.Chain.QoSCheckInterval.Duration)
}
