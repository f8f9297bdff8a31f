package types_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

func measurements(ids ...uint64) []types.Measurement {
	ms := make([]types.Measurement, len(ids))
	for i, id := range ids {
		ms[i] = types.Measurement{UnitId: id, LatencyMs: 20, DownloadKbps: 80_000, UploadKbps: 40_000, UptimeBps: 10_000}
	}
	return ms
}

func encode(t *testing.T, ve types.VoteExtension) []byte {
	t.Helper()
	bz, err := ve.Marshal()
	require.NoError(t, err)
	return bz
}

func TestDecodeVoteExtension(t *testing.T) {
	good, err := types.EncodeVoteExtension(10, 3, measurements(1, 2, 7))
	require.NoError(t, err)
	ve, err := types.DecodeVoteExtension(good, 10)
	require.NoError(t, err)
	require.Len(t, ve.Measurements, 3)

	ve, err = types.DecodeVoteExtension(nil, 10)
	require.NoError(t, err, "an empty extension is valid")
	require.Nil(t, ve)

	tooMany := make([]uint64, types.MaxMeasurements+1)
	for i := range tooMany {
		tooMany[i] = uint64(i + 1)
	}
	cases := map[string]struct {
		bz      []byte
		wantErr string
	}{
		"undecodable":     {[]byte{0xff, 0x01, 0x02}, "undecodable"},
		"wrong version":   {encode(t, types.VoteExtension{Version: 2, Height: 10, Measurements: measurements(1)}), "version"},
		"height mismatch": {good, "height"},
		"oversized":       {bytes.Repeat([]byte{0x08}, types.MaxVoteExtensionBytes+1), "limit"},
		"too many measurements": {encode(t, types.VoteExtension{
			Version: 1, Height: 10, Measurements: measurements(tooMany...),
		}), "measurements"},
		"duplicates": {encode(t, types.VoteExtension{Version: 1, Height: 10, Measurements: measurements(1, 1)}), "sorted"},
		"unsorted":   {encode(t, types.VoteExtension{Version: 1, Height: 10, Measurements: measurements(2, 1)}), "sorted"},
		"unit zero":  {encode(t, types.VoteExtension{Version: 1, Height: 10, Measurements: measurements(0, 1)}), "unit id 0"},
		"uptime above 100 %": {encode(t, types.VoteExtension{Version: 1, Height: 10, Measurements: []types.Measurement{
			{UnitId: 1, UptimeBps: 10_001},
		}}), "basis points"},
		"not canonical": {append(append([]byte{}, good...), 0x28, 0x01), "canonical"}, // a repeated scalar field appended
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			height := int64(10)
			if name == "height mismatch" {
				height = 11
			}
			_, err := types.DecodeVoteExtension(tc.bz, height)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

// TestExtensionAtCapFitsTheLimit: the largest extension the protocol allows
// — MaxMeasurements with every field at its maximum — fits in 8 KiB.
func TestExtensionAtCapFitsTheLimit(t *testing.T) {
	ms := make([]types.Measurement, types.MaxMeasurements)
	for i := range ms {
		ms[i] = types.Measurement{
			UnitId: ^uint64(0) - uint64(types.MaxMeasurements-i), LatencyMs: ^uint32(0),
			DownloadKbps: ^uint64(0), UploadKbps: ^uint64(0), UptimeBps: types.MaxBasisPoints, ErrorRateBps: types.MaxBasisPoints,
		}
	}
	bz, err := types.EncodeVoteExtension(1<<62, ^uint64(0), ms)
	require.NoError(t, err)
	require.LessOrEqual(t, len(bz), types.MaxVoteExtensionBytes)
	t.Logf("extension at the cap: %d bytes (limit %d)", len(bz), types.MaxVoteExtensionBytes)
}

func FuzzDecodeVoteExtension(f *testing.F) {
	good, _ := types.EncodeVoteExtension(10, 3, measurements(1, 2, 7))
	f.Add(good, int64(10))
	f.Add([]byte{}, int64(1))
	f.Add([]byte{0xff}, int64(5))
	f.Add(append(good, 0x28, 0x01), int64(10))
	f.Fuzz(func(t *testing.T, bz []byte, height int64) {
		ve, err := types.DecodeVoteExtension(bz, height)
		if err != nil || ve == nil {
			return
		}
		// Whatever decodes is valid and re-encodes to the same bytes.
		require.NoError(t, ve.ValidateFor(height))
		again, err := ve.Marshal()
		require.NoError(t, err)
		require.Equal(t, bz, again)
	})
}
