package cmd_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/cmd/flashbackd/cmd"
)

// TestCustomCommandsHelp: every flag of every flashbackd module command says
// what it is; every tx command has an example; every positional argument is
// explained; the SLA flags are required where a message needs an SLA.
func TestCustomCommandsHelp(t *testing.T) {
	root := cmd.NewRootCmd()
	required := map[string]bool{}
	count := 0
	for _, kind := range []string{"query", "tx"} {
		for _, module := range []string{"orchestrator", "reputation", "oracle"} {
			parent, _, err := root.Find([]string{kind, module})
			require.NoError(t, err)
			for _, c := range parent.Commands() {
				count++
				path := c.CommandPath()
				c.LocalFlags().VisitAll(func(f *pflag.Flag) {
					require.NotEmpty(t, strings.TrimSpace(f.Usage), "%s --%s has no description", path, f.Name)
					if ann := f.Annotations[cobra.BashCompOneRequiredFlag]; len(ann) > 0 && ann[0] == "true" {
						required[path+" --"+f.Name] = true
						require.True(t, strings.HasPrefix(f.Usage, "(required)"), "%s --%s is required: its help says so", path, f.Name)
					}
				})
				if kind == "tx" {
					require.NotEmpty(t, c.Example, "%s has no example", path)
					require.True(t, strings.HasPrefix(c.Example, "flashbackd tx "+module+" "+c.Name()), "%s: example %q", path, c.Example)
				}
				for _, arg := range strings.Fields(strings.TrimPrefix(c.Use, c.Name())) {
					name := strings.Trim(arg, "[].")
					require.Contains(t, c.Long, "  "+name+" ", "%s: argument %s is not explained", path, name)
				}
			}
		}
	}
	require.Greater(t, count, 45)
	for _, c := range []string{"create-data-unit", "update-data-unit", "request-deal"} {
		require.True(t, required["flashbackd tx orchestrator "+c+" --sla"], "%s --sla", c)
	}
	// SLA fields and units are explained.
	out := mustRun(t, "tx", "orchestrator", "request-deal", "--help")
	for _, s := range []string{"max_latency_ms (time to first byte, ms)", "basis points", "kbit/s", "Go duration", "uflash"} {
		require.Contains(t, out, s)
	}
}

// TestFormatError: a chain error is printed once, without the doubled gRPC
// status, the server's source path and the trailing "unknown request".
func TestFormatError(t *testing.T) {
	for in, want := range map[string]string{
		"rpc error: code = Unknown desc = rpc error: code = Unknown desc = failed to execute message; message index: 0: deal 99 does not exist: deal not found [/work/x/orchestrator/keeper/store_deal.go:21] with gas used: '46582': unknown request": "failed to execute message; message index: 0: deal 99 does not exist: deal not found with gas used: '46582'",
		"rpc error: code = NotFound desc = rpc error: code = NotFound desc = deal 99 does not exist: deal not found: key not found":                                                                                                                    "deal 99 does not exist: deal not found: key not found",
		"rpc error: code = Unknown desc = rpc error: code = Unknown desc = sla max_latency_ms must be positive: invalid input [/build/x/orchestrator/types/validation.go:93] with gas used: '1162': unknown request":                                   "sla max_latency_ms must be positive: invalid input with gas used: '1162'",
		"invalid unit-id \"abc\": strconv.ParseUint: parsing \"abc\": invalid syntax":                                                                                                                                                                  "invalid unit-id \"abc\": strconv.ParseUint: parsing \"abc\": invalid syntax",
	} {
		require.Equal(t, want, cmd.FormatError(errors.New(in)))
	}
}
