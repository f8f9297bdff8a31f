package repo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// testFailoverAfter is the tests' failover_after: long enough that a
// loaded machine does not make a healthy fake deal look slow.
const testFailoverAfter = 500 * time.Millisecond

type testRepo struct {
	*Repo
	t     *testing.T
	deals []*fakeDeal
	db    *DB
}

// newTestRepo is a mirror repository over n fake deals (ids 1..n).
func newTestRepo(t *testing.T, n, quorum int) *testRepo {
	t.Helper()
	return newTestRepoWith(t, n, quorum, Options{FailoverAfter: testFailoverAfter, WriteTimeout: 10 * time.Second})
}

// newTestRepoWith is newTestRepo with other timings (opts; the spool is the
// test's).
func newTestRepoWith(t *testing.T, n, quorum int, opts Options) *testRepo {
	t.Helper()
	db, err := OpenDB(filepath.Join(t.TempDir(), "bridge.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	tr := &testRepo{t: t, db: db}
	var reps []*Replica
	for i := 1; i <= n; i++ {
		f := newFakeDeal()
		tr.deals = append(tr.deals, f)
		reps = append(reps, &Replica{Deal: uint64(i), Bucket: "deal", Backend: f, Stats: NewStats(2)})
	}
	opts.SpoolDir = t.TempDir()
	r, err := New("repo", n > 1, quorum, reps, db, opts)
	require.NoError(t, err)
	tr.Repo = r
	t.Cleanup(r.Wait)
	return tr
}

func (tr *testRepo) put(key string, body []byte) (s3response.PutObjectOutput, error) {
	return tr.PutObject(context.Background(), s3response.PutObjectInput{Bucket: ptr("repo"), Key: &key, Body: bytes.NewReader(body), ContentLength: ptr(int64(len(body)))})
}

func (tr *testRepo) get(key string) ([]byte, error) {
	out, err := tr.GetObject(context.Background(), &s3.GetObjectInput{Bucket: ptr("repo"), Key: &key})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (tr *testRepo) pending() map[uint64]int {
	c, err := tr.db.Count("repo")
	require.NoError(tr.t, err)
	return c.Pending
}

func code(err error) string {
	c, _ := s3Status(err)
	return c
}

// TestQuorumWrites: a write is acknowledged once the quorum has it; a deal
// that is down misses it (recorded), and without a quorum the client gets
// 503 naming how many deals took it.
func TestQuorumWrites(t *testing.T) {
	tr := newTestRepo(t, 3, 2)
	out, err := tr.put("a", []byte("one"))
	require.NoError(t, err)
	require.Equal(t, md5ETag([]byte("one")), out.ETag)
	tr.Wait()
	for _, d := range tr.deals {
		o, ok := d.get("a")
		require.True(t, ok)
		require.Equal(t, "one", string(o.data))
	}
	require.Empty(t, tr.pending())

	tr.deals[2].set(true, 0)
	_, err = tr.put("a", []byte("two"))
	require.NoError(t, err, "2 of 3 is the quorum")
	tr.Wait()
	require.Equal(t, map[uint64]int{3: 1}, tr.pending())
	obj, err := tr.db.GetObject("repo", "a")
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2}, obj.Deals())

	tr.deals[1].set(true, 0)
	_, err = tr.put("b", []byte("three"))
	require.Equal(t, "ServiceUnavailable", code(err))
	require.Contains(t, err.(s3err.APIError).Description, "reached 1 of the repository's 3 deals")
	tr.Wait()
	// The deal that took it holds the new version; the others will get it.
	obj, err = tr.db.GetObject("repo", "b")
	require.NoError(t, err)
	require.Equal(t, []uint64{1}, obj.Deals())

	// Once both are known to be down, a write is refused before any byte
	// is sent.
	for i := 0; i < 3; i++ {
		tr.CheckHealth(context.Background())
	}
	puts := tr.deals[0].puts
	_, err = tr.put("c", []byte("four"))
	require.Equal(t, "ServiceUnavailable", code(err))
	require.Equal(t, puts, tr.deals[0].puts)

	// A delete with a deal down: acknowledged by the quorum, missed by the
	// third.
	tr.deals[1].set(false, 0)
	tr.CheckHealth(context.Background())
	_, err = tr.DeleteObject(context.Background(), &s3.DeleteObjectInput{Key: ptr("a")})
	require.NoError(t, err)
	_, err = tr.get("a")
	require.Equal(t, "NoSuchKey", code(err))
	_, stillThere := tr.deals[2].get("a")
	require.True(t, stillThere, "the down deal missed the delete")
}

// TestSlowReplicaDoesNotHoldTheWrite: with a quorum of 2, a deal that
// takes long is not waited for; its write lands in the background and is
// recorded when it does.
func TestSlowReplicaDoesNotHoldTheWrite(t *testing.T) {
	tr := newTestRepo(t, 3, 2)
	const slow = 2 * time.Second
	tr.deals[2].set(false, slow)
	start := time.Now()
	_, err := tr.put("k", bytes.Repeat([]byte("x"), 100_000))
	require.NoError(t, err)
	require.Less(t, time.Since(start), slow/2)
	require.Equal(t, map[uint64]int{3: 1}, tr.pending(), "not yet written to the slow deal")
	// Another key is not held up by the straggler; the same key waits for
	// it (two writes of a key never interleave on a deal).
	other := time.Now()
	_, err = tr.put("other", []byte("o"))
	require.NoError(t, err)
	require.Less(t, time.Since(other), slow/2)
	_, err = tr.put("k", []byte("again"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), slow)
	tr.Wait()
	o, _ := tr.deals[2].get("k")
	require.Equal(t, "again", string(o.data))
	require.Empty(t, tr.pending())
	obj, err := tr.db.GetObject("repo", "k")
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2, 3}, obj.Deals())
}

// TestFailover: reads go to the fastest deal that is up and fail over when
// a deal is down or slower than failover_after; ranges and client errors
// pass through.
func TestFailover(t *testing.T) {
	tr := newTestRepo(t, 3, 2)
	_, err := tr.put("k", []byte("0123456789"))
	require.NoError(t, err)
	tr.Wait()

	tr.deals[0].set(true, 0)
	tr.deals[1].set(false, 5*time.Second)
	start := time.Now()
	b, err := tr.get("k")
	require.NoError(t, err)
	require.Equal(t, "0123456789", string(b))
	require.Less(t, time.Since(start), 3*testFailoverAfter, "a down deal and a slow one cost about failover_after")

	// The deal that answered is now the fastest one and is tried first.
	start = time.Now()
	for i := 0; i < 3; i++ {
		_, err := tr.get("k")
		require.NoError(t, err)
	}
	require.Less(t, time.Since(start), testFailoverAfter)
	require.Equal(t, uint64(3), tr.readOrder(func(uint64) bool { return true })[0].Deal)

	out, err := tr.GetObject(context.Background(), &s3.GetObjectInput{Key: ptr("k"), Range: ptr("bytes=2-4")})
	require.NoError(t, err)
	part, _ := io.ReadAll(out.Body)
	require.Equal(t, "234", string(part))
	_, err = tr.GetObject(context.Background(), &s3.GetObjectInput{Key: ptr("k"), Range: ptr("bytes=50-60")})
	require.Equal(t, "InvalidRange", code(err), "the client's error, not a reason to fail over")

	tr.deals[2].set(true, 0)
	_, err = tr.get("k")
	require.Equal(t, "ServiceUnavailable", code(err))
	_, err = tr.get("missing")
	require.Equal(t, "NoSuchKey", code(err))
}

// TestNeverStale: a deal that missed an overwrite is never read from, even
// when it is the fastest, until repaired; a deal that answers with another
// version or corrupt bytes is dropped and repaired.
func TestNeverStale(t *testing.T) {
	tr := newTestRepo(t, 2, 1)
	_, err := tr.put("k", []byte("old"))
	require.NoError(t, err)
	tr.Wait()
	tr.deals[1].set(true, 0)
	_, err = tr.put("k", []byte("new"))
	require.NoError(t, err)
	tr.Wait()
	tr.deals[1].set(false, 0)
	tr.deals[0].set(false, 50*time.Millisecond) // deal 1 slower than the stale deal 2
	for i := 0; i < 3; i++ {
		b, err := tr.get("k")
		require.NoError(t, err)
		require.Equal(t, "new", string(b))
	}

	// A deal that was changed behind the bridge's back is dropped.
	tr.deals[0].set(false, 0)
	n, err := tr.Repair(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	tr.deals[0].mu.Lock()
	tr.deals[0].objects["k"] = fakeObject{data: []byte("tampered"), etag: md5ETag([]byte("tampered"))}
	tr.deals[0].mu.Unlock()
	tr.deals[1].set(true, 0)
	_, err = tr.get("k")
	require.Equal(t, "ServiceUnavailable", code(err), "the tampered deal is not served from")
	require.Equal(t, map[uint64]int{1: 1}, tr.pending())
	tr.deals[1].set(false, 0)
	b, err := tr.get("k")
	require.NoError(t, err)
	require.Equal(t, "new", string(b))

	// Corrupt bytes with the right ETag fail the transfer.
	_, err = tr.Repair(context.Background())
	require.NoError(t, err)
	tr.deals[0].mu.Lock()
	tr.deals[0].corrupt = true
	tr.deals[0].mu.Unlock()
	tr.deals[1].set(true, 0)
	_, err = tr.get("k")
	require.ErrorIs(t, err, errCorrupt)
	require.Equal(t, map[uint64]int{1: 1}, tr.pending())
}

// TestRepair: a deal that was down during writes and deletes gets them
// when it comes back: missing objects copied from a deal that has them,
// deleted ones deleted, and the record says it holds them again.
func TestRepair(t *testing.T) {
	tr := newTestRepo(t, 3, 2)
	for _, k := range []string{"keep", "gone"} {
		_, err := tr.put(k, []byte("v1 "+k))
		require.NoError(t, err)
	}
	tr.Wait()
	tr.deals[2].set(true, 0)
	_, err := tr.put("keep", []byte("v2"))
	require.NoError(t, err)
	_, err = tr.put("new", bytes.Repeat([]byte("n"), 3<<20))
	require.NoError(t, err)
	_, err = tr.DeleteObject(context.Background(), &s3.DeleteObjectInput{Key: ptr("gone")})
	require.NoError(t, err)
	tr.Wait()
	require.Equal(t, map[uint64]int{3: 3}, tr.pending())

	// While it is down, a round repairs nothing.
	n, err := tr.Repair(context.Background())
	require.NoError(t, err)
	require.Zero(t, n)

	tr.deals[2].set(false, 0)
	tr.CheckHealth(context.Background())
	n, err = tr.Repair(context.Background())
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Empty(t, tr.pending())
	o, ok := tr.deals[2].get("keep")
	require.True(t, ok)
	require.Equal(t, "v2", string(o.data))
	o, ok = tr.deals[2].get("new")
	require.True(t, ok)
	require.Len(t, o.data, 3<<20)
	_, ok = tr.deals[2].get("gone")
	require.False(t, ok)
	obj, err := tr.db.GetObject("repo", "new")
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2, 3}, obj.Deals())

	// The repaired deal serves reads alone.
	tr.deals[0].set(true, 0)
	tr.deals[1].set(true, 0)
	b, err := tr.get("keep")
	require.NoError(t, err)
	require.Equal(t, "v2", string(b))
}

// TestMultipart: a multipart upload goes to every deal; a deal that fails
// a part leaves the upload, the object is acknowledged with the quorum and
// the deal gets it by repair, uploaded with the same parts (same ETag).
func TestMultipart(t *testing.T) {
	tr := newTestRepo(t, 3, 2)
	ctx := context.Background()
	up, err := tr.CreateMultipartUpload(ctx, s3response.CreateMultipartUploadInput{Key: ptr("big")})
	require.NoError(t, err)
	var parts []types.CompletedPart
	var all []byte
	for i := int32(1); i <= 3; i++ {
		if i == 2 {
			tr.deals[1].set(true, 0)
		}
		body := bytes.Repeat([]byte{byte('a' + i)}, 1<<20)
		all = append(all, body...)
		out, err := tr.UploadPart(ctx, &s3.UploadPartInput{Key: ptr("big"), UploadId: &up.UploadId, PartNumber: ptr(i), Body: bytes.NewReader(body), ContentLength: ptr(int64(len(body)))})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: ptr(i), ETag: out.ETag})
	}
	u, err := tr.db.GetUpload(up.UploadId)
	require.NoError(t, err)
	require.Len(t, u.Deals, 2, "deal 2 left the upload")
	res, _, err := tr.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Key: ptr("big"), UploadId: &up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	require.Contains(t, *res.ETag, "-3")
	tr.Wait()
	obj, err := tr.db.GetObject("repo", "big")
	require.NoError(t, err)
	require.Equal(t, int64(3<<20), obj.Size)
	require.Equal(t, []uint64{1, 3}, obj.Deals())

	tr.deals[1].set(false, 0)
	tr.CheckHealth(ctx)
	n, err := tr.Repair(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	obj, err = tr.db.GetObject("repo", "big")
	require.NoError(t, err)
	require.Equal(t, *res.ETag, obj.Replicas[2], "repaired with the same parts")
	tr.deals[0].set(true, 0)
	tr.deals[2].set(true, 0)
	out, err := tr.GetObject(ctx, &s3.GetObjectInput{Key: ptr("big")})
	require.NoError(t, err)
	require.Equal(t, *res.ETag, *out.ETag, "the client's ETag, whichever deal serves")
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	require.Equal(t, all, b)

	_, err = tr.UploadPart(ctx, &s3.UploadPartInput{Key: ptr("big"), UploadId: ptr("nope"), PartNumber: ptr(int32(1)), Body: bytes.NewReader(nil)})
	require.Equal(t, "NoSuchUpload", code(err))
}

// TestRebuild: the record rebuilt from the deals' listings finds every
// object, the deals that hold its newest version, and the missed writes.
func TestRebuild(t *testing.T) {
	tr := newTestRepo(t, 3, 2)
	_, err := tr.put("a", []byte("a1"))
	require.NoError(t, err)
	tr.Wait()
	time.Sleep(5 * time.Millisecond)
	tr.deals[2].set(true, 0)
	_, err = tr.put("a", []byte("a2"))
	require.NoError(t, err)
	_, err = tr.put("b", []byte("b1"))
	require.NoError(t, err)
	tr.Wait()
	tr.deals[2].set(false, 0)

	// Lose the record.
	require.NoError(t, tr.db.Replace("repo", nil, nil))
	_, err = tr.get("a")
	require.Equal(t, "NoSuchKey", code(err))

	n, err := tr.Rebuild(context.Background())
	require.NoError(t, err)
	require.Equal(t, 2, n)
	obj, err := tr.db.GetObject("repo", "a")
	require.NoError(t, err)
	require.Equal(t, md5ETag([]byte("a2")), obj.ETag)
	require.Equal(t, []uint64{1, 2}, obj.Deals())
	require.Equal(t, map[uint64]int{3: 2}, tr.pending())
	b, err := tr.get("a")
	require.NoError(t, err)
	require.Equal(t, "a2", string(b))

	tr.deals[1].set(true, 0)
	_, err = tr.Rebuild(context.Background())
	require.ErrorContains(t, err, "listing deal 2")
}

// TestRefusalsAreAnswersNotFaults: a deal that refuses a write (quota
// exceeded) answered: the client gets the refusal, not a 503, and the deal
// stays up for reads.
func TestRefusalsAreAnswersNotFaults(t *testing.T) {
	tr := newTestRepo(t, 1, 1)
	_, err := tr.put("k", []byte("fits"))
	require.NoError(t, err)
	tr.deals[0].mu.Lock()
	tr.deals[0].full = true
	tr.deals[0].mu.Unlock()
	for i := 0; i < 3; i++ {
		_, err = tr.put("k2", []byte("too much"))
		require.Equal(t, "QuotaExceeded", code(err))
	}
	require.True(t, tr.Replicas[0].Stats.Up())
	b, err := tr.get("k")
	require.NoError(t, err)
	require.Equal(t, "fits", string(b))

	// In a mirror, deals that all refuse give the refusal too.
	m := newTestRepo(t, 2, 2)
	for _, d := range m.deals {
		d.mu.Lock()
		d.full = true
		d.mu.Unlock()
	}
	_, err = m.put("k", []byte("x"))
	require.Equal(t, "QuotaExceeded", code(err))
}

// TestRepairReachesEveryDeal: one round repairs every missed write of the
// deals that are up, past batch boundaries, even when a deal that is still
// down has more missed writes sorted before theirs.
func TestRepairReachesEveryDeal(t *testing.T) {
	tr := newTestRepo(t, 3, 1)
	tr.deals[0].set(true, 0)
	tr.deals[1].set(true, 0)
	const n = repairBatch + 44
	for i := 0; i < n; i++ {
		_, err := tr.put(fmt.Sprintf("k%03d", i), []byte{byte(i % 256)})
		require.NoError(t, err)
	}
	tr.Wait()
	require.Equal(t, map[uint64]int{1: n, 2: n}, tr.pending())
	tr.deals[1].set(false, 0)
	tr.CheckHealth(context.Background())
	done, err := tr.Repair(context.Background())
	require.NoError(t, err)
	require.Equal(t, n, done)
	require.Equal(t, map[uint64]int{1: n}, tr.pending())
	o, ok := tr.deals[1].get(fmt.Sprintf("k%03d", n-1))
	require.True(t, ok)
	require.Equal(t, []byte{byte((n - 1) % 256)}, o.data)
}
