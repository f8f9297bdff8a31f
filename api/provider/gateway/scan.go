package gateway

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listPage is the page size of the gateway's own listings.
const listPage = 1000

// scanUsage lists a deal's prefix once: the bytes of its objects and the
// parts of its open multipart uploads. It runs when the node starts serving
// a deal, so usage survives restarts without a database.
func scanUsage(ctx context.Context, u *unit, prefix string) (stored int64, uploads map[string]map[int32]int64, err error) {
	err = eachObject(ctx, u, prefix, func(o types.Object) error {
		if o.Size != nil {
			stored += *o.Size
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	uploads = map[string]map[int32]int64{}
	err = eachUpload(ctx, u, prefix, func(key, id string) error {
		parts, err := uploadParts(ctx, u, key, id)
		if err != nil {
			return err
		}
		uploads[id] = parts
		return nil
	})
	return stored, uploads, err
}

// eachObject calls fn for every object under prefix in the unit's storage.
func eachObject(ctx context.Context, u *unit, prefix string, fn func(types.Object) error) error {
	var token *string
	for {
		out, err := u.be.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket:            &u.bucket,
			Prefix:            &prefix,
			ContinuationToken: token,
			MaxKeys:           ptr(int32(listPage)),
			StartAfter:        ptr(""),
			Delimiter:         ptr(""),
		})
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range out.Contents {
			if err := fn(types.Object{Key: o.Key, Size: o.Size}); err != nil {
				return err
			}
		}
		if out.IsTruncated == nil || !*out.IsTruncated || deref(out.NextContinuationToken) == "" {
			return nil
		}
		token = out.NextContinuationToken
	}
}

// eachUpload calls fn for every open multipart upload under prefix.
func eachUpload(ctx context.Context, u *unit, prefix string, fn func(key, id string) error) error {
	keyMarker, idMarker := "", ""
	for {
		out, err := u.be.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{
			Bucket:         &u.bucket,
			Prefix:         &prefix,
			KeyMarker:      &keyMarker,
			UploadIdMarker: &idMarker,
			MaxUploads:     ptr(int32(listPage)),
			Delimiter:      ptr(""),
		})
		if err != nil {
			return fmt.Errorf("list uploads %s: %w", prefix, err)
		}
		for _, up := range out.Uploads {
			if err := fn(up.Key, up.UploadID); err != nil {
				return err
			}
		}
		if !out.IsTruncated || out.NextKeyMarker == "" {
			return nil
		}
		keyMarker, idMarker = out.NextKeyMarker, out.NextUploadIDMarker
	}
}

// uploadParts returns the part sizes of one open upload.
func uploadParts(ctx context.Context, u *unit, key, id string) (map[int32]int64, error) {
	parts := map[int32]int64{}
	marker := ""
	for {
		out, err := u.be.ListParts(ctx, &s3.ListPartsInput{
			Bucket:           &u.bucket,
			Key:              &key,
			UploadId:         &id,
			PartNumberMarker: &marker,
			MaxParts:         ptr(int32(listPage)),
		})
		if err != nil {
			return nil, fmt.Errorf("list parts of %s: %w", key, err)
		}
		for _, p := range out.Parts {
			parts[int32(p.PartNumber)] = p.Size
		}
		if !out.IsTruncated || out.NextPartNumberMarker == 0 {
			return parts, nil
		}
		marker = fmt.Sprint(out.NextPartNumberMarker)
	}
}

// deletePrefix deletes every object and aborts every open multipart upload
// under prefix in the unit's storage.
func deletePrefix(ctx context.Context, u *unit, prefix string) error {
	err := eachUpload(ctx, u, prefix, func(key, id string) error {
		err := u.be.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &u.bucket, Key: &key, UploadId: &id})
		if err != nil && !isNoSuchUpload(err) {
			return fmt.Errorf("abort upload of %s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Delete the first page until there is none. Keys go in reverse order,
	// so that posix removes a directory's children before the directory
	// object itself; a round that deletes nothing is an error, not a loop.
	for {
		keys, err := firstPage(ctx, u, prefix)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil
		}
		batch := make([]types.ObjectIdentifier, 0, len(keys))
		for i := len(keys) - 1; i >= 0; i-- {
			batch = append(batch, types.ObjectIdentifier{Key: ptr(keys[i])})
		}
		out, err := u.be.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &u.bucket, Delete: &types.Delete{Objects: batch, Quiet: ptr(false)}})
		if err != nil {
			return fmt.Errorf("delete under %s: %w", prefix, err)
		}
		if len(out.Deleted) == 0 && len(out.Error) > 0 {
			e := out.Error[0]
			return fmt.Errorf("delete %s: %s: %s", deref(e.Key), deref(e.Code), deref(e.Message))
		}
	}
}

// firstPage lists the first keys under prefix.
func firstPage(ctx context.Context, u *unit, prefix string) ([]string, error) {
	out, err := u.be.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket:     &u.bucket,
		Prefix:     &prefix,
		MaxKeys:    ptr(int32(listPage)),
		StartAfter: ptr(""),
		Delimiter:  ptr(""),
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	keys := make([]string, 0, len(out.Contents))
	for _, o := range out.Contents {
		keys = append(keys, deref(o.Key))
	}
	return keys, nil
}

func isNoSuchUpload(err error) bool {
	code, ok := s3Code(err)
	return ok && code == "NoSuchUpload"
}
