package repo

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/s3response"
)

// repairBatch bounds the missed writes one repair round looks at.
const repairBatch = 256

// TriggerRepair asks the repair loop for a round now (a deal came back, a
// read found a stale replica).
func (r *Repo) TriggerRepair() {
	select {
	case r.repairNow <- struct{}{}:
	default:
	}
}

// RunRepair repairs every interval, and at once when triggered, until ctx
// ends.
func (r *Repo) RunRepair(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.repairNow:
		}
		if _, err := r.Repair(ctx); err != nil && ctx.Err() == nil {
			r.logger.Error("repair round failed", "err", err)
		}
	}
}

// Repair makes one round over the missed writes of the deals that are up,
// all of them, in batches: a missed delete is deleted again; a missed
// version is copied from a deal that holds it (streamed, with its
// Content-MD5 when it has one, so the target checks the bytes). A write
// that cannot be repaired now (its source is down) is retried next round.
// It returns how many it repaired.
func (r *Repo) Repair(ctx context.Context) (int, error) {
	defer r.member()()
	done := 0
	for _, target := range r.Replicas {
		after := ""
		for target.Stats.Up() && ctx.Err() == nil {
			batch, err := r.db.ListPending(r.Name, target.Deal, after, repairBatch)
			if err != nil {
				return done, err
			}
			if len(batch) == 0 {
				break
			}
			for _, p := range batch {
				if ctx.Err() != nil || !target.Stats.Up() {
					break
				}
				if err := r.repairOne(ctx, target, p.Key); err != nil {
					r.logger.Info("repair failed; retried next round", "key", p.Key, "deal", p.Deal, "err", err)
					continue
				}
				done++
			}
			after = batch[len(batch)-1].Key
		}
	}
	return done, nil
}

func (r *Repo) repairOne(ctx context.Context, target *Replica, key string) error {
	unlock := r.lock(key)
	defer unlock()
	obj, err := r.db.GetObject(r.Name, key)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, r.opts.WriteTimeout)
	defer cancel()
	start := time.Now()
	if obj == nil {
		_, err := target.Backend.DeleteObject(wctx, &s3.DeleteObjectInput{Bucket: &target.Bucket, Key: &key})
		if err != nil {
			failed(target, err)
			return err
		}
		target.Stats.OK(time.Since(start))
		return r.db.ClearPending(r.Name, target.Deal, key)
	}
	if obj.Has(target.Deal) {
		return r.db.ClearPending(r.Name, target.Deal, key)
	}
	var last error = fmt.Errorf("no deal that holds the current version is up")
	for _, src := range r.readOrder(obj.Has) {
		if !src.Stats.Up() {
			continue
		}
		etag, err := r.copy(wctx, src, target, key, obj)
		if err != nil {
			last = err
			continue
		}
		added, err := r.db.AddReplica(r.Name, key, obj.Seq, target.Deal, etag)
		if err != nil {
			return err
		}
		if added {
			r.logger.Info("repaired a missed write", "key", key, "deal", target.Deal, "from", src.Deal, "bytes", obj.Size)
		}
		return nil
	}
	return last
}

// copy streams key's current version from src to target and returns the
// ETag target gives it.
func (r *Repo) copy(ctx context.Context, src, target *Replica, key string, obj *Object) (string, error) {
	start := time.Now()
	out, err := src.Backend.GetObject(ctx, &s3.GetObjectInput{Bucket: &src.Bucket, Key: &key})
	if err != nil {
		failed(src, err)
		return "", fmt.Errorf("reading from deal %d: %w", src.Deal, err)
	}
	defer out.Body.Close()
	src.Stats.OK(time.Since(start))
	if got := deref(out.ETag); got != obj.Replicas[src.Deal] {
		return "", fmt.Errorf("deal %d has etag %s, not %s", src.Deal, got, obj.Replicas[src.Deal])
	}
	if len(obj.Parts) > 1 {
		return r.copyParts(ctx, out, target, key, obj)
	}
	in := s3response.PutObjectInput{
		Bucket: &target.Bucket, Key: &key, Body: out.Body, ContentLength: out.ContentLength,
		ContentType: out.ContentType, ContentEncoding: out.ContentEncoding, ContentDisposition: out.ContentDisposition,
		ContentLanguage: out.ContentLanguage, CacheControl: out.CacheControl, Metadata: out.Metadata,
	}
	if e := strings.Trim(deref(out.ETag), `"`); plainETag(e) {
		sum, _ := hex.DecodeString(e)
		in.ContentMD5 = ptr(base64.StdEncoding.EncodeToString(sum))
	}
	start = time.Now()
	res, err := target.Backend.PutObject(ctx, in)
	if err != nil {
		failed(target, err)
		return "", fmt.Errorf("writing to deal %d: %w", target.Deal, err)
	}
	target.Stats.OK(time.Since(start))
	return res.ETag, nil
}

// CheckHealth asks every deal for its bucket (HEAD), within failover_after:
// a deal that answers is up (and, if it was down, repaired at once).
func (r *Repo) CheckHealth(ctx context.Context) {
	defer r.member()()
	for _, rep := range r.Replicas {
		cctx, cancel := context.WithTimeout(ctx, r.opts.FailoverAfter)
		start := time.Now()
		_, err := rep.Backend.HeadBucket(cctx, &s3.HeadBucketInput{Bucket: &rep.Bucket})
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			rep.Stats.Fail(fmt.Errorf("health check: %w", err))
			continue
		}
		rep.Stats.OK(time.Since(start))
	}
}

// RunHealth checks the deals every interval until ctx ends.
func (r *Repo) RunHealth(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.CheckHealth(ctx)
		}
	}
}

// copyParts uploads a multipart object to target with the parts it was
// written with, cut from the source's stream: the target then computes the
// same ETag, which is checked (end to end: the ETag is the MD5 of the
// parts' MD5s).
func (r *Repo) copyParts(ctx context.Context, src *s3.GetObjectOutput, target *Replica, key string, obj *Object) (string, error) {
	start := time.Now()
	fail := func(err error) (string, error) {
		failed(target, err)
		return "", fmt.Errorf("writing to deal %d: %w", target.Deal, err)
	}
	up, err := target.Backend.CreateMultipartUpload(ctx, s3response.CreateMultipartUploadInput{
		Bucket: &target.Bucket, Key: &key, ContentType: src.ContentType, ContentEncoding: src.ContentEncoding,
		ContentDisposition: src.ContentDisposition, ContentLanguage: src.ContentLanguage, CacheControl: src.CacheControl, Metadata: src.Metadata,
	})
	if err != nil {
		return fail(err)
	}
	abort := func() {
		_ = target.Backend.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &target.Bucket, Key: &key, UploadId: &up.UploadId})
	}
	var parts []types.CompletedPart
	for i, size := range obj.Parts {
		n := int32(i + 1)
		res, err := target.Backend.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: &target.Bucket, Key: &key, UploadId: &up.UploadId, PartNumber: &n,
			Body: io.LimitReader(src.Body, size), ContentLength: ptr(size),
		})
		if err != nil {
			abort()
			return fail(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: &n, ETag: res.ETag})
	}
	res, _, err := target.Backend.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &target.Bucket, Key: &key, UploadId: &up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		abort()
		return fail(err)
	}
	target.Stats.OK(time.Since(start))
	if got := deref(res.ETag); got != obj.ETag {
		return "", fmt.Errorf("deal %d computed etag %s for the copy, not %s", target.Deal, got, obj.ETag)
	}
	return deref(res.ETag), nil
}

// failed counts a failed request against the deal's health if it says the
// deal is unwell (see dealFault).
func failed(rep *Replica, err error) {
	if dealFault(err) {
		rep.Stats.Fail(err)
	}
}
