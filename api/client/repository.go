package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/versity/versitygw/s3response"

	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
)

// DealRegion is the region provider nodes verify deal signatures for.
const DealRegion = "us-east-1"

// RepositoryOptions configure an embedded repository.
type RepositoryOptions struct {
	// Dir holds the repository's record (bridge.db, a bbolt file) and its
	// upload spool. Required; one process at a time.
	Dir string
	// Quorum is how many deals must have a write before it is
	// acknowledged (0: a majority). With one deal the repository is in
	// normal mode, with several in mirror mode.
	Quorum int
	// FailoverAfter (default 2 s), WriteTimeout (default 10 min),
	// HealthInterval (default 5 s), RepairInterval (default 30 s) and
	// FailuresToDown (default 3) as in bridge.toml's [mirror].
	FailoverAfter time.Duration
	// HedgeAfter is bridge.toml's hedge_after (default 500 ms; negative:
	// off): a read with no answer from a deal after this long is also
	// sent to the next deal that holds the object.
	HedgeAfter     time.Duration
	WriteTimeout   time.Duration
	HealthInterval time.Duration
	RepairInterval time.Duration
	FailuresToDown int
}

// Repository is a repository embedded in an app: the bridge's repository
// (package api/bridge/repo) over some of the consumer's deals, with its
// health checks and repairs running in the background until Close.
type Repository struct {
	name   string
	r      *repo.Repo
	db     *repo.DB
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// OpenRepository opens repository name over deals (the consumer's, ACTIVE),
// resolving each deal's credentials on chain. A new record is rebuilt from
// what the deals hold.
func (c *Client) OpenRepository(ctx context.Context, name string, deals []uint64, o RepositoryOptions) (*Repository, error) {
	if o.Dir == "" {
		return nil, errors.New("repository: a directory (RepositoryOptions.Dir) is required")
	}
	if len(deals) == 0 {
		return nil, errors.New("repository: no deals")
	}
	if o.Quorum == 0 {
		o.Quorum = len(deals)/2 + 1
	}
	if o.FailuresToDown <= 0 {
		o.FailuresToDown = 3
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 5 * time.Second
	}
	if o.RepairInterval <= 0 {
		o.RepairInterval = 30 * time.Second
	}
	switch {
	case o.HedgeAfter == 0:
		o.HedgeAfter = 500 * time.Millisecond
	case o.HedgeAfter < 0:
		o.HedgeAfter = 0
	}
	var reps []*repo.Replica
	for _, id := range deals {
		a, err := c.DealAccess(ctx, id)
		if err != nil {
			return nil, err
		}
		if a.Consumer != c.Address() {
			return nil, fmt.Errorf("deal %d: its consumer is %s, not %s", id, a.Consumer, c.Address())
		}
		be, err := repo.DealBackend(ctx, a.Endpoint, DealRegion, a.AccessKeyID, a.SecretAccessKey)
		if err != nil {
			return nil, err
		}
		reps = append(reps, &repo.Replica{Deal: id, Bucket: a.Bucket, Endpoint: a.Endpoint, Backend: be, Stats: repo.NewStats(o.FailuresToDown)})
	}
	db, err := repo.OpenDB(filepath.Join(o.Dir, "bridge.db"))
	if err != nil {
		return nil, err
	}
	r, err := repo.New(name, len(deals) > 1, o.Quorum, reps, db, repo.Options{
		FailoverAfter: o.FailoverAfter, HedgeAfter: o.HedgeAfter, WriteTimeout: o.WriteTimeout, SpoolDir: filepath.Join(o.Dir, "spool"), Logger: c.cfg.Logger,
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	if counts, err := db.Count(name); err == nil && counts.Objects == 0 {
		if _, err := r.Rebuild(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("repository %s: rebuilding its record from its deals: %w", name, err)
		}
	}
	loops, cancel := context.WithCancel(context.Background())
	out := &Repository{name: name, r: r, db: db, cancel: cancel}
	out.wg.Add(2)
	go func() { defer out.wg.Done(); r.RunHealth(loops, o.HealthInterval) }()
	go func() { defer out.wg.Done(); r.RunRepair(loops, o.RepairInterval) }()
	return out, nil
}

// Repo is the underlying repository (its S3-shaped calls, Status, Repair).
func (r *Repository) Repo() *repo.Repo { return r.r }

// Put writes an object of size bytes (-1: unknown; a mirror repository
// then spools it first) and returns its ETag once the quorum has it.
func (r *Repository) Put(ctx context.Context, key string, body io.Reader, size int64) (string, error) {
	in := s3response.PutObjectInput{Bucket: aws.String(r.name), Key: aws.String(key), Body: body}
	if size >= 0 {
		in.ContentLength = aws.Int64(size)
	}
	out, err := r.r.PutObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("put %s/%s: %w", r.name, key, err)
	}
	return out.ETag, nil
}

// Get opens an object from the fastest deal that holds its current
// version (failing over to the next); the bytes are checked as they
// stream. The caller closes it.
func (r *Repository) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := r.r.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.name), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get %s/%s: %w", r.name, key, err)
	}
	return out.Body, nil
}

// Delete deletes an object (acknowledged by the quorum).
func (r *Repository) Delete(ctx context.Context, key string) error {
	if _, err := r.r.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(r.name), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete %s/%s: %w", r.name, key, err)
	}
	return nil
}

// ObjectInfo is one object of a listing.
type ObjectInfo struct {
	Key  string
	Size int64
	ETag string
}

// List lists the objects whose keys start with prefix, in key order.
func (r *Repository) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	var token *string
	for {
		res, err := r.r.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(r.name), Prefix: aws.String(prefix), ContinuationToken: token})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", r.name, err)
		}
		for _, o := range res.Contents {
			out = append(out, ObjectInfo{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)})
		}
		if !aws.ToBool(res.IsTruncated) || res.NextContinuationToken == nil {
			return out, nil
		}
		token = res.NextContinuationToken
	}
}

// Close stops the background loops, waits for writes still going to
// deals after their acknowledgement, and closes the record.
func (r *Repository) Close() error {
	r.cancel()
	r.wg.Wait()
	r.r.Wait()
	return r.db.Close()
}
