package gateway

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/versity/versitygw/s3response"
)

// Multipart uploads are keyed in storage by object key and upload id, and
// every key carries the deal's prefix: an upload id of another deal names
// no upload in this deal's key space (NoSuchUpload).

func (r *router) CreateMultipartUpload(ctx context.Context, in s3response.CreateMultipartUploadInput) (s3response.InitiateMultipartUploadResult, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return s3response.InitiateMultipartUploadResult{}, err
	}
	defer release()
	bucket, key := deref(in.Bucket), deref(in.Key)
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.CreateMultipartUpload(ctx, in)
	if err != nil {
		return out, r.fail(st, "CreateMultipartUpload", err)
	}
	st.usage.openUpload(out.UploadId)
	out.Bucket, out.Key = bucket, key
	return out, nil
}

// UploadPart admits the part against the quota before a byte is written:
// stored bytes, every part already uploaded to an open upload of the deal,
// and the other writes in flight.
func (r *router) UploadPart(ctx context.Context, in *s3.UploadPartInput) (*s3.UploadPartOutput, error) {
	ctx = storageContext(ctx)
	var n int64
	if in.ContentLength != nil {
		n = *in.ContentLength
	}
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return nil, refuseUpload(in.Body, n, err)
	}
	defer release()
	id, part := deref(in.UploadId), int32(0)
	if in.PartNumber != nil {
		part = *in.PartNumber
	}
	limit, err := st.usage.admitPart(st.deal().QuotaBytes, id, part, n)
	if err != nil {
		return nil, refuseUpload(in.Body, n, err)
	}
	body, ib := wrapIngress(in.Body, st, r.m, n, limit)
	in.Bucket, in.Key, in.Body = &st.unit.bucket, &skey, body
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.UploadPart(ctx, in)
	if err == nil && st.revoked.Load() {
		err = errDealGone // see PutObject
	}
	if err != nil {
		st.usage.partDone(id, part, n, false)
		return nil, r.writeFailed(st, "UploadPart", ib, err)
	}
	st.usage.partDone(id, part, ib.n, true)
	// The n bytes reserved at admission now stand for the stored part
	// (partDone released the part it replaced); keep exactly what was read.
	if ib.n != n {
		st.usage.commit(n-ib.n, 0, 0)
	}
	return out, nil
}

func (r *router) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput) (s3response.CompleteMultipartUploadResult, string, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return s3response.CompleteMultipartUploadResult{}, "", err
	}
	defer release()
	old, err := r.sizeOf(ctx, st, skey)
	if err != nil {
		return s3response.CompleteMultipartUploadResult{}, "", err
	}
	bucket, key := deref(in.Bucket), deref(in.Key)
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, version, err := st.unit.be.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return out, version, r.fail(st, "CompleteMultipartUpload", err)
	}
	// The object's size is what the storage assembled from the listed
	// parts; parts left out of the list are gone too.
	final, err := r.sizeOf(ctx, st, skey)
	if err != nil {
		r.logger.Error("size of a completed upload unknown; usage rebuilt at next start", "deal", st.id, "err", err)
	}
	st.usage.finishUpload(deref(in.UploadId), true, final, old)
	out.Bucket, out.Key, out.Location = &bucket, &key, nil
	return out, version, nil
}

func (r *router) AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput) error {
	ctx = storageContext(ctx)
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return err
	}
	defer release()
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	if err := st.unit.be.AbortMultipartUpload(ctx, in); err != nil {
		return r.fail(st, "AbortMultipartUpload", err)
	}
	st.usage.finishUpload(deref(in.UploadId), false, 0, 0)
	return nil
}

func (r *router) ListParts(ctx context.Context, in *s3.ListPartsInput) (s3response.ListPartsResult, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.object(in.Bucket, in.Key)
	if err != nil {
		return s3response.ListPartsResult{}, err
	}
	defer release()
	bucket, key := deref(in.Bucket), deref(in.Key)
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.ListParts(ctx, in)
	if err != nil {
		return out, r.fail(st, "ListParts", err)
	}
	out.Bucket, out.Key = bucket, key
	return out, nil
}

func (r *router) ListMultipartUploads(ctx context.Context, in *s3.ListMultipartUploadsInput) (s3response.ListMultipartUploadsResult, error) {
	ctx = storageContext(ctx)
	st, release, err := r.deals.acquire(deref(in.Bucket))
	if err != nil {
		return s3response.ListMultipartUploadsResult{}, err
	}
	defer release()
	bucket, prefix, keyMarker := deref(in.Bucket), deref(in.Prefix), deref(in.KeyMarker)
	for _, p := range []string{prefix, keyMarker} {
		if err := validatePrefix(p); err != nil {
			return s3response.ListMultipartUploadsResult{}, err
		}
	}
	in.Bucket, in.Prefix = &st.unit.bucket, ptr(st.prefix+prefix)
	if keyMarker != "" {
		in.KeyMarker = ptr(st.storageKey(keyMarker))
	}
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.ListMultipartUploads(ctx, in)
	if err != nil {
		return out, r.fail(st, "ListMultipartUploads", err)
	}
	uploads := out.Uploads[:0]
	for _, u := range out.Uploads {
		if k, ok := st.clientKey(u.Key); ok {
			u.Key = k
			uploads = append(uploads, u)
		}
	}
	out.Uploads = uploads
	prefixes := out.CommonPrefixes[:0]
	for _, cp := range out.CommonPrefixes {
		if p, ok := st.clientKey(cp.Prefix); ok {
			cp.Prefix = p
			prefixes = append(prefixes, cp)
		}
	}
	out.CommonPrefixes = prefixes
	out.Bucket, out.Prefix, out.KeyMarker = bucket, prefix, keyMarker
	out.NextKeyMarker = strings.TrimPrefix(out.NextKeyMarker, st.prefix)
	return out, nil
}
