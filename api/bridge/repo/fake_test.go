package repo

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// fakeDeal is an in-memory deal bucket with faults to inject: down (every
// call fails as an unreachable node), a delay before each answer, and
// corrupt (GET bodies are altered).
type fakeDeal struct {
	backend.BackendUnsupported
	mu      sync.Mutex
	objects map[string]fakeObject
	uploads map[string]map[int32][]byte
	down    bool
	delay   time.Duration
	corrupt bool
	full    bool // PUTs and parts are refused with QuotaExceeded
	puts    int
}

type fakeObject struct {
	data []byte
	etag string
	mod  time.Time
}

func newFakeDeal() *fakeDeal {
	return &fakeDeal{objects: map[string]fakeObject{}, uploads: map[string]map[int32][]byte{}}
}

var errUnreachable = errors.New("dial tcp: connection refused")

func (f *fakeDeal) set(down bool, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down, f.delay = down, delay
}

// enter applies the faults: it waits the delay (or until ctx ends).
func (f *fakeDeal) enter(ctx context.Context) error {
	f.mu.Lock()
	down, delay := f.down, f.delay
	f.mu.Unlock()
	if down {
		return errUnreachable
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (f *fakeDeal) get(key string) (fakeObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o, ok
}

func md5ETag(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func (f *fakeDeal) HeadBucket(ctx context.Context, _ *s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
	if err := f.enter(ctx); err != nil {
		return nil, err
	}
	return &s3.HeadBucketOutput{}, nil
}

func (f *fakeDeal) PutObject(ctx context.Context, in s3response.PutObjectInput) (s3response.PutObjectOutput, error) {
	if err := f.enter(ctx); err != nil {
		return s3response.PutObjectOutput{}, err
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return s3response.PutObjectOutput{}, err
	}
	f.mu.Lock()
	full := f.full
	f.mu.Unlock()
	if full {
		return s3response.PutObjectOutput{}, s3err.GetAPIError(s3err.ErrQuotaExceeded)
	}
	if in.ContentLength != nil && int64(len(b)) != *in.ContentLength {
		return s3response.PutObjectOutput{}, s3err.GetAPIError(s3err.ErrIncompleteBody)
	}
	etag := md5ETag(b)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	f.objects[deref(in.Key)] = fakeObject{data: b, etag: etag, mod: time.Now()}
	return s3response.PutObjectOutput{ETag: etag}, nil
}

func (f *fakeDeal) GetObject(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	if err := f.enter(ctx); err != nil {
		return nil, err
	}
	o, ok := f.get(deref(in.Key))
	if !ok {
		return nil, s3err.GetAPIError(s3err.ErrNoSuchKey)
	}
	data := o.data
	if rng := deref(in.Range); rng != "" {
		a, b, _ := strings.Cut(strings.TrimPrefix(rng, "bytes="), "-")
		from, _ := strconv.Atoi(a)
		to, _ := strconv.Atoi(b)
		if from >= len(data) {
			return nil, s3err.GetAPIError(s3err.ErrInvalidRange)
		}
		data = data[from:min(to+1, len(data))]
	}
	f.mu.Lock()
	if f.corrupt && len(data) > 0 {
		data = append([]byte{data[0] ^ 0xff}, data[1:]...)
	}
	f.mu.Unlock()
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(data)), ContentLength: ptr(int64(len(data))), ETag: ptr(o.etag)}, nil
}

func (f *fakeDeal) HeadObject(ctx context.Context, in *s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
	if err := f.enter(ctx); err != nil {
		return nil, err
	}
	o, ok := f.get(deref(in.Key))
	if !ok {
		return nil, s3err.APIError{Code: "NotFound", HTTPStatusCode: 404}
	}
	return &s3.HeadObjectOutput{ContentLength: ptr(int64(len(o.data))), ETag: ptr(o.etag)}, nil
}

func (f *fakeDeal) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) {
	if err := f.enter(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.objects, deref(in.Key))
	return &s3.DeleteObjectOutput{}, nil
}

func (f *fakeDeal) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input) (s3response.ListObjectsV2Result, error) {
	if err := f.enter(ctx); err != nil {
		return s3response.ListObjectsV2Result{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out s3response.ListObjectsV2Result
	for k, o := range f.objects {
		if strings.HasPrefix(k, deref(in.Prefix)) {
			out.Contents = append(out.Contents, s3response.Object{Key: ptr(k), ETag: ptr(o.etag), Size: ptr(int64(len(o.data))), LastModified: ptr(o.mod)})
		}
	}
	sort.Slice(out.Contents, func(i, j int) bool { return *out.Contents[i].Key < *out.Contents[j].Key })
	return out, nil
}

func (f *fakeDeal) CreateMultipartUpload(ctx context.Context, in s3response.CreateMultipartUploadInput) (s3response.InitiateMultipartUploadResult, error) {
	if err := f.enter(ctx); err != nil {
		return s3response.InitiateMultipartUploadResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := fmt.Sprintf("up-%d", len(f.uploads)+1)
	f.uploads[id] = map[int32][]byte{}
	return s3response.InitiateMultipartUploadResult{UploadId: id, Key: deref(in.Key)}, nil
}

func (f *fakeDeal) UploadPart(ctx context.Context, in *s3.UploadPartInput) (*s3.UploadPartOutput, error) {
	if err := f.enter(ctx); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts, ok := f.uploads[deref(in.UploadId)]
	if !ok {
		return nil, s3err.GetAPIError(s3err.ErrNoSuchUpload)
	}
	parts[deref(in.PartNumber)] = b
	return &s3.UploadPartOutput{ETag: ptr(md5ETag(b))}, nil
}

func (f *fakeDeal) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput) (s3response.CompleteMultipartUploadResult, string, error) {
	if err := f.enter(ctx); err != nil {
		return s3response.CompleteMultipartUploadResult{}, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts, ok := f.uploads[deref(in.UploadId)]
	if !ok {
		return s3response.CompleteMultipartUploadResult{}, "", s3err.GetAPIError(s3err.ErrNoSuchUpload)
	}
	var data, sums []byte
	for _, p := range in.MultipartUpload.Parts {
		b := parts[deref(p.PartNumber)]
		if md5ETag(b) != deref(p.ETag) {
			return s3response.CompleteMultipartUploadResult{}, "", s3err.GetAPIError(s3err.ErrInvalidPart)
		}
		data = append(data, b...)
		s := md5.Sum(b)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), len(in.MultipartUpload.Parts))
	delete(f.uploads, deref(in.UploadId))
	f.objects[deref(in.Key)] = fakeObject{data: data, etag: etag, mod: time.Now()}
	return s3response.CompleteMultipartUploadResult{ETag: &etag, Key: in.Key}, "", nil
}

func (f *fakeDeal) AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput) error {
	if err := f.enter(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.uploads, deref(in.UploadId))
	return nil
}
