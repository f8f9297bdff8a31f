package client_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"

	"github.com/flashbacknetwork/flashbackd/api/client"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/app"
)

// An app's whole path through the network: find units, reserve a deal,
// store and read an object. (Compiled, not run: it needs a chain and a
// provider node; TestAutopilotOverProviderNodes in api/bridge/server runs
// the same calls against real ones.)
func Example() {
	ctx := context.Background()
	// The app's codecs (any app.App: here one in memory, as flashbackd's
	// own tests build it).
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome("/tmp/flashbackd-codecs"))
	kr, _ := keyring.New("flashbackd", keyring.BackendTest, "/home/me/.flashbackd", nil, a.AppCodec())
	key, _ := dealauth.LoadKey("/home/me/.flashbackd/bridge/access_key.json")
	c, err := client.New(client.Config{
		GRPCAddress: "127.0.0.1:9090", RPCAddress: "tcp://127.0.0.1:26657",
		Keyring: kr, KeyName: "consumer", AccessKey: key,
		Codec: a.AppCodec(), InterfaceRegistry: a.InterfaceRegistry(), TxConfig: a.TxConfig(),
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	maxPrice := sdkmath.NewInt(5_000_000)
	units, err := c.Units(ctx, client.Filter{Region: "eu-west", API: "s3", MinScore: 60, MaxPrice: &maxPrice, MinFreeGB: 10}, 20)
	if err != nil || len(units) == 0 {
		panic(fmt.Sprint("no unit: ", err))
	}
	u := units[0] // the chain's order: priority fee, then reputation
	deal, err := c.Reserve(ctx, client.Request{UnitID: u.Id, CapacityGB: 10, Term: 720 * time.Hour, SLA: u.Sla}, 2*time.Minute)
	if err != nil {
		panic(err) // a *client.DeclinedError carries the provider's reason
	}

	repo, err := c.OpenRepository(ctx, "photos", []uint64{deal.Id}, client.RepositoryOptions{Dir: "/home/me/photos-record"})
	if err != nil {
		panic(err)
	}
	defer repo.Close()
	if _, err := repo.Put(ctx, "cat.jpg", bytes.NewReader([]byte("meow")), 4); err != nil {
		panic(err)
	}
	body, err := repo.Get(ctx, "cat.jpg")
	if err != nil {
		panic(err)
	}
	defer body.Close()
	b, _ := io.ReadAll(body)
	fmt.Println(string(b))
}

// What a deal costs, exactly as the chain computes it: 10 GB at 2,592,000
// uflash per GB-month (1 uflash per GB-second) for one hour.
func ExampleTermCost() {
	fmt.Println(client.TermCost(sdkmath.NewInt(2_592_000), 10, time.Hour))
	// Output: 36000
}

// Filters are checked before anything is asked of the chain.
func ExampleFilter_Validate() {
	fmt.Println(client.Filter{Region: "eu-west", API: "s3", MinScore: 60}.Validate())
	fmt.Println(client.Filter{API: "ftp"}.Validate())
	// Output:
	// <nil>
	// unknown API "ftp": use s3, gcs, azure_blob, ipfs or other
}
