package gateway

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"

	"github.com/flashbacknetwork/flashbackd/api/layout"
)

// object opens a deal for an object-level call on key: the deal's state and
// lease, and the key in the unit's storage.
func (r *router) object(bucket, key *string) (st *dealState, release func(), skey string, err error) {
	st, release, err = r.deals.acquire(deref(bucket))
	if err != nil {
		return nil, nil, "", err
	}
	if err := validateKey(deref(key)); err != nil {
		release()
		return nil, nil, "", err
	}
	return st, release, st.storageKey(deref(key)), nil
}

// writeObject is object for a write: the deal must be read-write.
func (r *router) writeObject(bucket, key *string) (st *dealState, release func(), skey string, err error) {
	st, release, skey, err = r.object(bucket, key)
	if err != nil {
		return nil, nil, "", err
	}
	if err := writable(st); err != nil {
		release()
		return nil, nil, "", err
	}
	return st, release, skey, nil
}

// sizeOf returns the size of a stored object, 0 if there is none.
func (r *router) sizeOf(ctx context.Context, st *dealState, skey string) (int64, error) {
	out, err := st.unit.be.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &st.unit.bucket, Key: &skey})
	if err != nil {
		if isNotFound(err) {
			return 0, nil
		}
		return 0, r.fail(st, "HeadObject", err)
	}
	if out == nil || out.ContentLength == nil {
		return 0, nil
	}
	return *out.ContentLength, nil
}

// isNotFound reports a missing object (HEAD answers carry no body, so an S3
// service says NotFound instead of NoSuchKey).
func isNotFound(err error) bool {
	code, _ := s3Code(err)
	return code == "NoSuchKey" || code == "NotFound"
}

// errBodyTooLong answers an upload whose body is longer than its declared
// length (Content-Length or x-amz-decoded-content-length).
var errBodyTooLong = s3err.APIError{
	Code:           "InvalidRequest",
	Description:    "The request body is longer than its declared length.",
	HTTPStatusCode: 400,
}

// writeFailed is the client's error for a failed upload: QuotaExceeded when
// the body outgrew the quota, InvalidRequest when it outgrew its declared
// length, NoSuchBucket when the deal was removed during
// the upload, the storage's error otherwise.
func (r *router) writeFailed(st *dealState, op string, ib *ingressBody, err error) error {
	switch {
	case ib.tooLarge:
		return errQuota
	case ib.overLength:
		return errBodyTooLong
	case st.revoked.Load():
		// Let the client read the answer (see refuseUpload).
		return refuseUpload(ib.r, ib.declared-ib.n, s3err.GetBucketErr(s3err.ErrNoSuchBucket, BucketName(st.id)))
	}
	return r.fail(st, op, err)
}

func (r *router) PutObject(ctx context.Context, in s3response.PutObjectInput) (s3response.PutObjectOutput, error) {
	ctx = storageContext(ctx)
	var n int64
	if in.ContentLength != nil {
		n = *in.ContentLength
	}
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return s3response.PutObjectOutput{}, refuseUpload(in.Body, n, err)
	}
	defer release()
	if deref(in.Key) == layout.ReceiptKey {
		return r.takeReceipt(st, in.Body, n)
	}
	old, err := r.sizeOf(ctx, st, skey)
	if err != nil {
		return s3response.PutObjectOutput{}, err
	}
	limit, err := st.usage.admit(st.deal().QuotaBytes, n, old)
	if err != nil {
		return s3response.PutObjectOutput{}, refuseUpload(in.Body, n, err)
	}
	defaultSum := st.unit.kind == storagePosix && !clientChecksum(&in)
	body, ib := wrapIngress(in.Body, st, r.m, n, limit)
	if defaultSum {
		body = newDefaultChecksumBody(body)
	}
	in.Bucket, in.Key, in.Body = &st.unit.bucket, &skey, body
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.PutObject(ctx, in)
	if err == nil && st.revoked.Load() {
		// Stored just as the deal was removed: RemoveDeal deletes it once
		// this call has ended; the client must not count on it.
		err = errDealGone
	}
	if err != nil {
		st.usage.commit(n, 0, 0)
		return s3response.PutObjectOutput{}, r.writeFailed(st, "PutObject", ib, err)
	}
	st.usage.commit(n, ib.n, old)
	return out, nil
}

// maxRefusedDrain is how much of a refused upload's body the gateway reads
// and discards before answering. A server that answers an upload early and
// closes the connection with the body unread makes the client's kernel
// report a connection reset instead of the answer (versitygw itself drains
// at most 256 KiB, as net/http does); reading the body of a refused part of
// common size lets the client see QuotaExceeded or AccessDenied.
const maxRefusedDrain = 16 << 20

// refuseUpload drains a refused upload's body when it is small enough and
// returns err.
func refuseUpload(body io.Reader, n int64, err error) error {
	if body != nil && n > 0 && n <= maxRefusedDrain {
		_, _ = io.CopyN(io.Discard, body, n)
	}
	return err
}

func (r *router) GetObject(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.object(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	defer release()
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.GetObject(ctx, in)
	if err == nil && out == nil {
		err = errors.New("storage returned no object")
	}
	if err != nil {
		return nil, r.fail(st, "GetObject", err)
	}
	if out.Body != nil {
		size := int64(-1)
		if out.ContentLength != nil {
			size = *out.ContentLength
		}
		out.Body = &egressBody{rc: out.Body, size: size, count: func(n int64) {
			st.usage.egress.Add(uint64(n))
			r.m.egress(st, n)
		}}
	}
	return out, nil
}

func (r *router) HeadObject(ctx context.Context, in *s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.object(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	defer release()
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.HeadObject(ctx, in)
	if err != nil {
		return nil, r.fail(st, "HeadObject", err)
	}
	return out, nil
}

func (r *router) GetObjectAttributes(ctx context.Context, in *s3.GetObjectAttributesInput) (s3response.GetObjectAttributesResponse, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.object(in.Bucket, in.Key)
	if err != nil {
		return s3response.GetObjectAttributesResponse{}, err
	}
	defer release()
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.GetObjectAttributes(ctx, in)
	if err != nil {
		return out, r.fail(st, "GetObjectAttributes", err)
	}
	return out, nil
}

func (r *router) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	defer release()
	size, err := r.sizeOf(ctx, st, skey)
	if err != nil {
		return nil, err
	}
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.DeleteObject(ctx, in)
	if err != nil {
		return nil, r.fail(st, "DeleteObject", err)
	}
	st.usage.removed(size)
	return out, nil
}

// DeleteObjects deletes the valid keys of the batch; an invalid key is
// reported in the answer's errors, like any other key that failed.
func (r *router) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput) (s3response.DeleteResult, error) {
	ctx = storageContext(ctx)
	st, release, err := r.deals.acquire(deref(in.Bucket))
	if err != nil {
		return s3response.DeleteResult{}, err
	}
	defer release()
	if err := writable(st); err != nil {
		return s3response.DeleteResult{}, err
	}
	var res s3response.DeleteResult
	if in.Delete == nil {
		return res, s3err.GetAPIError(s3err.ErrMalformedXML)
	}
	sizes := map[string]int64{}
	objects := make([]types.ObjectIdentifier, 0, len(in.Delete.Objects))
	for _, o := range in.Delete.Objects {
		key := deref(o.Key)
		if err := validateKey(key); err != nil {
			res.Error = append(res.Error, types.Error{Key: ptr(key), Code: ptr(errBadKey.Code), Message: ptr("invalid object key")})
			continue
		}
		skey := st.storageKey(key)
		size, err := r.sizeOf(ctx, st, skey)
		if err != nil {
			return s3response.DeleteResult{}, err
		}
		sizes[skey] = size
		o.Key = &skey
		objects = append(objects, o)
	}
	if len(objects) == 0 {
		return res, nil
	}
	in.Bucket = &st.unit.bucket
	in.Delete = &types.Delete{Objects: objects, Quiet: in.Delete.Quiet}
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.DeleteObjects(ctx, in)
	if err != nil {
		return s3response.DeleteResult{}, r.fail(st, "DeleteObjects", err)
	}
	for _, d := range out.Deleted {
		skey := deref(d.Key)
		key, ok := st.clientKey(skey)
		if !ok {
			continue
		}
		st.usage.removed(sizes[skey])
		d.Key = &key
		res.Deleted = append(res.Deleted, d)
	}
	for _, e := range out.Error {
		if key, ok := st.clientKey(deref(e.Key)); ok {
			e.Key = &key
			res.Error = append(res.Error, e)
		}
	}
	return res, nil
}

// CopyObject copies within one deal bucket. versitygw has already checked
// that the caller may read the source; copies between deals (possible only
// for root) are refused, since the two deals may live on different storage.
func (r *router) CopyObject(ctx context.Context, in s3response.CopyObjectInput) (s3response.CopyObjectOutput, error) {
	ctx = storageContext(ctx)
	st, release, skey, err := r.writeObject(in.Bucket, in.Key)
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	defer release()
	srcBucket, srcKey, srcVersion, err := backend.ParseCopySource(deref(in.CopySource))
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	if srcBucket != deref(in.Bucket) {
		return s3response.CopyObjectOutput{}, errCrossDealCopy
	}
	if srcVersion != "" {
		return s3response.CopyObjectOutput{}, s3err.GetInvalidArgumentErr(s3err.InvalidArgVersionId, srcVersion)
	}
	if err := validateKey(srcKey); err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	srcSkey := st.storageKey(srcKey)
	size, err := r.sizeOf(ctx, st, srcSkey)
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	old, err := r.sizeOf(ctx, st, skey)
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	if _, err := st.usage.admit(st.deal().QuotaBytes, size, old); err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	in.Bucket, in.Key = &st.unit.bucket, &skey
	in.CopySource = ptr(escapeCopySource(st.unit.bucket + "/" + srcSkey))
	// The storage must not check owners: the gateway already did, and its
	// storage knows nothing of deal keys. (posix wants the field present.)
	in.ExpectedBucketOwner, in.ExpectedSourceBucketOwner = ptr(""), nil
	out, err := st.unit.be.CopyObject(ctx, in)
	if err != nil {
		st.usage.commit(size, 0, 0)
		return s3response.CopyObjectOutput{}, r.fail(st, "CopyObject", err)
	}
	st.usage.commit(size, size, old)
	return out, nil
}

// errCrossDealCopy answers a CopyObject whose source is in another bucket.
var errCrossDealCopy = s3err.APIError{
	Code:           "InvalidRequest",
	Description:    "The copy source must be in the destination bucket.",
	HTTPStatusCode: 400,
}

// escapeCopySource percent-encodes everything but unreserved characters
// and "/", so that the storage's URL decoding (query-style for posix,
// path-style for S3 services) gives back exactly the key.
func escapeCopySource(s string) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(s)*3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hex[c>>4], hex[c&15])
	}
	return string(out)
}
