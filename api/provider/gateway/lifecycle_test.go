package gateway

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCloseRightAfterStart: Close stops a gateway however soon after Start
// it comes (fasthttp ignores a shutdown that arrives before its Serve has
// registered the listener, which versitygw's "listening" signal precedes).
func TestCloseRightAfterStart(t *testing.T) {
	root := t.TempDir()
	for i := range 30 {
		g, err := New(Config{Listen: "127.0.0.1:0", PosixRoot: root, Units: []UnitConfig{{ID: 1, Posix: &PosixStorage{}}}}, nil)
		require.NoError(t, err)
		require.NoError(t, g.Start(context.Background()))
		closed := make(chan error, 1)
		go func() { closed <- g.Close() }()
		select {
		case err := <-closed:
			require.NoError(t, err, "iteration %d", i)
		case <-time.After(20 * time.Second):
			t.Fatalf("iteration %d: Close did not return", i)
		}
	}
}

// TestNewRefusesBadConfigs: configuration mistakes are errors at New, not
// surprises at the first request.
func TestNewRefusesBadConfigs(t *testing.T) {
	root := t.TempDir()
	posix := []UnitConfig{{ID: 1, Posix: &PosixStorage{}}}
	for name, cfg := range map[string]Config{
		"no units":            {Listen: "127.0.0.1:0", PosixRoot: root},
		"bad listen":          {Listen: "nowhere", PosixRoot: root, Units: posix},
		"relative posix root": {Listen: "127.0.0.1:0", PosixRoot: "relative", Units: posix},
		"two storages":        {Listen: "127.0.0.1:0", PosixRoot: root, Units: []UnitConfig{{ID: 1, Posix: &PosixStorage{}, S3: &S3Storage{Endpoint: "http://x", Bucket: "b"}}}},
		"no storage":          {Listen: "127.0.0.1:0", Units: []UnitConfig{{ID: 1}}},
		"unit twice":          {Listen: "127.0.0.1:0", PosixRoot: root, Units: append(posix, posix[0])},
		"shared posix dir":    {Listen: "127.0.0.1:0", PosixRoot: root, Units: []UnitConfig{{ID: 1, Posix: &PosixStorage{Dir: "d"}}, {ID: 2, Posix: &PosixStorage{Dir: "d"}}}},
		"posix dir escapes":   {Listen: "127.0.0.1:0", PosixRoot: root, Units: []UnitConfig{{ID: 1, Posix: &PosixStorage{Dir: "../x"}}}},
		"s3 without bucket":   {Listen: "127.0.0.1:0", Units: []UnitConfig{{ID: 1, S3: &S3Storage{Endpoint: "http://x"}}}},
		"half a root key":     {Listen: "127.0.0.1:0", PosixRoot: root, Units: posix, RootAccessKey: "ROOT"},
		"probe size zero":     {Listen: "127.0.0.1:0", PosixRoot: root, Units: posix, Probe: ProbeConfig{ObjectSizes: []int64{-1}}},
		"probe bound too low": {Listen: "127.0.0.1:0", PosixRoot: root, Units: posix, Probe: ProbeConfig{UploadMaxBytes: 1000, UploadMaxOutstanding: 10}},
	} {
		_, err := New(cfg, nil)
		require.Error(t, err, name)
	}

	// Deals the gateway cannot serve are refused.
	e := newEnv(t)
	rootKey, _ := e.g.RootCredentials()
	for name, d := range map[string]Deal{
		"unknown unit":   {ID: 1, UnitID: 9, AccessKeyID: "AKA", Secret: "s"},
		"empty key":      {ID: 1, UnitID: 1, Secret: "s"},
		"key with slash": {ID: 1, UnitID: 1, AccessKeyID: "AK/A", Secret: "s"},
		"temporary key":  {ID: 1, UnitID: 1, AccessKeyID: "ASIAXYZ", Secret: "s"},
		"root key":       {ID: 1, UnitID: 1, AccessKeyID: rootKey, Secret: "s"},
		"empty secret":   {ID: 1, UnitID: 1, AccessKeyID: "AKA"},
		"bad access":     {ID: 1, UnitID: 1, AccessKeyID: "AKA", Secret: "s", Access: 7},
	} {
		require.Error(t, e.g.PutDeal(d), name)
	}
	e.deal(1, 1, 10)
	require.Error(t, e.g.PutDeal(Deal{ID: 2, UnitID: 1, AccessKeyID: "AKTESTDEAL1", Secret: "s"}), "another deal's key")
	require.Error(t, e.g.PutDeal(Deal{ID: 1, UnitID: 2, AccessKeyID: "AKTESTDEAL1", Secret: "s"}), "a deal changing unit")
}
