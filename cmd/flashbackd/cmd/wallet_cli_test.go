package cmd_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/cmd/flashbackd/cmd"
)

// TestWalletCLIOnLiveNode drives a live node through the CLI as a wallet
// user would, with only --home on the command line:
//   - the home's client.toml names the node, chain and keyring (before the
//     fix, `--home` was ignored for client.toml and every command dialed
//     localhost:26657);
//   - every flashbackd message is signed with --sign-mode amino-json, as a
//     Ledger signs (create-data-unit without --features/--priority-fee
//     failed before), and the node accepts every signature;
//   - MsgUpdateParams of all three modules goes through governance from
//     `tx gov draft-params-proposal`, and the params change;
//   - enum flags and arguments take the REST names;
//   - chain errors are printed once, without gRPC prefixes and source paths.
func TestWalletCLIOnLiveNode(t *testing.T) {
	// Not t.TempDir: CometBFT's address book may still be written into the
	// home's config/ just after the node stops, and TempDir's removal then
	// fails the test. Removed with retries once the node has stopped.
	dir, err := os.MkdirTemp("", "wallet-cli-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for i := 0; i < 50 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	const chainID = "flashback-wallet-1"
	mustRun(t, "testnet", "init-files", "--validators", "1", "--output-dir", filepath.Join(dir, "net"),
		"--chain-id", chainID, "--accounts", "provider,consumer,spare", "--timeout-commit", "200ms", "--voting-period", "4s",
		"--genesis-patch", `{"reputation":{"params":{"min_rating_payment":"1"}},"orchestrator":{"params":{"min_prepaid_period":"3600s","consumer_close_notice":"600s"}}}`)
	home := filepath.Join(dir, "net", "node0")
	node := startNode(t, home)
	node.waitHeight(t, 2)

	// Client settings live in the home's client.toml only.
	for _, kv := range [][2]string{{"chain-id", chainID}, {"node", node.rpcAddr}, {"keyring-backend", "test"}} {
		mustRun(t, "config", "set", "client", kv[0], kv[1], "--home", home)
	}
	h := []string{"--home", home}
	// q runs a query and returns its JSON output without indentation.
	q := func(args ...string) string {
		var buf bytes.Buffer
		require.NoError(t, json.Compact(&buf, []byte(mustRun(t, append(append(args, h...), "-o", "json")...))))
		return buf.String()
	}
	addr := func(name string) string {
		return strings.TrimSpace(mustRun(t, append([]string{"keys", "show", name, "-a"}, h...)...))
	}
	validator, provider, consumer := addr("validator"), addr("provider"), addr("consumer")

	// status dials the node client.toml names (it prints to the process's
	// standard output, not the command's).
	mustRun(t, append([]string{"status"}, h...)...)

	// tx signs with amino JSON, broadcasts, waits for the block, and
	// requires success.
	tx := func(from string, args ...string) {
		t.Helper()
		out := mustRunStdout(t, append(append(args, h...), "--from", from, "--sign-mode", "amino-json",
			"--gas", "800000", "--gas-prices", app.DefaultMinGasPrices, "--yes", "--output", "json")...)
		require.Contains(t, out, `"code":0`, "%v: %s", args, out)
		m := txHashRe.FindStringSubmatch(out)
		require.NotNil(t, m, out)
		hash, err := hex.DecodeString(m[1])
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			res, err := node.client.Tx(context.Background(), hash, false)
			if err != nil {
				return false
			}
			require.Zero(t, res.TxResult.Code, "%v: %s", args, res.TxResult.Log)
			return true
		}, 30*time.Second, 100*time.Millisecond, "tx %v not included", args)
	}
	const sla = `{"max_latency_ms":100,"min_upload_kbps":80000,"min_download_kbps":160000,"min_uptime_bps":9990,"max_error_rate_bps":10}`
	// 1 uflash per GB-second: 10 GB for 2 h cost 72,000 uflash, the
	// first hour (min_prepaid_period) 36,000.
	const price = "2592000"

	// The README's governance example, run as written: proposal 1.
	runREADMEGovernance(t, dir, h, mustRunStdout)
	require.Eventually(t, func() bool {
		return strings.Contains(q("q", "orchestrator", "params"), `"platform_fee_rate":"0.010000000000000000"`)
	}, 30*time.Second, 500*time.Millisecond, "the README's proposal passes")

	// Governance: a certifier and an arbiter for the messages that need
	// them, and an oracle param, through MsgUpdateParams of each module
	// (proposals 2 to 4).
	for i, change := range [][]string{
		{"orchestrator", "--certifier", validator},
		{"reputation", "--arbiter", validator},
		{"oracle", "--self-report-min-interval", "1s"},
	} {
		file := filepath.Join(dir, change[0]+".json")
		mustRun(t, append(append([]string{"tx", "gov", "draft-params-proposal"}, change...), append(h, "-O", file)...)...)
		tx("validator", "tx", "gov", "submit-proposal", file)
		tx("validator", "tx", "gov", "vote", fmt.Sprint(i+2), "yes")
	}

	// Providers, consumers, units.
	tx("provider", "tx", "orchestrator", "register-provider", "Acme Storage", "1000000000uflash", "--country", "FR")
	tx("provider", "tx", "orchestrator", "update-provider", "Acme Storage", "--country", "FR", "--website", "https://acme.example")
	tx("provider", "tx", "orchestrator", "add-provider-bond", "1000000uflash")
	tx("consumer", "tx", "orchestrator", "register-consumer", "--name", "Bob")
	tx("consumer", "tx", "orchestrator", "update-consumer", "--name", "Bob", "--country", "DE")
	tx("consumer", "tx", "orchestrator", "set-access-key", "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
	// Without --features and --priority-fee (refused before), and with them.
	tx("provider", "tx", "orchestrator", "create-data-unit", "1000", price, "eu-west", "FR", "API_COMPATIBILITY_S3", "https://s3.acme.example/u1", "--sla", sla)
	tx("provider", "tx", "orchestrator", "create-data-unit", "1000", price, "eu-west", "FR", "s3", "https://s3.acme.example/u2", "--sla", sla,
		"--features", `{"versioning":true}`, "--priority-fee", "20000uflash")
	tx("provider", "tx", "orchestrator", "create-data-unit", "1000", price, "us-east", "US", "gcs", "https://s3.acme.example/u3", "--sla", sla)
	tx("provider", "tx", "orchestrator", "update-data-unit", "1", "2000", price, "https://s3.acme.example/u1", "--sla", sla)
	start := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	tx("provider", "tx", "orchestrator", "schedule-maintenance", "3", start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339))
	tx("provider", "tx", "orchestrator", "decommission-data-unit", "2")

	// Deals: one accepted, one declined, one cancelled.
	for i := 0; i < 3; i++ {
		tx("consumer", "tx", "orchestrator", "request-deal", "1", "10", "2h", "40000uflash", "--sla", sla)
	}
	tx("provider", "tx", "orchestrator", "accept-deal", "1")
	tx("provider", "tx", "orchestrator", "decline-deal", "2", "--reason", "full")
	tx("consumer", "tx", "orchestrator", "cancel-deal-request", "3")
	tx("consumer", "tx", "orchestrator", "top-up-deal", "1", "1000uflash")
	tx("consumer", "tx", "oracle", "submit-qos-report", "1", "OPERATION_TYPE_DOWNLOAD", "--latency-ms", "42", "--throughput-kbps", "80000", "--success")
	time.Sleep(2 * time.Second) // the deal pays its provider
	tx("provider", "tx", "orchestrator", "withdraw-earnings", "1")
	tx("consumer", "tx", "reputation", "rate-provider", "1", "5", "--comment", "fast")
	tx("provider", "tx", "reputation", "file-dispute", "DISPUTE_KIND_RATING", "the consumer never used the unit", "--deal-id", "1")
	tx("validator", "tx", "reputation", "fund-reward-pool", "1000000uflash")
	tx("consumer", "tx", "orchestrator", "close-deal", "1")

	// The governance changes are in force: certify, verify, resolve.
	require.Eventually(t, func() bool {
		return strings.Contains(q("q", "orchestrator", "params"), validator) &&
			strings.Contains(q("q", "reputation", "params"), validator) &&
			strings.Contains(q("q", "oracle", "params"), `"self_report_min_interval":"1s"`)
	}, 30*time.Second, 500*time.Millisecond, "the three params proposals pass")
	tx("validator", "tx", "orchestrator", "certify-provider", provider, "true")
	tx("validator", "tx", "orchestrator", "verify-consumer", consumer, "true")
	tx("validator", "tx", "reputation", "resolve-dispute", "1", "false", "--resolution", "the unit was used")

	// A provider leaves.
	tx("spare", "tx", "orchestrator", "register-provider", "Spare", "1000000000uflash")
	tx("spare", "tx", "orchestrator", "begin-provider-exit")

	// Textual signing needs the node's coin metadata: it too comes from client.toml.
	out := mustRunStdout(t, append(h, "tx", "bank", "send", "validator", consumer, "1uflash", "--sign-mode", "textual",
		"--gas-prices", app.DefaultMinGasPrices, "--yes", "--output", "json")...)
	require.Contains(t, out, `"code":0`, out)

	// Enum filters by their REST names, their short names and numbers.
	for _, state := range []string{"DEAL_STATE_CLOSED", "closed", "4", "deal-state-closed"} {
		var deals struct {
			Deals []struct{ ID string } `json:"deals"`
		}
		require.NoError(t, json.Unmarshal([]byte(q("q", "orchestrator", "deals", "--state", state)), &deals), state)
		require.Len(t, deals.Deals, 2, "declined and cancelled deals are closed (--state %s)", state)
	}
	var units struct {
		DataUnits []struct{ ID string } `json:"data_units"`
	}
	require.NoError(t, json.Unmarshal([]byte(q("q", "orchestrator", "data-units", "--api-compatibility", "API_COMPATIBILITY_GCS")), &units))
	require.Len(t, units.DataUnits, 1)
	require.Contains(t, q("q", "reputation", "disputes", "--status", "DISPUTE_STATUS_REJECTED"), `"status":"DISPUTE_STATUS_REJECTED"`)

	// Errors a person reads.
	_, err = run(t, append([]string{"q", "orchestrator", "deal", "99"}, h...)...)
	require.Error(t, err)
	require.Equal(t, "deal 99 does not exist: deal not found: key not found", cmd.FormatError(err))
	_, err = run(t, append([]string{"tx", "orchestrator", "accept-deal", "99", "--from", "provider", "--gas", "auto", "--yes"}, h...)...)
	require.Error(t, err)
	msg := cmd.FormatError(err)
	require.Contains(t, msg, "deal 99 does not exist")
	for _, noise := range []string{"rpc error", ".go:", "unknown request"} {
		require.NotContains(t, msg, noise)
	}
	require.Equal(t, 1, strings.Count(msg, "deal 99 does not exist"), msg)
	_, err = run(t, append([]string{"tx", "orchestrator", "top-up-deal", "abc", "5uflash", "--from", "consumer", "--yes"}, h...)...)
	require.Error(t, err)
	require.Contains(t, cmd.FormatError(err), `invalid deal-id "abc"`)

}

// mustRunStdout is mustRun for the SDK's commands that print to the
// process's standard output rather than the command's.
func mustRunStdout(t *testing.T, args ...string) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	out, runErr := run(t, args...)
	os.Stdout = stdout
	require.NoError(t, w.Close())
	printed := <-done
	require.NoError(t, runErr, "flashbackd %s\n%s%s", strings.Join(args, " "), out, printed)
	return out + string(printed)
}

// runREADMEGovernance runs the `$FB …` lines of README.md's governance
// example with this test's home: $NODE is in client.toml, $TX becomes
// --yes and the gas settings, `> file` writes the output to dir.
func runREADMEGovernance(t *testing.T, dir string, home []string, run func(*testing.T, ...string) string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	require.NoError(t, err)
	section := string(readme)[strings.Index(string(readme), "## Governance"):]
	block := section[strings.Index(section, "```sh\n")+6:]
	block = strings.ReplaceAll(block[:strings.Index(block, "```")], "\\\n", " ")
	ran := 0
	for _, line := range strings.Split(block, "\n") {
		if !strings.HasPrefix(line, "$FB ") {
			continue
		}
		args, out := shellWords(t, line)
		var expanded []string
		for _, a := range args[1:] {
			switch a {
			case "$NODE":
			case "$TX":
				expanded = append(expanded, "--gas", "800000", "--gas-prices", app.DefaultMinGasPrices, "--yes")
			case "proposal.json":
				expanded = append(expanded, filepath.Join(dir, a))
			default:
				require.False(t, strings.HasPrefix(a, "$"), "README line %q uses %s", line, a)
				expanded = append(expanded, a)
			}
		}
		printed := run(t, append(expanded, home...)...)
		if out != "" {
			require.NoError(t, os.WriteFile(filepath.Join(dir, out), []byte(printed), 0o600))
		}
		if len(expanded) > 1 && expanded[0] == "tx" && expanded[1] == "gov" && expanded[2] != "draft-params-proposal" {
			time.Sleep(time.Second) // the next command needs this block
		}
		ran++
	}
	require.Equal(t, 5, ran, "the README's governance example has five commands")
}

// shellWords splits a README command line as the shell would for the
// quoting it uses (double quotes), dropping a trailing comment and
// returning the file of a `> file` redirection.
func shellWords(t *testing.T, line string) (words []string, redirect string) {
	t.Helper()
	var cur strings.Builder
	inQuote, have := false, false
	flush := func() {
		if have {
			words = append(words, cur.String())
		}
		cur.Reset()
		have = false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			inQuote, have = !inQuote, true
		case inQuote:
			cur.WriteByte(c)
		case c == '#':
			flush()
			i = len(line)
		case c == ' ' || c == '\t':
			flush()
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	flush()
	for i, w := range words {
		if w == ">" {
			require.Len(t, words, i+2, "redirection at the end: %q", line)
			return words[:i], words[i+1]
		}
	}
	return words, ""
}
