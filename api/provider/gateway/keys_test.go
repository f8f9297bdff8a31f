package gateway

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
	"github.com/versity/versitygw/s3response"
)

func TestValidateKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"a":                       true,
		"dir/file.txt":            true,
		"dir/":                    true,
		"a..b/c..":                true,
		".hidden/..x":             true,
		"spaces and+plus=%41":     true,
		"ünïcødé/ключ":            true,
		strings.Repeat("k", 1024): true,
		"":                        false,
		"..":                      false,
		"../x":                    false,
		"a/../../b":               false,
		"a/..":                    false,
		"./a":                     false,
		"a/./b":                   false,
		"/leading":                false,
		"nul\x00byte":             false,
		"new\nline":               false,
		"del\x7f":                 false,
		"bad\xffutf8":             false,
		strings.Repeat("k", 1025): false,
	} {
		err := validateKey(key)
		require.Equal(t, ok, err == nil, "%q: %v", key, err)
	}
	require.NoError(t, validatePrefix(""))
	require.NoError(t, validatePrefix("photos/20"))
	require.Error(t, validatePrefix("../"))
	require.Error(t, validatePrefix("/"))
}

// TestPathTraversalKeys: keys that would leave the deal's prefix get an S3
// error from the AWS SDK's point of view and create nothing anywhere; the
// router's own check stands even when versitygw's is bypassed.
func TestPathTraversalKeys(t *testing.T) {
	e := newEnv(t)
	victim := e.deal(1, 1, 1<<30)
	d := e.deal(2, 1, 1<<30)
	put(t, e.dealClient(victim), bucketOf(victim), "secret", []byte("victim"))
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()

	for _, key := range []string{"../1/secret", "a/../../1/secret", "/leading", "../../../../etc/passwd", "a/./b", "..", strings.Repeat("k", 1025)} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String(key), Body: strings.NewReader("planted")})
		require.Error(t, err, key)
		_, status := errCode(err)
		require.Equal(t, 400, status, "%q: %v", key, err)
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String(key)})
		require.Error(t, err, key)
		_, status = errCode(err)
		require.Contains(t, []int{400, 404}, status, "%q: %v", key, err)
	}

	// Behind versitygw's name check, the router refuses by itself.
	_, err := e.g.router.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("../1/secret")})
	require.Equal(t, errBadKey, err)
	_, err = e.g.router.PutObject(ctx, s3response.PutObjectInput{Bucket: &b, Key: aws.String("a/../../1/secret"), ContentLength: aws.Int64(1), Body: strings.NewReader("x")})
	require.Equal(t, errBadKey, err)
	_, err = e.g.router.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String("../1/secret")})
	require.Equal(t, errBadKey, err)

	// Nothing was written outside deal 1's one object.
	var files []string
	require.NoError(t, filepath.WalkDir(e.root, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.root, path)
		// versitygw's own: probe objects, temporary files, publish locks.
		if !de.IsDir() && !strings.Contains(rel, "flashback-probe") && !strings.Contains(rel, ".sgwtmp") && !strings.HasPrefix(rel, ".vgwlocks") {
			files = append(files, rel)
		}
		return nil
	}))
	require.Equal(t, []string{filepath.Join("unit-1", "deals", "1", "secret")}, files)
	require.Equal(t, []byte("victim"), get(t, e.dealClient(victim), bucketOf(victim), "secret"))
}
