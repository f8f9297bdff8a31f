package walletgen_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/walletgen"
)

// TestGeneratedFilesInStep: the committed chain-registry entries, Keplr
// chain info, TypeScript constants and amino table, and the amino vectors
// are what the code generates now.
func TestGeneratedFilesInStep(t *testing.T) {
	files, err := walletgen.Files(t.TempDir())
	require.NoError(t, err)
	require.Len(t, files, 7)
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join("..", path))
		require.NoError(t, err, "%s is missing: run `go run ./walletgen/gen`", path)
		require.Equal(t, string(want), string(got), "%s is out of date: run `go run ./walletgen/gen`", path)
	}
}
