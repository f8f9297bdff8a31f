package gateway

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"cosmossdk.io/log"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/auth"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// router is the backend.Backend versitygw serves. Bucket-level calls are
// answered from the deal table (a deal bucket exists exactly while the deal
// is served, and belongs to the deal's access key); object-level calls go
// to the deal's unit storage with the deal's key prefix added, and the
// prefix is stripped from every key in the answers. Everything it does not
// implement is BackendUnsupported's NotImplemented.
type router struct {
	backend.BackendUnsupported
	deals     *dealTable
	m         *gatewayMetrics
	logger    log.Logger
	onReceipt func(dealID uint64, body []byte) error
}

var _ backend.Backend = (*router)(nil)

func (r *router) String() string { return "flashback deal router" }

// storageContext is the context of a storage call. versitygw hands the
// backend fasthttp's RequestCtx, which fasthttp resets and reuses for the
// next request as soon as the handler returns, while the upstream S3
// client (net/http) may still consult the context from its connection
// goroutines: a data race. fasthttp's context carries no per-request
// cancellation anyway (a client that goes away fails the body instead), so
// storage calls get a context of their own.
func storageContext(context.Context) context.Context { return context.Background() }

// fail converts a storage error for the client, logging what the client
// does not see.
func (r *router) fail(st *dealState, op string, err error) error {
	out, internal := storageError(st.unit, err)
	if internal {
		r.logger.Error("storage call failed", "op", op, "deal", st.id, "unit", st.unit.id, "err", err)
	}
	return out
}

// writable refuses writes to a read-only deal.
func writable(st *dealState) error {
	if st.deal().Access != AccessReadWrite {
		return s3err.GetAPIError(s3err.ErrAccessDenied)
	}
	return nil
}

// --- bucket-level calls, answered from the deal table ---

func (r *router) ListBuckets(_ context.Context, in s3response.ListBucketsInput) (s3response.ListAllMyBucketsResult, error) {
	var entries []s3response.ListAllMyBucketsEntry
	for _, st := range r.deals.all() {
		d := st.deal()
		name := BucketName(d.ID)
		if !in.IsAdmin && d.AccessKeyID != in.Owner {
			continue
		}
		if !strings.HasPrefix(name, in.Prefix) {
			continue
		}
		entries = append(entries, s3response.ListAllMyBucketsEntry{Name: name, CreationDate: st.created})
	}
	// S3 lists buckets by name.
	slices.SortFunc(entries, func(a, b s3response.ListAllMyBucketsEntry) int { return strings.Compare(a.Name, b.Name) })
	return s3response.ListAllMyBucketsResult{
		Owner:   s3response.CanonicalUser{ID: in.Owner},
		Buckets: s3response.ListAllMyBucketsList{Bucket: entries},
		Prefix:  in.Prefix,
	}, nil
}

// dealOnly answers a bucket-level call that only needs the bucket to exist.
func (r *router) dealOnly(bucket string) (*dealState, error) {
	st, release, err := r.deals.acquire(bucket)
	if err != nil {
		return nil, err
	}
	release()
	return st, nil
}

func (r *router) HeadBucket(_ context.Context, in *s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
	if _, err := r.dealOnly(deref(in.Bucket)); err != nil {
		return nil, err
	}
	return &s3.HeadBucketOutput{}, nil
}

// GetBucketAcl makes the deal's access key the bucket's owner. The gateway
// runs with ACLs disabled, and versitygw then authorizes exactly the owner
// (and root): another deal's key gets AccessDenied.
func (r *router) GetBucketAcl(_ context.Context, in *s3.GetBucketAclInput) ([]byte, error) {
	st, err := r.dealOnly(deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	d := st.deal()
	perm := auth.PermissionFullControl
	if d.Access != AccessReadWrite {
		perm = auth.PermissionRead
	}
	return json.Marshal(auth.ACL{
		Owner:    d.AccessKeyID,
		Grantees: []auth.Grantee{{Permission: perm, Access: d.AccessKeyID, Type: types.TypeCanonicalUser}},
	})
}

// CreateBucket: deal buckets come and go with deals. Clients that create
// their bucket before using it (rclone, aws s3 mb) learn that it is theirs.
func (r *router) CreateBucket(_ context.Context, in *s3.CreateBucketInput, aclJSON []byte) error {
	st, err := r.dealOnly(deref(in.Bucket))
	if err != nil {
		return s3err.GetAPIError(s3err.ErrAccessDenied)
	}
	acl, err := auth.ParseACL(aclJSON)
	if err == nil && acl.Owner == st.deal().AccessKeyID {
		return s3err.GetAPIError(s3err.ErrBucketAlreadyOwnedByYou)
	}
	return s3err.GetAPIError(s3err.ErrBucketAlreadyExists)
}

func (r *router) DeleteBucket(_ context.Context, bucket string) error {
	if _, err := r.dealOnly(bucket); err != nil {
		return err
	}
	return s3err.GetAPIError(s3err.ErrAccessDenied)
}

// The bucket settings below are fixed: no policy, no CORS, no versioning,
// no object lock, bucket-owner-enforced ownership. versitygw's authorization
// reads them on most requests.

func (r *router) GetBucketPolicy(_ context.Context, bucket string) ([]byte, error) {
	if _, err := r.dealOnly(bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrNoSuchBucketPolicy)
}

func (r *router) GetBucketOwnershipControls(_ context.Context, bucket string) (types.ObjectOwnership, error) {
	if _, err := r.dealOnly(bucket); err != nil {
		return "", err
	}
	return types.ObjectOwnershipBucketOwnerEnforced, nil
}

func (r *router) GetBucketVersioning(_ context.Context, bucket string) (s3response.GetBucketVersioningOutput, error) {
	if _, err := r.dealOnly(bucket); err != nil {
		return s3response.GetBucketVersioningOutput{}, err
	}
	return s3response.GetBucketVersioningOutput{}, nil
}

func (r *router) GetBucketCors(_ context.Context, bucket string) ([]byte, error) {
	if _, err := r.dealOnly(bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrNoSuchCORSConfiguration)
}

func (r *router) GetObjectLockConfiguration(_ context.Context, bucket string) ([]byte, error) {
	if _, err := r.dealOnly(bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrObjectLockConfigurationNotFound)
}

func (r *router) GetBucketTagging(_ context.Context, bucket string) (map[string]string, error) {
	if _, err := r.dealOnly(bucket); err != nil {
		return nil, err
	}
	return nil, s3err.GetAPIError(s3err.ErrBucketTaggingNotFound)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
