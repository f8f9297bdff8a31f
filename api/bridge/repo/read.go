package repo

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// lookup returns key's current version, or NoSuchKey: the record, not the
// deals, says what exists (a deal that missed a delete still has the key).
func (r *Repo) lookup(key string) (*Object, error) {
	obj, err := r.db.GetObject(r.Name, key)
	if err != nil {
		r.logger.Error("reading the object record failed", "key", key, "err", err)
		return nil, s3err.GetAPIError(s3err.ErrInternalError)
	}
	if obj == nil {
		return nil, s3err.GetAPIError(s3err.ErrNoSuchKey)
	}
	if len(obj.Replicas) == 0 {
		// Every deal that held it turned out stale or corrupt: repairs
		// cannot restore it, but the key exists.
		return nil, errNoReplica
	}
	return obj, nil
}

// attempt runs a read on one deal, abandoning it when the deal has not
// answered within timeout (failover_after). On success the returned cancel must be
// called once the answer (its body) is consumed.
func attempt[T any](rep *Replica, timeout time.Duration, call func(ctx context.Context) (T, error)) (T, context.CancelFunc, error) {
	// Abandoned for slowness, the request's context says why (the QoS
	// measurement counts it as a failure of the deal; traffic.go).
	ctx, cancelCause := context.WithCancelCause(context.Background())
	cancel := func() { cancelCause(nil) }
	slow := time.AfterFunc(timeout, func() { cancelCause(errSlow) })
	start := time.Now()
	v, err := call(ctx)
	if !slow.Stop() && err == nil {
		// Answered just as it was abandoned: the body is cut off.
		if o, ok := any(v).(*s3.GetObjectOutput); ok && o != nil && o.Body != nil {
			o.Body.Close()
		}
		err = errSlow
	}
	if err != nil {
		cancel()
		if errors.Is(err, context.Canceled) || errors.Is(err, errSlow) {
			err = errSlow
		}
		if dealFault(err) {
			rep.Stats.Fail(err)
		} else {
			rep.Stats.OK(time.Since(start))
		}
		var zero T
		return zero, nil, err
	}
	rep.Stats.OK(time.Since(start))
	return v, cancel, nil
}

var errSlow = errors.New("no answer within failover_after")

// stale handles a deal that should hold key's version and does not: it is
// dropped from the record and marked for repair.
func (r *Repo) stale(key string, obj *Object, rep *Replica, why string) {
	r.logger.Info("a deal does not hold the current version; repairing it", "key", key, "deal", rep.Deal, "why", why)
	if err := r.db.DropReplica(r.Name, key, obj.Seq, rep.Deal); err != nil {
		r.logger.Error("recording a stale replica failed", "key", key, "deal", rep.Deal, "err", err)
	}
	r.TriggerRepair()
}

// GetObject reads key from the fastest deal that is up and holds its
// current version, asking the next as well when a deal is slow to answer
// and failing over on an error (readFrom). A whole-object read is checked
// as it streams (verify.go).
func (r *Repo) GetObject(_ context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	defer r.member()()
	key := deref(in.Key)
	obj, err := r.lookup(key)
	if err != nil {
		return nil, err
	}
	out, rep, cancel, err := readFrom(r, key, obj, r.readOrder(obj.Has),
		func(ctx context.Context, rep *Replica) (*s3.GetObjectOutput, error) {
			d := *in
			d.Bucket, d.ExpectedBucketOwner = &rep.Bucket, nil
			return rep.Backend.GetObject(ctx, &d)
		},
		func(o *s3.GetObjectOutput) string { return deref(o.ETag) },
		func(o *s3.GetObjectOutput) { o.Body.Close() })
	if err != nil {
		return nil, answerOf(err)
	}
	out.ETag = &obj.ETag // the ETag the client was given, whichever deal serves
	body := &readBody{rc: out.Body, cancel: cancel}
	if meter := r.opts.Meter; meter != nil {
		deal := rep.Deal
		body.count = func(n int) { meter.Add(deal, int64(n)) }
	}
	if wholeRead(in) {
		body.check = wholeObjectCheck(obj, strings.Trim(obj.Replicas[rep.Deal], `"`))
		if body.check != nil {
			body.onCorrupt = func() { rep.Stats.Fail(errCorrupt); r.stale(key, obj, rep, "checksum mismatch") }
		}
	}
	out.Body = body
	return out, nil
}

// wholeRead reports a read of the whole object. versitygw's front end
// passes an absent Range and PartNumber as "" and 0, not nil.
func wholeRead(in *s3.GetObjectInput) bool {
	return deref(in.Range) == "" && (in.PartNumber == nil || *in.PartNumber == 0)
}

// answerOf is the client's answer when no deal could serve a read: a
// deal's S3 answer if it is about the request, 503 otherwise.
func answerOf(err error) error {
	if clientSide(err) {
		return err
	}
	return errNoReplica
}

// readBody closes the read's context with the body, and checks a whole
// object's checksum at its end: a mismatch fails the read (the client sees
// a broken transfer, never wrong bytes reported as complete).
type readBody struct {
	rc        io.ReadCloser
	cancel    context.CancelFunc
	check     *bodyCheck
	onCorrupt func()
	count     func(n int) // bytes delivered, for usage receipts
}

func (b *readBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.count != nil && n > 0 {
		b.count(n)
	}
	if b.check != nil {
		b.check.h.Write(p[:n])
		if err == io.EOF && !b.check.ok() {
			b.check = nil
			b.onCorrupt()
			return n, errCorrupt
		}
	}
	return n, err
}

// WriteTo copies the body in large pieces (copyLarge): versitygw's front
// end uses it instead of its own 4 KiB to 32 KiB copies.
func (b *readBody) WriteTo(w io.Writer) (int64, error) { return copyLarge(w, b) }

func (b *readBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// HeadObject answers from the fastest deal that holds the current version
// (as GetObject, with hedging and failover).
func (r *Repo) HeadObject(_ context.Context, in *s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
	defer r.member()()
	key := deref(in.Key)
	obj, err := r.lookup(key)
	if err != nil {
		return nil, err
	}
	out, _, cancel, err := readFrom(r, key, obj, r.readOrder(obj.Has),
		func(ctx context.Context, rep *Replica) (*s3.HeadObjectOutput, error) {
			d := *in
			d.Bucket, d.ExpectedBucketOwner = &rep.Bucket, nil
			return rep.Backend.HeadObject(ctx, &d)
		},
		func(o *s3.HeadObjectOutput) string { return deref(o.ETag) },
		func(*s3.HeadObjectOutput) {})
	if err != nil {
		return nil, answerOf(err)
	}
	cancel()
	out.ETag = &obj.ETag
	return out, nil
}

// listOrder orders the deals a listing may come from: those with no missed
// write first (their listing is the repository's), then by readOrder.
func (r *Repo) listOrder() []*Replica {
	all := r.readOrder(func(uint64) bool { return true })
	var clean, behind []*Replica
	for _, rep := range all {
		if behindOn, err := r.db.HasPending(r.Name, rep.Deal); err == nil && !behindOn {
			clean = append(clean, rep)
		} else {
			behind = append(behind, rep)
		}
	}
	return append(clean, behind...)
}

// listTimeout bounds one deal's listing before the next is tried: a page
// of up to 1000 keys takes longer than a single answer.
func (r *Repo) listTimeout() time.Duration { return 5 * r.opts.FailoverAfter }

// ListObjectsV2 lists from the deal that is complete and fastest (pages
// of one listing come from the same deal while its standing is unchanged).
func (r *Repo) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input) (s3response.ListObjectsV2Result, error) {
	defer r.member()()
	var last error = errNoReplica
	for _, rep := range r.listOrder() {
		d := *in
		d.Bucket, d.ExpectedBucketOwner = &rep.Bucket, nil
		out, cancel, err := attempt(rep, r.listTimeout(), func(ctx context.Context) (s3response.ListObjectsV2Result, error) {
			return rep.Backend.ListObjectsV2(ctx, &d)
		})
		if err != nil {
			if clientSide(err) {
				return out, err
			}
			last = err
			continue
		}
		cancel()
		out.Name = in.Bucket
		return out, nil
	}
	return s3response.ListObjectsV2Result{}, answerOf(last)
}

// ListObjects is ListObjectsV2's older form.
func (r *Repo) ListObjects(_ context.Context, in *s3.ListObjectsInput) (s3response.ListObjectsResult, error) {
	defer r.member()()
	var last error = errNoReplica
	for _, rep := range r.listOrder() {
		d := *in
		d.Bucket, d.ExpectedBucketOwner = &rep.Bucket, nil
		out, cancel, err := attempt(rep, r.listTimeout(), func(ctx context.Context) (s3response.ListObjectsResult, error) {
			return rep.Backend.ListObjects(ctx, &d)
		})
		if err != nil {
			if clientSide(err) {
				return out, err
			}
			last = err
			continue
		}
		cancel()
		out.Name = in.Bucket
		return out, nil
	}
	return s3response.ListObjectsResult{}, answerOf(last)
}
