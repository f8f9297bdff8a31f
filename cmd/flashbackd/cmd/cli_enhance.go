package cmd

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/protobuf/reflect/protoreflect"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	"cosmossdk.io/client/v2/autocli"
)

// AutoCLI builds the modules' commands from their protos and autocli.go
// options; this file finishes what AutoCLI cannot express for flashbackd's
// own commands:
//   - enum flags and positional arguments take the proto names the REST API
//     and its OpenAPI spec use (DEAL_STATE_ACTIVE), numbers and AutoCLI's
//     short names (active) alike;
//   - a flag whose usage starts with "(required)" is required;
//   - the pagination flags get a description, Short stays above Long;
//   - a wrong number of arguments is answered with the arguments' names;
//   - an invalid positional argument is named as the usage line names it
//     ("unit-id"), not by AutoCLI's internal flag ("--0").
//
// Descriptions of the modules' own flags and arguments live in each
// module's autocli.go.

const requiredMarker = "(required)"

var paginationUsage = map[string]string{
	"page-key":         "pagination: next_key of the previous page (base64); use instead of --page-offset",
	"page-offset":      "pagination: number of entries to skip (where the list allows it)",
	"page-limit":       "pagination: number of entries per page (default 100)",
	"page-count-total": "pagination: also count all matching entries (pagination.total)",
	"page-reverse":     "pagination: list newest (highest key) first, where the list allows it",
}

// enhanceModuleCommands applies the above to every command of the modules
// whose services are in the flashback proto packages.
func enhanceModuleCommands(root *cobra.Command, opts autocli.AppOptions) error {
	for name, mod := range opts.ModuleOptions {
		if mod == nil {
			continue
		}
		for _, part := range []struct {
			parent string
			desc   *autocliv1.ServiceCommandDescriptor
		}{{"query", mod.Query}, {"tx", mod.Tx}} {
			if part.desc == nil || !strings.HasPrefix(part.desc.Service, "flashback.") {
				continue
			}
			parent := findCommand(root, part.parent, name)
			if parent == nil {
				return fmt.Errorf("no %s %s command", part.parent, name)
			}
			d, err := gogoproto.HybridResolver.FindDescriptorByName(protoreflect.FullName(part.desc.Service))
			if err != nil {
				return err
			}
			svc := d.(protoreflect.ServiceDescriptor)
			for _, rpc := range part.desc.RpcCommandOptions {
				if rpc.Skip {
					continue
				}
				cmd := findCommand(parent, strings.Fields(rpc.Use)[0])
				method := svc.Methods().ByName(protoreflect.Name(rpc.RpcMethod))
				if cmd == nil || method == nil {
					return fmt.Errorf("%s %s: no command or method for %s", part.parent, name, rpc.RpcMethod)
				}
				if err := enhanceCommand(cmd, rpc, method.Input()); err != nil {
					return fmt.Errorf("%s %s %s: %w", part.parent, name, cmd.Name(), err)
				}
			}
		}
	}
	return nil
}

func findCommand(root *cobra.Command, path ...string) *cobra.Command {
	cmd := root
	for _, name := range path {
		var next *cobra.Command
		for _, c := range cmd.Commands() {
			if c.Name() == name {
				next = c
			}
		}
		if next == nil {
			return nil
		}
		cmd = next
	}
	return cmd
}

var argNameRe = regexp.MustCompile(`\[([a-z0-9-]+)\]`)

func enhanceCommand(cmd *cobra.Command, rpc *autocliv1.RpcCommandOptions, input protoreflect.MessageDescriptor) error {
	argNames := make([]string, 0, len(rpc.PositionalArgs))
	for _, m := range argNameRe.FindAllStringSubmatch(rpc.Use, -1) {
		argNames = append(argNames, m[1])
	}
	enumArgs := map[int]protoreflect.EnumDescriptor{}
	positional := map[string]bool{}
	for i, arg := range rpc.PositionalArgs {
		positional[arg.ProtoField] = true
		if f := input.Fields().ByName(protoreflect.Name(arg.ProtoField)); f != nil && f.Kind() == protoreflect.EnumKind {
			ed, err := resolveEnum(f)
			if err != nil {
				return err
			}
			enumArgs[i] = ed
		}
	}

	for i := 0; i < input.Fields().Len(); i++ {
		f := input.Fields().Get(i)
		if positional[string(f.Name())] || f.Kind() != protoreflect.EnumKind {
			continue
		}
		flagName := kebab(string(f.Name()))
		if o, ok := rpc.FlagOptions[string(f.Name())]; ok && o.Name != "" {
			flagName = o.Name
		}
		fl := cmd.Flags().Lookup(flagName)
		if fl == nil {
			return fmt.Errorf("no --%s flag for enum field %s", flagName, f.Name())
		}
		ed, err := resolveEnum(f)
		if err != nil {
			return err
		}
		fl.Value = &enumFlag{Value: fl.Value, enum: ed}
		fl.Usage = strings.TrimSpace(fl.Usage + " " + enumChoices(ed))
	}

	var err error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if u, ok := paginationUsage[fl.Name]; ok && fl.Usage == "" {
			fl.Usage = u
		}
		if strings.HasPrefix(fl.Usage, requiredMarker) && err == nil {
			err = cmd.MarkFlagRequired(fl.Name)
		}
	})
	if err != nil {
		return err
	}

	// Cobra shows Long instead of Short: keep the summary on top.
	if cmd.Long != "" && !strings.HasPrefix(cmd.Long, cmd.Short) {
		cmd.Long = cmd.Short + "\n\n" + cmd.Long
	}
	if args := cmd.Args; args != nil && len(argNames) > 0 {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return fmt.Errorf("%s takes %s (got %d argument(s))", c.CommandPath(), strings.TrimPrefix(rpc.Use, c.Name()+" "), len(a))
			}
			return nil
		}
	}

	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		for i, ed := range enumArgs {
			if i < len(args) {
				if name, ok := enumCLIName(ed, args[i]); ok {
					args[i] = name
				}
			}
		}
		return nameArgErrors(run(cmd, args), argNames)
	}
	return nil
}

// positionalErrRe matches the errors of AutoCLI's positional-argument
// parsers, which run as flags named by the argument's index.
var positionalErrRe = regexp.MustCompile(`invalid argument "(.*)" for "--(\d+)" flag: `)

func nameArgErrors(err error, argNames []string) error {
	if err == nil {
		return nil
	}
	m := positionalErrRe.FindStringSubmatchIndex(err.Error())
	if m == nil {
		return err
	}
	msg := err.Error()
	value := msg[m[2]:m[3]]
	idx, _ := strconv.Atoi(msg[m[4]:m[5]])
	name := fmt.Sprintf("argument %d", idx+1)
	if idx < len(argNames) {
		name = argNames[idx]
	}
	return errors.New(msg[:m[0]] + fmt.Sprintf("invalid %s %q: ", name, value) + msg[m[1]:])
}

// resolveEnum returns the full descriptor of a field's enum: a service's
// descriptor may hold only a placeholder for an enum of an imported file.
func resolveEnum(f protoreflect.FieldDescriptor) (protoreflect.EnumDescriptor, error) {
	d, err := gogoproto.HybridResolver.FindDescriptorByName(f.Enum().FullName())
	if err != nil {
		return nil, err
	}
	ed, ok := d.(protoreflect.EnumDescriptor)
	if !ok || ed.Values().Len() == 0 {
		return nil, fmt.Errorf("enum %s of %s not found", f.Enum().FullName(), f.FullName())
	}
	return ed, nil
}

// enumFlag lets an AutoCLI enum flag take every name of a value.
type enumFlag struct {
	pflag.Value
	enum protoreflect.EnumDescriptor
}

func (e *enumFlag) Set(s string) error {
	if name, ok := enumCLIName(e.enum, s); ok {
		s = name
	}
	return e.Value.Set(s)
}

// enumCLIName returns AutoCLI's name (in-use) of the enum value s names in
// any of the accepted forms: AutoCLI's, the proto name (IN_USE,
// DATA_UNIT_STATE_IN_USE, any case, - or _), or the number.
func enumCLIName(ed protoreflect.EnumDescriptor, s string) (string, bool) {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	prefix := screamingSnake(string(ed.Name())) + "_"
	for i := 0; i < ed.Values().Len(); i++ {
		v := ed.Values().Get(i)
		name := string(v.Name())
		if norm == name || norm == strings.TrimPrefix(name, prefix) || s == strconv.Itoa(int(v.Number())) {
			return kebab(strings.TrimPrefix(name, prefix)), true
		}
	}
	return "", false
}

func enumChoices(ed protoreflect.EnumDescriptor) string {
	prefix := screamingSnake(string(ed.Name())) + "_"
	var names []string
	for i := 0; i < ed.Values().Len(); i++ {
		v := ed.Values().Get(i)
		if v.Number() != 0 {
			names = append(names, kebab(strings.TrimPrefix(string(v.Name()), prefix)))
		}
	}
	return fmt.Sprintf("(one of %s; the REST names such as %s also work)", strings.Join(names, ", "), ed.Values().Get(ed.Values().Len()-1).Name())
}

// screamingSnake turns ApiCompatibility into API_COMPATIBILITY, as AutoCLI
// does to trim an enum's value prefix.
func screamingSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(s[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func kebab(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}
