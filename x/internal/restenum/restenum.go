// Package restenum lets the REST gateway take enum query parameters by name.
//
// The SDK's REST router is grpc-gateway v1, whose query-parameter parser
// (runtime.PopulateQueryParameters) looks enum names up with golang/protobuf's
// proto.EnumValueMap. That registry only knows enums registered with
// golang/protobuf; gogoproto registers ours in its own registry, so the
// gateway fell back to strconv and answered 400 to the names the OpenAPI spec
// advertises (`?state=DEAL_STATE_ACTIVE`). Registering the names here keeps
// the generated .pb.gw.go files untouched and the SDK's ServeMux as it is.
package restenum

import (
	"sync"

	gogoproto "github.com/cosmos/gogoproto/proto"
	golangproto "github.com/golang/protobuf/proto" //nolint:staticcheck // the registry grpc-gateway v1 reads
	"google.golang.org/protobuf/reflect/protoreflect"
)

var mu sync.Mutex

// RegisterPackage registers, for the gateway's query parser, every enum
// declared in the proto package pkg (e.g. "flashback.orchestrator.v1") and
// its sub-messages. Numbers keep working. It is idempotent, so every node of
// an in-process test network may call it.
func RegisterPackage(pkg string) {
	mu.Lock()
	defer mu.Unlock()
	gogoproto.HybridResolver.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if string(fd.Package()) == pkg {
			walkEnums(fd, register)
		}
		return true
	})
}

func register(ed protoreflect.EnumDescriptor) {
	name := string(ed.FullName())
	if golangproto.EnumValueMap(name) != nil {
		return // already registered (by an earlier call, or by golang/protobuf itself)
	}
	values := make(map[string]int32, ed.Values().Len())
	for i := 0; i < ed.Values().Len(); i++ {
		v := ed.Values().Get(i)
		values[string(v.Name())] = int32(v.Number())
	}
	golangproto.RegisterEnum(name, nil, values)
}

type enumContainer interface {
	Enums() protoreflect.EnumDescriptors
	Messages() protoreflect.MessageDescriptors
}

func walkEnums(d enumContainer, f func(protoreflect.EnumDescriptor)) {
	for i := 0; i < d.Enums().Len(); i++ {
		f(d.Enums().Get(i))
	}
	for i := 0; i < d.Messages().Len(); i++ {
		walkEnums(d.Messages().Get(i), f)
	}
}
