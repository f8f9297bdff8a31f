package gateway

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// Config is what one provider node's gateway serves: one listening address
// for every data unit and every deal of the node (versitygw supports one
// gateway per process, see README.md).
type Config struct {
	// Listen is the host:port the S3 endpoint listens on. Port 0 picks a
	// free port (tests); Addr reports it after Start.
	Listen string
	// Region is the SigV4 region clients sign for. Default "us-east-1".
	Region string
	// RootAccessKey and RootSecretKey are the gateway's root account, which
	// may read every deal bucket (an operator tool; it cannot create or
	// delete buckets). Both empty: random credentials for this process only.
	RootAccessKey string
	RootSecretKey string
	// PosixRoot is the directory that holds the storage directory of every
	// posix unit. Required when any unit uses posix storage. versitygw's
	// posix backend serves a single root per process and makes it the
	// process's working directory, so every other path the node uses must
	// be absolute.
	PosixRoot string
	// Units are the data units this node serves.
	Units []UnitConfig
	// Probe configures the anonymous probe protocol (x/oracle/prober).
	Probe ProbeConfig
	// OnReceipt takes a deal's usage receipt: the body of an upload to
	// layout.ReceiptKey in the deal's bucket, authenticated with the deal's
	// credentials on a read-write deal. An error refuses the upload
	// (InvalidArgument, with the error's text). nil: such uploads are
	// refused, and the key is never stored.
	OnReceipt func(dealID uint64, body []byte) error `json:"-"`
	// MaxConnections and MaxRequests bound concurrent TCP connections and
	// in-flight requests. Defaults 1024 and 256.
	MaxConnections int
	MaxRequests    int
}

// UnitConfig is one data unit and the storage its data lives in: exactly one
// of Posix and S3.
type UnitConfig struct {
	ID    uint64
	Posix *PosixStorage
	S3    *S3Storage
}

// PosixStorage is a directory on a local file system with user extended
// attributes (versitygw keeps object metadata in xattrs).
type PosixStorage struct {
	// Dir is the unit's directory: a single name under Config.PosixRoot
	// (default "unit-<id>"), created if missing. It may be a symbolic link
	// to a directory elsewhere, e.g. on another disk.
	Dir string
}

// S3Storage is a bucket on an upstream S3-compatible service, typically the
// provider's existing cloud bucket.
type S3Storage struct {
	Endpoint  string // e.g. https://s3.eu-west-1.amazonaws.com; required
	Region    string // default "us-east-1"
	Bucket    string // must exist
	AccessKey string
	SecretKey string
	PathStyle bool // path-style addressing (most self-hosted services need it)
}

// ProbeConfig configures the probe objects every unit serves anonymously.
type ProbeConfig struct {
	// ObjectSizes are the sizes of the download objects, object-<size>.
	// Default [262144], the validators' default object-size.
	ObjectSizes []int64
	// UploadMaxBytes caps one anonymous upload. Default: the largest
	// ObjectSizes entry (a validator uploads as many bytes as it downloads).
	UploadMaxBytes int64
	// UploadExpiry is how long an uploaded probe object is kept before the
	// janitor deletes it. Default 10 s: nothing ever reads it, and every
	// validator probing a unit uploads one object per check (150 validators
	// at the default 256 KiB every 5 s: 7.5 MB/s per probed unit).
	UploadExpiry time.Duration
	// UploadMaxOutstanding bounds the bytes of probe uploads stored and in
	// flight over all units; beyond it uploads get 503 SlowDown. Default
	// 1 GiB.
	UploadMaxOutstanding int64
}

// Defaults.
const (
	DefaultRegion               = "us-east-1"
	DefaultProbeObjectSize      = 256 << 10
	DefaultProbeUploadExpiry    = 10 * time.Second
	DefaultProbeMaxOutstanding  = 1 << 30
	DefaultMaxConnections       = 1024
	DefaultMaxRequests          = 256
	maxProbeObjectSize          = 64 << 20 // the prober's own maximum object-size
	minProbeObjectSize          = 1        // any positive size can be hosted
	minProbeUploadExpiry        = time.Second
	maxUnitStorageBucketNameLen = 63
)

// withDefaults returns c with every unset field at its default.
func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = DefaultMaxRequests
	}
	units := make([]UnitConfig, len(c.Units))
	for i, u := range c.Units {
		if u.Posix != nil {
			p := *u.Posix
			if p.Dir == "" {
				p.Dir = fmt.Sprintf("unit-%d", u.ID)
			}
			u.Posix = &p
		}
		if u.S3 != nil {
			s := *u.S3
			if s.Region == "" {
				s.Region = DefaultRegion
			}
			u.S3 = &s
		}
		units[i] = u
	}
	c.Units = units
	c.Probe = c.Probe.withDefaults()
	return c
}

func (p ProbeConfig) withDefaults() ProbeConfig {
	if len(p.ObjectSizes) == 0 {
		p.ObjectSizes = []int64{DefaultProbeObjectSize}
	}
	if p.UploadMaxBytes == 0 {
		for _, s := range p.ObjectSizes {
			p.UploadMaxBytes = max(p.UploadMaxBytes, s)
		}
	}
	if p.UploadExpiry == 0 {
		p.UploadExpiry = DefaultProbeUploadExpiry
	}
	if p.UploadMaxOutstanding == 0 {
		p.UploadMaxOutstanding = DefaultProbeMaxOutstanding
	}
	return p
}

// validate checks a config that already has its defaults.
func (c Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen address %q: %w", c.Listen, err)
	}
	if (c.RootAccessKey == "") != (c.RootSecretKey == "") {
		return errors.New("root access key and secret must be set together (or both left empty for random ones)")
	}
	if c.MaxConnections < 1 || c.MaxRequests < 1 {
		return errors.New("max connections and max requests must be positive")
	}
	if len(c.Units) == 0 {
		return errors.New("no units configured")
	}
	seen := map[uint64]bool{}
	posixDirs := map[string]uint64{}
	for _, u := range c.Units {
		if seen[u.ID] {
			return fmt.Errorf("unit %d configured twice", u.ID)
		}
		seen[u.ID] = true
		switch {
		case u.Posix != nil && u.S3 != nil:
			return fmt.Errorf("unit %d: configure either posix or s3 storage, not both", u.ID)
		case u.Posix != nil:
			if c.PosixRoot == "" || !filepath.IsAbs(c.PosixRoot) {
				return fmt.Errorf("unit %d: posix storage needs an absolute posix root directory, got %q", u.ID, c.PosixRoot)
			}
			if err := validPosixDir(u.Posix.Dir); err != nil {
				return fmt.Errorf("unit %d: %w", u.ID, err)
			}
			if other, dup := posixDirs[u.Posix.Dir]; dup {
				return fmt.Errorf("units %d and %d share the posix directory %q", other, u.ID, u.Posix.Dir)
			}
			posixDirs[u.Posix.Dir] = u.ID
		case u.S3 != nil:
			if u.S3.Endpoint == "" || u.S3.Bucket == "" {
				return fmt.Errorf("unit %d: s3 storage needs an endpoint and a bucket", u.ID)
			}
			if (u.S3.AccessKey == "") != (u.S3.SecretKey == "") {
				return fmt.Errorf("unit %d: s3 access key and secret must be set together", u.ID)
			}
		default:
			return fmt.Errorf("unit %d: no storage configured (posix or s3)", u.ID)
		}
	}
	return c.Probe.validate()
}

// validPosixDir accepts a single directory name that is also a valid bucket
// name for versitygw's posix backend (the unit's directory is that
// backend's bucket).
func validPosixDir(dir string) error {
	if dir == "" || len(dir) > maxUnitStorageBucketNameLen || strings.ContainsAny(dir, `/\`) || dir == "." || dir == ".." || strings.HasPrefix(dir, ".") {
		return fmt.Errorf("posix dir %q must be a single directory name under the posix root (at most %d characters, not starting with a dot)", dir, maxUnitStorageBucketNameLen)
	}
	for _, r := range dir {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("posix dir %q may only contain lower-case letters, digits, '-' and '.'", dir)
		}
	}
	return nil
}

func (p ProbeConfig) validate() error {
	seen := map[int64]bool{}
	for _, s := range p.ObjectSizes {
		if s < minProbeObjectSize || s > maxProbeObjectSize {
			return fmt.Errorf("probe object size %d out of range [%d, %d]", s, minProbeObjectSize, maxProbeObjectSize)
		}
		if seen[s] {
			return fmt.Errorf("probe object size %d listed twice", s)
		}
		seen[s] = true
	}
	if p.UploadMaxBytes < 1 || p.UploadMaxBytes > maxProbeObjectSize {
		return fmt.Errorf("probe upload cap %d out of range [1, %d]", p.UploadMaxBytes, maxProbeObjectSize)
	}
	if p.UploadExpiry < minProbeUploadExpiry {
		return fmt.Errorf("probe upload expiry %s shorter than %s", p.UploadExpiry, minProbeUploadExpiry)
	}
	if p.UploadMaxOutstanding < p.UploadMaxBytes {
		return fmt.Errorf("probe outstanding upload bound %d is smaller than one upload (%d)", p.UploadMaxOutstanding, p.UploadMaxBytes)
	}
	return nil
}
