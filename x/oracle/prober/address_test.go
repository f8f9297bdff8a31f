package prober

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

func TestPublicAddr(t *testing.T) {
	public := []string{
		"8.8.8.8", "1.1.1.1", "52.95.110.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
		"192.167.255.255", "169.253.255.255", "198.17.255.255", "223.255.255.254",
		"2606:4700:4700::1111", "2a00:1450:4007:80e::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", // NAT64 of 8.8.8.8
	}
	private := []string{
		"127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
		"224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.0.8", "192.0.2.1",
		"198.18.0.1", "198.51.100.7", "203.0.113.9", "192.88.99.1",
		"::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456:789a::1", "ff02::1", "ff05::2", "fec0::1",
		"::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.1.2.3", "::127.0.0.1", "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
		"64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "100::1", "2001::1", "2001:db8::1", "2002:7f00:1::1", "3fff::1",
	}
	for _, s := range public {
		require.True(t, publicAddr(netip.MustParseAddr(s)), s)
	}
	for _, s := range private {
		require.False(t, publicAddr(netip.MustParseAddr(s)), s)
	}
	require.False(t, publicAddr(netip.Addr{}), "the zero Addr")
}

func TestPublicOnlyControl(t *testing.T) {
	var raw syscall.RawConn
	require.NoError(t, publicOnly("tcp", "8.8.8.8:443", raw))
	require.NoError(t, publicOnly("tcp6", "[2606:4700:4700::1111]:80", raw))
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "169.254.169.254:80", "[fe80::1%eth0]:80", "10.0.0.1:9000", "garbage"} {
		err := publicOnly("tcp", addr, raw)
		require.ErrorIs(t, err, errNonPublicAddress, addr)
	}
}

// By default the prober does not connect to a loopback target, whether the
// endpoint names the address or a host that resolves to it: every operation
// fails, the unit counts as down, and the target never sees a request.
func TestPrivateEndpointsAreBlockedByDefault(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{})
	cfg := testConfig()
	cfg.AllowPrivateEndpoints = false
	p := New(cfg, log.NewNopLogger())

	byName := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
	for _, endpoint := range []string{ts.URL + "/unit1", byName + "/unit1"} {
		urls, err := parseEndpoint(endpoint, cfg.ObjectSize)
		require.NoError(t, err)
		_, err = p.ping(context.Background(), urls.ping)
		require.ErrorIs(t, err, errNonPublicAddress, endpoint)
	}

	startProber(t, p, Target{UnitID: 1, Endpoint: ts.URL + "/unit1"}, Target{UnitID: 2, Endpoint: byName + "/unit2"})
	for _, unit := range []uint64{1, 2} {
		m := waitForChecks(t, p, 1, unit, 1, 5*time.Second)
		require.Zero(t, m.UptimeBps)
		require.Equal(t, uint32(10000), m.ErrorRateBps)
	}
	require.Zero(t, target.Stats().Requests, "no probe reached the loopback target")
}

// The same target is probed normally once allow-private-endpoints is on.
func TestPrivateEndpointsAllowedWhenSwitchedOn(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{})
	cfg := testConfig()
	cfg.AllowPrivateEndpoints = true
	p := New(cfg, log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: ts.URL + "/unit1"})

	m := waitForChecks(t, p, 1, 1, 1, 5*time.Second)
	require.Equal(t, uint32(10000), m.UptimeBps)
	require.Zero(t, m.ErrorRateBps)
	require.Positive(t, target.Stats().Requests)
}

// The guard sits in the dialer, so it judges the address of every
// connection, including one opened to follow a redirect. The prober itself
// never follows redirects; this client does, to show that even then a
// redirect to 127.0.0.1 is refused. The redirecting server stands in for a
// public host: the only address exempted from the guard is its own.
func TestDialGuardRefusesARedirectToLoopback(t *testing.T) {
	t.Parallel()
	target, targetTS := startTarget(t, probetarget.Behaviour{})
	redirector := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, targetTS.URL+r.URL.Path, http.StatusFound)
	})
	redirectorAddr := strings.TrimPrefix(redirector.URL, "http://")

	cfg := testConfig()
	cfg.AllowPrivateEndpoints = false
	p := New(cfg, log.NewNopLogger())
	transport := p.client.Transport.(*http.Transport).Clone()
	dialer := probeDialer(cfg)
	guard := dialer.Control
	require.NotNil(t, guard, "private endpoints are off: the dialer has the guard")
	dialer.Control = func(network, address string, c syscall.RawConn) error {
		if address == redirectorAddr {
			return nil
		}
		return guard(network, address, c)
	}
	transport.DialContext = dialer.DialContext
	following := &http.Client{Transport: transport, Timeout: 5 * time.Second}

	resp, err := following.Get(redirector.URL + "/unit1/flashback-probe/ping")
	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, errNonPublicAddress)
	require.Contains(t, err.Error(), "127.0.0.1")
	require.Zero(t, target.Stats().Requests, "the redirect's connection was refused")

	// And the prober, which does not follow, counts the redirect as a failure
	// without ever reaching the loopback target (its first hop is refused too).
	urls, err := parseEndpoint(redirector.URL+"/unit1", cfg.ObjectSize)
	require.NoError(t, err)
	_, err = p.ping(context.Background(), urls.ping)
	require.ErrorIs(t, err, errNonPublicAddress)
	require.Zero(t, target.Stats().Requests)
}

// A client whose transport the prober cannot give its dialer disables the
// prober rather than probing without the guard.
func TestCustomRoundTripperDisablesTheProber(t *testing.T) {
	p := NewWithClient(testConfig(), log.NewNopLogger(), &http.Client{Transport: roundTripperFunc(func(*http.Request) (*http.Response, error) {
		return nil, http.ErrNotSupported
	})})
	require.False(t, p.Enabled())
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
