package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/backend/s3proxy"
)

type storageKind string

const (
	storagePosix storageKind = "posix"
	storageS3    storageKind = "s3"
)

// unit is a data unit and where its data lives: a bucket of a storage
// backend (for posix, the unit's directory under the posix root).
type unit struct {
	id     uint64
	kind   storageKind
	be     backend.Backend
	bucket string
}

// posixInUse makes a second gateway with posix storage in the same process
// fail cleanly: versitygw's posix backend resolves every path against the
// process's working directory, which it sets to its root.
var posixInUse atomic.Bool

// storage is the set of units and the backends behind them.
type storage struct {
	units    map[uint64]*unit
	backends []backend.Backend
	posix    bool
}

// openStorage builds every unit's backend. It does not contact upstream S3
// services: one unit being down must not keep the others from serving.
func openStorage(ctx context.Context, cfg Config) (*storage, error) {
	s := &storage{units: map[uint64]*unit{}}
	var px backend.Backend
	for _, uc := range cfg.Units {
		switch {
		case uc.Posix != nil:
			if px == nil {
				be, err := openPosix(cfg)
				if err != nil {
					s.close()
					return nil, err
				}
				px = be
				s.backends = append(s.backends, be)
				s.posix = true
			}
			s.units[uc.ID] = &unit{id: uc.ID, kind: storagePosix, be: px, bucket: uc.Posix.Dir}
		case uc.S3 != nil:
			be, err := openS3(ctx, *uc.S3)
			if err != nil {
				s.close()
				return nil, fmt.Errorf("unit %d: %w", uc.ID, err)
			}
			s.backends = append(s.backends, be)
			s.units[uc.ID] = &unit{id: uc.ID, kind: storageS3, be: be, bucket: uc.S3.Bucket}
		}
	}
	return s, nil
}

func (s *storage) close() {
	for _, be := range s.backends {
		be.Shutdown()
	}
	s.backends = nil
	if s.posix {
		s.posix = false
		posixInUse.Store(false)
	}
}

// openPosix creates the posix root and unit directories and versitygw's
// posix backend over them, with the gateway's own PutObject.
func openPosix(cfg Config) (backend.Backend, error) {
	if !posixInUse.CompareAndSwap(false, true) {
		return nil, errors.New("another gateway with posix storage is open in this process (versitygw's posix backend uses the process working directory)")
	}
	fail := func(err error) (backend.Backend, error) {
		posixInUse.Store(false)
		return nil, err
	}
	if err := os.MkdirAll(cfg.PosixRoot, 0o750); err != nil {
		return fail(fmt.Errorf("posix root: %w", err))
	}
	for _, uc := range cfg.Units {
		if uc.Posix == nil {
			continue
		}
		// MkdirAll follows a symbolic link to an existing directory.
		if err := os.MkdirAll(filepath.Join(cfg.PosixRoot, uc.Posix.Dir), 0o750); err != nil {
			return fail(fmt.Errorf("unit %d directory: %w", uc.ID, err))
		}
		if err := (meta.XattrMeta{}).Test(filepath.Join(cfg.PosixRoot, uc.Posix.Dir)); err != nil {
			return fail(fmt.Errorf("unit %d directory must be on a file system with user extended attributes: %w", uc.ID, err))
		}
	}
	be, err := posix.New(cfg.PosixRoot, meta.XattrMeta{}, posix.PosixOpts{
		// A unit directory may be a symbolic link to another disk.
		BucketLinks:         true,
		ValidateBucketNames: true,
		// New leaves it at 0, which refuses every copy; S3's limit.
		CopyObjectThreshold: maxCopySource,
		// versitygw serializes the commit of writes to one key (so that a
		// conditional PUT's check and its publication are atomic) with an
		// in-process lock and, for other processes sharing the directory, a
		// lock file it opens (creating it if needed) and flocks on every
		// PUT, copy and multipart completion: a third of a small PUT's CPU
		// in versitygw (docs/PERFORMANCE.md, part 4). A posix root belongs
		// to one node process (its quota counters and deal deletions assume
		// so; versitygw even takes over the process's working directory),
		// so the in-process lock is the whole of it.
		ForceNoObjLockFile: true,
	})
	if err != nil {
		return fail(fmt.Errorf("posix backend: %w", err))
	}
	for _, uc := range cfg.Units {
		if uc.Posix != nil {
			removeFastPutLeftovers(filepath.Join(cfg.PosixRoot, uc.Posix.Dir))
		}
	}
	// PutObject through the gateway's own write path (posixput.go).
	return &posixStore{Backend: be}, nil
}

// Upstream HTTP limits: a service that accepts connections and never
// answers must fail requests (503 to the client), not hold them forever.
// maxCopySource is S3's largest CopyObject source.
const maxCopySource = 5 << 30

const (
	upstreamDialTimeout   = 10 * time.Second
	upstreamHeaderTimeout = 60 * time.Second
	upstreamIdlePerHost   = 64
)

// openS3 builds versitygw's s3proxy backend with our own client: bounded
// dial and response-header timeouts, a connection pool sized for parallel
// transfers, no retries (request bodies are streams, and the client
// retries), and checksums only where S3 requires them (the gateway has
// already verified the client's).
func openS3(ctx context.Context, sc S3Storage) (backend.Backend, error) {
	// A buildable client, so that the SDK can still apply AWS_CA_BUNDLE
	// and the like to the transport.
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) {
			d.Timeout = upstreamDialTimeout
			d.KeepAlive = 30 * time.Second
		}).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = upstreamDialTimeout
			tr.ResponseHeaderTimeout = upstreamHeaderTimeout
			tr.ExpectContinueTimeout = time.Second
			tr.MaxIdleConns = 4 * upstreamIdlePerHost
			tr.MaxIdleConnsPerHost = upstreamIdlePerHost
			tr.IdleConnTimeout = 90 * time.Second
		})
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(sc.Region),
		config.WithHTTPClient(httpClient),
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if sc.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(sc.AccessKey, sc.SecretKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 client config: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(sc.Endpoint)
		o.UsePathStyle = sc.PathStyle
		o.Retryer = aws.NopRetryer{}
	})
	return s3proxy.NewWithClient(ctx, client, "")
}
