package report

import (
	"bytes"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	v := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	require.Equal(t, 5.0, Percentile(v, 50))
	require.Equal(t, 10.0, Percentile(v, 99))
	require.Equal(t, 1.0, Percentile(v, 0))
	require.True(t, math.IsNaN(Percentile(nil, 50)))
	require.Equal(t, 5.5, Mean(v))
}

func TestSectionRoundTrip(t *testing.T) {
	s := &Section{Section: "network", Date: "2026-01-01T00:00:00Z"}
	s.Add(Row{Name: "p99", Value: math.NaN(), Unit: "ms"}, Row{Name: "tx/s", Value: 12.5, Unit: "tx/s"}.WithRatio(2, "× base"))
	require.Equal(t, "n/a", s.Rows[0].Note)
	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, WriteJSON(path, s))
	back, err := ReadSection(path)
	require.NoError(t, err)
	require.Equal(t, s.Rows, back.Rows)

	var buf bytes.Buffer
	PrintTable(&buf, Merge([]Section{*back}).Rows)
	require.Contains(t, buf.String(), "2× × base")
	require.Contains(t, buf.String(), "12.5")
}
