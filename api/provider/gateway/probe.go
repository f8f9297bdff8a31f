package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"cosmossdk.io/log"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gofiber/fiber/v3"
	"github.com/versity/versitygw/s3api/utils"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
)

// The probe protocol (x/oracle/prober/PROTOCOL.md) is served for every unit
// at <public-url>/unit-<id>/flashback-probe/...: path-style, that is bucket
// unit-<id> and key flashback-probe/<name>. Probe requests are anonymous and
// never reach versitygw's authentication: the routes are mounted ahead of
// the S3 routes, and anything that is not a probe of a configured unit is
// passed on to them.
const (
	unitPathPrefix     = "unit-"
	probeKeyPrefix     = "flashback-probe/"
	probeUploadsPrefix = "flashback-probe/uploads/"
	probePing          = "pong"
	probeRoute         = "/:unit/flashback-probe/:name"
	maxNonceLen        = 64
	janitorRetry       = 10 * time.Second
)

// UnitPath is the path of unit id's endpoint on the gateway: the unit's
// on-chain endpoint is <public-url>/unit-<id>.
func UnitPath(id uint64) string { return "/" + unitPathPrefix + strconv.FormatUint(id, 10) }

// probeServer serves the probe objects and keeps anonymous uploads bounded
// and short-lived.
type probeServer struct {
	cfg    ProbeConfig
	units  map[uint64]*unit
	sizes  map[int64]bool
	m      *gatewayMetrics
	logger log.Logger

	mu          sync.Mutex
	outstanding int64         // bytes of uploads stored or in flight
	queue       []probeUpload // stored uploads, in expiry order
}

type probeUpload struct {
	u       *unit
	key     string
	size    int64
	expires time.Time
}

func newProbeServer(cfg ProbeConfig, units map[uint64]*unit, m *gatewayMetrics, logger log.Logger) *probeServer {
	p := &probeServer{cfg: cfg, units: units, sizes: map[int64]bool{}, m: m, logger: logger}
	for _, s := range cfg.ObjectSizes {
		p.sizes[s] = true
	}
	return p
}

// unitFor returns the configured unit named by a path segment unit-<id>.
func (p *probeServer) unitFor(seg string) (*unit, bool) {
	digits, ok := strings.CutPrefix(seg, unitPathPrefix)
	if !ok || digits == "" || (len(digits) > 1 && digits[0] == '0') {
		return nil, false
	}
	id, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return nil, false
	}
	u, ok := p.units[id]
	return u, ok
}

// objectKey returns the stored key of a downloadable probe object.
func (p *probeServer) objectKey(name string) (probe, key string, ok bool) {
	if name == "ping" {
		return "ping", probeKeyPrefix + name, true
	}
	digits, found := strings.CutPrefix(name, "object-")
	if !found {
		return "", "", false
	}
	size, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || !p.sizes[size] || strconv.FormatInt(size, 10) != digits {
		return "", "", false
	}
	return "object", probeKeyPrefix + name, true
}

// get serves GET <unit>/flashback-probe/{ping,object-<size>} from the
// unit's storage, so that the probe measures the real storage path.
func (p *probeServer) get(c fiber.Ctx) error {
	u, ok := p.unitFor(c.Params("unit"))
	if !ok {
		return c.Next()
	}
	probe, key, ok := p.objectKey(c.Params("name"))
	if !ok {
		p.m.probe(u.id, "other", s3err.GetAPIError(s3err.ErrNoSuchKey))
		return writeS3Error(c, s3err.GetAPIError(s3err.ErrNoSuchKey))
	}
	ctx := storageContext(c.RequestCtx())
	out, err := p.getObject(ctx, u, key)
	if isNotFound(err) {
		// Written at start; rewrite it if the storage lost it (or was
		// down at start), and serve it.
		if err = p.ensureObject(ctx, u, key); err == nil {
			out, err = p.getObject(ctx, u, key)
		}
	}
	if err == nil && (out == nil || out.Body == nil) {
		err = errors.New("storage returned no object body")
	}
	if err != nil {
		se, internal := storageError(u, err)
		if internal {
			p.logger.Error("probe object unavailable", "unit", u.id, "key", key, "err", err)
		}
		p.m.probe(u.id, probe, se)
		return writeS3Error(c, se)
	}
	size := int64(-1)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	c.Response().Header.SetContentType("application/octet-stream")
	c.Status(http.StatusOK)
	c.RequestCtx().SetBodyStream(&egressBody{rc: out.Body, size: size, count: func(n int64) {
		p.m.probeTraffic(u.id, "out", n)
	}}, int(size))
	p.m.probe(u.id, probe, nil)
	return nil
}

func (p *probeServer) getObject(ctx context.Context, u *unit, key string) (*s3.GetObjectOutput, error) {
	return u.be.GetObject(ctx, &s3.GetObjectInput{Bucket: &u.bucket, Key: &key, Range: ptr(""), VersionId: ptr("")})
}

// put accepts PUT <unit>/flashback-probe/upload-<nonce>: a body of at most
// UploadMaxBytes with a Content-Length, stored under flashback-probe/uploads/
// until the janitor deletes it. Nothing else under the prefix is writable.
func (p *probeServer) put(c fiber.Ctx) error {
	u, ok := p.unitFor(c.Params("unit"))
	if !ok {
		return c.Next()
	}
	reply := func(err s3err.S3Error) error {
		p.m.probe(u.id, "upload", err)
		return writeS3Error(c, err)
	}
	nonce, ok := strings.CutPrefix(c.Params("name"), "upload-")
	if !ok || !validNonce(nonce) {
		return reply(s3err.GetAPIError(s3err.ErrAccessDenied))
	}
	n := int64(c.Request().Header.ContentLength())
	if n < 0 {
		return reply(s3err.GetAPIError(s3err.ErrMissingContentLength))
	}
	if n > p.cfg.UploadMaxBytes {
		return reply(s3err.GetEntityTooLargeErr(n, p.cfg.UploadMaxBytes))
	}
	if !p.reserve(n) {
		return reply(s3err.GetAPIError(s3err.ErrSlowDown))
	}
	var body io.Reader = c.Request().BodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	counted := &countingReader{r: io.LimitReader(body, n)}
	now := time.Now()
	// The time in the name lets the start-up sweep tell old from new.
	key := probeUploadsPrefix + strconv.FormatInt(now.UnixNano(), 10) + "-" + nonce
	ctx := storageContext(c.RequestCtx())
	_, err := u.be.PutObject(ctx, s3response.PutObjectInput{Bucket: &u.bucket, Key: &key, ContentLength: &n, Body: counted})
	p.m.probeTraffic(u.id, "in", counted.n)
	if err == nil && counted.n != n {
		err = s3err.GetAPIError(s3err.ErrIncompleteBody)
		_ = p.delete(ctx, u, key)
	}
	if err != nil {
		p.release(n)
		se, internal := storageError(u, err)
		if internal {
			p.logger.Error("probe upload failed", "unit", u.id, "err", err)
		}
		return reply(se)
	}
	p.enqueue(probeUpload{u: u, key: key, size: n, expires: now.Add(p.cfg.UploadExpiry)})
	p.m.probe(u.id, "upload", nil)
	return c.SendStatus(http.StatusOK)
}

// validNonce accepts the prober's 16 hex digits and other short
// alphanumeric names, nothing that could shape a path.
func validNonce(s string) bool {
	if s == "" || len(s) > maxNonceLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (p *probeServer) reserve(n int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.outstanding+n > p.cfg.UploadMaxOutstanding {
		return false
	}
	p.outstanding += n
	p.m.probeOutstanding.Set(float64(p.outstanding))
	return true
}

func (p *probeServer) release(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outstanding -= n
	p.m.probeOutstanding.Set(float64(p.outstanding))
}

func (p *probeServer) enqueue(up probeUpload) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Uploads finish in about their start order; keep the queue sorted
	// anyway, a slow upload may finish late.
	i := len(p.queue)
	for i > 0 && p.queue[i-1].expires.After(up.expires) {
		i--
	}
	p.queue = append(p.queue, probeUpload{})
	copy(p.queue[i+1:], p.queue[i:])
	p.queue[i] = up
}

// runJanitor deletes expired uploads until ctx ends.
func (p *probeServer) runJanitor(ctx context.Context) {
	tick := max(p.cfg.UploadExpiry/4, 100*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			p.expire(ctx, now)
		}
	}
}

// expire deletes the uploads expired at now. A failed deletion is retried
// later and its bytes stay outstanding, so a storage that cannot delete
// cannot be filled by probes.
func (p *probeServer) expire(ctx context.Context, now time.Time) {
	p.mu.Lock()
	i := 0
	for i < len(p.queue) && !p.queue[i].expires.After(now) {
		i++
	}
	due := append([]probeUpload(nil), p.queue[:i]...)
	p.queue = p.queue[i:]
	p.mu.Unlock()
	for _, up := range due {
		if err := p.delete(ctx, up.u, up.key); err != nil {
			p.logger.Error("deleting an expired probe upload failed; will retry", "unit", up.u.id, "err", err)
			up.expires = now.Add(janitorRetry)
			p.enqueue(up)
			continue
		}
		p.release(up.size)
	}
}

func (p *probeServer) delete(ctx context.Context, u *unit, key string) error {
	_, err := u.be.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &u.bucket, Key: &key})
	return err
}

// prepare writes the unit's probe objects where they are missing or have
// the wrong size and deletes uploads left by an earlier run.
func (p *probeServer) prepare(ctx context.Context, u *unit) error {
	keys := []string{probeKeyPrefix + "ping"}
	for _, s := range p.cfg.ObjectSizes {
		keys = append(keys, probeKeyPrefix+"object-"+strconv.FormatInt(s, 10))
	}
	for _, key := range keys {
		if err := p.ensureObject(ctx, u, key); err != nil {
			return err
		}
	}
	return deletePrefix(ctx, u, probeUploadsPrefix)
}

// ensureObject writes one probe object unless it is there with its size.
func (p *probeServer) ensureObject(ctx context.Context, u *unit, key string) error {
	var body io.Reader
	var size int64
	if key == probeKeyPrefix+"ping" {
		body, size = strings.NewReader(probePing), int64(len(probePing))
	} else {
		size, _ = strconv.ParseInt(strings.TrimPrefix(key, probeKeyPrefix+"object-"), 10, 64)
		// Incompressible content: a download measures bytes, not a
		// compression ratio.
		body = io.LimitReader(rand.NewChaCha8([32]byte{'f', 'l', 'a', 's', 'h'}), size)
	}
	head, err := u.be.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &u.bucket, Key: &key})
	if err == nil && head != nil && head.ContentLength != nil && *head.ContentLength == size {
		return nil
	}
	if err != nil && !isNotFound(err) {
		return err
	}
	_, err = u.be.PutObject(ctx, s3response.PutObjectInput{Bucket: &u.bucket, Key: &key, ContentLength: &size, Body: body})
	return err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// writeS3Error answers with err's S3 XML body, as versitygw does.
func writeS3Error(c fiber.Ctx, err s3err.S3Error) error {
	requestID, hostID := utils.EnsureRequestIDs(c)
	c.Response().Header.SetContentType(fiber.MIMEApplicationXML)
	return c.Status(err.StatusCode()).Send(err.XMLBody(requestID, hostID))
}
