package probetarget_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

func TestControlEndpoint(t *testing.T) {
	t.Parallel()
	s := probetarget.New(probetarget.Behaviour{Latency: 20 * time.Millisecond})
	ts := httptest.NewServer(s.HandlerWithControl())
	t.Cleanup(ts.Close)

	getBehaviour := func() probetarget.BehaviourJSON {
		status, body := do(t, http.MethodGet, ts.URL+probetarget.ControlPath, nil)
		require.Equal(t, http.StatusOK, status)
		var b probetarget.BehaviourJSON
		require.NoError(t, json.Unmarshal(body, &b))
		return b
	}
	require.Equal(t, probetarget.BehaviourJSON{LatencyMs: 20}, getBehaviour())

	// Absent fields keep their values.
	status, body := do(t, http.MethodPost, ts.URL+probetarget.ControlPath, strings.NewReader(`{"down":true,"failure_bps":2500}`))
	require.Equal(t, http.StatusOK, status, string(body))
	want := probetarget.BehaviourJSON{LatencyMs: 20, FailureBps: 2500, Down: true}
	require.Equal(t, want, getBehaviour())
	require.Equal(t, probetarget.Behaviour{Latency: 20 * time.Millisecond, FailureRate: 2500, Down: true}, s.Behaviour())

	// The probe paths obey the new behaviour; the control endpoint does not.
	status, _ = do(t, http.MethodGet, ts.URL+"/flashback-probe/ping", nil)
	require.Equal(t, http.StatusServiceUnavailable, status)

	status, _ = do(t, http.MethodPost, ts.URL+probetarget.ControlPath,
		strings.NewReader(`{"latency_ms":0,"throughput_kbps":100,"failure_bps":0,"down":false}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, probetarget.BehaviourJSON{ThroughputKBps: 100}, getBehaviour())
	status, _ = do(t, http.MethodGet, ts.URL+"/flashback-probe/ping", nil)
	require.Equal(t, http.StatusOK, status)
}

func TestControlEndpointRejectsBadInput(t *testing.T) {
	t.Parallel()
	s := probetarget.New(probetarget.Behaviour{})
	ts := httptest.NewServer(s.HandlerWithControl())
	t.Cleanup(ts.Close)

	for body, wantMsg := range map[string]string{
		`{"failure_bps":10001}`:              "failure_bps",
		`{"latency_ms":-1}`:                  "latency_ms",
		`{"latency_ms":99999999999}`:         "latency_ms",
		`{"latency_ms":9223372036854775807}`: "latency_ms",
		`{"throughput_kbps":-1}`:             "throughput_kbps",
		`{"latency":"5s"}`:                   "unknown field",
		`not json`:                           "invalid behaviour JSON",
	} {
		status, msg := do(t, http.MethodPost, ts.URL+probetarget.ControlPath, strings.NewReader(body))
		require.Equal(t, http.StatusBadRequest, status, body)
		require.Contains(t, string(msg), wantMsg, body)
	}
	require.Equal(t, probetarget.Behaviour{}, s.Behaviour(), "a rejected request changes nothing")

	status, _ := do(t, http.MethodDelete, ts.URL+probetarget.ControlPath, nil)
	require.Equal(t, http.StatusMethodNotAllowed, status)
}
