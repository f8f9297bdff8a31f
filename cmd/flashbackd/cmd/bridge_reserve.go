package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/flashbacknetwork/flashbackd/api/bridge/autopilot"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/client"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/app"
)

const (
	flagCapacityGB    = "capacity-gb"
	flagTerm          = "term"
	flagReplicas      = "replicas"
	flagRegion        = "region"
	flagCountry       = "country"
	flagAPI           = "api"
	flagMinScore      = "min-score"
	flagMaxPrice      = "max-price"
	flagCertifiedOnly = "certified-only"
)

// bridgeClient is the consumer library's client for bridge.toml's chain
// and key (the keyring kr, the access key of server.access_key_file).
func bridgeClient(a *app.App, cfg config.Config, kr keyring.Keyring, gasPrices string) (*client.Client, error) {
	key, err := dealauth.LoadKey(cfg.Path(cfg.Server.AccessKeyFile))
	if err != nil {
		return nil, fmt.Errorf("your access key: %w (create and publish one with `flashbackd bridge access-key`)", err)
	}
	return client.New(client.Config{
		GRPCAddress: cfg.Chain.GRPCAddress, GRPCTLS: cfg.Chain.GRPCTLS, RPCAddress: cfg.Chain.RPCAddress, ChainID: cfg.Chain.ChainID,
		Keyring: kr, KeyName: cfg.Chain.KeyName, AccessKey: key, GasPrices: gasPrices,
		Codec: a.AppCodec(), InterfaceRegistry: a.InterfaceRegistry(), TxConfig: a.TxConfig(),
	})
}

func bridgeReserveCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reserve --capacity-gb N --term T [--replicas R] [--repository NAME] [filters]",
		Short: "Reserve deals on the best units of the marketplace and add them to a repository (the autopilot)",
		Long: `Picks R units among those that take new deals, match the filters and have N GB
free, ranked by score, price and region diversity (bridge.toml's
autopilot.weight_*; the rule is documented there and in api/bridge/README.md),
requests a deal on each with its escrow (autopilot.prepay of the term; the
budget autopilot.budget_uflash must cover it), waits for the provider to accept
(autopilot.accept_timeout; a decline or no answer moves on to the next unit),
and adds the deals to the repository in bridge.toml: a new one (mirror when
R > 1), or an existing one (the bridge must be stopped: its objects are then
copied to the new deals when it starts). Nothing is requested when the input,
the candidates or the budget fall short; a reservation that cannot get all R
deals closes those it got. Every decision is kept in data_dir/autopilot.db and
shown by bridge status. Restart bridge serve to serve the new deals.`,
		Example:           `flashbackd bridge reserve --capacity-gb 10 --term 720h --replicas 2 --repository media --region eu-west --min-score 60`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			capacity, _ := f.GetInt64(flagCapacityGB)
			term, _ := f.GetDuration(flagTerm)
			replicas, _ := f.GetInt(flagReplicas)
			repoName, _ := f.GetString(flagRepository)
			minScore, _ := f.GetInt64(flagMinScore)
			maxPrice, _ := f.GetString(flagMaxPrice)
			var errs []error
			if capacity <= 0 {
				errs = append(errs, fmt.Errorf("--%s %d: must be at least 1", flagCapacityGB, capacity))
			}
			if minScore < 0 || minScore > 100 {
				errs = append(errs, fmt.Errorf("--%s %d: must be in [0, 100]", flagMinScore, minScore))
			}
			filter := client.Filter{MinScore: uint32(max(minScore, 0))}
			filter.Region, _ = f.GetString(flagRegion)
			filter.Country, _ = f.GetString(flagCountry)
			filter.API, _ = f.GetString(flagAPI)
			filter.CertifiedOnly, _ = f.GetBool(flagCertifiedOnly)
			if maxPrice != "" {
				p, ok := sdkmath.NewIntFromString(maxPrice)
				if !ok || p.IsNegative() {
					errs = append(errs, fmt.Errorf("--%s %q: a whole, non-negative number of uflash per GB-month", flagMaxPrice, maxPrice))
				} else {
					filter.MaxPrice = &p
				}
			}
			cfg, path, err := loadBridgeConfig(cmd)
			if err != nil {
				return err
			}
			ap := cfg.Autopilot.OrDefault()
			plan := autopilot.Plan{
				Repository: repoName, CapacityGB: uint64(max(capacity, 0)), Term: term, Replicas: replicas, Filter: filter,
				Weights: autopilot.Weights{Score: ap.WeightScore, Price: ap.WeightPrice, Diversity: ap.WeightDivers},
				Prepay:  ap.Prepay.Duration, AcceptTimeout: ap.AcceptTimeout.Duration,
			}
			if err := plan.Validate(); err != nil {
				errs = append(errs, err)
			}
			if len(errs) > 0 {
				return fmt.Errorf("bridge reserve: %w (nothing was requested)", errors.Join(errs...))
			}
			_, kr, err := consumerAddress(a, cfg, cmd.InOrStdin())
			if err != nil {
				return err
			}
			gas, _ := f.GetString(flagGasPrices)
			c, err := bridgeClient(a, cfg, kr, gas)
			if err != nil {
				return err
			}
			defer c.Close()
			logger, err := providerLogger(cmd)
			if err != nil {
				return err
			}
			got, err := server.Reserve(cmd.Context(), path, c, plan, logger)
			if err != nil {
				return err
			}
			if out, _ := f.GetString(flags.FlagOutput); out == "json" {
				bz, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					return err
				}
				cmd.Println(string(bz))
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DEAL\tUNIT\tREGION\tCOUNTRY\tSCORE\tPRICE/GB-MONTH\tDEPOSIT\tENDS")
			for _, g := range got {
				ends := "-"
				if g.Deal.EndTime != nil {
					ends = g.Deal.EndTime.Local().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%s\t%s\t%s\n", g.Deal.Id, g.Unit.Id, g.Unit.Region, g.Unit.Country, g.Unit.Score, g.Unit.PricePerGbMonth, g.Deposit, ends)
			}
			tw.Flush()
			cmd.Printf("added to repository %s in %s; restart `flashbackd bridge serve` to serve them\n", repoName, filepath.Clean(path))
			return nil
		},
	}
	f := cmd.Flags()
	f.Int64(flagCapacityGB, 0, "capacity of each deal, in GB (required)")
	f.Duration(flagTerm, 0, "term of each deal, e.g. 720h (required)")
	f.Int(flagReplicas, 1, "how many deals (a mirror repository when more than 1)")
	f.String(flagRepository, "", "the repository to add the deals to (created if new)")
	f.String(flagRegion, "", "only units in this region")
	f.String(flagCountry, "", "only units in this country (ISO 3166-1 alpha-2)")
	f.String(flagAPI, "", "only units with this API: s3, gcs, azure_blob, ipfs, other")
	f.Int64(flagMinScore, 0, "only units with at least this score (0-100; a unit without a score counts at the baseline)")
	f.String(flagMaxPrice, "", "only units priced at most this many uflash per GB-month")
	f.Bool(flagCertifiedOnly, false, "only units of certified providers")
	f.String(flagGasPrices, "", "gas prices of the transactions, e.g. 0.025uflash")
	f.StringP(flags.FlagOutput, "o", "text", "output format: text or json")
	_ = cmd.MarkFlagRequired(flagCapacityGB)
	_ = cmd.MarkFlagRequired(flagTerm)
	_ = cmd.MarkFlagRequired(flagRepository)
	return cmd
}

// printAutopilotStatus is the autopilot's part of bridge status.
func printAutopilotStatus(w io.Writer, st *server.AutopilotStatus) {
	if st == nil {
		return
	}
	state := "off"
	if st.Enabled {
		state = "on"
	}
	fmt.Fprintf(w, "\nautopilot %s: budget %s uflash, spent %s, left %s\n", state, st.Budget, st.Spent, st.Left)
	if st.Exhausted != "" {
		fmt.Fprintf(w, "  BUDGET EXHAUSTED: %s\n", st.Exhausted)
	}
	if len(st.Decisions) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TIME\tACTION\tREPOSITORY\tDEAL\tNEW DEAL\tAMOUNT\tREASON")
	for _, d := range st.Decisions {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Time.Local().Format(time.RFC3339), d.Action, orDash(d.Repository),
			idOrDash(d.Deal), idOrDash(d.NewDeal), orDash(d.Amount), strings.ReplaceAll(d.Reason, "\n", " "))
	}
	tw.Flush()
}

func idOrDash(id uint64) string {
	if id == 0 {
		return "-"
	}
	return fmt.Sprint(id)
}
