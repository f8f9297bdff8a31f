package probetarget

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFailurePatternCountsExactly(t *testing.T) {
	for _, rate := range []uint32{0, 1, 2500, 3333, 5000, 9999, 10000} {
		f := failurePattern{rate: rate}
		var failed uint64
		for i := 0; i < 10000; i++ {
			if f.next() {
				failed++
			}
		}
		require.Equal(t, uint64(rate), failed, "rate %d", rate)
	}
}

func TestFailurePatternIsEven(t *testing.T) {
	f := failurePattern{rate: 5000}
	var got []bool
	for i := 0; i < 6; i++ {
		got = append(got, f.next())
	}
	require.Equal(t, []bool{false, true, false, true, false, true}, got)
}
