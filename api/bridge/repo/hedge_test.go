package repo

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
)

// TestHedgedReads: a mirror deal that hangs (accepts, never answers) holds
// a GET or HEAD up for hedge_after, not failover_after: the next deal is
// asked as well and its answer served. The hung request is still judged by
// itself: it counts as the deal's failure only once failover_after has
// passed, as without hedging. A deal that is merely a little slower than
// hedge_after loses the race and keeps a clean record.
func TestHedgedReads(t *testing.T) {
	const hedge, failover = 50 * time.Millisecond, 3 * time.Second
	tr := newTestRepoWith(t, 3, 2, Options{FailoverAfter: failover, HedgeAfter: hedge, WriteTimeout: 10 * time.Second})
	_, err := tr.put("k", []byte("0123456789"))
	require.NoError(t, err)
	tr.Wait()
	fresh := func() {
		for _, rep := range tr.Replicas {
			rep.Stats = NewStats(3) // no latency yet: read in deal order
		}
	}
	fresh()
	require.Equal(t, uint64(1), tr.readOrder(func(uint64) bool { return true })[0].Deal, "deal 1 is read first")

	tr.deals[0].set(false, time.Hour) // hung
	start := time.Now()
	b, err := tr.get("k")
	require.NoError(t, err)
	require.Equal(t, "0123456789", string(b))
	require.Less(t, time.Since(start), failover/2, "the hung deal held the read up for hedge_after, not failover_after")
	start = time.Now()
	_, err = tr.HeadObject(context.Background(), &s3.HeadObjectInput{Key: ptr("k")})
	require.NoError(t, err)
	require.Less(t, time.Since(start), failover/2)
	require.Zero(t, tr.Replicas[0].Stats.Snapshot().Errors, "not judged before failover_after")
	require.Eventually(t, func() bool { return tr.Replicas[0].Stats.Snapshot().Errors == 2 }, 3*failover, 20*time.Millisecond,
		"each hung request counts as a failure at failover_after")

	// Without hedging the same read waits failover_after.
	tr.opts.HedgeAfter = 0
	tr.deals[0].set(false, time.Hour)
	fresh() // deal 1 read first again
	start = time.Now()
	_, err = tr.get("k")
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), failover)

	// A deal a little slower than hedge_after loses the race and is not
	// counted as failing.
	tr.opts.HedgeAfter = hedge
	fresh()
	tr.deals[0].set(false, 4*hedge)
	_, err = tr.get("k")
	require.NoError(t, err)
	time.Sleep(8 * hedge)
	s := tr.Replicas[0].Stats.Snapshot()
	require.Zero(t, s.Errors)
	require.EqualValues(t, 1, s.Requests, "its late answer was released and recorded as a success")
}
