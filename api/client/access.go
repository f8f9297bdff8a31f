package client

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"

	"google.golang.org/grpc"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// ChainReader is what resolving a deal reads of x/orchestrator (its query
// client satisfies it).
type ChainReader interface {
	Deal(ctx context.Context, in *orchestratortypes.QueryDealRequest, opts ...grpc.CallOption) (*orchestratortypes.QueryDealResponse, error)
	DataUnit(ctx context.Context, in *orchestratortypes.QueryDataUnitRequest, opts ...grpc.CallOption) (*orchestratortypes.QueryDataUnitResponse, error)
	AccessKey(ctx context.Context, in *orchestratortypes.QueryAccessKeyRequest, opts ...grpc.CallOption) (*orchestratortypes.QueryAccessKeyResponse, error)
}

// DealAccess is how a consumer reaches a deal's storage with any S3 client.
type DealAccess struct {
	DealID   uint64 `json:"deal_id"`
	State    string `json:"state"`
	Consumer string `json:"consumer"`
	Endpoint string `json:"endpoint"` // path-style S3 endpoint of the provider node
	Bucket   string `json:"bucket"`
	dealauth.Credentials
}

// ResolveDeal reads deal dealID, its unit and both parties' access keys, and
// derives the deal's credentials with the consumer's private access key.
func ResolveDeal(ctx context.Context, chain ChainReader, key *ecdh.PrivateKey, chainID string, dealID uint64) (DealAccess, error) {
	res, err := chain.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: dealID})
	if err != nil {
		return DealAccess{}, fmt.Errorf("deal %d: %w", dealID, err)
	}
	deal := res.Deal
	unit, err := chain.DataUnit(ctx, &orchestratortypes.QueryDataUnitRequest{Id: deal.UnitId})
	if err != nil {
		return DealAccess{}, fmt.Errorf("unit %d of deal %d: %w", deal.UnitId, dealID, err)
	}
	endpoint, err := layout.S3Endpoint(unit.DataUnit.Endpoint, deal.UnitId)
	if err != nil {
		return DealAccess{}, err
	}
	consumerKey, err := chain.AccessKey(ctx, &orchestratortypes.QueryAccessKeyRequest{Address: deal.Consumer})
	if err != nil {
		return DealAccess{}, fmt.Errorf("the consumer %s has published no access key (flashbackd tx orchestrator set-access-key): %w", deal.Consumer, err)
	}
	providerKey, err := chain.AccessKey(ctx, &orchestratortypes.QueryAccessKeyRequest{Address: deal.Provider})
	if err != nil {
		return DealAccess{}, fmt.Errorf("the provider %s has published no access key (its node publishes one when it starts): %w", deal.Provider, err)
	}
	creds, err := dealauth.Derive(key, consumerKey.AccessKey.PublicKey, providerKey.AccessKey.PublicKey, chainID, dealID)
	if err != nil {
		return DealAccess{}, fmt.Errorf("deal %d: %w", dealID, err)
	}
	return DealAccess{
		DealID: dealID, State: deal.State.String(), Consumer: deal.Consumer, Endpoint: endpoint, Bucket: layout.DealBucket(dealID), Credentials: creds,
	}, nil
}

// DealAccess derives deal id's endpoint, bucket and S3 credentials with
// the configured access key. The deal may be in any state (the provider
// node decides what it still serves).
func (c *Client) DealAccess(ctx context.Context, id uint64) (DealAccess, error) {
	if c.cfg.AccessKey == nil {
		return DealAccess{}, errors.New("client: no access key configured (Config.AccessKey)")
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return DealAccess{}, err
	}
	return ResolveDeal(ctx, c.q, c.cfg.AccessKey, chainID, id)
}
