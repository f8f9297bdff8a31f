package repo

import (
	"bytes"
	"context"
	"encoding/base64"
	"hash/crc32"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
)

// TestReadChecksum: whole-object reads are checked against the CRC-32C the
// bridge recorded when it wrote the bytes (normal mode's stream and mirror
// mode's spool alike), or against the ETag's MD5 for a version without
// one; either way a deal that returns altered bytes under the right ETag
// never has them delivered as a complete read: the read fails, the deal's
// copy is dropped for repair, and the next read is served by a deal with
// the right bytes.
func TestReadChecksum(t *testing.T) {
	body := bytes.Repeat([]byte("flashback "), 100_000)
	sum := crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli))
	wantCRC := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})

	for _, tc := range []struct {
		name      string
		n, quorum int
		recorded  bool // false: the version's record has no CRC-32C (MD5 fallback)
	}{
		{"normal, CRC-32C", 1, 1, true},
		{"mirror, CRC-32C", 2, 2, true},
		{"normal, MD5 fallback", 1, 1, false},
		{"mirror, MD5 fallback", 2, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestRepo(t, tc.n, tc.quorum)
			out, err := tr.put("k", body)
			require.NoError(t, err)
			require.Equal(t, md5ETag(body), out.ETag, "the client's ETag is the MD5 of its bytes")
			tr.Wait()
			obj, err := tr.db.GetObject("repo", "k")
			require.NoError(t, err)
			require.Equal(t, wantCRC, obj.CRC32C, "the CRC-32C of the bytes written is recorded")
			if !tc.recorded {
				obj.CRC32C = ""
				_, err = tr.db.PutObject("repo", "k", *obj, nil)
				require.NoError(t, err)
			}
			got, err := tr.get("k")
			require.NoError(t, err)
			require.Equal(t, body, got)

			// The deal read from first returns altered bytes (the same
			// ETag): the read fails at its end, never completes.
			bad := tr.deals[0]
			if tc.n > 1 {
				tr.deals[1].set(true, 0) // the read goes to deal 1
			}
			bad.mu.Lock()
			bad.corrupt = true
			bad.mu.Unlock()
			_, err = tr.get("k")
			require.ErrorIs(t, err, errCorrupt)
			require.Equal(t, map[uint64]int{1: 1}, tr.pending(), "the corrupt copy is dropped for repair")
			if tc.n == 1 {
				return
			}
			tr.deals[1].set(false, 0)
			got, err = tr.get("k")
			require.NoError(t, err, "the next read comes from the deal with the right bytes")
			require.Equal(t, body, got)
		})
	}
}

// TestWholeRead: versitygw's front end hands the bridge an absent Range
// and PartNumber as "" and 0; such a read is whole and gets checked (it
// was taken for a ranged read, so bridged reads went unchecked).
func TestWholeRead(t *testing.T) {
	require.True(t, wholeRead(&s3.GetObjectInput{}))
	require.True(t, wholeRead(&s3.GetObjectInput{Range: ptr(""), PartNumber: ptr(int32(0))}))
	require.False(t, wholeRead(&s3.GetObjectInput{Range: ptr("bytes=0-1")}))
	require.False(t, wholeRead(&s3.GetObjectInput{PartNumber: ptr(int32(1))}))

	tr := newTestRepo(t, 1, 1)
	_, err := tr.put("k", []byte("whole"))
	require.NoError(t, err)
	tr.deals[0].corrupt = true
	out, err := tr.GetObject(context.Background(), &s3.GetObjectInput{Key: ptr("k"), Range: ptr(""), PartNumber: ptr(int32(0))})
	require.NoError(t, err)
	_, err = io.ReadAll(out.Body)
	require.ErrorIs(t, err, errCorrupt, "a read as the front end passes it is checked")
}

// TestWholeObjectCheck: which check a whole read gets.
func TestWholeObjectCheck(t *testing.T) {
	etag := md5ETag([]byte("x"))[1:33]
	require.Nil(t, wholeObjectCheck(&Object{}, "0123-2"), "multipart without a recorded CRC-32C: none")
	c := wholeObjectCheck(&Object{}, etag)
	require.NotNil(t, c)
	require.Equal(t, 16, len(c.want), "MD5 of a plain ETag")
	c = wholeObjectCheck(&Object{CRC32C: "AAAAAA=="}, "0123-2")
	require.NotNil(t, c)
	require.Equal(t, 4, len(c.want), "the recorded CRC-32C, also for multipart")
	c = wholeObjectCheck(&Object{CRC32C: "not base64!"}, etag)
	require.Equal(t, 16, len(c.want), "an unreadable record falls back to MD5")
}
