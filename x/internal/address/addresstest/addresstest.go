// Package addresstest checks that messages refuse account addresses that
// are not in canonical form.
package addresstest

import (
	"reflect"
	"strings"
	"testing"
	"unicode"

	cosmos_proto "github.com/cosmos/cosmos-proto"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// Msg is a message with stateless checks.
type Msg interface {
	proto.Message
	sdk.HasValidateBasic
}

// AddressFields names the fields of msg declared as account addresses
// (cosmos_proto.scalar = "cosmos.AddressString") that hold a value.
func AddressFields(t *testing.T, msg proto.Message) []string {
	t.Helper()
	desc, err := proto.HybridResolver.FindDescriptorByName(protoreflect.FullName(proto.MessageName(msg)))
	require.NoError(t, err)
	fields := desc.(protoreflect.MessageDescriptor).Fields()
	var names []string
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.StringKind || fd.IsList() {
			continue
		}
		if scalar, _ := protov2.GetExtension(fd.Options(), cosmos_proto.E_Scalar).(string); scalar == "cosmos.AddressString" {
			if field(msg, string(fd.Name())).String() != "" {
				names = append(names, string(fd.Name()))
			}
		}
	}
	return names
}

// RequireCanonicalOnly checks that valid passes ValidateBasic and that,
// for each of its address fields, the all-upper-case form (which bech32
// decodes to the same account) and a mixed-case form fail it with
// ErrInvalidAddress. It returns how many fields it checked.
func RequireCanonicalOnly(t *testing.T, valid Msg) int {
	t.Helper()
	require.NoError(t, valid.ValidateBasic(), "the fixture must be valid")
	names := AddressFields(t, valid)
	for _, name := range names {
		for variant, edit := range map[string]func(string) string{"upper case": strings.ToUpper, "mixed case": mixedCase} {
			msg := clone(t, valid)
			f := field(msg, name)
			original := f.String()
			f.SetString(edit(original))
			require.NotEqual(t, original, f.String())
			err := msg.ValidateBasic()
			require.ErrorIs(t, err, sdkerrors.ErrInvalidAddress, "%s with %s %s %q", proto.MessageName(msg), name, variant, f.String())
		}
	}
	return len(names)
}

// clone copies msg through its encoding (gogoproto's Clone does not handle
// custom types such as math.Int).
func clone(t *testing.T, msg Msg) Msg {
	t.Helper()
	bz, err := proto.Marshal(msg)
	require.NoError(t, err)
	out := reflect.New(reflect.TypeOf(msg).Elem()).Interface().(Msg)
	require.NoError(t, proto.Unmarshal(bz, out))
	return out
}

// mixedCase upper-cases the first letter of the address's data part.
func mixedCase(addr string) string {
	sep := strings.LastIndexByte(addr, '1')
	runes := []rune(addr)
	for i := sep + 1; i < len(runes); i++ {
		if unicode.IsLower(runes[i]) {
			runes[i] = unicode.ToUpper(runes[i])
			break
		}
	}
	return string(runes)
}

// field is the Go struct field of msg for the proto field `name`.
func field(msg proto.Message, name string) reflect.Value {
	v := reflect.ValueOf(msg).Elem()
	for i := 0; i < v.NumField(); i++ {
		tag := v.Type().Field(i).Tag.Get("protobuf")
		for _, part := range strings.Split(tag, ",") {
			if part == "name="+name {
				return v.Field(i)
			}
		}
	}
	panic("no field " + name + " in " + proto.MessageName(msg))
}
