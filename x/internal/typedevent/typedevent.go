// Package typedevent emits typed proto events exactly as the Cosmos SDK does
// (sdk.EventManager.EmitTypedEvent), at a fraction of its cost.
//
// Decision: every module emits through Emit, which writes, from a plan
// compiled once per event type, the attributes jsonpb would write (OrigName,
// EmitDefaults). Why: the SDK's path re-reads every field's struct tags and
// round-trips the JSON through a map on every call, a cost every
// orchestrator transaction pays (BenchmarkToEvent; docs/PERFORMANCE.md). The
// output is byte for byte the SDK's — the tests compare the two on every
// event type of the three modules — so clients keep decoding events with
// sdk.ParseTypedEvent.
//
// A field kind the plan does not know (maps, oneofs, floats, Any, types with
// their own JSON marshalling) makes the whole type go through
// sdk.TypedEventToEvent, as does a value the plan will not write itself (an
// unknown enum value, a time outside the years 1–9999, a string that needs
// JSON escaping): the fast path is only ever taken where it is exact.
package typedevent

import (
	"context"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Emit converts ev like sdk.TypedEventToEvent and emits it on ctx's event
// manager, as sdk.EventManager.EmitTypedEvent does.
func Emit(ctx context.Context, ev proto.Message) error {
	event, err := ToEvent(ev)
	if err != nil {
		return err
	}
	sdk.UnwrapSDKContext(ctx).EventManager().EmitEvent(event)
	return nil
}

// ToEvent returns what sdk.TypedEventToEvent returns for ev.
func ToEvent(ev proto.Message) (sdk.Event, error) {
	if event, ok := fast(ev); ok {
		return event, nil
	}
	return sdk.TypedEventToEvent(ev)
}

// fast converts ev through its type's plan, or reports false when the type
// or one of the values is not one it writes exactly as jsonpb does.
func fast(ev proto.Message) (sdk.Event, bool) {
	p := planOf(ev)
	if p == nil {
		return sdk.Event{}, false
	}
	v := reflect.ValueOf(ev)
	if v.IsNil() {
		return sdk.Event{}, false
	}
	v = v.Elem()
	attrs := make([]abci.EventAttribute, len(p.fields))
	buf := make([]byte, 0, 256)
	for i, f := range p.fields {
		start := len(buf)
		var ok bool
		if buf, ok = f.enc(buf, v.Field(f.index)); !ok {
			return sdk.Event{}, false
		}
		attrs[i] = abci.EventAttribute{Key: f.name, Value: string(buf[start:])}
	}
	return sdk.Event{Type: p.eventType, Attributes: attrs}, true
}

// encoder appends the JSON of v to buf, or reports false when it cannot
// write this value exactly as jsonpb would.
type encoder func(buf []byte, v reflect.Value) ([]byte, bool)

type field struct {
	name  string // the proto field name, jsonpb's key with OrigName
	index int    // the Go struct field
	enc   encoder
}

type plan struct {
	eventType string
	fields    []field // in attribute order: sorted by name
}

// plans caches a *plan per event type; a nil *plan means "use the SDK".
var plans sync.Map

func planOf(ev proto.Message) *plan {
	t := reflect.TypeOf(ev)
	if cached, ok := plans.Load(t); ok {
		return cached.(*plan)
	}
	var p *plan
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && !customJSON(t) {
		if fields, ok := messageFields(t.Elem(), map[reflect.Type]bool{}); ok {
			slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
			p = &plan{eventType: proto.MessageName(ev), fields: fields}
		}
	}
	plans.Store(t, p)
	return p
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	wellKnown     = reflect.TypeFor[interface{ XXX_WellKnownType() string }]()
	messageType   = reflect.TypeFor[proto.Message]()
	timeType      = reflect.TypeFor[time.Time]()
	durType       = reflect.TypeFor[time.Duration]()
)

// customJSON reports a pointer-to-message type that jsonpb would not encode
// field by field: one with its own MarshalJSONPB, or a well-known type.
func customJSON(t reflect.Type) bool {
	_, hasJSONPB := t.MethodByName("MarshalJSONPB")
	return hasJSONPB || t.Implements(wellKnown)
}

// messageFields compiles the proto fields of struct type t in declaration
// order, jsonpb's order within an object. compiling holds the message types
// being compiled further up: a message that contains itself (directly or
// not) is left to the SDK rather than compiled forever.
func messageFields(t reflect.Type, compiling map[reflect.Type]bool) ([]field, bool) {
	if compiling[t] {
		return nil, false
	}
	compiling[t] = true
	defer delete(compiling, t)
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if strings.HasPrefix(sf.Name, "XXX_") {
			continue
		}
		if sf.Tag.Get("protobuf_oneof") != "" {
			return nil, false
		}
		tag := sf.Tag.Get("protobuf")
		if tag == "" {
			continue
		}
		name, isEnum := tagInfo(tag)
		if name == "" {
			return nil, false
		}
		enc, ok := encoderFor(sf.Type, isEnum, compiling)
		if !ok {
			return nil, false
		}
		fields = append(fields, field{name: name, index: i, enc: enc})
	}
	return fields, true
}

// tagInfo reads a protobuf struct tag's field name and whether it is an enum.
func tagInfo(tag string) (name string, isEnum bool) {
	for part := range strings.SplitSeq(tag, ",") {
		switch {
		case strings.HasPrefix(part, "name="):
			name = strings.TrimPrefix(part, "name=")
		case strings.HasPrefix(part, "enum="):
			isEnum = true
		}
	}
	return name, isEnum
}

// encoderFor follows jsonpb's marshalValue: pointers, repeated fields, times
// and durations, enums, types with MarshalJSON, nested messages, then
// scalars.
func encoderFor(t reflect.Type, isEnum bool, compiling map[reflect.Type]bool) (encoder, bool) {
	if t.Kind() == reflect.Pointer {
		elem, ok := encoderFor(t.Elem(), isEnum, compiling)
		if !ok {
			return nil, false
		}
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			if v.IsNil() {
				return append(buf, "null"...), true
			}
			return elem(buf, v.Elem())
		}, true
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		elem, ok := encoderFor(t.Elem(), isEnum, compiling)
		if !ok {
			return nil, false
		}
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			buf = append(buf, '[')
			for i := range v.Len() {
				if i > 0 {
					buf = append(buf, ',')
				}
				var ok bool
				if buf, ok = elem(buf, v.Index(i)); !ok {
					return buf, false
				}
			}
			return append(buf, ']'), true
		}, true
	}
	switch {
	case t == timeType:
		return appendTimestamp, true
	case t == durType:
		return appendDuration, true
	case isEnum:
		if t.Kind() != reflect.Int32 || t.Implements(jsonMarshaler) {
			return nil, false
		}
		return appendEnum, true
	case t.Kind() == reflect.Struct && t.Implements(jsonMarshaler):
		// Custom types (math.Int, LegacyDec): jsonpb writes their MarshalJSON.
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			data, err := v.Interface().(json.Marshaler).MarshalJSON()
			if err != nil {
				return buf, false
			}
			return append(buf, data...), true
		}, true
	case t.Kind() == reflect.Struct:
		pt := reflect.PointerTo(t)
		if !pt.Implements(messageType) || customJSON(pt) {
			return nil, false
		}
		fields, ok := messageFields(t, compiling)
		if !ok {
			return nil, false
		}
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			buf = append(buf, '{')
			for i, f := range fields {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, '"')
				buf = append(buf, f.name...)
				buf = append(buf, `":`...)
				var ok bool
				if buf, ok = f.enc(buf, v.Field(f.index)); !ok {
					return buf, false
				}
			}
			return append(buf, '}'), true
		}, true
	}
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) {
		// A scalar with its own JSON or text form (an address cast from
		// bytes, say): encoding/json, which jsonpb calls, would use it.
		return nil, false
	}
	switch t.Kind() {
	case reflect.String:
		return appendString, true
	case reflect.Bool:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendBool(buf, v.Bool()), true }, true
	case reflect.Int32:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendInt(buf, v.Int(), 10), true }, true
	case reflect.Uint32:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendUint(buf, v.Uint(), 10), true }, true
	case reflect.Int64: // 64-bit integers are quoted in proto JSON
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			buf = append(buf, '"')
			return append(strconv.AppendInt(buf, v.Int(), 10), '"'), true
		}, true
	case reflect.Uint64:
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			buf = append(buf, '"')
			return append(strconv.AppendUint(buf, v.Uint(), 10), '"'), true
		}, true
	case reflect.Slice: // bytes: base64, as encoding/json writes them
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			data, err := json.Marshal(v.Bytes())
			if err != nil {
				return buf, false
			}
			return append(buf, data...), true
		}, true
	}
	return nil, false // floats, maps, interfaces (Any): the SDK's path
}

// appendString quotes a string that needs no JSON escaping. encoding/json
// (which jsonpb calls) escapes quotes, backslashes, control characters,
// <, > and & and rewrites invalid UTF-8; such strings take the SDK's path.
func appendString(buf []byte, v reflect.Value) ([]byte, bool) {
	s := v.String()
	for i := range len(s) {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return buf, false
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"'), true
}

// appendEnum writes a known enum value's name in quotes; jsonpb writes an
// unknown one as a bare number, which this leaves to the SDK's path.
func appendEnum(buf []byte, v reflect.Value) ([]byte, bool) {
	s, ok := v.Interface().(interface{ String() string })
	if !ok {
		return buf, false
	}
	name := s.String()
	if name == strconv.FormatInt(v.Int(), 10) {
		return buf, false
	}
	return appendString(buf, reflect.ValueOf(name))
}

// The range of google.protobuf.Timestamp: 0001-01-01 to 9999-12-31.
const (
	minTimestamp = -62135596800
	maxTimestamp = 253402300800 // exclusive
)

// appendTimestamp writes RFC 3339 in UTC with 0, 3, 6 or 9 fractional
// digits, as jsonpb does.
func appendTimestamp(buf []byte, v reflect.Value) ([]byte, bool) {
	t := v.Interface().(time.Time)
	if s := t.Unix(); s < minTimestamp || s >= maxTimestamp {
		return buf, false
	}
	buf = append(buf, '"')
	buf = trimFraction(t.UTC().AppendFormat(buf, "2006-01-02T15:04:05.000000000"))
	return append(buf, `Z"`...), true
}

// appendDuration writes seconds with 0, 3, 6 or 9 fractional digits and an
// "s", as jsonpb does (a time.Duration is always within its range).
func appendDuration(buf []byte, v reflect.Value) ([]byte, bool) {
	d := time.Duration(v.Int())
	s, ns := int64(d/time.Second), int64(d%time.Second)
	buf = append(buf, '"')
	if ns < 0 {
		ns = -ns
		if s == 0 {
			buf = append(buf, '-')
		}
	}
	buf = strconv.AppendInt(buf, s, 10)
	buf = append(buf, '.')
	frac := strconv.FormatInt(ns, 10)
	for range 9 - len(frac) {
		buf = append(buf, '0')
	}
	buf = trimFraction(append(buf, frac...))
	return append(buf, `s"`...), true
}

// trimFraction drops trailing groups of three zeros of a 9-digit fraction,
// and the point when nothing is left.
func trimFraction(buf []byte) []byte {
	for range 2 {
		if n := len(buf); n >= 3 && string(buf[n-3:]) == "000" {
			buf = buf[:n-3]
		}
	}
	if n := len(buf); n >= 4 && string(buf[n-4:]) == ".000" {
		buf = buf[:n-4]
	}
	return buf
}
