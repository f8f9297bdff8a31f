// Package fuzzutil holds the fuzz properties the three Flashback modules
// share for what arrives from outside: messages (ValidateBasic) and genesis
// states (Validate), in protobuf and in JSON.
package fuzzutil

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
)

// Msg is a module message.
type Msg interface {
	proto.Message
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
	ValidateBasic() error
}

// Genesis is a module genesis state.
type Genesis interface {
	proto.Message
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
	Validate() error
}

func fresh[T proto.Message](v T) T {
	return reflect.New(reflect.TypeOf(v).Elem()).Interface().(T)
}

// registered fails t unless err carries a registered error code: bad input
// must come back as an error clients can match, never as an internal one.
func registered(t *testing.T, err error) {
	t.Helper()
	codespace, code, _ := errorsmod.ABCIInfo(err, false)
	require.NotEqual(t, errorsmod.UndefinedCodespace, codespace, "unregistered error: %v", err)
	require.NotZero(t, code, "error with code 0: %v", err)
}

// ValidateBasic fuzzes every message type of fixtures: arbitrary bytes
// decoded as the message picked by the first argument (JSON when asked)
// must never make ValidateBasic panic; a refusal is a registered error; a
// message it accepts is accepted again after a round trip through the
// encoding (what a node relays or stores is what was checked). The
// fixtures — one valid message per type — seed the corpus.
func ValidateBasic(f *testing.F, cdc codec.Codec, fixtures []Msg) {
	for i, m := range fixtures {
		require.NoError(f, m.ValidateBasic(), "fixture %T must be valid", m)
		bz, err := m.Marshal()
		require.NoError(f, err)
		f.Add(uint8(i), false, bz)
		js, err := cdc.MarshalJSON(m)
		require.NoError(f, err)
		f.Add(uint8(i), true, js)
	}
	f.Add(uint8(0), false, []byte{0xff, 0x01})
	f.Fuzz(func(t *testing.T, sel uint8, asJSON bool, bz []byte) {
		msg := fresh(fixtures[int(sel)%len(fixtures)])
		if asJSON {
			if cdc.UnmarshalJSON(bz, msg) != nil {
				return
			}
		} else if msg.Unmarshal(bz) != nil {
			return
		}
		if err := msg.ValidateBasic(); err != nil {
			registered(t, err)
			return
		}
		again, err := msg.Marshal()
		require.NoError(t, err)
		clone := fresh(msg)
		require.NoError(t, clone.Unmarshal(again))
		require.NoError(t, clone.ValidateBasic(), "%T valid before its round trip and not after", msg)
	})
}

// GenesisValidate fuzzes a module's genesis: arbitrary bytes, as protobuf
// or as the JSON of genesis.json, must never make Validate panic; a
// refusal is a registered error; an accepted genesis stays accepted after a
// round trip through the JSON a node writes on export.
func GenesisValidate[G Genesis](f *testing.F, cdc codec.Codec, seeds ...G) {
	for _, g := range seeds {
		require.NoError(f, g.Validate(), "seed genesis must be valid")
		bz, err := g.Marshal()
		require.NoError(f, err)
		f.Add(false, bz)
		js, err := cdc.MarshalJSON(g)
		require.NoError(f, err)
		f.Add(true, js)
	}
	f.Add(true, []byte(`{"params":{}}`))
	f.Fuzz(func(t *testing.T, asJSON bool, bz []byte) {
		g := fresh(seeds[0])
		if asJSON {
			if cdc.UnmarshalJSON(bz, g) != nil {
				return
			}
		} else if g.Unmarshal(bz) != nil {
			return
		}
		if err := g.Validate(); err != nil {
			registered(t, err)
			return
		}
		js, err := cdc.MarshalJSON(g)
		require.NoError(t, err)
		clone := fresh(g)
		require.NoError(t, cdc.UnmarshalJSON(js, clone))
		require.NoError(t, clone.Validate(), "genesis valid before its JSON round trip and not after")
	})
}

// RequireFixtures fails t for every method of a module's Msg service that
// has no fixture, so that a new message cannot join the module unfuzzed.
// exempt names the methods whose message is checked elsewhere (method
// name → why), e.g. a message no client ever signs.
func RequireFixtures(t *testing.T, service grpc.ServiceDesc, fixtures []Msg, exempt map[string]string) {
	t.Helper()
	have := map[string]bool{}
	for _, m := range fixtures {
		have[sdk.MsgTypeURL(m)] = true
	}
	prefix := "/" + strings.TrimSuffix(service.ServiceName, ".Msg") + ".Msg"
	for _, method := range service.Methods {
		if _, ok := exempt[method.MethodName]; ok {
			continue
		}
		if !have[prefix+method.MethodName] {
			t.Errorf("no fuzz fixture for Msg%s: add a valid one to the module's fuzz_test.go", method.MethodName)
		}
	}
	require.NotEmpty(t, service.Methods)
}
