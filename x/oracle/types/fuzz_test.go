package types_test

import (
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/x/internal/fuzzutil"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

func fuzzAddr(seed string) string {
	return sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address()).String()
}

// validMsgs is one valid message of every type a client signs (the corpus
// seeds).
func validMsgs() []fuzzutil.Msg {
	addr, gov := fuzzAddr("reporter"), authtypes.NewModuleAddress("gov").String()
	return []fuzzutil.Msg{
		&types.MsgSubmitQoSReport{Reporter: addr, DealId: 1, Operation: types.OPERATION_TYPE_READ, Success: true, LatencyMs: 20},
		&types.MsgSubmitQoSReport{Reporter: addr, DealId: 2, Operation: types.OPERATION_TYPE_UPLOAD, ErrorDetails: "503 SlowDown"},
		&types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()},
	}
}

// TestFuzzFixturesCoverEveryMsg keeps the fuzz corpus complete: a new
// message needs a fixture.
func TestFuzzFixturesCoverEveryMsg(t *testing.T) {
	fuzzutil.RequireFixtures(t, types.Msg_serviceDesc, validMsgs(), map[string]string{
		// No client signs it: the proposer injects it, and every node
		// decodes it with the payload codec (FuzzDecodePayload in
		// x/oracle/abci) and the extensions in it with
		// DecodeVoteExtension (FuzzDecodeVoteExtension).
		"InjectVoteExtensions": "x/oracle/abci FuzzDecodePayload",
	})
}

func FuzzMsgValidateBasic(f *testing.F) {
	fuzzutil.ValidateBasic(f, app.MakeEncodingConfig().Codec, validMsgs())
}

// richGenesis has an entry in every list Validate checks, so that the
// fuzzer starts from each of its branches.
func richGenesis() *types.GenesisState {
	provider, reporter := fuzzAddr("provider"), fuzzAddr("reporter")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gs := types.DefaultGenesis()
	gs.NextSelfReportId = 2
	gs.Assignments = []types.Assignment{{Window: 4, StartHeight: 40, EndHeight: 49, Seed: []byte{1, 2, 3},
		Units: []types.AssignedUnit{{UnitId: 1, Provider: provider, Endpoint: "https://s3.example.com/unit-1"}}}}
	gs.Records = []types.QoSRecord{{UnitId: 1, Provider: provider, Window: 3, Height: 39, Time: at, LatencyMs: 20,
		DownloadKbps: 9000, UploadKbps: 4000, UptimeBps: 9990, ErrorRateBps: 5, Reporters: 3, ReportingPower: 30}}
	gs.UnitBuckets = []types.UnitBucket{{UnitId: 1, Bucket: types.SummaryBucket{Start: 1, Records: 1, LatencyMsSum: 20}}}
	gs.ProviderBuckets = []types.ProviderBucket{{Provider: provider, Bucket: types.SummaryBucket{Start: 1, Records: 1}}}
	gs.ReporterStats = []types.ReporterStats{{Validator: sdk.ValAddress([]byte("validator-address-20")).String(), WindowsReported: 3, LastHeight: 39}}
	gs.SelfReports = []types.SelfReport{{Id: 1, DealId: 1, UnitId: 1, Reporter: reporter, Role: "consumer",
		Operation: types.OPERATION_TYPE_READ, LatencyMs: 20, Success: true, Time: at}}
	return gs
}

func FuzzGenesisValidate(f *testing.F) {
	fuzzutil.GenesisValidate(f, app.MakeEncodingConfig().Codec, types.DefaultGenesis(), richGenesis())
}
