package gateway

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/s3api/middlewares"
	"github.com/versity/versitygw/s3api/utils"
	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"
	"golang.org/x/sys/unix"
)

// posixStore is versitygw's posix backend with a write path of the
// gateway's own for PutObject. versitygw's PutObject spends 2–3 ms per
// object on ext4 beyond moving the bytes (a dozen getxattr and stat calls,
// attribute writes, link and rename, and the MD5 hashed inline on the
// request's one thread: docs/PERFORMANCE.md, part 4). This one writes the
// same object in the same on-disk format — an O_TMPFILE in the unit's
// .sgwtmp linked into place when complete, the user.etag (quoted hex MD5)
// and user.checksums (versitygw's s3response.Checksum as JSON) attributes,
// and the content-type, content-encoding, …, metadata attributes a request
// sets — so that versitygw's GET, HEAD, List, Copy and multipart code read
// it as their own (TestFastPutReadByVersitygw). It hashes the MD5 on a
// goroutine of its own while the request's goroutine reads the body and
// writes the file, and writes only the attributes the object has.
//
// Requests with features this path does not write (tagging, object lock,
// directory objects, a body of unknown length) and file systems without
// O_TMPFILE go to versitygw's PutObject unchanged.
type posixStore struct {
	backend.Backend
	locks keyLocks
	seq   atomic.Uint64
	// written counts the objects this path wrote (tests tell it from
	// versitygw's fallback with it).
	written atomic.Uint64
}

// Attribute names and values of versitygw's posix backend (backend/posix:
// etagkey, checksumsKey, contentTypeHdr, … stored by meta.XattrMeta under
// the "user." prefix), which versitygw v1.8.0 does not export.
const (
	xattrETag         = "user.etag"
	xattrChecksums    = "user.checksums"
	xattrMetadata     = "user.metadata"
	newObjectFileMode = 0o644 // versitygw's default file mode (PosixOpts.NewFilePerm unset)
	newObjectDirMode  = 0o755 // and directory mode
	// fastPutTmpPrefix names the hard links a replacing PUT makes in the
	// unit's .sgwtmp before it renames them over the old object; a node
	// killed between the two leaves one behind, removed at the next start.
	fastPutTmpPrefix = "fb-put-"
)

var metaPropertyXattrs = []struct {
	name string
	get  func(*s3response.PutObjectInput) *string
}{
	{"user.content-type", func(p *s3response.PutObjectInput) *string { return p.ContentType }},
	{"user.content-encoding", func(p *s3response.PutObjectInput) *string { return p.ContentEncoding }},
	{"user.content-disposition", func(p *s3response.PutObjectInput) *string { return p.ContentDisposition }},
	{"user.content-language", func(p *s3response.PutObjectInput) *string { return p.ContentLanguage }},
	{"user.cache-control", func(p *s3response.PutObjectInput) *string { return p.CacheControl }},
	{"user.expires", func(p *s3response.PutObjectInput) *string { return p.Expires }},
	{"user.website-redirect-location", func(p *s3response.PutObjectInput) *string { return p.WebsiteRedirectLocation }},
}

// fastPutEligible reports whether this path writes the object: everything
// but what only versitygw implements.
func fastPutEligible(po *s3response.PutObjectInput) bool {
	return po.Bucket != nil && po.Key != nil && po.ContentLength != nil &&
		!strings.HasSuffix(*po.Key, "/") &&
		deref(po.Tagging) == "" &&
		// versitygw applies a retention date only with a lock mode.
		po.ObjectLockMode == "" &&
		po.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn
}

func (p *posixStore) PutObject(ctx context.Context, po s3response.PutObjectInput) (s3response.PutObjectOutput, error) {
	if !fastPutEligible(&po) {
		return p.putVersitygw(ctx, po)
	}
	bucket, key := *po.Bucket, *po.Key
	// Fast failure before the body is read; decided again under the lock.
	if err := checkPutConditions(bucket, key, po.IfMatch, po.IfNoneMatch); err != nil {
		return s3response.PutObjectOutput{}, err
	}
	f, err := openObjectTmp(bucket)
	if errors.Is(err, errNoTmpfile) {
		return p.putVersitygw(ctx, po)
	}
	if err != nil {
		return s3response.PutObjectOutput{}, err
	}
	defer f.Close()

	// The stored checksum: a trailing one the client sent (versitygw's
	// middleware verified it) or the gateway's default CRC-32C
	// (checksum.go), else a header value or algorithm the client asked for,
	// else versitygw's default CRC-64/NVME, computed and verified as
	// versitygw does.
	body := po.Body
	if body == nil {
		body = eofReader{}
	}
	var alg types.ChecksumAlgorithm
	var hashRdr *utils.HashReader
	cr, ok := body.(middlewares.ChecksumReader)
	trailing := ok && cr.Algorithm() != ""
	if trailing {
		alg = types.ChecksumAlgorithm(strings.ToUpper(cr.Algorithm()))
	} else {
		var value string
		alg, value = headerChecksum(&po)
		hashRdr, err = utils.NewHashReader(body, value, utils.HashType(strings.ToLower(string(alg))))
		if err != nil {
			return s3response.PutObjectOutput{}, fmt.Errorf("initialize hash reader: %w", err)
		}
		body = hashRdr
	}

	md5h := md5.New()
	n, err := copyHashing(f, body, md5h, *po.ContentLength)
	if err != nil {
		return s3response.PutObjectOutput{}, putError(err, key)
	}
	if n != *po.ContentLength {
		return s3response.PutObjectOutput{}, s3err.GetAPIError(s3err.ErrIncompleteBody)
	}
	var sum string
	if trailing {
		sum = cr.Checksum()
	} else {
		sum = hashRdr.Sum()
	}
	etag := backend.GenerateEtag(md5h)
	checksum := s3response.Checksum{Type: types.ChecksumTypeFullObject, Algorithm: alg}
	setChecksum(&checksum, alg, sum)
	if err := writeObjectAttrs(f, &po, etag, checksum); err != nil {
		return s3response.PutObjectOutput{}, putError(err, key)
	}

	unlock := p.locks.lock(bucket, key)
	defer unlock()
	if err := checkPutConditions(bucket, key, po.IfMatch, po.IfNoneMatch); err != nil {
		return s3response.PutObjectOutput{}, err
	}
	if err := p.link(f, bucket, key); err != nil {
		return s3response.PutObjectOutput{}, putError(err, key)
	}
	p.written.Add(1)
	return s3response.PutObjectOutput{
		ETag:              etag,
		ChecksumCRC32:     checksum.CRC32,
		ChecksumCRC32C:    checksum.CRC32C,
		ChecksumSHA1:      checksum.SHA1,
		ChecksumSHA256:    checksum.SHA256,
		ChecksumCRC64NVME: checksum.CRC64NVME,
		ChecksumSHA512:    checksum.SHA512,
		ChecksumMD5:       checksum.MD5,
		ChecksumXXHASH64:  checksum.XXHASH64,
		ChecksumXXHASH3:   checksum.XXHASH3,
		ChecksumXXHASH128: checksum.XXHASH128,
		Size:              &n,
		ChecksumType:      checksum.Type,
	}, nil
}

// putVersitygw is versitygw's own PutObject, under the key's lock (see
// keyLocks).
func (p *posixStore) putVersitygw(ctx context.Context, po s3response.PutObjectInput) (s3response.PutObjectOutput, error) {
	unlock := p.locks.lock(deref(po.Bucket), deref(po.Key))
	defer unlock()
	return p.Backend.PutObject(ctx, po)
}

// CompleteMultipartUpload publishes an object and evaluates conditional
// headers: under the key's lock (see keyLocks).
func (p *posixStore) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput) (s3response.CompleteMultipartUploadResult, string, error) {
	unlock := p.locks.lock(deref(in.Bucket), deref(in.Key))
	defer unlock()
	return p.Backend.CompleteMultipartUpload(ctx, in)
}

// headerChecksum is the checksum algorithm and value a request's headers
// name, in versitygw's order of precedence, and CRC-64/NVME (versitygw's
// default) when they name none.
func headerChecksum(po *s3response.PutObjectInput) (types.ChecksumAlgorithm, string) {
	for _, c := range []struct {
		v  *string
		ht utils.HashType
	}{
		{po.ChecksumCRC32, utils.HashTypeCRC32},
		{po.ChecksumCRC32C, utils.HashTypeCRC32C},
		{po.ChecksumSHA1, utils.HashTypeSha1},
		{po.ChecksumSHA256, utils.HashTypeSha256},
		{po.ChecksumCRC64NVME, utils.HashTypeCRC64NVME},
		{po.ChecksumSHA512, utils.HashTypeSha512},
		{po.ChecksumMD5, utils.HashTypeMd5},
		{po.ChecksumXXHASH64, utils.HashTypeXXHASH64},
		{po.ChecksumXXHASH3, utils.HashTypeXXHASH3},
		{po.ChecksumXXHASH128, utils.HashTypeXXHASH128},
	} {
		if c.v != nil {
			return types.ChecksumAlgorithm(strings.ToUpper(string(c.ht))), *c.v
		}
	}
	if po.ChecksumAlgorithm != "" {
		return po.ChecksumAlgorithm, ""
	}
	return types.ChecksumAlgorithmCrc64nvme, ""
}

// setChecksum puts sum in the field of alg (versitygw's setStoredChecksum).
func setChecksum(c *s3response.Checksum, alg types.ChecksumAlgorithm, sum string) {
	v := &sum
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		c.CRC32 = v
	case types.ChecksumAlgorithmCrc32c:
		c.CRC32C = v
	case types.ChecksumAlgorithmSha1:
		c.SHA1 = v
	case types.ChecksumAlgorithmSha256:
		c.SHA256 = v
	case types.ChecksumAlgorithmCrc64nvme:
		c.CRC64NVME = v
	case types.ChecksumAlgorithmSha512:
		c.SHA512 = v
	case types.ChecksumAlgorithmMd5:
		c.MD5 = v
	case types.ChecksumAlgorithmXxhash64:
		c.XXHASH64 = v
	case types.ChecksumAlgorithmXxhash3:
		c.XXHASH3 = v
	case types.ChecksumAlgorithmXxhash128:
		c.XXHASH128 = v
	}
}

// errNoTmpfile: the file system has no O_TMPFILE; versitygw's PutObject
// has a fallback for it.
var errNoTmpfile = errors.New("no O_TMPFILE")

// openObjectTmp opens an unnamed file in the unit's .sgwtmp (versitygw's
// temporary directory, on the objects' file system): it has no name until
// it is complete, so a node that stops mid-upload leaves nothing behind.
func openObjectTmp(bucket string) (*os.File, error) {
	dir := filepath.Join(bucket, posix.MetaTmpDir)
	for attempt := 0; ; attempt++ {
		fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, newObjectFileMode)
		switch {
		case err == nil:
			f := os.NewFile(uintptr(fd), dir)
			// Like versitygw: the configured mode whatever the umask.
			if err := f.Chmod(newObjectFileMode); err != nil {
				f.Close()
				return nil, fmt.Errorf("set temp file mode: %w", err)
			}
			return f, nil
		case errors.Is(err, unix.ENOENT) && attempt == 0:
			if err := os.Mkdir(dir, newObjectDirMode); err != nil && !errors.Is(err, fs.ErrExist) {
				if errors.Is(err, unix.ENOENT) {
					return nil, s3err.GetBucketErr(s3err.ErrNoSuchBucket, bucket)
				}
				return nil, fmt.Errorf("make temp dir: %w", err)
			}
		case errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL):
			return nil, errNoTmpfile
		case errors.Is(err, unix.EROFS):
			return nil, s3err.GetAPIError(s3err.ErrMethodNotAllowed)
		default:
			return nil, putError(fmt.Errorf("open temp file: %w", err), "")
		}
	}
}

// putChunk is the unit in which a body is read, written and hashed;
// putChunks of them rotate between the reading and the hashing goroutine.
const (
	putChunk  = 256 << 10
	putChunks = 4
)

var putBuffers = sync.Pool{New: func() any { b := make([]byte, putChunk*putChunks); return &b }}

// copyHashing copies r to f and h. For bodies of more than one chunk, h
// hashes each chunk on a goroutine of its own while the next is read and
// this one written: MD5 (~300 MB/s here) is the largest cost of a PUT and
// would otherwise serialize with the socket reads and file writes.
func copyHashing(f *os.File, r io.Reader, h hash.Hash, size int64) (int64, error) {
	bp := putBuffers.Get().(*[]byte)
	defer putBuffers.Put(bp)
	buf := *bp
	if size <= putChunk {
		var n int64
		for {
			m, err := fill(r, buf[:putChunk])
			if m > 0 {
				h.Write(buf[:m])
				if _, werr := f.Write(buf[:m]); werr != nil {
					return n, werr
				}
				n += int64(m)
			}
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
		}
	}
	chunks, free := make(chan []byte, putChunks), make(chan []byte, putChunks)
	for i := range putChunks {
		free <- buf[i*putChunk : (i+1)*putChunk]
	}
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for c := range chunks {
			h.Write(c)
			free <- c[:putChunk]
		}
	}()
	// Every chunk is hashed before buf returns to the pool.
	defer func() { close(chunks); <-hashed }()
	var n int64
	for {
		// A buffer comes back once hashed; this goroutine's own write of
		// it ended before it read the next one.
		b := <-free
		m, err := fill(r, b)
		if m > 0 {
			chunks <- b[:m]
			if _, werr := f.Write(b[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// fill reads into b until it is full or r ends. Only io.EOF ends a body
// well; anything else (a client gone mid-body, a quota refusal from the
// ingress reader) fails the upload.
func fill(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeObjectAttrs writes versitygw's attributes of a new object on its
// unnamed file: one fsetxattr per attribute the object has, and none for
// attributes it does not (versitygw reads a missing one as unset).
func writeObjectAttrs(f *os.File, po *s3response.PutObjectInput, etag string, checksum s3response.Checksum) error {
	fd := int(f.Fd())
	sums, err := json.Marshal(checksum)
	if err != nil {
		return fmt.Errorf("marshal checksum: %w", err)
	}
	if err := unix.Fsetxattr(fd, xattrChecksums, sums, 0); err != nil {
		return fmt.Errorf("store checksum: %w", err)
	}
	if err := unix.Fsetxattr(fd, xattrETag, []byte(etag), 0); err != nil {
		return fmt.Errorf("set etag attr: %w", err)
	}
	for _, a := range metaPropertyXattrs {
		if v := deref(a.get(po)); v != "" {
			if err := unix.Fsetxattr(fd, a.name, []byte(v), 0); err != nil {
				return fmt.Errorf("set %s: %w", a.name, err)
			}
		}
	}
	if len(po.Metadata) > 0 {
		meta, err := json.Marshal(po.Metadata)
		if err != nil {
			return fmt.Errorf("marshal metadata: %w", err)
		}
		if err := unix.Fsetxattr(fd, xattrMetadata, meta, 0); err != nil {
			return fmt.Errorf("set metadata: %w", err)
		}
	}
	return nil
}

// checkPutConditions evaluates If-Match and If-None-Match against the
// stored object's ETag, as versitygw's checkPutPreconditions does.
func checkPutConditions(bucket, key string, ifMatch, ifNoneMatch *string) error {
	if ifMatch == nil && ifNoneMatch == nil {
		return nil
	}
	name := filepath.Join(bucket, key)
	etag, err := getxattr(name, xattrETag)
	switch {
	case err == nil:
		return backend.EvaluateObjectPutPreconditions(string(etag), ifMatch, ifNoneMatch, true)
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENODATA):
		return backend.EvaluateObjectPutPreconditions("", ifMatch, ifNoneMatch, false)
	}
	return nil
}

func getxattr(name, attr string) ([]byte, error) {
	for {
		size, err := unix.Getxattr(name, attr, nil)
		if err != nil {
			return nil, err
		}
		b := make([]byte, size)
		n, err := unix.Getxattr(name, attr, b)
		if errors.Is(err, unix.ERANGE) {
			continue // grew in between
		}
		if err != nil {
			return nil, err
		}
		return b[:n], nil
	}
}

// link gives the complete unnamed file its object's name: linkat when the
// key is new; when it exists, a link in .sgwtmp renamed over it, so that
// readers see the old object or the new one, never none.
func (p *posixStore) link(f *os.File, bucket, key string) error {
	src := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	name := filepath.Join(bucket, key)
	for attempt := 0; ; attempt++ {
		err := unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EEXIST):
			return p.replace(src, bucket, name)
		case errors.Is(err, unix.ENOENT) && attempt < 3:
			// The key's directories do not exist yet (or were just
			// removed by a delete of their last object).
			if err := backend.MkdirAll(filepath.Dir(name), 0, 0, false, newObjectDirMode); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func (p *posixStore) replace(src, bucket, name string) error {
	tmp := filepath.Join(bucket, posix.MetaTmpDir, fastPutTmpPrefix+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(p.seq.Add(1), 10))
	if err := unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW); err != nil {
		return fmt.Errorf("link temp file: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		_ = os.Remove(tmp)
		if errors.Is(err, unix.EEXIST) {
			// The name is a directory of other objects (rename(2)
			// says EEXIST or ENOTEMPTY for a non-empty one).
			return s3err.GetAPIError(s3err.ErrExistingObjectIsDirectory)
		}
		return err
	}
	return nil
}

// putError maps a file system error of a PUT to the S3 error versitygw
// gives for it; anything else stays an internal error.
func putError(err error, key string) error {
	var s3e s3err.S3Error
	if errors.As(err, &s3e) {
		return err
	}
	switch {
	case errors.Is(err, syscall.EDQUOT):
		return s3err.GetAPIError(s3err.ErrQuotaExceeded)
	case errors.Is(err, syscall.ENOSPC):
		return s3err.GetAPIError(s3err.ErrNoSpaceLeftOnDevice)
	case errors.Is(err, syscall.EROFS):
		return s3err.GetAPIError(s3err.ErrMethodNotAllowed)
	case errors.Is(err, syscall.ENAMETOOLONG):
		return s3err.GetKeyTooLongErr(int64(len(key)), 1024)
	case errors.Is(err, syscall.ENOTDIR):
		return s3err.GetAPIError(s3err.ErrObjectParentIsFile)
	case errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTEMPTY):
		return s3err.GetAPIError(s3err.ErrExistingObjectIsDirectory)
	}
	return err
}

// removeFastPutLeftovers deletes the links a replacing PUT left in a
// unit's .sgwtmp when the node stopped between link and rename.
func removeFastPutLeftovers(unitDir string) {
	names, _ := filepath.Glob(filepath.Join(unitDir, posix.MetaTmpDir, fastPutTmpPrefix+"*"))
	for _, n := range names {
		_ = os.Remove(n)
	}
}
