package prober

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPatternReaderYieldsExactlyN(t *testing.T) {
	for _, n := range []int64{0, 1, 1000, int64(len(uploadPattern)), 3*int64(len(uploadPattern)) + 17} {
		b, err := io.ReadAll(newPatternReader(n))
		require.NoError(t, err)
		require.Len(t, b, int(n))
		if n == 3*int64(len(uploadPattern))+17 {
			require.Equal(t, uploadPattern, b[:len(uploadPattern)])
			require.Equal(t, uploadPattern[:17], b[3*len(uploadPattern):], "the pattern cycles")
		}
	}
	require.False(t, bytes.Equal(uploadPattern, make([]byte, len(uploadPattern))), "not zeros")
}
