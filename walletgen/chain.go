package walletgen

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/cmd/flashbackd/cmd"
)

// Gas price steps wallets offer: the nodes' minimum (app.toml's
// minimum-gas-prices), twice and four times it.
const averageGasFactor, highGasFactor = 2, 4

// chainParams are the values every wallet file is written from, all read
// from the code: the app's address and coin settings, its default genesis,
// the localnet's endpoints and the versions the binary is built with.
type chainParams struct {
	chainID, chainName, prettyName string
	rpc, grpc, rest                string
	minGasPrice                    sdkmath.LegacyDec
	unbondingSeconds               int64
	sdkVersion, cometVersion       string
}

func readChainParams(a *app.App) (chainParams, error) {
	gp, err := sdk.ParseDecCoin(app.DefaultMinGasPrices)
	if err != nil {
		return chainParams{}, err
	}
	if gp.Denom != app.BondDenom {
		return chainParams{}, fmt.Errorf("min gas price %s is not in %s", gp, app.BondDenom)
	}
	var staking stakingtypes.GenesisState
	if err := a.AppCodec().UnmarshalJSON(a.DefaultGenesis()[stakingtypes.ModuleName], &staking); err != nil {
		return chainParams{}, err
	}
	rpc, grpc, rest := cmd.LocalnetEndpoints()
	p := chainParams{
		chainID: cmd.DefaultLocalnetChainID, chainName: "flashbacklocal", prettyName: "Flashback (localnet)",
		rpc: rpc, grpc: grpc, rest: rest,
		minGasPrice:      gp.Amount,
		unbondingSeconds: int64(staking.Params.UnbondingTime.Seconds()),
	}
	if p.sdkVersion, err = requiredVersion("github.com/cosmos/cosmos-sdk"); err != nil {
		return chainParams{}, err
	}
	if p.cometVersion, err = requiredVersion("github.com/cometbft/cometbft"); err != nil {
		return chainParams{}, err
	}
	return p, nil
}

// requiredVersion is the version go.mod requires of module (the build
// info of a test binary lists no dependencies). go.mod is found from the
// working directory up.
func requiredVersion(module string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		bz, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindSubmatch(bz)
			if m == nil {
				return "", fmt.Errorf("go.mod requires no %s", module)
			}
			return string(m[1]), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func (p chainParams) gasPrice(factor int64) float64 {
	f, _ := p.minGasPrice.MulInt64(factor).Float64()
	return f
}

// chainJSON is a chain-registry chain.json.
func chainJSON(p chainParams) map[string]any {
	return map[string]any{
		"$schema":       "../chain.schema.json",
		"chain_name":    p.chainName,
		"chain_type":    "cosmos",
		"chain_id":      p.chainID,
		"pretty_name":   p.prettyName,
		"status":        "live",
		"network_type":  "devnet",
		"bech32_prefix": app.Bech32Prefix,
		"bech32_config": map[string]any{
			"bech32PrefixAccAddr":  app.Bech32Prefix,
			"bech32PrefixAccPub":   app.Bech32PrefixAccPub,
			"bech32PrefixValAddr":  app.Bech32PrefixValAddr,
			"bech32PrefixValPub":   app.Bech32PrefixValPub,
			"bech32PrefixConsAddr": app.Bech32PrefixConsAddr,
			"bech32PrefixConsPub":  app.Bech32PrefixConsPub,
		},
		"daemon_name": app.AppName,
		"node_home":   "$HOME/." + app.AppName,
		"key_algos":   []string{"secp256k1"},
		"slip44":      app.CoinType,
		"fees": map[string]any{"fee_tokens": []any{map[string]any{
			"denom":               app.BondDenom,
			"fixed_min_gas_price": p.gasPrice(1),
			"low_gas_price":       p.gasPrice(1),
			"average_gas_price":   p.gasPrice(averageGasFactor),
			"high_gas_price":      p.gasPrice(highGasFactor),
		}}},
		"staking": map[string]any{
			"staking_tokens": []any{map[string]any{"denom": app.BondDenom}},
			"lock_duration":  map[string]any{"time": fmt.Sprintf("%ds", p.unbondingSeconds)},
		},
		"codebase": map[string]any{
			"sdk":       map[string]any{"type": "cosmos", "version": strings.TrimPrefix(p.sdkVersion, "v")},
			"consensus": map[string]any{"type": "cometbft", "version": strings.TrimPrefix(p.cometVersion, "v")},
			"language":  map[string]any{"type": "go"},
		},
		"description": "Flashback: a decentralized storage marketplace. This entry describes a local network started by `make localnet`.",
		"apis": map[string]any{
			"rpc":      []any{map[string]any{"address": p.rpc, "provider": "localnet"}},
			"rest":     []any{map[string]any{"address": p.rest, "provider": "localnet"}},
			"grpc":     []any{map[string]any{"address": p.grpc, "provider": "localnet"}},
			"grpc-web": []any{map[string]any{"address": p.rest, "provider": "localnet"}},
		},
		"keywords": []string{"storage", "depin", "marketplace"},
	}
}

// assetListJSON is a chain-registry assetlist.json, from FLASH's bank
// metadata.
func assetListJSON(p chainParams) map[string]any {
	md := app.FlashMetadata()
	units := make([]any, 0, len(md.DenomUnits))
	for _, u := range md.DenomUnits {
		unit := map[string]any{"denom": u.Denom, "exponent": u.Exponent}
		if len(u.Aliases) > 0 {
			unit["aliases"] = u.Aliases
		}
		units = append(units, unit)
	}
	return map[string]any{
		"$schema":    "../assetlist.schema.json",
		"chain_name": p.chainName,
		"assets": []any{map[string]any{
			"description": md.Description,
			"denom_units": units,
			"type_asset":  "sdk.coin",
			"base":        md.Base,
			"name":        md.Name,
			"display":     md.Display,
			"symbol":      md.Symbol,
		}},
	}
}

// keplrChainInfo is the object a frontend passes to Keplr's
// experimentalSuggestChain.
func keplrChainInfo(p chainParams) map[string]any {
	currency := map[string]any{"coinDenom": "FLASH", "coinMinimalDenom": app.BondDenom, "coinDecimals": app.DisplayExponent}
	fee := map[string]any{
		"coinDenom": "FLASH", "coinMinimalDenom": app.BondDenom, "coinDecimals": app.DisplayExponent,
		"gasPriceStep": map[string]any{"low": p.gasPrice(1), "average": p.gasPrice(averageGasFactor), "high": p.gasPrice(highGasFactor)},
	}
	return map[string]any{
		"chainId":   p.chainID,
		"chainName": p.prettyName,
		"rpc":       p.rpc,
		"rest":      p.rest,
		"bip44":     map[string]any{"coinType": app.CoinType},
		"bech32Config": map[string]any{
			"bech32PrefixAccAddr":  app.Bech32Prefix,
			"bech32PrefixAccPub":   app.Bech32PrefixAccPub,
			"bech32PrefixValAddr":  app.Bech32PrefixValAddr,
			"bech32PrefixValPub":   app.Bech32PrefixValPub,
			"bech32PrefixConsAddr": app.Bech32PrefixConsAddr,
			"bech32PrefixConsPub":  app.Bech32PrefixConsPub,
		},
		"currencies":    []any{currency},
		"feeCurrencies": []any{fee},
		"stakeCurrency": currency,
		"features":      []string{},
	}
}
