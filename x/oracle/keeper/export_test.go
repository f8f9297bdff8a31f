package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// RecordKey is the key of Records, exported for tests.
type RecordKey = collections.Pair[uint64, uint64]

// WriteRecordForTest stores a record as aggregation would.
func (k Keeper) WriteRecordForTest(ctx context.Context, rec types.QoSRecord) error {
	return k.WriteRecordsForTest(ctx, []types.QoSRecord{rec})
}

// WriteRecordsForTest stores a window's records as aggregation does.
func (k Keeper) WriteRecordsForTest(ctx context.Context, recs []types.QoSRecord) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	return k.writeRecords(ctx, params, recs)
}
