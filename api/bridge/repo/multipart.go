package repo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// A multipart upload of the bridge is an upload on each deal that is up
// when it starts, under an upload id of the bridge's own. A deal that fails
// a part leaves the upload (its own upload is aborted) and gets the whole
// object by repair once it is complete; the upload fails when fewer than
// the quorum's deals are left in it.

func newUploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (r *Repo) upload(id *string, key *string) (*Upload, error) {
	u, err := r.db.GetUpload(deref(id))
	if err != nil {
		r.logger.Error("reading an upload failed", "upload", deref(id), "err", err)
		return nil, s3err.GetAPIError(s3err.ErrInternalError)
	}
	if u == nil || u.Repo != r.Name || (key != nil && u.Key != *key) {
		return nil, s3err.GetAPIError(s3err.ErrNoSuchUpload)
	}
	return u, nil
}

// CreateMultipartUpload starts an upload on every deal that is up.
func (r *Repo) CreateMultipartUpload(_ context.Context, in s3response.CreateMultipartUploadInput) (s3response.InitiateMultipartUploadResult, error) {
	defer r.member()()
	key := deref(in.Key)
	up, _ := r.writeTargets()
	if len(up) < r.Quorum {
		return s3response.InitiateMultipartUploadResult{}, quorumError(0, 0, len(r.Replicas), r.Quorum)
	}
	in.ExpectedBucketOwner = nil
	in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP = nil, nil, nil, nil
	ok, failed, rest, left := r.fanout(up, r.Quorum, func(ctx context.Context, rep *Replica) (any, error) {
		d := in
		d.Bucket = &rep.Bucket
		return rep.Backend.CreateMultipartUpload(ctx, d)
	})
	lateOK, lateFailed := drain(rest, left)
	ok, failed = append(ok, lateOK...), append(failed, lateFailed...)
	uploads := map[uint64]string{}
	for _, o := range ok {
		uploads[o.rep.Deal] = o.val.(s3response.InitiateMultipartUploadResult).UploadId
	}
	if len(ok) < r.Quorum {
		r.abortOn(key, uploads)
		return s3response.InitiateMultipartUploadResult{}, failedAnswer(len(ok), failed, len(up), len(r.Replicas), r.Quorum)
	}
	id := newUploadID()
	if err := r.db.PutUpload(id, Upload{Repo: r.Name, Key: key, Initiated: time.Now().UTC(), Deals: uploads, Parts: map[int32]int64{}}); err != nil {
		r.abortOn(key, uploads)
		r.logger.Error("recording an upload failed", "key", key, "err", err)
		return s3response.InitiateMultipartUploadResult{}, s3err.GetAPIError(s3err.ErrInternalError)
	}
	return s3response.InitiateMultipartUploadResult{Bucket: r.Name, Key: key, UploadId: id}, nil
}

// abortOn aborts the given deals' uploads, in the background (best effort:
// a deal that is down keeps its parts until its provider cleans up).
func (r *Repo) abortOn(key string, uploads map[uint64]string) {
	for deal, id := range uploads {
		rep := r.replica(deal)
		if rep == nil {
			continue
		}
		r.background.Add(1)
		go func() {
			defer r.background.Done()
			ctx, cancel := context.WithTimeout(context.Background(), r.opts.WriteTimeout)
			defer cancel()
			_ = rep.Backend.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &rep.Bucket, Key: &key, UploadId: &id})
		}()
	}
}

// targetsOf are the replicas still in an upload.
func (r *Repo) targetsOf(u *Upload) []*Replica {
	var out []*Replica
	for _, rep := range r.Replicas {
		if _, ok := u.Deals[rep.Deal]; ok {
			out = append(out, rep)
		}
	}
	return out
}

// leave removes deals from an upload (they failed a part or its completion).
func (r *Repo) leave(id string, u *Upload, failed []outcome) {
	if len(failed) == 0 {
		return
	}
	gone := map[uint64]string{}
	for _, o := range failed {
		gone[o.rep.Deal] = u.Deals[o.rep.Deal]
	}
	_, err := r.db.UpdateUpload(id, func(u *Upload) {
		for d := range gone {
			delete(u.Deals, d)
		}
	})
	if err != nil {
		r.logger.Error("recording deals that left an upload failed", "upload", id, "err", err)
	}
	r.logMissed(u.Key, failed)
	r.abortOn(u.Key, gone)
}

// UploadPart sends a part to every deal still in the upload (streamed to
// a single one, spooled for several) and waits for all of them.
func (r *Repo) UploadPart(_ context.Context, in *s3.UploadPartInput) (*s3.UploadPartOutput, error) {
	defer r.member()()
	want := int64(-1)
	if in.ContentLength != nil {
		want = *in.ContentLength
	}
	u, err := r.upload(in.UploadId, in.Key)
	if err != nil {
		return nil, refuse(in.Body, want, err)
	}
	targets := r.targetsOf(u)
	if len(targets) < r.Quorum {
		return nil, refuse(in.Body, want, quorumError(len(targets), len(targets), len(r.Replicas), r.Quorum))
	}
	base := *in
	base.ExpectedBucketOwner = nil
	base.ChecksumAlgorithm = ""
	var body func() io.Reader
	var size int64
	var hr *countingReader
	if len(targets) == 1 {
		hr = &countingReader{r: in.Body}
		body, size = func() io.Reader { return hr }, want
	} else {
		sp, err := newSpool(r.opts.SpoolDir, in.Body, want)
		if err != nil {
			if ae, ok := err.(s3err.APIError); ok {
				return nil, ae
			}
			r.logger.Error("spooling a part failed", "err", err)
			return nil, s3err.GetAPIError(s3err.ErrInternalError)
		}
		defer sp.close()
		body, size = func() io.Reader { return sp.reader() }, sp.size
		if base.ContentMD5 == nil {
			base.ContentMD5 = ptr(sp.contentMD5())
		}
	}
	ok, failed, rest, left := r.fanout(targets, len(targets), func(ctx context.Context, rep *Replica) (any, error) {
		d := base
		d.Bucket, d.UploadId, d.Body = &rep.Bucket, ptr(u.Deals[rep.Deal]), body()
		if size >= 0 {
			d.ContentLength = &size
		}
		return rep.Backend.UploadPart(ctx, &d)
	})
	lateOK, lateFailed := drain(rest, left)
	ok, failed = append(ok, lateOK...), append(failed, lateFailed...)
	if hr != nil {
		size = hr.n
	}
	// Deals must agree on the part's ETag (its MD5): the client completes
	// the upload with it.
	if len(ok) > 0 {
		first := deref(ok[0].val.(*s3.UploadPartOutput).ETag)
		kept := ok[:0]
		for _, o := range ok {
			if deref(o.val.(*s3.UploadPartOutput).ETag) != first {
				failed = append(failed, outcome{rep: o.rep, err: errCorrupt})
				continue
			}
			kept = append(kept, o)
		}
		ok = kept
	}
	if len(ok) == 0 {
		return nil, failedAnswer(0, failed, len(targets), len(r.Replicas), r.Quorum)
	}
	var client []outcome
	for _, f := range failed {
		if clientSide(f.err) {
			client = append(client, f)
		}
	}
	if len(client) == 0 {
		r.leave(deref(in.UploadId), u, failed)
	}
	if len(ok) < r.Quorum || len(client) > 0 {
		return nil, failedAnswer(len(ok), failed, len(targets), len(r.Replicas), r.Quorum)
	}
	var n int32
	if in.PartNumber != nil {
		n = *in.PartNumber
	}
	if _, err := r.db.UpdateUpload(deref(in.UploadId), func(u *Upload) { u.Parts[n] = size }); err != nil {
		r.logger.Error("recording a part failed", "err", err)
		return nil, s3err.GetAPIError(s3err.ErrInternalError)
	}
	return ok[0].val.(*s3.UploadPartOutput), nil
}

// CompleteMultipartUpload completes the upload on every deal still in it;
// the object is acknowledged once the quorum has it, and the other deals
// of the repository get it by repair.
func (r *Repo) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput) (s3response.CompleteMultipartUploadResult, string, error) {
	defer r.member()()
	u, err := r.upload(in.UploadId, in.Key)
	if err != nil {
		return s3response.CompleteMultipartUploadResult{}, "", err
	}
	key := u.Key
	unlock := r.lock(key)
	targets := r.targetsOf(u)
	var size int64
	var sizes []int64
	if in.MultipartUpload != nil {
		for _, p := range in.MultipartUpload.Parts {
			n := u.Parts[deref(p.PartNumber)]
			size += n
			sizes = append(sizes, n)
		}
	}
	base := *in
	base.ExpectedBucketOwner = nil
	ok, failed, rest, left := r.fanout(targets, r.Quorum, func(ctx context.Context, rep *Replica) (any, error) {
		d := base
		d.Bucket, d.UploadId = &rep.Bucket, ptr(u.Deals[rep.Deal])
		res, _, err := rep.Backend.CompleteMultipartUpload(ctx, &d)
		return res, err
	})
	etagOf := func(o outcome) string { return deref(o.val.(s3response.CompleteMultipartUploadResult).ETag) }
	st := r.settle(key, ok, failed, rest, left, len(targets),
		func(ok []outcome) Object {
			return Object{Size: size, ETag: etagOf(ok[0]), Replicas: replicaETags(ok, etagOf), Parts: sizes}
		},
		etagOf, func() {
			unlock()
			if err := r.db.DeleteUpload(deref(in.UploadId)); err != nil {
				r.logger.Error("forgetting a completed upload failed", "err", err)
			}
		},
		func(ok []outcome) (any, error) {
			res := ok[0].val.(s3response.CompleteMultipartUploadResult)
			res.Bucket, res.Location = &r.Name, nil
			return res, nil
		})
	if st.err != nil {
		return s3response.CompleteMultipartUploadResult{}, "", st.err
	}
	return st.val.(s3response.CompleteMultipartUploadResult), "", nil
}

// AbortMultipartUpload aborts the upload on its deals.
func (r *Repo) AbortMultipartUpload(_ context.Context, in *s3.AbortMultipartUploadInput) error {
	defer r.member()()
	u, err := r.upload(in.UploadId, in.Key)
	if err != nil {
		return err
	}
	if err := r.db.DeleteUpload(deref(in.UploadId)); err != nil {
		return s3err.GetAPIError(s3err.ErrInternalError)
	}
	r.abortOn(u.Key, u.Deals)
	return nil
}

// ListParts lists the parts from the first deal of the upload that answers.
func (r *Repo) ListParts(_ context.Context, in *s3.ListPartsInput) (s3response.ListPartsResult, error) {
	defer r.member()()
	u, err := r.upload(in.UploadId, in.Key)
	if err != nil {
		return s3response.ListPartsResult{}, err
	}
	var last error = errNoReplica
	for _, rep := range r.readOrder(func(d uint64) bool { _, ok := u.Deals[d]; return ok }) {
		d := *in
		d.Bucket, d.UploadId, d.ExpectedBucketOwner = &rep.Bucket, ptr(u.Deals[rep.Deal]), nil
		out, cancel, err := attempt(rep, r.listTimeout(), func(ctx context.Context) (s3response.ListPartsResult, error) {
			return rep.Backend.ListParts(ctx, &d)
		})
		if err != nil {
			if clientSide(err) {
				return out, err
			}
			last = err
			continue
		}
		cancel()
		out.Bucket, out.UploadID = r.Name, deref(in.UploadId)
		return out, nil
	}
	return s3response.ListPartsResult{}, answerOf(last)
}

// ListMultipartUploads lists the bridge's open uploads of the repository
// (all of them, by key and upload id, filtered by prefix).
func (r *Repo) ListMultipartUploads(_ context.Context, in *s3.ListMultipartUploadsInput) (s3response.ListMultipartUploadsResult, error) {
	defer r.member()()
	all, err := r.db.ListUploads(r.Name)
	if err != nil {
		return s3response.ListMultipartUploadsResult{}, s3err.GetAPIError(s3err.ErrInternalError)
	}
	res := s3response.ListMultipartUploadsResult{Bucket: r.Name, Prefix: deref(in.Prefix), MaxUploads: 1000}
	for id, u := range all {
		if len(u.Key) >= len(res.Prefix) && u.Key[:len(res.Prefix)] == res.Prefix {
			res.Uploads = append(res.Uploads, s3response.Upload{Key: u.Key, UploadID: id, Initiated: u.Initiated, StorageClass: types.StorageClassStandard})
		}
	}
	sort.Slice(res.Uploads, func(i, j int) bool {
		a, b := res.Uploads[i], res.Uploads[j]
		return a.Key < b.Key || a.Key == b.Key && a.UploadID < b.UploadID
	})
	return res, nil
}
