package receipts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/receipts"
)

func TestMeterSendsCumulativeReceipts(t *testing.T) {
	kr := testKeyring(t)
	rec, err := kr.Key("consumer")
	require.NoError(t, err)
	pub, err := rec.GetPubKey()
	require.NoError(t, err)

	var sent []receipts.Signed
	fail := false
	m := receipts.NewMeter(kr, "consumer", "flashback-1", func(_ context.Context, dealID uint64, body []byte) error {
		if fail {
			return errors.New("provider unreachable")
		}
		s, err := receipts.Decode(body)
		require.NoError(t, err)
		require.Equal(t, dealID, s.Receipt.DealId)
		require.NoError(t, receipts.Verify(pub, s))
		sent = append(sent, s)
		return nil
	})

	// Deal 2 was billed 500 bytes at sequence 10^15 before a restart.
	m.Seed(2, 500, 1_000_000_000_000_000)
	m.Add(1, 100)
	m.Add(1, 50)
	m.Add(2, 10)
	m.Add(3, 0) // nothing delivered: no receipt
	require.NoError(t, m.Flush(context.Background()))
	require.Len(t, sent, 2)
	require.Equal(t, uint64(150), sent[0].Receipt.BytesServed)
	require.Equal(t, uint64(510), sent[1].Receipt.BytesServed, "cumulative from what the chain billed")
	require.Greater(t, sent[1].Receipt.Sequence, uint64(1_000_000_000_000_000))

	// Nothing new: nothing sent.
	require.NoError(t, m.Flush(context.Background()))
	require.Len(t, sent, 2)

	// A failed delivery is covered by the next receipt, with a higher
	// sequence and the cumulative count.
	m.Add(1, 25)
	fail = true
	require.ErrorContains(t, m.Flush(context.Background()), "deal 1: provider unreachable")
	fail = false
	m.Add(1, 25)
	require.NoError(t, m.Flush(context.Background()))
	require.Len(t, sent, 3)
	require.Equal(t, uint64(200), sent[2].Receipt.BytesServed)
	require.Greater(t, sent[2].Receipt.Sequence, sent[0].Receipt.Sequence+1, "the failed receipt's sequence is not reused")
	require.Equal(t, uint64(200), m.Served(1))
}
