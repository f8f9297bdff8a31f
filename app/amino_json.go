package app

import (
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"cosmossdk.io/api/amino"
	txsigning "cosmossdk.io/x/tx/signing"
	"cosmossdk.io/x/tx/signing/aminojson"
)

// Amino JSON field encodings of flashbackd's messages, named by the
// (amino.encoding) option of a field. The SDK's encoder writes enums as
// numbers and durations as nanoseconds, which is what a Ledger shows the
// signer; x/tx lets an app define named field encodings instead, applied
// only to the fields that ask for them, so the SDK's own messages (and what
// other wallets sign for them) are untouched. The node's signature check and
// every client (the CLI here, ts/ for CosmJS) must use the same encodings:
// they define the bytes a signature covers.
const (
	// AminoDurationEncoding writes a google.protobuf.Duration as Go's
	// time.Duration string, e.g. "720h0m0s".
	AminoDurationEncoding = "flashback/duration"
	// AminoEnumEncodingPrefix, followed by an enum's full name, writes the
	// value's name, e.g. "API_COMPATIBILITY_S3" (a number the enum does not
	// declare stays a number).
	AminoEnumEncodingPrefix = "flashback/enum:"
)

// NewAminoJSONSignModeHandler returns SIGN_MODE_LEGACY_AMINO_JSON with
// flashbackd's field encodings (see above). files resolves the descriptors of
// the messages signed (the interface registry).
func NewAminoJSONSignModeHandler(files txsigning.ProtoFileResolver) (*aminojson.SignModeHandler, error) {
	enc, err := NewAminoJSONEncoder(files)
	if err != nil {
		return nil, err
	}
	return aminojson.NewSignModeHandler(aminojson.SignModeHandlerOptions{FileResolver: files, Encoder: &enc}), nil
}

// NewAminoJSONEncoder returns x/tx's amino JSON encoder with flashbackd's
// field encodings: the duration one, and one per enum named by a
// flashback/enum: option anywhere in files.
func NewAminoJSONEncoder(files txsigning.ProtoFileResolver) (aminojson.Encoder, error) {
	enc := aminojson.NewEncoder(aminojson.EncoderOptions{FileResolver: files})
	enc = enc.DefineFieldEncoding(AminoDurationEncoding, encodeDuration)
	var err error
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "flashback.") {
			return true
		}
		err = forEachField(fd.Messages(), func(f protoreflect.FieldDescriptor) error {
			name, ok := AminoFieldEncoding(f)
			if !ok || !strings.HasPrefix(name, AminoEnumEncodingPrefix) {
				return nil
			}
			if f.Kind() != protoreflect.EnumKind || string(f.Enum().FullName()) != strings.TrimPrefix(name, AminoEnumEncodingPrefix) {
				return fmt.Errorf("%s: amino encoding %q does not name the field's enum", f.FullName(), name)
			}
			enc = enc.DefineFieldEncoding(name, enumNameEncoder(f.Enum()))
			return nil
		})
		return err == nil
	})
	return enc, err
}

// AminoFieldEncoding returns a field's (amino.encoding) option.
func AminoFieldEncoding(f protoreflect.FieldDescriptor) (string, bool) {
	if !proto.HasExtension(f.Options(), amino.E_Encoding) {
		return "", false
	}
	return proto.GetExtension(f.Options(), amino.E_Encoding).(string), true
}

func forEachField(msgs protoreflect.MessageDescriptors, f func(protoreflect.FieldDescriptor) error) error {
	for i := 0; i < msgs.Len(); i++ {
		m := msgs.Get(i)
		for j := 0; j < m.Fields().Len(); j++ {
			if err := f(m.Fields().Get(j)); err != nil {
				return err
			}
		}
		if err := forEachField(m.Messages(), f); err != nil {
			return err
		}
	}
	return nil
}

// encodeDuration writes a Duration as time.Duration's String. A duration
// beyond time.Duration's ±292 years is refused rather than wrapped: no
// flashbackd message accepts one.
func encodeDuration(_ *aminojson.Encoder, v protoreflect.Value, w io.Writer) error {
	msg := v.Message()
	fields := msg.Descriptor().Fields()
	secs := msg.Get(fields.ByName("seconds")).Int()
	nanos := msg.Get(fields.ByName("nanos")).Int()
	const maxSecs = int64(1<<63-1) / int64(time.Second)
	if secs > maxSecs || secs < -maxSecs {
		return fmt.Errorf("duration of %d s is out of range", secs)
	}
	d := time.Duration(secs)*time.Second + time.Duration(nanos)
	_, err := fmt.Fprintf(w, "%q", d.String())
	return err
}

func enumNameEncoder(ed protoreflect.EnumDescriptor) aminojson.FieldEncoder {
	return func(_ *aminojson.Encoder, v protoreflect.Value, w io.Writer) error {
		if ev := ed.Values().ByNumber(v.Enum()); ev != nil {
			_, err := fmt.Fprintf(w, "%q", ev.Name())
			return err
		}
		_, err := fmt.Fprintf(w, "%d", v.Enum())
		return err
	}
}
