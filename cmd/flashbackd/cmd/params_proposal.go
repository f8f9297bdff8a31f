package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	cosmos_proto "github.com/cosmos/cosmos-proto"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// MsgUpdateParams replaces all of a module's params, so a proposal written
// by hand must repeat every param it does not change (the README's example
// once set 5 of 27 and was refused). draft-params-proposal writes the
// proposal from the params in force, read from the node, plus the changes
// given as flags, and checks the result as the chain will.

// paramsModule is what the command needs of a module.
type paramsModule struct {
	name    string
	current func(client.Context) (gogoproto.Message, error)
	// empty returns a fresh params value to decode the edited JSON into.
	empty   func() interface{ Validate() error }
	msgType string
}

var paramsModules = []paramsModule{
	{
		name: orchestratortypes.ModuleName, msgType: "/flashback.orchestrator.v1.MsgUpdateParams",
		current: func(c client.Context) (gogoproto.Message, error) {
			res, err := orchestratortypes.NewQueryClient(c).Params(c.CmdContext, &orchestratortypes.QueryParamsRequest{})
			if err != nil {
				return nil, err
			}
			return &res.Params, nil
		},
		empty: func() interface{ Validate() error } { return &orchestratortypes.Params{} },
	},
	{
		name: reputationtypes.ModuleName, msgType: "/flashback.reputation.v1.MsgUpdateParams",
		current: func(c client.Context) (gogoproto.Message, error) {
			res, err := reputationtypes.NewQueryClient(c).Params(c.CmdContext, &reputationtypes.QueryParamsRequest{})
			if err != nil {
				return nil, err
			}
			return &res.Params, nil
		},
		empty: func() interface{ Validate() error } { return &reputationtypes.Params{} },
	},
	{
		name: oracletypes.ModuleName, msgType: "/flashback.oracle.v1.MsgUpdateParams",
		current: func(c client.Context) (gogoproto.Message, error) {
			res, err := oracletypes.NewQueryClient(c).Params(c.CmdContext, &oracletypes.QueryParamsRequest{})
			if err != nil {
				return nil, err
			}
			return &res.Params, nil
		},
		empty: func() interface{ Validate() error } { return &oracletypes.Params{} },
	},
}

const (
	flagTitle    = "title"
	flagSummary  = "summary"
	flagDeposit  = "deposit"
	flagMetadata = "metadata"
	flagOutFile  = "output-document"
)

// draftParamsProposalCmd is `flashbackd tx gov draft-params-proposal`.
func draftParamsProposalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "draft-params-proposal [module]",
		Short: "Write a governance proposal that changes some params of orchestrator, reputation or oracle",
		Long: "Reads the module's params in force from the node, applies the changes given as flags (one flag per param, " +
			"named after it) and writes a proposal for `flashbackd tx gov submit-proposal`: MsgUpdateParams replaces all " +
			"params, so the proposal carries every other param unchanged. The result is checked as the chain checks it.\n\n" +
			"Values: amounts as coins (1000000uflash), durations in Go's syntax (720h), rates as decimals (0.01 = 1 %), " +
			"basis points and counts as integers, nested params as JSON.",
		Example: "flashbackd tx gov draft-params-proposal orchestrator --platform-fee-rate 0.01 --title \"1 % platform fee\" > proposal.json\n" +
			"flashbackd tx gov submit-proposal proposal.json --from validator",
	}
	for _, m := range paramsModules {
		cmd.AddCommand(m.command())
	}
	return cmd
}

func (m paramsModule) command() *cobra.Command {
	desc := m.empty().(gogoproto.Message)
	md := paramsDescriptor(desc)
	cmd := &cobra.Command{
		Use:          m.name,
		SilenceUsage: true,
		Short:        fmt.Sprintf("Write a proposal changing x/%s params (see `flashbackd q %s params`)", m.name, m.name),
		Args:         cobra.NoArgs,
		Example: fmt.Sprintf("flashbackd tx gov draft-params-proposal %s --%s ... > proposal.json",
			m.name, kebab(string(md.Fields().Get(0).Name()))),
		RunE: func(cmd *cobra.Command, _ []string) error {
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			clientCtx = clientCtx.WithCmdContext(cmd.Context())
			current, err := m.current(clientCtx)
			if err != nil {
				return fmt.Errorf("reading the %s params in force: %w", m.name, err)
			}
			currentJSON, err := clientCtx.Codec.MarshalJSON(current)
			if err != nil {
				return err
			}
			var params map[string]json.RawMessage
			if err := json.Unmarshal(currentJSON, &params); err != nil {
				return err
			}
			var changes []string
			for i := 0; i < md.Fields().Len(); i++ {
				f := md.Fields().Get(i)
				fl := cmd.Flags().Lookup(kebab(string(f.Name())))
				if !fl.Changed {
					continue
				}
				value, err := paramJSON(f, fl.Value.String())
				if err != nil {
					return fmt.Errorf("--%s: %w", fl.Name, err)
				}
				changes = append(changes, fmt.Sprintf("%s: %s → %s", f.Name(), params[string(f.Name())], value))
				params[string(f.Name())] = value
			}
			if len(changes) == 0 {
				return fmt.Errorf("no param to change: give at least one flag (see --help)")
			}
			edited, err := json.Marshal(params)
			if err != nil {
				return err
			}
			// The chain's own checks, before anyone deposits on it.
			next := m.empty()
			if err := clientCtx.Codec.UnmarshalJSON(edited, next.(gogoproto.Message)); err != nil {
				return fmt.Errorf("the changed params do not decode: %w", err)
			}
			if err := next.Validate(); err != nil {
				return fmt.Errorf("the changed params are invalid: %w", err)
			}
			return writeProposal(cmd, clientCtx, m, edited, changes)
		},
	}
	for i := 0; i < md.Fields().Len(); i++ {
		f := md.Fields().Get(i)
		cmd.Flags().String(kebab(string(f.Name())), "", "new "+string(f.Name())+" ("+paramKind(f)+")")
	}
	cmd.Flags().String(flagTitle, "", "proposal title (default: Update <module> params)")
	cmd.Flags().String(flagSummary, "", "proposal summary (default: the list of changes)")
	cmd.Flags().String(flagMetadata, "", "proposal metadata (optional, e.g. an ipfs:// URI)")
	cmd.Flags().String(flagDeposit, "", "initial deposit, e.g. 10000000000uflash (default: the chain's min_deposit)")
	cmd.Flags().StringP(flagOutFile, "O", "", "write the proposal to this file instead of standard output")
	flags.AddQueryFlagsToCmd(cmd)
	return cmd
}

func paramsDescriptor(m gogoproto.Message) protoreflect.MessageDescriptor {
	d, err := gogoproto.HybridResolver.FindDescriptorByName(protoreflect.FullName(gogoproto.MessageName(m)))
	if err != nil {
		panic(err)
	}
	return d.(protoreflect.MessageDescriptor)
}

func paramKind(f protoreflect.FieldDescriptor) string {
	switch {
	case f.IsList():
		return "JSON list"
	case f.Kind() == protoreflect.MessageKind:
		switch f.Message().FullName() {
		case "cosmos.base.v1beta1.Coin":
			return "coin, e.g. 1000000uflash"
		case "google.protobuf.Duration":
			return "Go duration, e.g. 720h"
		}
		return "JSON object"
	case f.Kind() == protoreflect.BoolKind:
		return "true or false"
	case f.Kind() == protoreflect.StringKind:
		switch scalar(f) {
		case "cosmos.Dec":
			return "decimal, e.g. 0.01 for 1 %"
		case "cosmos.Int":
			return "integer amount in uflash"
		case "cosmos.AddressString":
			return "account address flash1…, or \"\" for none"
		}
		return "text"
	}
	return "integer"
}

func scalar(f protoreflect.FieldDescriptor) string {
	if !proto.HasExtension(f.Options(), cosmos_proto.E_Scalar) {
		return ""
	}
	return proto.GetExtension(f.Options(), cosmos_proto.E_Scalar).(string)
}

// paramJSON turns a flag value into the param's proto JSON.
func paramJSON(f protoreflect.FieldDescriptor, v string) (json.RawMessage, error) {
	if f.IsList() || (f.Kind() == protoreflect.MessageKind && f.Message().FullName() != "cosmos.base.v1beta1.Coin" &&
		f.Message().FullName() != "google.protobuf.Duration") {
		if !json.Valid([]byte(v)) {
			return nil, fmt.Errorf("not valid JSON: %s", v)
		}
		return json.RawMessage(v), nil
	}
	switch {
	case f.Kind() == protoreflect.MessageKind && f.Message().FullName() == "cosmos.base.v1beta1.Coin":
		c, err := sdk.ParseCoinNormalized(v)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"denom": c.Denom, "amount": c.Amount.String()})
	case f.Kind() == protoreflect.MessageKind:
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, err
		}
		return json.Marshal(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s")
	case f.Kind() == protoreflect.BoolKind:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, err
		}
		return json.Marshal(b)
	case f.Kind() == protoreflect.StringKind:
		return json.Marshal(v)
	case f.Kind() == protoreflect.Uint64Kind || f.Kind() == protoreflect.Int64Kind:
		if _, err := strconv.ParseInt(strings.TrimPrefix(v, "-"), 10, 64); err != nil {
			return nil, fmt.Errorf("not an integer: %s", v)
		}
		return json.Marshal(v) // 64-bit integers are strings in proto JSON
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not an integer: %s", v)
		}
		return json.Marshal(n)
	}
}

func writeProposal(cmd *cobra.Command, clientCtx client.Context, m paramsModule, params json.RawMessage, changes []string) error {
	sort.Strings(changes)
	title, _ := cmd.Flags().GetString(flagTitle)
	if title == "" {
		title = fmt.Sprintf("Update %s params", m.name)
	}
	summary, _ := cmd.Flags().GetString(flagSummary)
	if summary == "" {
		summary = "Changes " + strings.Join(changes, "; ") + "."
	}
	metadata, _ := cmd.Flags().GetString(flagMetadata)
	deposit, _ := cmd.Flags().GetString(flagDeposit)
	if deposit == "" {
		res, err := govv1.NewQueryClient(clientCtx).Params(cmd.Context(), &govv1.QueryParamsRequest{ParamsType: govv1.ParamDeposit})
		if err != nil {
			return fmt.Errorf("reading the chain's min_deposit (or give --deposit): %w", err)
		}
		deposit = sdk.NewCoins(res.Params.MinDeposit...).String()
	} else if _, err := sdk.ParseCoinsNormalized(deposit); err != nil {
		return fmt.Errorf("--deposit: %w", err)
	}
	msg, err := json.Marshal(struct {
		Type      string          `json:"@type"`
		Authority string          `json:"authority"`
		Params    json.RawMessage `json:"params"`
	}{m.msgType, authtypes.NewModuleAddress(govtypes.ModuleName).String(), params})
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(map[string]any{
		"messages": []json.RawMessage{msg},
		"metadata": metadata,
		"deposit":  deposit,
		"title":    title,
		"summary":  summary,
	}, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	if path, _ := cmd.Flags().GetString(flagOutFile); path != "" {
		return os.WriteFile(path, out, 0o644)
	}
	_, err = cmd.OutOrStdout().Write(out)
	return err
}
