package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"

	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
)

// maxCopySize is the largest object CopyObject copies in one request (as
// in S3: larger objects are copied part by part with UploadPartCopy).
const maxCopySize = 5 << 30

// CopyObject copies an object within a repository or across two: the
// source is read as any GET is (the record says which deals hold it, with
// failover and end-to-end checksums) and written as any PUT is (the
// destination's mode, quorum and the deals' quotas apply; versitygw has
// already checked that the key may read the source and write the
// destination). The deals never copy among themselves: two repositories'
// deals are on different providers, and a copy through the bridge is the
// one path that checks the bytes.
func (r *router) CopyObject(ctx context.Context, in s3response.CopyObjectInput) (s3response.CopyObjectOutput, error) {
	dst, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	src, srcKey, get, err := r.copySource(in.CopySource)
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	replace := in.MetadataDirective == types.MetadataDirectiveReplace
	if src == dst && srcKey == deref(in.Key) && !replace {
		return s3response.CopyObjectOutput{}, s3err.GetAPIError(s3err.ErrInvalidCopyDest)
	}
	get.IfMatch, get.IfNoneMatch = in.CopySourceIfMatch, in.CopySourceIfNoneMatch
	get.IfModifiedSince, get.IfUnmodifiedSince = in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince
	obj, err := src.GetObject(ctx, get)
	if err != nil {
		return s3response.CopyObjectOutput{}, copyPrecondition(err)
	}
	defer obj.Body.Close()
	size := deref64(obj.ContentLength)
	if size > maxCopySize {
		return s3response.CopyObjectOutput{}, s3err.GetAPIError(s3err.ErrInvalidRequest)
	}
	put := s3response.PutObjectInput{Bucket: in.Bucket, Key: in.Key, Body: obj.Body, ContentLength: &size}
	if replace {
		put.Metadata, put.ContentType, put.ContentEncoding = in.Metadata, in.ContentType, in.ContentEncoding
		put.ContentDisposition, put.ContentLanguage, put.CacheControl = in.ContentDisposition, in.ContentLanguage, in.CacheControl
	} else {
		put.Metadata, put.ContentType, put.ContentEncoding = obj.Metadata, obj.ContentType, obj.ContentEncoding
		put.ContentDisposition, put.ContentLanguage, put.CacheControl = obj.ContentDisposition, obj.ContentLanguage, obj.CacheControl
	}
	out, err := dst.PutObject(ctx, put)
	if err != nil {
		return s3response.CopyObjectOutput{}, err
	}
	etag := out.ETag
	return s3response.CopyObjectOutput{CopyObjectResult: &s3response.CopyObjectResult{ETag: &etag, LastModified: ptrTime(time.Now().UTC())}}, nil
}

// UploadPartCopy copies a range of an object (or all of it) into a part of
// a multipart upload, reading it as CopyObject does and writing it as any
// part is written.
func (r *router) UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput) (s3response.CopyPartResult, error) {
	dst, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.CopyPartResult{}, err
	}
	src, _, get, err := r.copySource(in.CopySource)
	if err != nil {
		return s3response.CopyPartResult{}, err
	}
	if rng := deref(in.CopySourceRange); rng != "" {
		// Checked against the object's size, as S3 does (a range past
		// the end is refused, not cut).
		head, err := src.HeadObject(ctx, &s3.HeadObjectInput{Bucket: get.Bucket, Key: get.Key})
		if err != nil {
			return s3response.CopyPartResult{}, err
		}
		start, length, err := backend.ParseCopySourceRange(deref64(head.ContentLength), rng)
		if err != nil {
			return s3response.CopyPartResult{}, err
		}
		get.Range = ptrString(fmt.Sprintf("bytes=%d-%d", start, start+length-1))
	}
	get.IfMatch, get.IfNoneMatch = in.CopySourceIfMatch, in.CopySourceIfNoneMatch
	get.IfModifiedSince, get.IfUnmodifiedSince = in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince
	obj, err := src.GetObject(ctx, get)
	if err != nil {
		return s3response.CopyPartResult{}, copyPrecondition(err)
	}
	defer obj.Body.Close()
	size := deref64(obj.ContentLength)
	out, err := dst.UploadPart(ctx, &s3.UploadPartInput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId,
		PartNumber: in.PartNumber, Body: obj.Body, ContentLength: &size})
	if err != nil {
		return s3response.CopyPartResult{}, err
	}
	return s3response.CopyPartResult{ETag: out.ETag, LastModified: time.Now().UTC()}, nil
}

// copySource parses x-amz-copy-source: a repository and a key of the
// bridge (versions are not kept: a versionId is refused).
func (r *router) copySource(header *string) (*repo.Repo, string, *s3.GetObjectInput, error) {
	bucket, key, version, err := backend.ParseCopySource(deref(header))
	if err != nil {
		return nil, "", nil, err
	}
	if version != "" {
		return nil, "", nil, s3err.GetAPIError(s3err.ErrNoSuchVersion)
	}
	src, err := r.repo(&bucket)
	if err != nil {
		return nil, "", nil, err
	}
	if key == "" {
		return nil, "", nil, s3err.GetInvalidArgumentErr(s3err.InvalidArgCopySourceObject, key)
	}
	return src, key, &s3.GetObjectInput{Bucket: &bucket, Key: &key}, nil
}

// copyPrecondition: a copy whose source fails If-None-Match or
// If-Modified-Since is 412, not a GET's 304.
func copyPrecondition(err error) error {
	var ae s3err.APIError
	if errors.As(err, &ae) && ae.HTTPStatusCode == 304 {
		return s3err.GetAPIError(s3err.ErrPreconditionFailed)
	}
	return err
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func ptrString(s string) *string     { return &s }
func ptrTime(t time.Time) *time.Time { return &t }
