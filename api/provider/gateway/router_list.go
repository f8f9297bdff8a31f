package gateway

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/s3response"
)

// Listings run in the unit's storage with the deal's prefix in front of the
// client's prefix and markers. Every key and common prefix in the answer is
// checked to be under the deal's prefix before it is stripped: a crafted
// marker or token can never show another deal's key.

func (r *router) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input) (s3response.ListObjectsV2Result, error) {
	ctx = storageContext(ctx)
	st, release, err := r.deals.acquire(deref(in.Bucket))
	if err != nil {
		return s3response.ListObjectsV2Result{}, err
	}
	defer release()
	bucket, prefix, startAfter, token := deref(in.Bucket), deref(in.Prefix), deref(in.StartAfter), deref(in.ContinuationToken)
	for _, p := range []string{prefix, startAfter} {
		if err := validatePrefix(p); err != nil {
			return s3response.ListObjectsV2Result{}, err
		}
	}
	// posix continuation tokens are storage keys and are mapped like keys;
	// an upstream S3 service's tokens are opaque and pass through.
	keyTokens := st.unit.kind == storagePosix
	if keyTokens && token != "" {
		if err := validatePrefix(token); err != nil {
			return s3response.ListObjectsV2Result{}, err
		}
		in.ContinuationToken = ptr(st.storageKey(token))
	}
	in.Bucket, in.Prefix = &st.unit.bucket, ptr(st.prefix+prefix)
	if startAfter != "" {
		in.StartAfter = ptr(st.storageKey(startAfter))
	}
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.ListObjectsV2(ctx, in)
	if err != nil {
		return out, r.fail(st, "ListObjectsV2", err)
	}
	out.Contents = r.clientObjects(st, out.Contents)
	out.CommonPrefixes = clientPrefixes(st, out.CommonPrefixes)
	out.KeyCount = ptr(int32(len(out.Contents) + len(out.CommonPrefixes)))
	out.Name, out.Prefix = &bucket, &prefix
	if out.StartAfter != nil {
		out.StartAfter = &startAfter
	}
	if out.ContinuationToken != nil {
		out.ContinuationToken = &token
	}
	if keyTokens && out.NextContinuationToken != nil && *out.NextContinuationToken != "" {
		next, ok := st.clientKey(*out.NextContinuationToken)
		if !ok {
			// A token outside the deal's prefix: the listing is over.
			next = ""
			out.IsTruncated = ptr(false)
		}
		out.NextContinuationToken = &next
	}
	return out, nil
}

func (r *router) ListObjects(ctx context.Context, in *s3.ListObjectsInput) (s3response.ListObjectsResult, error) {
	ctx = storageContext(ctx)
	st, release, err := r.deals.acquire(deref(in.Bucket))
	if err != nil {
		return s3response.ListObjectsResult{}, err
	}
	defer release()
	bucket, prefix, marker := deref(in.Bucket), deref(in.Prefix), deref(in.Marker)
	for _, p := range []string{prefix, marker} {
		if err := validatePrefix(p); err != nil {
			return s3response.ListObjectsResult{}, err
		}
	}
	in.Bucket, in.Prefix = &st.unit.bucket, ptr(st.prefix+prefix)
	if marker != "" {
		in.Marker = ptr(st.storageKey(marker))
	}
	in.ExpectedBucketOwner = nil
	out, err := st.unit.be.ListObjects(ctx, in)
	if err != nil {
		return out, r.fail(st, "ListObjects", err)
	}
	out.Contents = r.clientObjects(st, out.Contents)
	out.CommonPrefixes = clientPrefixes(st, out.CommonPrefixes)
	out.Name, out.Prefix, out.Marker = &bucket, &prefix, &marker
	if out.NextMarker != nil {
		next, ok := st.clientKey(*out.NextMarker)
		if !ok {
			next = ""
			out.IsTruncated = ptr(false)
		}
		out.NextMarker = &next
	}
	return out, nil
}

func (r *router) clientObjects(st *dealState, objs []s3response.Object) []s3response.Object {
	out := objs[:0]
	for _, o := range objs {
		key, ok := st.clientKey(deref(o.Key))
		if !ok {
			r.logger.Error("storage listed a key outside the deal's prefix; dropped", "deal", st.id, "unit", st.unit.id)
			continue
		}
		o.Key = &key
		out = append(out, o)
	}
	return out
}

func clientPrefixes(st *dealState, cps []types.CommonPrefix) []types.CommonPrefix {
	out := cps[:0]
	for _, cp := range cps {
		if p, ok := st.clientKey(deref(cp.Prefix)); ok {
			cp.Prefix = &p
			out = append(out, cp)
		}
	}
	return out
}
