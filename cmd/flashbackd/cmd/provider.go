package cmd

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/provider/config"
	"github.com/flashbacknetwork/flashbackd/api/provider/node"
	"github.com/flashbacknetwork/flashbackd/app"
)

const (
	flagPublicURL      = "public-url"
	flagListen         = "listen"
	flagStatusListen   = "status-listen"
	flagUnit           = "unit"
	flagGRPCAddress    = "grpc-address"
	flagRPCAddress     = "rpc-address"
	flagProvChainID    = "chain-id"
	flagKeyName        = "key-name"
	flagKeyringBackend = "keyring-backend"
	flagKeyringDir     = "keyring-dir"
	flagGasPrices      = "gas-prices"
	flagStatusURL      = "status-url"
	flagPollInterval   = "poll-interval"
	flagRetrieval      = "retrieval-period"
	flagWithdrawEvery  = "withdraw-interval"
)

// providerCommand is `flashbackd provider`: the provider node of the API
// service (api/provider).
func providerCommand(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "provider",
		Short: "Provider side of the API service: an S3 endpoint for your data units that serves your deals",
		Long: `The provider node serves the provider's data units over S3, one bucket per deal,
with credentials derived from the deal's parties' access keys. It follows the
chain: it accepts or declines deal requests by its policy, serves running
deals read-write, closed ones read-only for a retrieval period and then
deletes them, and withdraws the earnings on a schedule.
Its home (--home, default ~/.flashbackd/provider) holds provider.toml, the
node's access key, its state file and posix units' data.`,
		// The node's home is not a chain node's home: skip the root's
		// pre-run, which would write config.toml, app.toml and client.toml
		// into it.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			return nil
		},
	}
	cmd.AddCommand(providerInitCmd(), providerServeCmd(a), providerStatusCmd())
	return cmd
}

// providerHome is --home when given, else the provider folder of the
// default node home.
func providerHome(cmd *cobra.Command) (string, error) {
	home := filepath.Join(app.DefaultNodeHome, "provider")
	if f := cmd.Flag(flags.FlagHome); f != nil && f.Changed {
		home = f.Value.String()
	}
	return filepath.Abs(home)
}

func providerInitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write provider.toml and create the node's access key",
		Long: `Writes <home>/provider.toml, a documented configuration with a comment on
every key, and creates the node's X25519 access key (<home>/access_key.json,
readable by you only; an existing key is kept: a new key would change every
deal's credentials). It never overwrites provider.toml.

Units are given as ID=posix (directory unit-ID under the data directory),
ID=posix:DIR, or ID=s3:https://host[:port]/bucket (path-style; put the
bucket's credentials in the file). Each unit must be registered on chain by
the provider with the endpoint <public-url>/unit-<ID>.`,
		Example: `flashbackd provider init --home ~/.flashbackd/provider --public-url https://s3.acme.example \
  --unit 1=posix --grpc-address 127.0.0.1:9090 --rpc-address tcp://127.0.0.1:26657 --key-name provider`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := providerHome(cmd)
			if err != nil {
				return err
			}
			cfg, err := initConfig(cmd)
			if err != nil {
				return err
			}
			cfg = cfg.WithHome(home)
			if err := cfg.Validate(); err != nil {
				return fmt.Errorf("provider init: %w", err)
			}
			path := filepath.Join(home, config.FileName)
			if err := config.Write(path, cfg); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return fmt.Errorf("%s exists; edit it, or remove it to start over", path)
				}
				return err
			}
			cmd.Printf("wrote %s\n", path)
			keyPath := cfg.Path(cfg.Server.AccessKeyFile)
			key, created, err := dealauth.LoadOrCreateKey(keyPath)
			if err != nil {
				return fmt.Errorf("the node's access key: %w", err)
			}
			verb := "kept the existing"
			if created {
				verb = "created"
			}
			cmd.Printf("%s access key %s (public key %s; the node publishes it on chain when it starts)\n", verb, keyPath, hex.EncodeToString(key.PublicKey().Bytes()))
			cmd.Printf("\nNext:\n")
			cmd.Printf("  - the provider account is key %q of the %s keyring in %s (flashbackd keys show %s -a --keyring-backend %s --keyring-dir %s)\n",
				cfg.Chain.KeyName, cfg.Chain.KeyringBackend, cfg.Path(cfg.Chain.KeyringDir), cfg.Chain.KeyName, cfg.Chain.KeyringBackend, cfg.Path(cfg.Chain.KeyringDir))
			for _, u := range cfg.Units {
				cmd.Printf("  - unit %d must register the endpoint %s\n", u.ID, layout.UnitEndpoint(cfg.Server.PublicURL, u.ID))
			}
			cmd.Printf("  - run it: flashbackd provider serve --home %s\n", home)
			return nil
		},
	}
	f := cmd.Flags()
	f.String(flagPublicURL, config.DefaultPublicURL, "URL at which consumers and validators reach the node (scheme://host[:port])")
	f.String(flagListen, config.DefaultListen, "address the S3 endpoint listens on")
	f.String(flagStatusListen, config.DefaultStatusListen, "address of the status and metrics endpoint")
	f.StringArray(flagUnit, nil, "a data unit: ID=posix, ID=posix:DIR or ID=s3:https://host/bucket (repeat for several)")
	f.String(flagGRPCAddress, config.DefaultGRPCAddress, "gRPC address of a flashbackd node")
	f.String(flagRPCAddress, config.DefaultRPCAddress, "CometBFT RPC address of a flashbackd node")
	f.String(flagProvChainID, "", "chain id (empty: read from the node)")
	f.String(flagKeyName, config.DefaultKeyName, "name of the provider's key in the keyring")
	f.String(flagKeyringBackend, config.DefaultKeyringBackend, "keyring backend (os, file, test)")
	f.String(flagKeyringDir, app.DefaultNodeHome, "keyring directory")
	f.String(flagGasPrices, config.DefaultGasPrices, "gas prices of the node's transactions")
	f.Duration(flagPollInterval, config.DefaultPollInterval, "how often the node reads the chain")
	f.Duration(flagRetrieval, config.DefaultRetention, "how long a closed deal's bucket stays readable before it is deleted")
	f.Duration(flagWithdrawEvery, config.DefaultWithdraw, "how often the node withdraws earnings (0s: never)")
	return cmd
}

// initConfig builds the configuration from init's flags.
func initConfig(cmd *cobra.Command) (config.Config, error) {
	f := cmd.Flags()
	str := func(name string) string { v, _ := f.GetString(name); return v }
	dir, err := filepath.Abs(str(flagKeyringDir))
	if err != nil {
		return config.Config{}, err
	}
	cfg := config.Default(dir)
	cfg.Server.PublicURL = strings.TrimRight(str(flagPublicURL), "/")
	cfg.Server.Listen = str(flagListen)
	cfg.Server.StatusListen = str(flagStatusListen)
	cfg.Chain.GRPCAddress = str(flagGRPCAddress)
	cfg.Chain.RPCAddress = str(flagRPCAddress)
	cfg.Chain.ChainID = str(flagProvChainID)
	cfg.Chain.KeyName = str(flagKeyName)
	cfg.Chain.KeyringBackend = str(flagKeyringBackend)
	cfg.Chain.GasPrices = str(flagGasPrices)
	cfg.Chain.PollInterval.Duration, _ = f.GetDuration(flagPollInterval)
	cfg.Retrieval.Period.Duration, _ = f.GetDuration(flagRetrieval)
	cfg.Withdraw.Interval.Duration, _ = f.GetDuration(flagWithdrawEvery)
	specs, _ := f.GetStringArray(flagUnit)
	if len(specs) == 0 {
		return cfg, errors.New("name at least one data unit: --unit ID=posix, --unit ID=posix:DIR or --unit ID=s3:https://host/bucket")
	}
	for _, spec := range specs {
		u, err := config.ParseUnitSpec(spec)
		if err != nil {
			return cfg, err
		}
		cfg.Units = append(cfg.Units, u)
	}
	return cfg, nil
}

func providerServeCmd(a *app.App) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the provider node (until SIGINT or SIGTERM)",
		Long: `Runs the provider node of <home>/provider.toml: the S3 endpoint of its units,
the status endpoint (/status, /metrics) and the chain worker. On SIGINT or
SIGTERM it stops accepting requests, lets those in flight finish and writes
its state file. With a file keyring, the passphrase is read from stdin.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := providerHome(cmd)
			if err != nil {
				return err
			}
			cfg, err := config.Load(filepath.Join(home, config.FileName))
			if err != nil {
				return err
			}
			logger, err := providerLogger(cmd)
			if err != nil {
				return err
			}
			n, err := node.New(cfg, node.Options{
				Codec: a.AppCodec(), InterfaceRegistry: a.InterfaceRegistry(), TxConfig: a.TxConfig(),
				KeyringInput: cmd.InOrStdin(), Logger: logger,
			})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return n.Run(ctx, nil)
		},
	}
}

// providerLogger logs to stderr at the root's --log_level.
func providerLogger(cmd *cobra.Command) (log.Logger, error) {
	level := zerolog.InfoLevel
	if f := cmd.Flag(flags.FlagLogLevel); f != nil {
		l, err := zerolog.ParseLevel(f.Value.String())
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flags.FlagLogLevel, err)
		}
		level = l
	}
	opts := []log.Option{log.LevelOption(level), log.ColorOption(false)}
	if f := cmd.Flag(flags.FlagLogFormat); f != nil && f.Value.String() == "json" {
		opts = append(opts, log.OutputJSONOption())
	}
	return log.NewLogger(cmd.ErrOrStderr(), opts...), nil
}

func providerStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a running node's status: deals served, their access and usage, chain sync, withdrawals",
		Long: `Reads GET /status from the node's status endpoint (server.status_listen in
<home>/provider.toml, or --status-url) and prints it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url, _ := cmd.Flags().GetString(flagStatusURL)
			if url == "" {
				home, err := providerHome(cmd)
				if err != nil {
					return err
				}
				cfg, err := config.Load(filepath.Join(home, config.FileName))
				if err != nil {
					return err
				}
				url = "http://" + dialable(cfg.Server.StatusListen)
			}
			st, err := fetchStatus(cmd.Context(), strings.TrimRight(url, "/")+"/status")
			if err != nil {
				return err
			}
			if out, _ := cmd.Flags().GetString(flags.FlagOutput); out == "json" {
				bz, err := json.MarshalIndent(st, "", "  ")
				if err != nil {
					return err
				}
				cmd.Println(string(bz))
				return nil
			}
			printStatus(cmd.OutOrStdout(), st)
			return nil
		},
	}
	cmd.Flags().String(flagStatusURL, "", "status endpoint URL (default: from provider.toml)")
	cmd.Flags().StringP(flags.FlagOutput, "o", "text", "output format: text or json")
	return cmd
}

// dialable turns a listen address into one to connect to: a wildcard host
// becomes loopback.
func dialable(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func fetchStatus(ctx context.Context, url string) (node.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return node.Status{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return node.Status{}, fmt.Errorf("the provider node does not answer at %s (is `flashbackd provider serve` running?): %w", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return node.Status{}, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	var st node.Status
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return node.Status{}, fmt.Errorf("GET %s: %w", url, err)
	}
	return st, nil
}

func printStatus(w io.Writer, st node.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	yes := func(b bool, t, f string) string {
		if b {
			return t
		}
		return f
	}
	fmt.Fprintf(tw, "provider\t%s (%s)\n", st.Provider, yes(st.ProviderRegistered, "registered", "NOT registered on chain"))
	fmt.Fprintf(tw, "chain\t%s\n", st.ChainID)
	fmt.Fprintf(tw, "S3 endpoint\t%s (path-style; bucket deal-<id>)\n", st.PublicURL)
	fmt.Fprintf(tw, "access key\t%s (%s)\n", st.AccessKey, yes(st.AccessKeyPublished, "published", "not published yet"))
	sync := "never"
	if st.Chain.LastSync != nil {
		sync = fmt.Sprintf("%s (%s ago)", st.Chain.LastSync.Local().Format(time.RFC3339), time.Duration(st.Chain.SyncAgeSeconds*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprintf(tw, "last chain sync\t%s\n", sync)
	if !st.Chain.Reachable && st.Chain.LastError != "" {
		fmt.Fprintf(tw, "chain error\t%s\n", st.Chain.LastError)
	}
	if w := st.LastWithdrawal; w != nil {
		fmt.Fprintf(tw, "last withdrawal\t%s: %s net (fee %s) from deals %v, tx %s\n", w.Time.Local().Format(time.RFC3339), w.Net, w.Fee, w.Deals, w.TxHash)
	} else {
		fmt.Fprintf(tw, "last withdrawal\tnone yet\n")
	}
	tw.Flush()

	fmt.Fprintln(w, "\nunits:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tSTORAGE\tENDPOINT\tON CHAIN\tNEW DEALS")
	for _, u := range st.Units {
		ready := "taken"
		if u.Problem != "" {
			ready = "left pending: " + u.Problem
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", u.ID, u.Backend, u.Endpoint, orDash(strings.TrimPrefix(u.OnChain, "DATA_UNIT_STATE_")), ready)
	}
	tw.Flush()

	fmt.Fprintln(w, "\ndeals:")
	if len(st.Deals) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tUNIT\tCHAIN STATE\tACCESS\tSTORED\tQUOTA\tINGRESS\tEGRESS\tREQUESTS\tDELETED AT")
		for _, d := range st.Deals {
			ends := "-"
			if d.RetrievalEnds != nil {
				ends = d.RetrievalEnds.Local().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "  %d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.ID, d.UnitID, strings.TrimPrefix(d.ChainState, "DEAL_STATE_"), d.Access,
				bytesText(d.StoredBytes), bytesText(d.QuotaBytes), bytesText(d.IngressBytes), bytesText(d.EgressBytes), d.Requests, ends)
		}
		tw.Flush()
	}
	if len(st.Decisions) > 0 {
		fmt.Fprintln(w, "\nlatest decisions:")
		for _, d := range st.Decisions {
			verb := "declined"
			if d.Accept {
				verb = "accepted"
			}
			line := fmt.Sprintf("  %s deal %d (unit %d, %s) %s: %s", d.Time.Local().Format(time.RFC3339), d.DealID, d.UnitID, d.Consumer, verb, d.Reason)
			if d.Error != "" {
				line += " — transaction failed: " + d.Error
			}
			fmt.Fprintln(w, line)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// bytesText prints a byte count in decimal units, the units deals are
// sold in (a GB is 10^9 bytes).
func bytesText(b uint64) string {
	const unit = 1000
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(b)/float64(div), "kMGTPE"[exp])
}
