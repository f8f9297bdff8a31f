package server_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestBridgeCopyObject: CopyObject and UploadPartCopy with the AWS SDK v2
// through the bridge, over two provider nodes: within a normal repository,
// from it to a mirror repository (every deal gets the copy, byte for
// byte), within the mirror one with replaced metadata, and a multipart copy
// part by part. Metadata is copied or replaced; a copy onto itself without
// new metadata, a missing source, an unknown source repository and a
// read-only key are refused; a copy while one mirror deal's node is dead
// meets the quorum and is repaired when it comes back.
func TestBridgeCopyObject(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("p1", "p2", "alice")
	nodes := startProviderNodes(t, env, accts, 2)
	alice := env.Consumer("alice", accts[2], t.TempDir(), true)
	solo := env.RequestDeal(alice, 1, 1, 10*time.Minute)
	m1 := env.RequestDeal(alice, 1, 1, 10*time.Minute)
	m2 := env.RequestDeal(alice, 2, 1, 10*time.Minute)
	for _, d := range []uint64{solo, m1, m2} {
		env.WaitDealState(d, types.DEAL_STATE_ACTIVE, 30*time.Second)
	}

	cfg := config.Default(env.KeyringDir())
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = env.Val.AppConfig.GRPC.Address, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = 300 * time.Millisecond
	cfg.Mirror.FailuresToDown = 2
	cfg.Mirror.RepairInterval.Duration = 500 * time.Millisecond
	rw, err := config.NewKey("app", false)
	require.NoError(t, err)
	ro, err := config.NewKey("reader", true)
	require.NoError(t, err)
	cfg.Keys = []config.Key{rw, ro}
	cfg.Repositories = []config.Repository{
		{Name: "solo", Mode: config.ModeNormal, Deals: []uint64{solo}},
		{Name: "media", Mode: config.ModeMirror, Deals: []uint64{m1, m2}, WriteQuorum: 1},
	}
	cfg = cfg.WithHome(t.TempDir())
	b := startBridgeWith(t, cfg, server.Options{Consumer: accts[2].String(), Logger: log.NewTestLoggerInfo(t)})
	c := providertest.S3("http://"+b.Addr(), dealauth.Credentials{AccessKeyID: rw.AccessKeyID, SecretAccessKey: rw.SecretAccessKey})
	rc := providertest.S3("http://"+b.Addr(), dealauth.Credentials{AccessKeyID: ro.AccessKeyID, SecretAccessKey: ro.SecretAccessKey})

	body := random(t, 6<<20)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("solo"), Key: aws.String("a"), Body: bytes.NewReader(body),
		ContentType: aws.String("image/png"), Metadata: map[string]string{"owner": "alice"}})
	require.NoError(t, err)
	copyObj := func(cl *s3.Client, src, bucket, key string, edit ...func(*s3.CopyObjectInput)) (*s3.CopyObjectOutput, error) {
		in := &s3.CopyObjectInput{Bucket: &bucket, Key: &key, CopySource: &src}
		for _, e := range edit {
			e(in)
		}
		return cl.CopyObject(ctx, in)
	}

	// Within the normal repository: bytes and metadata copied.
	out, err := copyObj(c, "solo/a", "solo", "b")
	require.NoError(t, err)
	require.NotEmpty(t, deref(out.CopyObjectResult.ETag))
	require.Equal(t, body, get(t, c, "solo", "b", ""))
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("solo"), Key: aws.String("b")})
	require.NoError(t, err)
	require.Equal(t, "image/png", deref(head.ContentType))
	require.Equal(t, "alice", head.Metadata["owner"])

	// Across repositories, normal → mirror: both deals hold the copy.
	_, err = copyObj(c, "/solo/a", "media", "dir/a copy")
	require.NoError(t, err)
	require.Equal(t, body, get(t, c, "media", "dir/a copy", ""))
	b.waitIdle(t)
	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)
	for _, d := range []uint64{m1, m2} {
		require.Equal(t, body, newDealClient(t, env, aliceKey, d).get(t, "dir/a copy"), "deal %d", d)
	}

	// Onto itself: only with new metadata.
	_, err = copyObj(c, "media/dir/a copy", "media", "dir/a copy")
	requireCode(t, err, "InvalidRequest", 400)
	_, err = copyObj(c, "media/dir/a copy", "media", "dir/a copy", func(in *s3.CopyObjectInput) {
		in.MetadataDirective = s3types.MetadataDirectiveReplace
		in.Metadata = map[string]string{"owner": "bob"}
		in.ContentType = aws.String("text/plain")
	})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("media"), Key: aws.String("dir/a copy")})
	require.NoError(t, err)
	require.Equal(t, "bob", head.Metadata["owner"])
	require.Equal(t, "text/plain", deref(head.ContentType))
	require.Equal(t, body, get(t, c, "media", "dir/a copy", ""))

	// Conditions on the source.
	_, err = copyObj(c, "solo/a", "solo", "c", func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(`"nope"`) })
	requireCode(t, err, "PreconditionFailed", 412)
	_, err = copyObj(c, "solo/a", "solo", "c", func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = out.CopyObjectResult.ETag })
	requireCode(t, err, "PreconditionFailed", 412)

	// Refused: missing source, unknown repository, read-only key.
	_, err = copyObj(c, "solo/missing", "solo", "c")
	requireCode(t, err, "NoSuchKey", 404)
	_, err = copyObj(c, "nope/a", "solo", "c")
	requireCode(t, err, "NoSuchBucket", 404)
	_, err = copyObj(rc, "solo/a", "media", "ro")
	requireCode(t, err, "AccessDenied", 403)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("solo"), Key: aws.String("c")})
	requireCode(t, err, "NotFound", 404)

	// Multipart copy, part by part (the aws CLI's way for big objects).
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("media"), Key: aws.String("mp")})
	require.NoError(t, err)
	var parts []s3types.CompletedPart
	for i, rng := range []string{"bytes=0-5242879", "bytes=5242880-6291455"} {
		p, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("media"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("solo/a"), CopySourceRange: &rng})
		require.NoError(t, err)
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.CopyPartResult.ETag})
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("media"), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(3), CopySource: aws.String("solo/a"), CopySourceRange: aws.String("bytes=6291456-9999999")})
	requireCode(t, err, "InvalidArgument", 400)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("media"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	require.Equal(t, body, get(t, c, "media", "mp", ""))

	// One mirror deal's node dies: the copy meets the quorum (1) and is
	// repaired onto it when it is back.
	nodes[1].kill()
	_, err = copyObj(c, "solo/a", "media", "during")
	require.NoError(t, err)
	nodes[1].start()
	b.waitIdle(t)
	require.Equal(t, body, newDealClient(t, env, aliceKey, m2).get(t, "during"))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
