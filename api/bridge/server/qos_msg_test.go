package server

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/app"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// TestReportMsg: a period's measurements become a self-report the chain
// accepts (ValidateBasic): the main operation by bytes, success only
// without failures, and error details cut to 256 bytes of valid UTF-8.
func TestReportMsg(t *testing.T) {
	app.SetConfig()
	consumer := "flash1v57u3mal0he3sahfeg3f4y54twxx8036fjcd60"
	ok := reportMsg(consumer, 7, repo.TrafficTotals{Requests: 3, BytesRead: 10, BytesWritten: 10, LatencyMs: []uint32{5, 1, 9},
		TransferBytes: 1 << 20, TransferNanos: int64(time.Second)})
	require.NoError(t, ok.ValidateBasic())
	require.Equal(t, oracletypes.OPERATION_TYPE_READ, ok.Operation)
	require.EqualValues(t, 5, ok.LatencyMs)
	require.EqualValues(t, (1<<20)*8/1000, ok.ThroughputKbps)
	require.True(t, ok.Success)
	require.Empty(t, ok.ErrorDetails)

	bad := reportMsg(consumer, 7, repo.TrafficTotals{Requests: 9, Errors: 2, BytesWritten: 1, Since: time.Unix(0, 0),
		LastError: strings.Repeat("é", 300)})
	require.NoError(t, bad.ValidateBasic())
	require.Equal(t, oracletypes.OPERATION_TYPE_WRITE, bad.Operation)
	require.False(t, bad.Success)
	require.True(t, strings.HasPrefix(bad.ErrorDetails, "2 of 9 requests failed since 1970-01-01T00:00:00Z; last: éé"))
	require.LessOrEqual(t, len(bad.ErrorDetails), oracletypes.MaxErrorDetails)
	require.True(t, utf8.ValidString(bad.ErrorDetails))
}

// TestTooSoonIsRecognised: a refusal for a report filed before
// self_report_min_interval is told apart from other refusals, whether it
// comes as a transaction result or as a simulation error's text (the node's
// latest block may be ahead of the committed state the report is checked
// against, so the bridge files it at the next round instead of counting a
// failure).
func TestTooSoonIsRecognised(t *testing.T) {
	require.True(t, tooSoon(&chain.TxError{Codespace: oracletypes.ModuleName, Code: oracletypes.ErrTooSoon.ABCICode()}))
	require.True(t, tooSoon(fmt.Errorf("simulating the transaction: %w", oracletypes.ErrTooSoon.Wrap("the next may come at …"))))
	require.False(t, tooSoon(&chain.TxError{Codespace: oracletypes.ModuleName, Code: oracletypes.ErrDealNotOpen.ABCICode()}))
	require.False(t, tooSoon(errors.New("connection refused")))
}
