package server

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/auth"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
)

// bucketOwner owns every repository bucket. Access is granted per key in
// the bucket's ACL (see GetBucketAcl), so no app key is the owner.
const bucketOwner = "flashback-bridge"

// router is the backend.Backend versitygw serves: bucket-level calls are
// answered from the configured repositories, object-level calls go to the
// repository (package repo), which talks to the deals. Everything else is
// BackendUnsupported's NotImplemented.
type router struct {
	backend.BackendUnsupported
	repos   map[string]*repo.Repo
	keys    []config.Key
	created time.Time
}

var _ backend.Backend = (*router)(nil)

func (r *router) String() string { return "flashback bridge" }

// repo returns a repository, or NoSuchBucket.
func (r *router) repo(bucket *string) (*repo.Repo, error) {
	rp := r.repos[deref(bucket)]
	if rp == nil {
		return nil, s3err.GetAPIError(s3err.ErrNoSuchBucket)
	}
	return rp, nil
}

func (r *router) ListBuckets(_ context.Context, in s3response.ListBucketsInput) (s3response.ListAllMyBucketsResult, error) {
	var entries []s3response.ListAllMyBucketsEntry
	for name := range r.repos {
		if strings.HasPrefix(name, in.Prefix) {
			entries = append(entries, s3response.ListAllMyBucketsEntry{Name: name, CreationDate: r.created})
		}
	}
	slices.SortFunc(entries, func(a, b s3response.ListAllMyBucketsEntry) int { return strings.Compare(a.Name, b.Name) })
	return s3response.ListAllMyBucketsResult{
		Owner:   s3response.CanonicalUser{ID: in.Owner},
		Buckets: s3response.ListAllMyBucketsList{Bucket: entries},
		Prefix:  in.Prefix,
	}, nil
}

func (r *router) HeadBucket(_ context.Context, in *s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
	if _, err := r.repo(in.Bucket); err != nil {
		return nil, err
	}
	return &s3.HeadBucketOutput{}, nil
}

// GetBucketAcl grants every repository to every key of the bridge:
// FULL_CONTROL to read-write keys, READ to read-only ones, so that
// versitygw refuses every write of a read-only key with AccessDenied.
func (r *router) GetBucketAcl(_ context.Context, in *s3.GetBucketAclInput) ([]byte, error) {
	if _, err := r.repo(in.Bucket); err != nil {
		return nil, err
	}
	acl := auth.ACL{Owner: bucketOwner}
	for _, k := range r.keys {
		perm := auth.PermissionFullControl
		if k.ReadOnly {
			perm = auth.PermissionRead
		}
		acl.Grantees = append(acl.Grantees, auth.Grantee{Permission: perm, Access: k.AccessKeyID, Type: types.TypeCanonicalUser})
	}
	return json.Marshal(acl)
}

// CreateBucket: repositories are configured, not created. Tools that
// create their bucket first (rclone, aws s3 mb) learn that it is theirs.
func (r *router) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ []byte) error {
	if _, err := r.repo(in.Bucket); err != nil {
		return s3err.GetAPIError(s3err.ErrAccessDenied)
	}
	return s3err.GetAPIError(s3err.ErrBucketAlreadyOwnedByYou)
}

func (r *router) DeleteBucket(_ context.Context, bucket string) error {
	if _, err := r.repo(&bucket); err != nil {
		return err
	}
	return s3err.GetAPIError(s3err.ErrAccessDenied)
}

// Fixed bucket settings (versitygw's authorization reads them).

func (r *router) GetBucketPolicy(_ context.Context, bucket string) ([]byte, error) {
	if _, err := r.repo(&bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrNoSuchBucketPolicy)
}

func (r *router) GetBucketOwnershipControls(_ context.Context, bucket string) (types.ObjectOwnership, error) {
	if _, err := r.repo(&bucket); err != nil {
		return "", err
	}
	return types.ObjectOwnershipBucketOwnerEnforced, nil
}

func (r *router) GetBucketVersioning(_ context.Context, bucket string) (s3response.GetBucketVersioningOutput, error) {
	if _, err := r.repo(&bucket); err != nil {
		return s3response.GetBucketVersioningOutput{}, err
	}
	return s3response.GetBucketVersioningOutput{}, nil
}

func (r *router) GetBucketCors(_ context.Context, bucket string) ([]byte, error) {
	if _, err := r.repo(&bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrNoSuchCORSConfiguration)
}

func (r *router) GetObjectLockConfiguration(_ context.Context, bucket string) ([]byte, error) {
	if _, err := r.repo(&bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrObjectLockConfigurationNotFound)
}

func (r *router) GetBucketTagging(_ context.Context, bucket string) (map[string]string, error) {
	if _, err := r.repo(&bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrBucketTaggingNotFound)
}

// --- object-level calls, handed to the repository ---

func (r *router) PutObject(ctx context.Context, in s3response.PutObjectInput) (s3response.PutObjectOutput, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.PutObjectOutput{}, err
	}
	return rp.PutObject(ctx, in)
}

func (r *router) GetObject(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return nil, err
	}
	return rp.GetObject(ctx, in)
}

func (r *router) HeadObject(ctx context.Context, in *s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return nil, err
	}
	return rp.HeadObject(ctx, in)
}

func (r *router) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return nil, err
	}
	return rp.DeleteObject(ctx, in)
}

func (r *router) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput) (s3response.DeleteResult, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.DeleteResult{}, err
	}
	return rp.DeleteObjects(ctx, in)
}

func (r *router) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input) (s3response.ListObjectsV2Result, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.ListObjectsV2Result{}, err
	}
	return rp.ListObjectsV2(ctx, in)
}

func (r *router) ListObjects(ctx context.Context, in *s3.ListObjectsInput) (s3response.ListObjectsResult, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.ListObjectsResult{}, err
	}
	return rp.ListObjects(ctx, in)
}

func (r *router) CreateMultipartUpload(ctx context.Context, in s3response.CreateMultipartUploadInput) (s3response.InitiateMultipartUploadResult, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.InitiateMultipartUploadResult{}, err
	}
	return rp.CreateMultipartUpload(ctx, in)
}

func (r *router) UploadPart(ctx context.Context, in *s3.UploadPartInput) (*s3.UploadPartOutput, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return nil, err
	}
	return rp.UploadPart(ctx, in)
}

func (r *router) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput) (s3response.CompleteMultipartUploadResult, string, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.CompleteMultipartUploadResult{}, "", err
	}
	return rp.CompleteMultipartUpload(ctx, in)
}

func (r *router) AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput) error {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return err
	}
	return rp.AbortMultipartUpload(ctx, in)
}

func (r *router) ListParts(ctx context.Context, in *s3.ListPartsInput) (s3response.ListPartsResult, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.ListPartsResult{}, err
	}
	return rp.ListParts(ctx, in)
}

func (r *router) ListMultipartUploads(ctx context.Context, in *s3.ListMultipartUploadsInput) (s3response.ListMultipartUploadsResult, error) {
	rp, err := r.repo(in.Bucket)
	if err != nil {
		return s3response.ListMultipartUploadsResult{}, err
	}
	return rp.ListMultipartUploads(ctx, in)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
