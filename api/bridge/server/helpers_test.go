package server_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/provider/config"
	"github.com/flashbacknetwork/flashbackd/api/provider/node"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The provider nodes of the test run in processes of their own (this test
// binary re-executed): versitygw's posix storage takes over its process's
// working directory, so one process holds one node, and a node can be
// killed and restarted like a real one.
const nodeConfigEnv = "FLASHBACK_BRIDGE_TEST_PROVIDER_TOML"

func TestMain(m *testing.M) {
	if path := os.Getenv(nodeConfigEnv); path != "" {
		os.Exit(runProviderNode(path))
	}
	os.Exit(m.Run())
}

func runProviderNode(path string) int {
	app.SetConfig()
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	home, err := os.MkdirTemp("", "provider-app-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(home)
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome(home))
	n, err := node.New(cfg, node.Options{
		Codec: a.AppCodec(), InterfaceRegistry: a.InterfaceRegistry(), TxConfig: a.TxConfig(),
		Logger: log.NewLogger(os.Stderr, log.LevelOption(zerolog.WarnLevel), log.ColorOption(false)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "provider node:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ready := make(chan struct{})
	go func() {
		<-ready
		fmt.Println("READY")
	}()
	if err := n.Run(ctx, ready); err != nil {
		fmt.Fprintln(os.Stderr, "provider node:", err)
		return 1
	}
	return 0
}

// providerProcess is a provider node running in a process of its own.
type providerProcess struct {
	t    *testing.T
	path string
	cmd  *exec.Cmd
	done chan struct{}
}

// startProviderNodes registers providers p1…pN (accts[0…N-1]), each with
// one unit i served by its own provider node process, and returns the nodes.
func startProviderNodes(t *testing.T, env *providertest.Env, accts []sdk.AccAddress, n int) []*providerProcess {
	t.Helper()
	var nodes []*providerProcess
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("p%d", i)
		env.Send(name, &types.MsgRegisterProvider{Owner: accts[i-1].String(), Name: name, Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
		ncfg := env.NodeConfig(t.TempDir(), name, uint64(i))
		ncfg.Withdraw.Interval.Duration = 0
		env.CreateUnit(name, accts[i-1], uint64(i), ncfg.Server.PublicURL, providertest.PricePerGBSecond1000)
		nodes = append(nodes, startProvider(t, ncfg))
	}
	return nodes
}

// startProvider writes cfg to <home>/provider.toml and runs a node on it.
func startProvider(t *testing.T, cfg config.Config) *providerProcess {
	t.Helper()
	path := filepath.Join(cfg.Home(), config.FileName)
	require.NoError(t, config.Write(path, cfg))
	p := &providerProcess{t: t, path: path}
	p.start()
	t.Cleanup(p.kill)
	return p
}

func (p *providerProcess) start() {
	p.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), nodeConfigEnv+"="+p.path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(p.t, err)
	require.NoError(p.t, cmd.Start())
	p.cmd, p.done = cmd, make(chan struct{})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY") {
				close(ready)
			}
		}
	}()
	done := p.done
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-ready:
	case <-done:
		p.t.Fatalf("provider node %s exited before it was ready", p.path)
	case <-time.After(60 * time.Second):
		p.t.Fatalf("provider node %s not ready after 60s", p.path)
	}
}

// kill ends the node the hard way (SIGKILL): a provider that dies.
func (p *providerProcess) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.cmd = nil
}
