package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/query"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Filter selects data units of the marketplace. The zero Filter selects
// every unit that takes new deals.
type Filter struct {
	Region  string // exact region, e.g. "eu-west"; empty: any
	Country string // ISO 3166-1 alpha-2, e.g. "FR"; empty: any
	// API is the unit's API compatibility: "s3", "gcs", "azure_blob",
	// "ipfs", "other" (or the enum name); empty: any.
	API string
	// MinScore is the lowest unit score (0–100, x/reputation) accepted. A
	// unit without a score yet counts at the chain's baseline score.
	MinScore uint32
	// MaxPrice is the highest price per GB-month (uflash); nil: any.
	MaxPrice *sdkmath.Int
	// CertifiedOnly keeps units of certified providers only.
	CertifiedOnly bool
	// MinFreeGB keeps units with at least this much unallocated capacity.
	MinFreeGB uint64
}

// ParseAPI turns a user's API name into the enum ("s3", "S3",
// "API_COMPATIBILITY_S3"); "" is UNSPECIFIED (any).
func ParseAPI(s string) (orchestratortypes.ApiCompatibility, error) {
	if s == "" {
		return orchestratortypes.API_COMPATIBILITY_UNSPECIFIED, nil
	}
	name := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	if !strings.HasPrefix(name, "API_COMPATIBILITY_") {
		name = "API_COMPATIBILITY_" + name
	}
	v, ok := orchestratortypes.ApiCompatibility_value[name]
	if !ok || v == 0 {
		return 0, fmt.Errorf("unknown API %q: use s3, gcs, azure_blob, ipfs or other", s)
	}
	return orchestratortypes.ApiCompatibility(v), nil
}

// Validate checks the filter without asking the chain.
func (f Filter) Validate() error {
	var errs []error
	if _, err := ParseAPI(f.API); err != nil {
		errs = append(errs, err)
	}
	if f.MinScore > reputationtypes.MaxScore {
		errs = append(errs, fmt.Errorf("min score %d: scores are in [0, %d]", f.MinScore, reputationtypes.MaxScore))
	}
	if f.MaxPrice != nil && f.MaxPrice.IsNegative() {
		errs = append(errs, fmt.Errorf("max price %s: must not be negative", f.MaxPrice))
	}
	if f.Country != "" && (len(f.Country) != 2 || strings.ToUpper(f.Country) != f.Country) {
		errs = append(errs, fmt.Errorf("country %q: use an ISO 3166-1 alpha-2 code in capitals, e.g. FR", f.Country))
	}
	return errors.Join(errs...)
}

// Unit is a marketplace unit with its score.
type Unit struct {
	orchestratortypes.DataUnit
	// Score is the unit's objective score (x/reputation); Scored is false
	// while it has none yet and Score is the baseline.
	Score  uint32
	Scored bool
}

// FreeGB is the unit's unallocated capacity.
func (u Unit) FreeGB() uint64 {
	if u.AllocatedGb >= u.CapacityGb {
		return 0
	}
	return u.CapacityGb - u.AllocatedGb
}

// maxUnitPages bounds a listing (the chain returns at most 100 a page).
const maxUnitPages = 50

// Units lists the marketplace's units that take new deals and match f, in
// the chain's order (priority fee, then reputation), reading at most limit
// units (0: 1,000). Region, country, API, price, capacity and certification
// are filtered by the chain's indexes; the score by reading each unit's
// score.
func (c *Client) Units(ctx context.Context, f Filter, limit int) ([]Unit, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1000
	}
	api, _ := ParseAPI(f.API)
	req := &orchestratortypes.QueryDataUnitsRequest{
		Region: f.Region, Country: f.Country, Api: api, MinFreeGb: f.MinFreeGB, CertifiedOnly: f.CertifiedOnly,
		Pagination: &query.PageRequest{Limit: 100},
	}
	if f.MaxPrice != nil {
		req.MaxPrice = f.MaxPrice.String()
	}
	baseline, err := c.baselineScore(ctx)
	if err != nil {
		return nil, err
	}
	var out []Unit
	for page := 0; page < maxUnitPages && len(out) < limit; page++ {
		res, err := c.q.DataUnits(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("listing the marketplace's units: %w", err)
		}
		for _, du := range res.DataUnits {
			u := Unit{DataUnit: du, Score: baseline}
			sres, err := c.rep.UnitScore(ctx, &reputationtypes.QueryUnitScoreRequest{UnitId: du.Id})
			switch {
			case err == nil:
				u.Score, u.Scored = sres.Score.Score, true
			case status.Code(err) != codes.NotFound:
				return nil, fmt.Errorf("the score of unit %d: %w", du.Id, err)
			}
			if u.Score < f.MinScore {
				continue
			}
			out = append(out, u)
			if len(out) == limit {
				break
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		req.Pagination = &query.PageRequest{Key: res.Pagination.NextKey, Limit: 100}
	}
	return out, nil
}

func (c *Client) baselineScore(ctx context.Context) (uint32, error) {
	res, err := c.rep.Params(ctx, &reputationtypes.QueryParamsRequest{})
	if err != nil {
		return 0, fmt.Errorf("reading x/reputation's params: %w", err)
	}
	return res.Params.BaselineScore, nil
}

// Unit reads one unit with its score.
func (c *Client) Unit(ctx context.Context, id uint64) (Unit, error) {
	res, err := c.q.DataUnit(ctx, &orchestratortypes.QueryDataUnitRequest{Id: id})
	if err != nil {
		return Unit{}, fmt.Errorf("unit %d: %w", id, err)
	}
	u := Unit{DataUnit: res.DataUnit}
	sres, err := c.rep.UnitScore(ctx, &reputationtypes.QueryUnitScoreRequest{UnitId: id})
	switch {
	case err == nil:
		u.Score, u.Scored = sres.Score.Score, true
	case status.Code(err) == codes.NotFound:
		if u.Score, err = c.baselineScore(ctx); err != nil {
			return Unit{}, err
		}
	default:
		return Unit{}, fmt.Errorf("the score of unit %d: %w", id, err)
	}
	return u, nil
}

// LastUnitVerdict is the unit's most recent SLA verdict on chain
// (UNKNOWN when it has none).
func (c *Client) LastUnitVerdict(ctx context.Context, unit uint64) (orchestratortypes.UnitVerdict, error) {
	res, err := c.q.UnitVerdicts(ctx, &orchestratortypes.QueryUnitVerdictsRequest{UnitId: unit, Pagination: &query.PageRequest{Limit: 1, Reverse: true}})
	if err != nil {
		return orchestratortypes.UnitVerdict{}, fmt.Errorf("unit %d's verdicts: %w", unit, err)
	}
	if len(res.Verdicts) == 0 {
		return orchestratortypes.UnitVerdict{UnitId: unit}, nil
	}
	return res.Verdicts[0], nil
}
