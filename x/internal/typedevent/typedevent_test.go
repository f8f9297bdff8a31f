package typedevent

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/jsonpb"
	"github.com/cosmos/gogoproto/proto"
	gogotypes "github.com/cosmos/gogoproto/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	_ "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	_ "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// flashbackEvents returns a new value of every event message of
// flashbackd's modules (messages named Event* in a flashback.* package).
func flashbackEvents(t *testing.T) []proto.Message {
	t.Helper()
	var events []proto.Message
	proto.HybridResolver.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "flashback.") {
			return true
		}
		msgs := fd.Messages()
		for i := range msgs.Len() {
			md := msgs.Get(i)
			if !strings.HasPrefix(string(md.Name()), "Event") {
				continue
			}
			typ := proto.MessageType(string(md.FullName()))
			require.NotNil(t, typ, "no Go type registered for %s", md.FullName())
			events = append(events, reflect.New(typ.Elem()).Interface().(proto.Message))
		}
		return true
	})
	require.Greater(t, len(events), 40, "the modules' events were not found")
	return events
}

// Every event of the modules has a plan, and for ordinary values (ASCII
// strings, known enums, times in range) the plan alone writes it, exactly
// as sdk.TypedEventToEvent does.
func TestFastPathMatchesTheSDK(t *testing.T) {
	for _, ev := range flashbackEvents(t) {
		name := proto.MessageName(ev)
		require.NotNil(t, planOf(ev), "%s: a field kind the fast path does not know", name)
		for seed := range 6 {
			fill(reflect.ValueOf(ev).Elem(), seed, false)
			want, err := sdk.TypedEventToEvent(ev)
			require.NoError(t, err, name)
			got, ok := fast(ev)
			require.True(t, ok, "%s (seed %d) left the fast path", name, seed)
			require.Equal(t, want, got, "%s (seed %d)", name, seed)
		}
	}
}

// Values the plan does not write itself (strings that need escaping,
// unknown enum values, times out of range) still give the SDK's output, or
// its error.
func TestAwkwardValuesGiveTheSDKsOutput(t *testing.T) {
	handedOver := 0
	for _, ev := range flashbackEvents(t) {
		name := proto.MessageName(ev)
		for seed := range 6 {
			fill(reflect.ValueOf(ev).Elem(), seed, true)
			if _, ok := fast(ev); !ok {
				handedOver++
			}
			want, wantErr := sdk.TypedEventToEvent(ev)
			got, err := ToEvent(ev)
			if wantErr != nil {
				require.Error(t, err, name)
				continue
			}
			require.NoError(t, err, name)
			require.Equal(t, want, got, "%s (seed %d)", name, seed)
		}
	}
	require.Positive(t, handedOver, "no awkward value reached the SDK's path")
}

// recursiveEvent contains itself, as a tree or a list would.
type recursiveEvent struct {
	Name string          `protobuf:"bytes,1,opt,name=name,proto3"`
	Next *recursiveEvent `protobuf:"bytes,2,opt,name=next,proto3"`
}

func (*recursiveEvent) Reset()         {}
func (*recursiveEvent) String() string { return "recursiveEvent" }
func (*recursiveEvent) ProtoMessage()  {}

// A message type that contains itself gets no plan (the SDK encodes it)
// instead of a compilation that never ends.
func TestRecursiveMessageHasNoPlan(t *testing.T) {
	require.Nil(t, planOf(&recursiveEvent{Name: "a"}))
	_, ok := fast(&recursiveEvent{Name: "a"})
	require.False(t, ok)
}

// Times and durations at every precision jsonpb distinguishes (0, 3, 6 or
// 9 fractional digits), signs and extremes, against jsonpb itself.
func TestTimesAndDurations(t *testing.T) {
	m := &jsonpb.Marshaler{}
	base := time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{
		base, base.Add(1), base.Add(1000), base.Add(120_000), base.Add(999_999_999), base.Add(500 * time.Millisecond),
		base.Add(123_456_789), {}, time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		base.In(time.FixedZone("UTC+3", 3*3600)),
	} {
		ts, err := gogotypes.TimestampProto(at)
		require.NoError(t, err)
		want, err := m.MarshalToString(ts)
		require.NoError(t, err)
		got, ok := appendTimestamp(nil, reflect.ValueOf(at))
		require.True(t, ok, at)
		require.Equal(t, want, string(got), at)
	}
	for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}.Add(-time.Second)} {
		_, ok := appendTimestamp(nil, reflect.ValueOf(at))
		require.False(t, ok, "%s is out of a Timestamp's range: the SDK's path reports it", at)
	}
	for _, d := range []time.Duration{0, 1, -1, time.Millisecond, -1500 * time.Millisecond, -500 * time.Millisecond,
		30 * 24 * time.Hour, math.MaxInt64, math.MinInt64, 1000 * time.Second, 1_000_001 * time.Microsecond} {
		want, err := m.MarshalToString(gogotypes.DurationProto(d))
		require.NoError(t, err)
		got, ok := appendDuration(nil, reflect.ValueOf(d))
		require.True(t, ok)
		require.Equal(t, want, string(got), d)
	}
}

// fill sets every field of the message v from seed: seed 0 gives zero
// values (nil pointers and slices, nil math.Int), others ordinary values
// that differ by seed. awkward uses values the fast path hands to the SDK:
// strings that need escaping, unknown enum values, negative durations.
func fill(v reflect.Value, seed int, awkward bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if strings.HasPrefix(sf.Name, "XXX_") || sf.Tag.Get("protobuf") == "" {
			continue
		}
		_, isEnum := tagInfo(sf.Tag.Get("protobuf"))
		fillValue(v.Field(i), seed, awkward, isEnum)
	}
}

func fillValue(v reflect.Value, seed int, awkward, isEnum bool) {
	t := v.Type()
	switch {
	case t == reflect.TypeFor[time.Time]():
		at := time.Unix(1_790_000_000+int64(seed)*86_399, int64(seed)*123_456_700%1e9).UTC()
		if seed == 0 {
			at = time.Time{}
		}
		v.Set(reflect.ValueOf(at))
		return
	case t == reflect.TypeFor[time.Duration]():
		d := time.Duration(seed) * 1_500_000 * time.Microsecond
		if awkward {
			d = -d
		}
		v.SetInt(int64(d))
		return
	case t == reflect.TypeFor[sdkmath.Int]():
		if seed > 0 {
			v.Set(reflect.ValueOf(sdkmath.NewIntWithDecimal(int64(seed)*7, 10*seed)))
		}
		return
	case t == reflect.TypeFor[sdkmath.LegacyDec]():
		if seed > 0 {
			v.Set(reflect.ValueOf(sdkmath.LegacyNewDecWithPrec(int64(seed)*12345, 3)))
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if seed == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(t.Elem()))
		fillValue(v.Elem(), seed, awkward, isEnum)
	case reflect.Slice:
		if seed == 0 {
			v.SetZero()
			return
		}
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(strings.Repeat("\x01\xff", seed)))
			return
		}
		v.Set(reflect.MakeSlice(t, seed%3+1, seed%3+1))
		for i := range v.Len() {
			fillValue(v.Index(i), seed+i, awkward, isEnum)
		}
	case reflect.Struct:
		fill(v, seed, awkward)
	case reflect.String:
		s := []string{"", "flash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", "us-east", "s3"}[seed%4]
		if awkward {
			s = `a "quoted" <tag> & café` + "\n\u2028"
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(seed%2 == 1)
	case reflect.Int32:
		switch {
		case isEnum && awkward:
			v.SetInt(99)
		case isEnum:
			v.SetInt(int64(seed % 2)) // 0 and 1 are names in every enum
		default:
			v.SetInt([]int64{0, math.MaxInt32, math.MinInt32, -7}[seed%4])
		}
	case reflect.Int64:
		v.SetInt([]int64{0, math.MaxInt64, math.MinInt64, -7}[seed%4])
	case reflect.Uint32:
		v.SetUint([]uint64{0, math.MaxUint32, 7}[seed%3])
	case reflect.Uint64:
		v.SetUint([]uint64{0, math.MaxUint64, 7, 1 << 53}[seed%4])
	}
}

// BenchmarkToEvent compares the fast path with sdk.TypedEventToEvent on a
// deal request's event (go test -bench only).
func BenchmarkToEvent(b *testing.B) {
	ev := &orchestratortypes.EventDealRequested{
		DealId: 12345, Consumer: "flash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", Provider: "flash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu",
		UnitId: 77, CapacityGb: 100, Term: 30 * 24 * time.Hour, ExpiresAt: time.Unix(1_790_000_000, 0).UTC(),
		Deposit: sdk.NewCoin("uflash", sdkmath.NewInt(123_456_789)),
	}
	for _, c := range []struct {
		name string
		f    func(proto.Message) (sdk.Event, error)
	}{{"sdk", sdk.TypedEventToEvent}, {"typedevent", ToEvent}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.f(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
