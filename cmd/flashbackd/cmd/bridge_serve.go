package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/app"
)

const (
	flagRepository = "repository"
	flagReadOnly   = "read-only"
	flagKeyNameApp = "app-key"
)

// skipRootPreRun keeps the root's pre-run (which writes a chain node's
// config files into --home) away from the bridge's own commands, and
// prints no usage with their errors (they are not usage errors).
func skipRootPreRun(cmd *cobra.Command, _ []string) error {
	cmd.SilenceUsage = true
	cmd.SetOut(cmd.OutOrStdout())
	cmd.SetErr(cmd.ErrOrStderr())
	return nil
}

// bridgeHome is <--home>/bridge (default ~/.flashbackd/bridge), the folder
// of bridge.toml and of the access key `bridge access-key` creates.
func bridgeHome(cmd *cobra.Command) (string, error) {
	home := app.DefaultNodeHome
	if f := cmd.Flag(flags.FlagHome); f != nil && f.Changed {
		home = f.Value.String()
	}
	return filepath.Abs(filepath.Join(home, "bridge"))
}

func loadBridgeConfig(cmd *cobra.Command) (config.Config, string, error) {
	home, err := bridgeHome(cmd)
	if err != nil {
		return config.Config{}, "", err
	}
	path := filepath.Join(home, config.FileName)
	cfg, err := config.Load(path)
	return cfg, path, err
}

func bridgeInitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write bridge.toml with one read-write S3 key, and create your access key if there is none",
		Long: `Writes <home>/bridge/bridge.toml, a documented configuration with a comment on
every key (it never overwrites one), with one read-write S3 key for your apps
(printed once; it is in the file), and creates your X25519 access key
(<home>/bridge/access_key.json) if there is none. Publish the access key with
the printed command before serving.

Repositories are given as NAME=normal:DEAL or NAME=mirror:DEAL,DEAL[,...][/QUORUM]
(QUORUM: how many deals must have a write before it is acknowledged; default
a majority). Every deal must be yours and ACTIVE when the bridge starts.`,
		Example: `flashbackd bridge init --key-name consumer --keyring-backend test \
  --repository photos=normal:1 --repository backups=mirror:2,3,4/2`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := bridgeHome(cmd)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			str := func(name string) string { v, _ := f.GetString(name); return v }
			// The keyring of --home by default, as for flashbackd keys.
			dir := filepath.Dir(home)
			if f.Changed(flagKeyringDir) {
				if dir, err = filepath.Abs(str(flagKeyringDir)); err != nil {
					return err
				}
			}
			cfg := config.Default(dir)
			cfg.Server.Listen = str(flagListen)
			cfg.Server.StatusListen = str(flagStatusListen)
			cfg.Chain.GRPCAddress = str(flagGRPCAddress)
			cfg.Chain.RPCAddress = str(flagRPCAddress)
			cfg.Chain.ChainID = str(flagProvChainID)
			cfg.Chain.KeyName = str(flagKeyName)
			cfg.Chain.KeyringBackend = str(flagKeyringBackend)
			specs, _ := f.GetStringArray(flagRepository)
			for _, spec := range specs {
				r, err := config.ParseRepositorySpec(spec)
				if err != nil {
					return err
				}
				cfg.Repositories = append(cfg.Repositories, r)
			}
			key, err := config.NewKey(str(flagKeyNameApp), false)
			if err != nil {
				return fmt.Errorf("--%s: %w", flagKeyNameApp, err)
			}
			_ = cfg.AddKey(key)
			cfg = cfg.WithHome(home)
			if err := cfg.Validate(); err != nil {
				return fmt.Errorf("bridge init: %w", err)
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
			ak, created, err := dealauth.LoadOrCreateKey(keyPath)
			if err != nil {
				return fmt.Errorf("your access key: %w", err)
			}
			verb := "kept your existing"
			if created {
				verb = "created your"
			}
			cmd.Printf("%s access key %s; publish it once: flashbackd tx orchestrator set-access-key %x --from %s\n", verb, keyPath, ak.PublicKey().Bytes(), cfg.Chain.KeyName)
			cmd.Printf("\nS3 key %q for your apps (read-write):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", key.Name, key.AccessKeyID, key.SecretAccessKey)
			cmd.Printf("\nNext: add repositories to %s if none were given, then: flashbackd bridge serve --home %s\n", path, filepath.Dir(home))
			return nil
		},
	}
	f := cmd.Flags()
	f.String(flagListen, config.DefaultListen, "address of the bridge's S3 endpoint")
	f.String(flagStatusListen, config.DefaultStatusListen, "address of the status endpoint")
	f.String(flagGRPCAddress, config.DefaultGRPCAddress, "gRPC address of a flashbackd node")
	f.String(flagRPCAddress, config.DefaultRPCAddress, "CometBFT RPC address of a flashbackd node")
	f.String(flagProvChainID, "", "chain id (empty: read from the node)")
	f.String(flagKeyName, config.DefaultKeyName, "name of your consumer key in the keyring")
	f.String(flagKeyringBackend, config.DefaultKeyringBackend, "keyring backend (os, file, test)")
	f.String(flagKeyringDir, "", "keyring directory (default: --home)")
	f.StringArray(flagRepository, nil, "a repository: NAME=normal:DEAL or NAME=mirror:DEAL,DEAL[,...][/QUORUM] (repeat for several)")
	f.String(flagKeyNameApp, "app", "name of the read-write S3 key written into bridge.toml")
	return cmd
}

// consumerAddress reads the consumer's address from the configured keyring.
func consumerAddress(a *app.App, cfg config.Config, in io.Reader) (string, keyring.Keyring, error) {
	dir := cfg.Path(cfg.Chain.KeyringDir)
	kr, err := keyring.New(sdk.KeyringServiceName(), cfg.Chain.KeyringBackend, dir, in, a.AppCodec())
	if err != nil {
		return "", nil, fmt.Errorf("keyring (%s backend in %s): %w", cfg.Chain.KeyringBackend, dir, err)
	}
	rec, err := kr.Key(cfg.Chain.KeyName)
	if err != nil {
		return "", nil, fmt.Errorf("key %q (chain.key_name) in the %s keyring in %s: %w", cfg.Chain.KeyName, cfg.Chain.KeyringBackend, dir, err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return "", nil, err
	}
	return addr.String(), kr, nil
}

func bridgeServeCmd(a *app.App) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the bridge (until SIGINT or SIGTERM)",
		Long: `Serves <home>/bridge/bridge.toml: reads every repository's deals from the chain
(each must be yours and ACTIVE), opens the bridge's database (rebuilt from
the deals when missing), and serves the repositories on server.listen and
the status on server.status_listen. With a file keyring, the passphrase is
read from stdin.`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := loadBridgeConfig(cmd)
			if err != nil {
				return err
			}
			consumer, kr, err := consumerAddress(a, cfg, cmd.InOrStdin())
			if err != nil {
				return err
			}
			logger, err := providerLogger(cmd)
			if err != nil {
				return err
			}
			qos, err := bridgeQoSChain(a, cfg, kr, logger)
			if err != nil {
				return err
			}
			opts := server.Options{Consumer: consumer, Logger: logger, Keyring: kr, QoS: qos}
			if cfg.Autopilot.Enabled {
				if opts.Client, err = bridgeClient(a, cfg, kr, ""); err != nil {
					return err
				}
				defer opts.Client.Close()
			}
			b, err := server.New(cfg, opts)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// SIGHUP: read bridge.toml again (the deals added to its
			// repositories are served at once).
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go func() {
				for {
					select {
					case <-hup:
						b.Reload()
					case <-ctx.Done():
						return
					}
				}
			}()
			return b.Run(ctx, nil)
		},
	}
}

func bridgeRebuildCmd(a *app.App) *cobra.Command {
	return &cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the bridge's record of which deal holds which object from the deals' listings",
		Long: `Lists every deal of every repository and rebuilds the bridge's database from
what they hold (the newest version of each key, the deals that hold it, and
the copies the others need). Run it with the bridge stopped. A key that a deal
still holds after a delete it missed comes back. Every deal must answer.`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := loadBridgeConfig(cmd)
			if err != nil {
				return err
			}
			consumer, _, err := consumerAddress(a, cfg, cmd.InOrStdin())
			if err != nil {
				return err
			}
			counts, err := server.Rebuild(cmd.Context(), cfg, server.Options{Consumer: consumer})
			if err != nil {
				return err
			}
			names := make([]string, 0, len(counts))
			for n := range counts {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				cmd.Printf("repository %s: %d objects\n", n, counts[n])
			}
			return nil
		},
	}
}

func bridgeStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a running bridge's repositories, deals, their health and pending repairs",
		Long: `Reads GET /status from the bridge's status endpoint (server.status_listen in
<home>/bridge/bridge.toml, or --status-url) and prints it.`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url, _ := cmd.Flags().GetString(flagStatusURL)
			if url == "" {
				cfg, _, err := loadBridgeConfig(cmd)
				if err != nil {
					return err
				}
				url = "http://" + dialable(cfg.Server.StatusListen)
			}
			st, err := fetchBridgeStatus(cmd.Context(), strings.TrimRight(url, "/")+"/status")
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
			printBridgeStatus(cmd.OutOrStdout(), st)
			return nil
		},
	}
	cmd.Flags().String(flagStatusURL, "", "status endpoint URL (default: from bridge.toml)")
	cmd.Flags().StringP(flags.FlagOutput, "o", "text", "output format: text or json")
	return cmd
}

func fetchBridgeStatus(ctx context.Context, url string) (server.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return server.Status{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return server.Status{}, fmt.Errorf("the bridge does not answer at %s (is `flashbackd bridge serve` running?): %w", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return server.Status{}, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	var st server.Status
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return server.Status{}, fmt.Errorf("GET %s: %w", url, err)
	}
	return st, nil
}

func printBridgeStatus(w io.Writer, st server.Status) {
	fmt.Fprintf(w, "consumer     %s\nchain        %s\nS3 endpoint  %s (path-style)\nstarted      %s\n",
		st.Consumer, st.ChainID, st.S3Endpoint, st.StartedAt.Local().Format(time.RFC3339))
	if st.ChainError != "" {
		fmt.Fprintf(w, "chain        UNREACHABLE: %s\n", st.ChainError)
	}
	fmt.Fprintln(w, "\nkeys:")
	for _, k := range st.Keys {
		access := "read-write"
		if k.ReadOnly {
			access = "read-only"
		}
		fmt.Fprintf(w, "  %s\t%s (%s)\n", k.Name, k.AccessKeyID, access)
	}
	for _, r := range st.Repositories {
		fmt.Fprintf(w, "\nrepository %s: %s, write quorum %d of %d, %d objects, %d pending repairs, %d open uploads\n",
			r.Name, r.Mode, r.WriteQuorum, len(r.Deals), r.Objects, r.Pending, r.Uploads)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  DEAL\tON CHAIN\tHEALTH\tP50\tREQUESTS\tERRORS\tPENDING\tENDPOINT\tLAST ERROR")
		for _, d := range r.Deals {
			health := "up"
			if !d.Up {
				health = fmt.Sprintf("DOWN (%d failures in a row)", d.ConsecutiveFailures)
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%.1f ms\t%d\t%d\t%d\t%s/%s\t%s\n", d.Deal, orDash(strings.TrimPrefix(d.ChainState, "DEAL_STATE_")), health, d.LatencyP50Ms, d.Requests, d.Errors, d.Pending, d.Endpoint, d.Bucket, orDash(d.LastError))
		}
		tw.Flush()
	}
	printBridgeQoS(w, st)
	printAutopilotStatus(w, st.Autopilot)
}

func bridgeKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "The S3 keys the bridge accepts from your apps (kept in bridge.toml)",
		Long: `Adds, lists and removes the [[keys]] of bridge.toml. add and remove rewrite the
file (its values and documentation are kept, comments of your own are not);
restart the bridge to apply.`,
		PersistentPreRunE: skipRootPreRun,
	}
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a key (random id and secret), print it and add it to bridge.toml",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, path, err := loadBridgeConfig(cmd)
			if err != nil {
				return err
			}
			ro, _ := cmd.Flags().GetBool(flagReadOnly)
			k, err := config.NewKey(args[0], ro)
			if err != nil {
				return err
			}
			if err := cfg.AddKey(k); err != nil {
				return err
			}
			if err := config.Rewrite(path, cfg); err != nil {
				return err
			}
			access := "read-write"
			if ro {
				access = "read-only"
			}
			cmd.Printf("added %s key %q to %s (restart the bridge to use it):\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", access, k.Name, path, k.AccessKeyID, k.SecretAccessKey)
			return nil
		},
	}
	add.Flags().Bool(flagReadOnly, false, "the key may only read and list")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the keys (without their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := loadBridgeConfig(cmd)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tACCESS KEY ID\tACCESS")
			for _, k := range cfg.Keys {
				access := "read-write"
				if k.ReadOnly {
					access = "read-only"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.AccessKeyID, access)
			}
			return tw.Flush()
		},
	}
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a key from bridge.toml",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, path, err := loadBridgeConfig(cmd)
			if err != nil {
				return err
			}
			if err := cfg.RemoveKey(args[0]); err != nil {
				return err
			}
			if err := config.Rewrite(path, cfg); err != nil {
				return err
			}
			cmd.Printf("removed key %q from %s (restart the bridge to apply)\n", args[0], path)
			return nil
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}
