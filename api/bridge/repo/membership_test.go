package repo

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReplaceADeal is the autopilot's replacement of a deal: a normal
// repository over deal 1 gets deal 2 (SetReplicas, SeedPending), repair
// copies every object to it, deal 1 leaves (SetReplicas, ForgetDeal) and
// every object reads from deal 2 alone, while writes go on throughout.
func TestReplaceADeal(t *testing.T) {
	tr := newTestRepo(t, 1, 1)
	for i := range 20 {
		_, err := tr.put(fmt.Sprintf("k%02d", i), []byte(fmt.Sprint("v", i)))
		require.NoError(t, err)
	}
	old, _, _ := tr.Members()
	nd := newFakeDeal()
	added := &Replica{Deal: 2, Bucket: "deal", Backend: nd, Stats: NewStats(2)}

	// Writes keep coming while the membership changes.
	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_, err := tr.put(fmt.Sprintf("live%03d", i%50), []byte(fmt.Sprint("w", i)))
			require.NoError(t, err)
			written.Add(1)
		}
	}()
	// At least one write before the change and one after it: without the
	// waits the writer may not have run at all when stop closes.
	waitWrites := func(n int64) {
		deadline := time.Now().Add(10 * time.Second)
		for written.Load() < n {
			require.True(t, time.Now().Before(deadline), "the writer made no progress")
			time.Sleep(time.Millisecond)
		}
	}
	waitWrites(1)
	require.NoError(t, tr.SetReplicas(append(old, added), true, 1))
	n, err := tr.db.SeedPending("repo", 2)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 20)
	waitWrites(written.Load() + 1)
	close(stop)
	wg.Wait()
	tr.Wait()
	for {
		_, err := tr.Repair(context.Background())
		require.NoError(t, err)
		if has, _ := tr.HasPending(2); !has {
			break
		}
	}
	require.NoError(t, tr.SetReplicas([]*Replica{added}, false, 1))
	require.NoError(t, tr.db.ForgetDeal("repo", 1))
	has, err := tr.HasPending(1)
	require.NoError(t, err)
	require.False(t, has)

	tr.deals[0].set(true, 0) // the old deal is gone
	for i := range 20 {
		got, err := tr.get(fmt.Sprintf("k%02d", i))
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint("v", i), string(got))
	}
	_, err = tr.get("live000") // written before, during or after the change
	require.NoError(t, err)
	obj, err := tr.db.GetObject("repo", "k00")
	require.NoError(t, err)
	require.Equal(t, []uint64{2}, obj.Deals())
	require.Error(t, tr.SetReplicas(nil, false, 1))
}
