package gateway

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/layout"
)

// FuzzParseDealBucket: a bucket name from an S3 request never panics the
// router's parser, one deal has one bucket name, and the gateway reads
// bucket names as the consumers' bridges write them (api/layout).
func FuzzParseDealBucket(f *testing.F) {
	for _, s := range []string{"deal-42", "deal-", "deal-042", "deal-0", "deal-18446744073709551616", "Deal-1", "deal--1", "deal-+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, bucket string) {
		id, ok := parseDealBucket(bucket)
		lid, lok := layout.DealFromBucket(bucket)
		require.Equal(t, lok, ok && id != 0, "the gateway and api/layout disagree on %q", bucket)
		if !ok {
			return
		}
		require.Equal(t, bucket, BucketName(id))
		if lok {
			require.Equal(t, lid, id)
		}
	})
}

// FuzzProbePath: the anonymous probe path <unit>/flashback-probe/<name>
// never panics its parsers; what they accept names a configured unit and
// object in their one canonical spelling, and an upload's name cannot
// leave the probe uploads' prefix.
func FuzzProbePath(f *testing.F) {
	p := newProbeServer(ProbeConfig{ObjectSizes: []int64{1, 262144}}, map[uint64]*unit{1: {id: 1}, 7: {id: 7}}, nil, nil)
	for _, s := range [][2]string{
		{"unit-7", "ping"}, {"unit-1", "object-262144"}, {"unit-07", "object-0262144"}, {"unit-", "object-+1"},
		{"unit-18446744073709551623", "upload-0123456789abcdef"}, {"unit-7", "upload-../../x"}, {"unit-7", "upload-"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, seg, name string) {
		if u, ok := p.unitFor(seg); ok {
			require.Equal(t, seg, strings.TrimPrefix(UnitPath(u.id), "/"), "only a unit's canonical path is served")
		}
		if probe, key, ok := p.objectKey(name); ok {
			require.Equal(t, probeKeyPrefix+name, key)
			if probe == "object" {
				size, err := strconv.ParseInt(strings.TrimPrefix(name, "object-"), 10, 64)
				require.NoError(t, err)
				require.True(t, p.sizes[size], "object-%d is not a configured size", size)
			} else {
				require.Equal(t, "ping", name)
			}
		}
		if nonce, ok := strings.CutPrefix(name, "upload-"); ok && validNonce(nonce) {
			key := probeUploadsPrefix + "1-" + nonce
			require.NoError(t, validateKey(key))
			require.Equal(t, filepath.Join("/u", probeUploadsPrefix), filepath.Dir(filepath.Join("/u", key)), "upload %q leaves the uploads' prefix", nonce)
		}
	})
}

// FuzzValidateKey: an object key or listing prefix from an S3 request
// never panics the checks; a key they accept stays inside its deal's
// prefix in the unit's storage, whatever the storage does with paths, and
// maps back to itself.
func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"a", "dir/file.txt", "dir/", "a..b/c..", "..", "../x", "a/../../b", "/abs", "a\x00b", "\xff", "ünïcødé/ключ", "a//b", "./a"} {
		f.Add(s)
	}
	st := &dealState{id: 42, prefix: dealKeyPrefix(42)}
	root := "/units/u"
	dealRoot := filepath.Join(root, st.prefix)
	f.Fuzz(func(t *testing.T, key string) {
		keyOK := validateKey(key) == nil
		prefixOK := validatePrefix(key) == nil
		if keyOK {
			require.True(t, prefixOK, "a valid key %q is a valid prefix", key)
		}
		if !prefixOK {
			return
		}
		require.LessOrEqual(t, len(key), maxKeyLen)
		stored := st.storageKey(key)
		back, ok := st.clientKey(stored)
		require.True(t, ok)
		require.Equal(t, key, back)
		if key != "" {
			path := filepath.Join(root, stored)
			require.True(t, path == dealRoot || strings.HasPrefix(path, dealRoot+"/"), "%q is stored at %s, outside %s", key, path, dealRoot)
		}
	})
}
