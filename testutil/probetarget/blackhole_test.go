package probetarget

import (
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBlackHoleAcceptsAndNeverAnswers(t *testing.T) {
	b, err := StartBlackHole()
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	require.True(t, strings.HasPrefix(b.URL(), "http://127.0.0.1:"))

	client := &http.Client{Timeout: 300 * time.Millisecond}
	start := time.Now()
	resp, err := client.Get(b.URL() + "/unit/flashback-probe/ping")
	if err == nil {
		resp.Body.Close()
	}
	var netErr net.Error
	require.True(t, errors.As(err, &netErr) && netErr.Timeout(), "got %v", err)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	require.Equal(t, uint64(1), b.Accepted())

	// Close drops the held connections: a client blocked on one sees EOF.
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.URL(), "http://"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return b.Accepted() == 2 }, time.Second, 5*time.Millisecond)
	require.NoError(t, b.Close())
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(2*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the connection was closed, not left hanging")
	require.Error(t, err)
	_ = conn.Close()
	require.NoError(t, b.Close(), "idempotent")
}
