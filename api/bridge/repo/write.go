package repo

import (
	"context"
	"encoding/hex"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// maxRefusedDrain is how much of a refused upload's body is read before
// answering, so that the client sees the answer rather than a reset.
const maxRefusedDrain = 16 << 20

func refuse(body io.Reader, n int64, err error) error {
	if body != nil && n > 0 && n <= maxRefusedDrain {
		_, _ = io.CopyN(io.Discard, body, n)
	}
	return err
}

// forDeal prepares a client's PutObject for a deal: its bucket, and no
// bridge-side settings (ACL grants, owner checks) the deal knows nothing of.
// The checksum algorithm is dropped, since the SDK would compute it anew
// from the body; the client's checksum values are kept and checked by the
// deal, end to end.
func forDeal(in s3response.PutObjectInput, rep *Replica) s3response.PutObjectInput {
	in.Bucket = &rep.Bucket
	in.ExpectedBucketOwner = nil
	in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP = nil, nil, nil, nil
	in.ChecksumAlgorithm = ""
	return in
}

// PutObject writes an object to every deal that is up: a single deal gets
// the client's body as a stream; several get it from a spool file, each at
// its own pace, and the write is acknowledged once the quorum has it.
// Deals that are down, fail, or are still writing are recorded as having
// missed the write until they finish or are repaired.
func (r *Repo) PutObject(_ context.Context, in s3response.PutObjectInput) (s3response.PutObjectOutput, error) {
	defer r.member()()
	key := deref(in.Key)
	want := int64(-1)
	if in.ContentLength != nil {
		want = *in.ContentLength
	}
	unlock := r.lock(key)
	up, _ := r.writeTargets()
	if len(up) < r.Quorum {
		unlock()
		return s3response.PutObjectOutput{}, refuse(in.Body, want, quorumError(0, 0, len(r.Replicas), r.Quorum))
	}
	if len(r.Replicas) == 1 {
		defer unlock()
		return r.putStream(in, key, want)
	}
	sp, err := newSpool(r.opts.SpoolDir, in.Body, want)
	if err != nil {
		unlock()
		if _, isS3 := err.(s3err.APIError); isS3 {
			return s3response.PutObjectOutput{}, err
		}
		r.logger.Error("spooling an upload failed", "key", key, "err", err)
		return s3response.PutObjectOutput{}, s3err.GetAPIError(s3err.ErrInternalError)
	}
	ok, failed, rest, left := r.fanout(up, r.Quorum, func(ctx context.Context, rep *Replica) (any, error) {
		d := forDeal(in, rep)
		d.Body, d.ContentLength = sp.reader(), &sp.size
		if d.ContentMD5 == nil {
			d.ContentMD5 = ptr(sp.contentMD5())
		}
		return rep.Backend.PutObject(ctx, d)
	})
	etagOf := func(o outcome) string { return o.val.(s3response.PutObjectOutput).ETag }
	return r.settle(key, ok, failed, rest, left, len(up),
		func(ok []outcome) Object {
			return Object{Size: sp.size, ETag: etagOf(ok[0]), CRC32C: sp.crc32c, Replicas: replicaETags(ok, etagOf)}
		}, etagOf, func() { sp.close(); unlock() },
		func(ok []outcome) (any, error) { return ok[0].val.(s3response.PutObjectOutput), nil },
	).putOut()
}

// settled is a write's answer to the client.
type settled struct {
	val any
	err error
}

func (s settled) putOut() (s3response.PutObjectOutput, error) {
	if s.err != nil {
		return s3response.PutObjectOutput{}, s.err
	}
	return s.val.(s3response.PutObjectOutput), nil
}

// settle records the outcome of a fanned-out write of a new version of key
// and builds the client's answer. With the quorum met, the version is
// recorded at once (the deals that have not answered yet as having missed
// it) and the rest are awaited in the background, each recorded as it
// succeeds; then done runs. Without it, every deal is awaited, the deals
// that took the write still hold the new version (it is recorded, and
// repaired onto the others: a failed write may have happened, as in S3),
// and the client gets the quorum error.
func (r *Repo) settle(key string, ok, failed []outcome, rest <-chan outcome, left, tried int,
	version func([]outcome) Object, etagOf func(outcome) string, done func(), answer func([]outcome) (any, error),
) settled {
	record := func(ok []outcome) (uint64, error) {
		obj := version(ok)
		return r.db.PutObject(r.Name, key, obj, r.missing(obj))
	}
	if len(ok) >= r.Quorum {
		seq, err := record(ok)
		if err != nil {
			r.logger.Error("recording a write failed", "key", key, "err", err)
		}
		r.background.Add(1)
		go func() {
			defer r.background.Done()
			defer done()
			lateOK, lateFailed := drain(rest, left)
			for _, o := range lateOK {
				if _, err := r.db.AddReplica(r.Name, key, seq, o.rep.Deal, etagOf(o)); err != nil {
					r.logger.Error("recording a late replica failed", "key", key, "deal", o.rep.Deal, "err", err)
				}
			}
			r.logMissed(key, append(failed, lateFailed...))
		}()
		if err != nil {
			return settled{err: s3err.GetAPIError(s3err.ErrInternalError)}
		}
		v, err := answer(ok)
		return settled{val: v, err: err}
	}
	defer done()
	lateOK, lateFailed := drain(rest, left)
	ok, failed = append(ok, lateOK...), append(failed, lateFailed...)
	if len(ok) > 0 {
		if _, err := record(ok); err != nil {
			r.logger.Error("recording a write failed", "key", key, "err", err)
		}
	}
	r.logMissed(key, failed)
	return settled{err: failedAnswer(len(ok), failed, tried, len(r.Replicas), r.Quorum)}
}

func (r *Repo) logMissed(key string, failed []outcome) {
	for _, o := range failed {
		if !clientSide(o.err) {
			r.logger.Info("a deal missed a write; it will be repaired", "key", key, "deal", o.rep.Deal, "err", o.err)
		}
	}
}

// missing lists the repository's deals that do not hold obj.
func (r *Repo) missing(obj Object) []uint64 {
	var out []uint64
	for _, rep := range r.Replicas {
		if !obj.Has(rep.Deal) {
			out = append(out, rep.Deal)
		}
	}
	return out
}

func replicaETags(ok []outcome, etagOf func(outcome) string) map[uint64]string {
	m := make(map[uint64]string, len(ok))
	for _, o := range ok {
		m[o.rep.Deal] = etagOf(o)
	}
	return m
}

// putStream writes to a repository's only deal, streaming the client's
// body; the CRC-32C of what was sent is recorded for reads (verify.go).
// The bytes the deal stored are checked end to end once: by the deal,
// against the client's own Content-MD5 or x-amz-checksum-* value (kept in
// the request, forDeal) when the client sent one — most SDKs do — or else
// by the bridge, which compares the deal's ETag with the MD5 of what it
// sent. Computing that MD5 too when the deal checks the client's checksum
// would hash every byte twice for nothing (MD5 is the costliest hash on
// this path).
func (r *Repo) putStream(in s3response.PutObjectInput, key string, want int64) (s3response.PutObjectOutput, error) {
	rep := r.Replicas[0]
	d := forDeal(in, rep)
	hb := newDigestReader(in.Body, !dealChecksBody(in))
	if in.Body != nil {
		d.Body = hb
	}
	var out s3response.PutObjectOutput
	ok, failed, _, _ := r.fanout([]*Replica{rep}, 1, func(ctx context.Context, rep *Replica) (any, error) {
		var err error
		out, err = rep.Backend.PutObject(ctx, d)
		return out, err
	})
	if len(ok) == 0 {
		return out, failedAnswer(0, failed, 1, 1, 1)
	}
	if hb.md5 == nil {
		// The deal checked the body against the client's checksum.
	} else if sum := hex.EncodeToString(hb.md5.Sum(nil)); plainETag(out.ETag) && strings.Trim(out.ETag, `"`) != sum {
		r.logger.Error("a deal stored an upload with another checksum", "key", key, "deal", rep.Deal, "etag", out.ETag, "md5", sum)
		_ = r.db.DeleteObject(r.Name, key, nil, []uint64{rep.Deal})
		return s3response.PutObjectOutput{}, errCorrupt
	}
	obj := Object{Size: hb.n, ETag: out.ETag, CRC32C: crc32cValue(hb.crc), Replicas: map[uint64]string{rep.Deal: out.ETag}}
	if _, err := r.db.PutObject(r.Name, key, obj, nil); err != nil {
		r.logger.Error("recording a write failed", "key", key, "err", err)
		return s3response.PutObjectOutput{}, s3err.GetAPIError(s3err.ErrInternalError)
	}
	return out, nil
}

// dealChecksBody reports a PutObject whose body the deal checks against a
// digest the client sent (Content-MD5 or an x-amz-checksum-* value the
// SDK forwards; a wrong body is refused with BadDigest or
// XAmzContentChecksumMismatch before anything is stored).
func dealChecksBody(in s3response.PutObjectInput) bool {
	for _, v := range []*string{in.ContentMD5, in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumSHA1, in.ChecksumSHA256, in.ChecksumCRC64NVME} {
		if v != nil && *v != "" {
			return true
		}
	}
	return false
}

// plainETag reports an ETag that is the MD5 of the object (not a multipart
// ETag "<md5>-<parts>").
func plainETag(etag string) bool {
	e := strings.Trim(etag, `"`)
	if len(e) != 32 {
		return false
	}
	_, err := hex.DecodeString(e)
	return err == nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// DeleteObject deletes key from every deal that is up, acknowledged once
// the quorum has done it; the others are recorded as having missed it.
func (r *Repo) DeleteObject(_ context.Context, in *s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) {
	defer r.member()()
	key := deref(in.Key)
	unlock := r.lock(key)
	defer unlock()
	return r.deleteLocked(key)
}

func (r *Repo) deleteLocked(key string) (*s3.DeleteObjectOutput, error) {
	up, _ := r.writeTargets()
	if len(up) < r.Quorum {
		return nil, quorumError(0, 0, len(r.Replicas), r.Quorum)
	}
	ok, failed, rest, left := r.fanout(up, r.Quorum, func(ctx context.Context, rep *Replica) (any, error) {
		return rep.Backend.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &rep.Bucket, Key: &key})
	})
	lateOK, lateFailed := drain(rest, left) // deletes are short: wait for all
	ok, failed = append(ok, lateOK...), append(failed, lateFailed...)
	done := dealsOf(ok)
	var missed []uint64
	for _, rep := range r.Replicas {
		if !containsDeal(done, rep.Deal) {
			missed = append(missed, rep.Deal)
		}
	}
	if len(ok) > 0 {
		if err := r.db.DeleteObject(r.Name, key, done, missed); err != nil {
			r.logger.Error("recording a delete failed", "key", key, "err", err)
			return nil, s3err.GetAPIError(s3err.ErrInternalError)
		}
	}
	r.logMissed(key, failed)
	if len(ok) < r.Quorum {
		return nil, failedAnswer(len(ok), failed, len(up), len(r.Replicas), r.Quorum)
	}
	return &s3.DeleteObjectOutput{}, nil
}

func containsDeal(ds []uint64, d uint64) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// DeleteObjects deletes each key as DeleteObject does; a key that misses
// its quorum is reported in the answer's errors.
func (r *Repo) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput) (s3response.DeleteResult, error) {
	// Each DeleteObject holds the membership lock itself (a read lock
	// must not be taken twice: a waiting SetReplicas would deadlock it).
	var res s3response.DeleteResult
	if in.Delete == nil {
		return res, s3err.GetAPIError(s3err.ErrMalformedXML)
	}
	for _, o := range in.Delete.Objects {
		key := deref(o.Key)
		if _, err := r.DeleteObject(ctx, &s3.DeleteObjectInput{Key: &key}); err != nil {
			code, msg := "InternalError", err.Error()
			if ae, ok := err.(s3err.APIError); ok {
				code, msg = ae.Code, ae.Description
			}
			res.Error = append(res.Error, types.Error{Key: ptr(key), Code: &code, Message: &msg})
			continue
		}
		if !deref(in.Delete.Quiet) {
			res.Deleted = append(res.Deleted, types.DeletedObject{Key: ptr(key)})
		}
	}
	return res, nil
}
