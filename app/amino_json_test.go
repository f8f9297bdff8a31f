package app_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	dbm "github.com/cosmos/cosmos-db"
	"google.golang.org/protobuf/types/dynamicpb"

	"cosmossdk.io/api/amino"
	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"
	"cosmossdk.io/x/tx/signing/aminojson"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/flashbacknetwork/flashbackd/app"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// flashbackMsgs returns the descriptors of every flashbackd message that a
// user or governance signs (those with a cosmos.msg.v1.signer).
func flashbackMsgs(t *testing.T, a *app.App) []protoreflect.MessageDescriptor {
	t.Helper()
	var out []protoreflect.MessageDescriptor
	for _, url := range a.InterfaceRegistry().ListImplementations(sdk.MsgInterfaceProtoName) {
		name := strings.TrimPrefix(url, "/")
		if !strings.HasPrefix(name, "flashback.") {
			continue
		}
		d, err := a.InterfaceRegistry().FindDescriptorByName(protoreflect.FullName(name))
		require.NoError(t, err)
		out = append(out, d.(protoreflect.MessageDescriptor))
	}
	require.Greater(t, len(out), 25)
	return out
}

// TestAminoNamesAgree: every message's amino.name option (what x/tx signs)
// is the name RegisterLegacyAminoCodec gives it, is prefixed with the
// chain's name, and fits Ledger's 39 characters.
func TestAminoNamesAgree(t *testing.T) {
	a := newTestApp(t)
	for _, md := range flashbackMsgs(t, a) {
		if md.FullName() == "flashback.oracle.v1.MsgInjectVoteExtensions" {
			continue // injected by proposers, never signed
		}
		require.True(t, proto.HasExtension(md.Options(), amino.E_Name), "%s has no amino.name", md.FullName())
		protoName := proto.GetExtension(md.Options(), amino.E_Name).(string)
		require.True(t, strings.HasPrefix(protoName, "flashback/"), protoName)
		require.LessOrEqual(t, len(protoName), 39, "Ledger (and legacy.RegisterAminoMsg) take at most 39 characters: %s", protoName)

		typ := gogoproto.MessageType(string(md.FullName()))
		require.NotNil(t, typ, md.FullName())
		bz, err := a.LegacyAmino().MarshalJSON(reflect.New(typ.Elem()).Interface())
		require.NoError(t, err, md.FullName())
		var typed struct {
			Type string `json:"type"`
		}
		require.NoError(t, json.Unmarshal(bz, &typed))
		require.Equal(t, protoName, typed.Type, "%s: RegisterLegacyAminoCodec and the proto's amino.name differ", md.FullName())
	}
}

// TestAminoEncodingsCoverMessages: every duration and enum field a signer
// sees (in a message or in what it carries) is rendered readably.
func TestAminoEncodingsCoverMessages(t *testing.T) {
	a := newTestApp(t)
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] || !strings.HasPrefix(string(md.FullName()), "flashback.") {
			return
		}
		seen[md.FullName()] = true
		for i := 0; i < md.Fields().Len(); i++ {
			f := md.Fields().Get(i)
			enc, _ := app.AminoFieldEncoding(f)
			switch {
			case f.Kind() == protoreflect.EnumKind:
				require.Equal(t, app.AminoEnumEncodingPrefix+string(f.Enum().FullName()), enc, f.FullName())
			case f.Kind() == protoreflect.MessageKind && f.Message().FullName() == "google.protobuf.Duration":
				require.Equal(t, app.AminoDurationEncoding, enc, f.FullName())
			case f.Kind() == protoreflect.MessageKind:
				walk(f.Message())
			}
		}
	}
	for _, md := range flashbackMsgs(t, a) {
		if md.FullName() != "flashback.oracle.v1.MsgInjectVoteExtensions" {
			walk(md)
		}
	}
}

// TestAminoJSONIsReadable signs a MsgCreateDataUnit and a MsgRequestDeal
// in amino JSON and checks what a Ledger shows: names, not numbers; a Go
// duration, not nanoseconds.
func TestAminoJSONIsReadable(t *testing.T) {
	a := newTestApp(t)
	enc, err := app.NewAminoJSONEncoder(a.InterfaceRegistry())
	require.NoError(t, err)
	owner := sdk.AccAddress(make([]byte, 20)).String()
	sla := orchestratortypes.Sla{MaxLatencyMs: 100, MinUploadKbps: 1, MinDownloadKbps: 1, MinUptimeBps: 9900, MaxErrorRateBps: 10}

	create := &orchestratortypes.MsgCreateDataUnit{
		Provider: owner, CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20000), Region: "eu-west", Country: "FR",
		Api: orchestratortypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.example/u1", Sla: sla,
	}
	got := string(mustAminoJSON(t, a, enc, create))
	require.Contains(t, got, `"type":"flashback/MsgCreateDataUnit"`)
	require.Contains(t, got, `"api":"API_COMPATIBILITY_S3"`)

	deal := &orchestratortypes.MsgRequestDeal{
		Consumer: owner, UnitId: 1, CapacityGb: 100, Term: 720 * time.Hour, Sla: sla, Deposit: sdk.NewInt64Coin(app.BondDenom, 2_000_000),
	}
	got = string(mustAminoJSON(t, a, enc, deal))
	require.Contains(t, got, `"term":"720h0m0s"`)
}

func newTestApp(t *testing.T) *app.App {
	t.Helper()
	return app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
}

// mustAminoJSON renders msg as the node reads it for an amino signature:
// decoded from its protobuf bytes into a dynamic message.
func mustAminoJSON(t *testing.T, a *app.App, enc aminojson.Encoder, msg gogoproto.Message) []byte {
	t.Helper()
	bz, err := gogoproto.Marshal(msg)
	require.NoError(t, err)
	d, err := a.InterfaceRegistry().FindDescriptorByName(protoreflect.FullName(gogoproto.MessageName(msg)))
	require.NoError(t, err)
	dyn := dynamicpb.NewMessage(d.(protoreflect.MessageDescriptor))
	require.NoError(t, proto.Unmarshal(bz, dyn))
	out, err := enc.Marshal(dyn)
	require.NoError(t, err)
	return out
}

// TestQoSOutputShowsZeroes: the CLI prints query results as amino JSON,
// which leaves out zero fields; a unit measured down (uptime 0) must show
// its zeroes, not a record without them.
func TestQoSOutputShowsZeroes(t *testing.T) {
	a := newTestApp(t)
	enc := aminojson.NewEncoder(aminojson.EncoderOptions{FileResolver: a.InterfaceRegistry()})
	out := string(mustAminoJSON(t, a, enc, &oracletypes.QoSRecord{UnitId: 1, Window: 3, ErrorRateBps: 10_000}))
	for _, f := range []string{`"latency_ms":0`, `"uptime_bps":0`, `"download_kbps":"0"`, `"upload_kbps":"0"`, `"error_rate_bps":10000`} {
		require.Contains(t, out, f)
	}
	out = string(mustAminoJSON(t, a, enc, &oracletypes.QoSSummary{}))
	require.Contains(t, out, `"uptime_bps":0`)
}
