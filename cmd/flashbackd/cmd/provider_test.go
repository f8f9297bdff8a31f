package cmd_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/provider/config"
	"github.com/flashbacknetwork/flashbackd/api/provider/node"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestProviderNodeServesDeals walks a deal from request to deletion on a
// real chain with the provider node running, through the AWS SDK for Go v2:
// `provider init` writes the node's configuration; the node publishes its
// access key, accepts a request by its policy, and serves the deal's bucket
// with the credentials `bridge credentials` derives for the consumer (put,
// multipart upload, ranged get, list); another consumer's credentials are
// refused; requests that fail the policy are declined with their reason on
// chain; earnings are withdrawn on schedule; a consumer's new access key
// gives new credentials; `provider status` and /metrics report the deals;
// closing the deal makes its bucket read-only, and the retrieval period's
// end deletes it.
func TestProviderNodeServesDeals(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("provider", "alice", "bob", "carol")
	provider := accts[0]
	home, keys := t.TempDir(), t.TempDir()

	s3Addr, statusAddr := providertest.FreeAddr(t), providertest.FreeAddr(t)
	publicURL := "http://" + s3Addr
	out := mustRun(t, "provider", "init", "--home", home, "--public-url", publicURL, "--listen", s3Addr, "--status-listen", statusAddr,
		"--unit", "1=posix", "--unit", "2=posix:cheap-disk",
		"--grpc-address", env.Val.AppConfig.GRPC.Address, "--rpc-address", env.Val.RPCAddress,
		"--key-name", "provider", "--keyring-backend", "test", "--keyring-dir", env.KeyringDir())
	require.Contains(t, out, "unit 1 must register the endpoint "+publicURL+"/unit-1")
	require.Contains(t, out, "created access key")
	cfg, err := config.Load(filepath.Join(home, config.FileName))
	require.NoError(t, err)
	// Test timings, and a price floor that unit 2 does not meet.
	cfg.Chain.PollInterval.Duration = 300 * time.Millisecond
	cfg.Withdraw.Interval.Duration = 3 * time.Second
	cfg.Retrieval.Period.Duration = 5 * time.Second
	cfg.Policy.MinPricePerGBMonth = providertest.PricePerGBSecond1000.Uint64()
	cfg.Policy.FreeSpaceMarginGB = 0
	nodeKey, err := dealauth.LoadKey(cfg.Path(cfg.Server.AccessKeyFile))
	require.NoError(t, err)

	env.Send("provider", &types.MsgRegisterProvider{Owner: provider.String(), Name: "Acme", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
	env.CreateUnit("provider", provider, 1, publicURL, providertest.PricePerGBSecond1000)
	env.CreateUnit("provider", provider, 2, publicURL, sdkmath.NewInt(1_000_000))
	alice := env.Consumer("alice", accts[1], keys, true)
	bob := env.Consumer("bob", accts[2], keys, true)
	carol := env.Consumer("carol", accts[3], keys, false)

	n := env.StartNode(cfg)
	require.Equal(t, s3Addr, n.S3Addr())
	require.Eventually(t, func() bool {
		res, err := env.Q.AccessKey(ctx, &types.QueryAccessKeyRequest{Address: provider.String()})
		return err == nil && bytes.Equal(res.AccessKey.PublicKey, nodeKey.PublicKey().Bytes())
	}, 20*time.Second, 200*time.Millisecond, "the node publishes its access key")

	// Alice's request meets the policy: accepted without anyone watching.
	requested := time.Now()
	d1 := env.RequestDeal(alice, 1, 1, time.Minute)
	env.WaitDealState(d1, types.DEAL_STATE_ACTIVE, 20*time.Second)
	t.Logf("request-deal included → deal %d ACTIVE in %s", d1, time.Since(requested).Round(10*time.Millisecond))

	// The consumer's credentials, derived by the CLI from chain data and its key.
	out = mustRun(t, "bridge", "credentials", strconv.FormatUint(d1, 10), "--access-key-file", alice.KeyFile, "-o", "json",
		"--node", env.Val.RPCAddress, "--home", env.Val.Dir)
	var access bridge.DealAccess
	require.NoError(t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &access), out)
	require.Equal(t, publicURL, access.Endpoint)
	aliceS3 := providertest.S3(access.Endpoint, access.Credentials)
	bucket := access.Bucket

	small := pseudoRandom(1, 10_000)
	require.Eventually(t, func() bool {
		_, err := aliceS3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("notes/hello.txt"), Body: bytes.NewReader(small)})
		return err == nil
	}, 5*time.Second, 100*time.Millisecond, "the accepted deal's bucket is served")
	big := pseudoRandom(2, 6<<20)
	multipartUpload(t, aliceS3, bucket, "big.bin", big, 5<<20)
	require.Equal(t, small, getObject(t, aliceS3, bucket, "notes/hello.txt", ""))
	require.Equal(t, big[1<<20:1<<20+4096], getObject(t, aliceS3, bucket, "big.bin", fmt.Sprintf("bytes=%d-%d", 1<<20, 1<<20+4095)))
	list, err := aliceS3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	require.NoError(t, err)
	require.Len(t, list.Contents, 2)
	require.Equal(t, "big.bin", *list.Contents[0].Key)
	require.Equal(t, int64(len(big)), *list.Contents[0].Size)

	// Alice signs a usage receipt with the CLI; the node takes it and bills
	// it on chain (unit 1 is free to read: the bytes are recorded, nothing
	// charged). Bob cannot send one for her deal: his key derives no
	// credentials for it.
	out = mustRun(t, "bridge", "receipt", strconv.FormatUint(d1, 10), "4096", "--from", "alice", "--access-key-file", alice.KeyFile,
		"--keyring-backend", "test", "--keyring-dir", env.KeyringDir(), "--node", env.Val.RPCAddress, "--home", env.Val.Dir)
	require.Contains(t, out, "4096 bytes served")
	require.Eventually(t, func() bool { return env.Deal(d1).Deal.EgressBilledBytes == 4096 }, 20*time.Second, 200*time.Millisecond,
		"the node bills the receipt")
	require.True(t, env.Deal(d1).Deal.EgressCharged.IsZero())

	// Bob's deal is his; his credentials do not open Alice's bucket, and
	// his key derives no credentials for her deal.
	d2 := env.RequestDeal(bob, 1, 1, time.Minute)
	env.WaitDealState(d2, types.DEAL_STATE_ACTIVE, 20*time.Second)
	bobAccess, err := bridge.ResolveDeal(ctx, env.Q, loadKey(t, bob.KeyFile), env.ChainID, d2)
	require.NoError(t, err)
	bobS3 := providertest.S3(bobAccess.Endpoint, bobAccess.Credentials)
	require.Eventually(t, func() bool {
		_, err := bobS3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bobAccess.Bucket, Key: aws.String("b"), Body: strings.NewReader("bob")})
		return err == nil
	}, 5*time.Second, 100*time.Millisecond)
	_, err = bobS3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("notes/hello.txt")})
	requireS3Code(t, err, "AccessDenied", http.StatusForbidden)
	_, err = bobS3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	requireS3Code(t, err, "AccessDenied", http.StatusForbidden)
	_, err = bridge.ResolveDeal(ctx, env.Q, loadKey(t, bob.KeyFile), env.ChainID, d1)
	require.ErrorContains(t, err, "neither the deal's consumer key nor its provider key")

	// Requests that fail the policy are declined, with the rule on chain.
	d3 := env.RequestDeal(carol, 1, 1, time.Minute)
	d4 := env.RequestDeal(alice, 2, 1, time.Minute)
	for _, want := range []struct {
		deal   uint64
		reason string
	}{{d3, "no access key"}, {d4, "below the provider's floor of 2592000000"}} {
		deal := env.WaitDealState(want.deal, types.DEAL_STATE_CLOSED, 20*time.Second)
		require.Equal(t, types.CLOSE_REASON_DECLINED, deal.CloseReason)
		dec := waitDecision(t, n, want.deal)
		require.False(t, dec.Accept)
		msg := declineMsgOnChain(t, env, dec.TxHash)
		require.Equal(t, want.deal, msg.DealId)
		require.Contains(t, msg.Reason, want.reason)
	}

	// Earnings are withdrawn on schedule (every 3 s here).
	require.Eventually(t, func() bool { return n.Status().LastWithdrawal != nil }, 15*time.Second, 200*time.Millisecond, "a withdrawal")
	w := n.Status().LastWithdrawal
	require.Contains(t, w.Deals, d1)
	withdrawn := env.Deal(d1).Deal.Withdrawn
	require.True(t, withdrawn.IsPositive(), "deal %d withdrawn %s", d1, withdrawn)
	t.Logf("withdrawal: %s net from deals %v, deal %d withdrawn %s uflash so far", w.Net, w.Deals, d1, withdrawn)

	// A consumer that publishes a new key gets new credentials at the next poll.
	newKeyFile := filepath.Join(keys, "bob-new.json")
	newKey, err := dealauth.CreateKey(newKeyFile)
	require.NoError(t, err)
	env.Send("bob", &types.MsgSetAccessKey{Owner: bob.Addr.String(), PublicKey: newKey.PublicKey().Bytes()})
	rotated, err := bridge.ResolveDeal(ctx, env.Q, newKey, env.ChainID, d2)
	require.NoError(t, err)
	require.NotEqual(t, bobAccess.AccessKeyID, rotated.AccessKeyID)
	require.Eventually(t, func() bool {
		_, err := providertest.S3(rotated.Endpoint, rotated.Credentials).HeadObject(ctx, &s3.HeadObjectInput{Bucket: &rotated.Bucket, Key: aws.String("b")})
		return err == nil
	}, 5*time.Second, 100*time.Millisecond, "the new credentials work")
	_, err = bobS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &rotated.Bucket, Key: aws.String("b")})
	require.Error(t, err, "the old credentials no longer work")

	// Removing the key locks the bucket (its data kept) until a key is
	// published again.
	rotatedS3 := providertest.S3(rotated.Endpoint, rotated.Credentials)
	env.Send("bob", &types.MsgSetAccessKey{Owner: bob.Addr.String()})
	require.Eventually(t, func() bool { return dealOf(t, n.Status(), d2).Access == "locked" }, 5*time.Second, 100*time.Millisecond)
	_, err = rotatedS3.GetObject(ctx, &s3.GetObjectInput{Bucket: &rotated.Bucket, Key: aws.String("b")})
	requireS3Code(t, err, "InvalidAccessKeyId", http.StatusForbidden)
	env.Send("bob", &types.MsgSetAccessKey{Owner: bob.Addr.String(), PublicKey: newKey.PublicKey().Bytes()})
	require.Eventually(t, func() bool {
		_, err := rotatedS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &rotated.Bucket, Key: aws.String("b")})
		return err == nil
	}, 5*time.Second, 100*time.Millisecond, "unlocked with the key published again")

	// `provider status` (the CLI, over the status endpoint) and /metrics.
	out = mustRun(t, "provider", "status", "--home", home)
	require.Contains(t, out, provider.String()+" (registered)")
	require.Contains(t, out, "read-write")
	require.Contains(t, out, "last withdrawal")
	require.Contains(t, out, "the consumer has published no access key")
	st := n.Status()
	ds := dealOf(t, st, d1)
	require.Equal(t, "read-write", ds.Access)
	require.Equal(t, uint64(1_000_000_000), ds.QuotaBytes)
	require.Equal(t, uint64(len(small)+len(big)), ds.StoredBytes)
	require.GreaterOrEqual(t, ds.IngressBytes, uint64(len(small)+len(big)))
	require.GreaterOrEqual(t, ds.EgressBytes, uint64(len(small)+4096))
	metrics := httpGet(t, "http://"+statusAddr+"/metrics")
	require.Contains(t, metrics, `flashback_provider_deal_decisions_total{decision="decline",rule="no_access_key"} 1`)
	require.Contains(t, metrics, `flashback_provider_deal_decisions_total{decision="accept",rule="accepted"} 2`)
	require.Contains(t, metrics, fmt.Sprintf(`flashback_provider_deal_stored_bytes{deal="%d",unit="1"} %s`, d1,
		strconv.FormatFloat(float64(len(small)+len(big)), 'g', -1, 64)))
	require.Contains(t, metrics, `flashback_provider_withdrawals_total{result="ok"}`)
	require.Contains(t, metrics, "flashback_provider_chain_sync_age_seconds")

	// Alice closes her deal: read-only for the retrieval period, then gone.
	env.Send("alice", &types.MsgCloseDeal{Sender: alice.Addr.String(), DealId: d1})
	closed := env.WaitDealState(d1, types.DEAL_STATE_CLOSED, 20*time.Second)
	require.Eventually(t, func() bool { return dealOf(t, n.Status(), d1).Access == "read-only" }, 5*time.Second, 100*time.Millisecond)
	_, err = aliceS3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("late.txt"), Body: strings.NewReader("too late")})
	requireS3Code(t, err, "AccessDenied", http.StatusForbidden)
	require.Equal(t, small, getObject(t, aliceS3, bucket, "notes/hello.txt", ""), "readable during the retrieval period")
	dataDir := filepath.Join(cfg.Path(cfg.Server.DataDir), "unit-1", "deals", strconv.FormatUint(d1, 10))
	require.DirExists(t, dataDir)
	require.Eventually(t, func() bool {
		_, err := aliceS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("notes/hello.txt")})
		return err != nil
	}, 15*time.Second, 200*time.Millisecond, "the bucket is deleted after the retrieval period")
	require.WithinDuration(t, closed.ClosedAt.Add(cfg.Retrieval.Period.Duration), time.Now(), 3*time.Second)
	_, err = aliceS3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	code, _ := providertest.ErrCode(err)
	require.Contains(t, []string{"NoSuchBucket", "InvalidAccessKeyId"}, code, "%v", err)
	require.NoDirExists(t, dataDir)
	// Removed, and forgotten once a withdrawal round finds nothing left on it.
	for _, d := range n.Status().Deals {
		if d.ID == d1 {
			require.Equal(t, "removed", d.Access)
		}
	}

	// Bob's deal is untouched; the state file records what the node serves.
	require.Equal(t, []byte("bob"), getObject(t, providertest.S3(rotated.Endpoint, rotated.Credentials), rotated.Bucket, "b", ""))
	n.Stop(t)
	state, err := os.ReadFile(cfg.Path(cfg.Server.StateFile))
	require.NoError(t, err)
	require.Contains(t, string(state), `"phase": "running"`)
	require.Contains(t, string(state), env.ChainID)

	// Without its state file, a restarted node rebuilds from the chain.
	require.NoError(t, os.Remove(cfg.Path(cfg.Server.StateFile)))
	n = env.StartNode(cfg)
	require.Eventually(t, func() bool {
		out, err := rotatedS3.GetObject(ctx, &s3.GetObjectInput{Bucket: &rotated.Bucket, Key: aws.String("b")})
		if err == nil {
			out.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 100*time.Millisecond, "deal 2 served again after a rebuild")
	require.Equal(t, "read-write", dealOf(t, n.Status(), d2).Access)
}

func pseudoRandom(seed byte, n int) []byte {
	b := make([]byte, n)
	x := uint32(seed) * 2654435761
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func loadKey(t *testing.T, path string) *ecdh.PrivateKey {
	t.Helper()
	k, err := dealauth.LoadKey(path)
	require.NoError(t, err)
	return k
}

func multipartUpload(t *testing.T, c *s3.Client, bucket, key string, body []byte, partSize int) {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	var parts []s3types.CompletedPart
	for i, off := int32(1), 0; off < len(body); i, off = i+1, off+partSize {
		end := min(off+partSize, len(body))
		res, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: bytes.NewReader(body[off:end])})
		require.NoError(t, err)
		parts = append(parts, s3types.CompletedPart{ETag: res.ETag, PartNumber: aws.Int32(i)})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
}

func getObject(t *testing.T, c *s3.Client, bucket, key, rng string) []byte {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key}
	if rng != "" {
		in.Range = &rng
	}
	res, err := c.GetObject(context.Background(), in)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}

func requireS3Code(t *testing.T, err error, code string, status int) {
	t.Helper()
	require.Error(t, err)
	gotCode, gotStatus := providertest.ErrCode(err)
	require.Equal(t, code, gotCode, "%v", err)
	require.Equal(t, status, gotStatus, "%v", err)
}

// waitDecision waits until the node has recorded its decision on a deal
// (it does once its transaction is included, which the chain may show a
// moment earlier).
func waitDecision(t *testing.T, n *providertest.Running, deal uint64) node.DecisionStatus {
	t.Helper()
	var found *node.DecisionStatus
	require.Eventually(t, func() bool {
		for _, d := range n.Status().Decisions {
			if d.DealID == deal && d.Error == "" {
				found = &d
				return true
			}
		}
		return false
	}, 5*time.Second, 50*time.Millisecond, "no decision on deal %d", deal)
	return *found
}

func dealOf(t *testing.T, st node.Status, deal uint64) node.DealStatus {
	t.Helper()
	for _, d := range st.Deals {
		if d.ID == deal {
			return d
		}
	}
	t.Fatalf("deal %d not in the node's status", deal)
	return node.DealStatus{}
}

// declineMsgOnChain reads the MsgDeclineDeal of a transaction from the chain.
func declineMsgOnChain(t *testing.T, env *providertest.Env, hash string) *types.MsgDeclineDeal {
	t.Helper()
	res, err := txtypes.NewServiceClient(env.Conn).GetTx(context.Background(), &txtypes.GetTxRequest{Hash: hash})
	require.NoError(t, err)
	require.Zero(t, res.TxResponse.Code)
	require.Len(t, res.Tx.Body.Messages, 1)
	var msg sdk.Msg
	require.NoError(t, env.Val.ClientCtx.InterfaceRegistry.UnpackAny(res.Tx.Body.Messages[0], &msg))
	decline, ok := msg.(*types.MsgDeclineDeal)
	require.True(t, ok, "%T", msg)
	return decline
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(b))
	return string(b)
}

// TestProviderInitCLI: `provider init` writes a configuration that loads,
// with the given settings, keeps an existing access key, never overwrites
// provider.toml, and refuses bad input with a message that says what to do;
// `provider status` says when the node does not answer.
func TestProviderInitCLI(t *testing.T) {
	home := t.TempDir()
	out := mustRun(t, "provider", "init", "--home", home, "--unit", "3=posix", "--unit", "4=s3:http://127.0.0.1:7070/acme",
		"--public-url", "https://s3.acme.example/", "--status-listen", "127.0.0.1:1", "--keyring-backend", "test",
		"--retrieval-period", "1h", "--withdraw-interval", "0s", "--poll-interval", "2s")
	require.Contains(t, out, "created access key")
	require.Contains(t, out, "unit 3 must register the endpoint https://s3.acme.example/unit-3")
	cfg, err := config.Load(filepath.Join(home, config.FileName))
	require.NoError(t, err)
	require.Equal(t, "https://s3.acme.example", cfg.Server.PublicURL)
	require.Equal(t, time.Hour, cfg.Retrieval.Period.Duration)
	require.Zero(t, cfg.Withdraw.Interval.Duration)
	require.Equal(t, 2*time.Second, cfg.Chain.PollInterval.Duration)
	require.Equal(t, "unit-3", cfg.Units[0].Posix.Dir)
	require.Equal(t, "acme", cfg.Units[1].S3.Bucket)
	key, err := dealauth.LoadKey(cfg.Path(cfg.Server.AccessKeyFile))
	require.NoError(t, err)

	_, err = run(t, "provider", "init", "--home", home, "--unit", "3=posix")
	require.ErrorContains(t, err, "exists; edit it")
	// A new configuration in the same home keeps the node's key.
	require.NoError(t, os.Remove(filepath.Join(home, config.FileName)))
	out = mustRun(t, "provider", "init", "--home", home, "--unit", "3=posix")
	require.Contains(t, out, "kept the existing access key")
	again, err := dealauth.LoadKey(cfg.Path(cfg.Server.AccessKeyFile))
	require.NoError(t, err)
	require.True(t, key.Equal(again))

	for _, bad := range []struct {
		args []string
		want string
	}{
		{nil, "name at least one data unit"},
		{[]string{"--unit", "x=posix"}, "ID=posix"},
		{[]string{"--unit", "1=posix", "--public-url", "https://node.example/s3"}, "server.public_url"},
		{[]string{"--unit", "1=posix", "--keyring-backend", "plaintext"}, "chain.keyring_backend"},
	} {
		_, err := run(t, append([]string{"provider", "init", "--home", t.TempDir()}, bad.args...)...)
		require.ErrorContains(t, err, bad.want)
	}

	_, err = run(t, "provider", "status", "--home", home)
	require.ErrorContains(t, err, "does not answer")
	_, err = run(t, "provider", "serve", "--home", t.TempDir())
	require.ErrorContains(t, err, "provider init")
}
