package server_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestBridgePicksUpNewDeals: a serving bridge takes the deals added to a
// repository in bridge.toml without a restart — noticed when the file
// changes (poll_interval) and on Reload (SIGHUP). A normal repository over
// one deal gets a second deal in the file: the bridge serves it as a
// mirror, copies every object written before to the new deal (checked on
// the deal directly), and writes from then on reach both. A deal that is
// not the bridge's consumer's is refused (logged, the repository
// unchanged), and a new repository waits for a restart.
func TestBridgePicksUpNewDeals(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("p1", "p2", "alice", "bob")
	startProviderNodes(t, env, accts, 2)
	alice := env.Consumer("alice", accts[2], t.TempDir(), true)
	bob := env.Consumer("bob", accts[3], t.TempDir(), true)
	first := env.RequestDeal(alice, 1, 1, 10*time.Minute)
	second := env.RequestDeal(alice, 2, 1, 10*time.Minute)
	bobs := env.RequestDeal(bob, 2, 1, 10*time.Minute)
	for _, d := range []uint64{first, second, bobs} {
		env.WaitDealState(d, types.DEAL_STATE_ACTIVE, 30*time.Second)
	}

	cfg := config.Default(env.KeyringDir())
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = env.Val.AppConfig.GRPC.Address, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Chain.PollInterval.Duration = 200 * time.Millisecond
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = 300 * time.Millisecond
	cfg.Mirror.RepairInterval.Duration = 500 * time.Millisecond
	key, err := config.NewKey("app", false)
	require.NoError(t, err)
	cfg.Keys = []config.Key{key}
	cfg.Repositories = []config.Repository{{Name: "media", Mode: config.ModeNormal, Deals: []uint64{first}}}
	home := t.TempDir()
	cfg = cfg.WithHome(home)
	path := filepath.Join(home, config.FileName)
	require.NoError(t, config.Write(path, cfg))
	b := startBridgeWith(t, cfg, server.Options{Consumer: accts[2].String(), Logger: log.NewTestLoggerInfo(t)})
	bc := providertest.S3("http://"+b.Addr(), dealauth.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey})
	put := func(k string, body []byte) {
		_, err := bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String(k), Body: bytes.NewReader(body)})
		require.NoError(t, err, k)
	}
	bodies := map[string][]byte{}
	for i := range 4 {
		k := fmt.Sprintf("before-%d", i)
		bodies[k] = bytes.Repeat([]byte{byte('a' + i)}, 3000*(i+1))
		put(k, bodies[k])
	}
	members := func() []uint64 {
		var ids []uint64
		for _, d := range b.Status().Repositories[0].Deals {
			ids = append(ids, d.Deal)
		}
		slices.Sort(ids)
		return ids
	}

	// Another consumer's deal, and a new repository: refused and left
	// for a restart; the repository is unchanged.
	bad := cfg
	bad.Repositories = []config.Repository{
		{Name: "media", Mode: config.ModeMirror, Deals: []uint64{first, bobs}, WriteQuorum: 1},
		{Name: "later", Mode: config.ModeNormal, Deals: []uint64{second}},
	}
	require.NoError(t, config.Rewrite(path, bad))
	b.Reload()
	time.Sleep(time.Second)
	require.Equal(t, []uint64{first}, members())
	require.Len(t, b.Status().Repositories, 1)

	// The second deal of alice's is added by editing the file: noticed
	// without a signal.
	good := cfg
	good.Repositories = []config.Repository{{Name: "media", Mode: config.ModeMirror, Deals: []uint64{first, second}, WriteQuorum: 1}}
	require.NoError(t, config.Rewrite(path, good))
	require.Eventually(t, func() bool { return slices.Equal(members(), []uint64{first, second}) }, 20*time.Second, 100*time.Millisecond,
		"the added deal never joined the repository")
	b.waitIdle(t)
	k := "after"
	bodies[k] = []byte("written to both deals")
	put(k, bodies[k])
	b.waitIdle(t)

	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)
	direct := newDealClient(t, env, aliceKey, second)
	for k, want := range bodies {
		require.Equal(t, want, direct.get(t, k), "%s on the added deal", k)
	}
	st := b.Status().Repositories[0]
	require.Equal(t, config.ModeMirror, st.Mode)
	require.Equal(t, 1, st.WriteQuorum)
}
