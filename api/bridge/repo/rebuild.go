package repo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// listed is one key as one deal lists it.
type listed struct {
	deal uint64
	etag string
	size int64
	mod  time.Time
}

// Rebuild rebuilds the repository's record from its deals' listings: a
// key's current version is the one most recently modified on any deal, held
// by the deals that list it with the same ETag; the other deals are
// recorded as having missed it. Every deal must answer. (A deal that
// missed a delete still lists the key, so the key comes back: the record,
// not the deals, is the authority, and a rebuild only recovers a lost one.)
func (r *Repo) Rebuild(ctx context.Context) (objects int, err error) {
	defer r.member()()
	seen := map[string][]listed{}
	for _, rep := range r.Replicas {
		var token *string
		for {
			cctx, cancel := context.WithTimeout(ctx, r.listTimeout())
			out, err := rep.Backend.ListObjectsV2(cctx, &s3.ListObjectsV2Input{Bucket: &rep.Bucket, ContinuationToken: token})
			cancel()
			if err != nil {
				return 0, fmt.Errorf("repository %s: listing deal %d: %w", r.Name, rep.Deal, err)
			}
			for _, o := range out.Contents {
				var mod time.Time
				if o.LastModified != nil {
					mod = *o.LastModified
				}
				seen[deref(o.Key)] = append(seen[deref(o.Key)], listed{deal: rep.Deal, etag: deref(o.ETag), size: deref(o.Size), mod: mod})
			}
			if !deref(out.IsTruncated) || out.NextContinuationToken == nil {
				break
			}
			token = out.NextContinuationToken
		}
	}
	objs := make(map[string]Object, len(seen))
	missed := map[string][]uint64{}
	for key, ls := range seen {
		newest := ls[0]
		for _, l := range ls[1:] {
			if l.mod.After(newest.mod) {
				newest = l
			}
		}
		obj := Object{Size: newest.size, ETag: newest.etag, Replicas: map[uint64]string{}}
		for _, l := range ls {
			if l.etag == newest.etag && l.size == newest.size {
				obj.Replicas[l.deal] = l.etag
			}
		}
		objs[key] = obj
		missed[key] = r.missing(obj)
	}
	if err := r.db.Replace(r.Name, objs, missed); err != nil {
		return 0, err
	}
	return len(objs), nil
}
