//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
)

// TestS3ClientsOnLocalnet runs scripts/test-s3-clients.sh against the
// provider node that scripts/localnet.sh starts: the aws CLI and rclone
// upload (multipart, more than 64 MiB), list, read ranges of, delete and
// download a deal's objects, and every download's sha256 matches. It also
// checks that `localnet.sh status` reports the node and that `stop`
// stops it.
func TestS3ClientsOnLocalnet(t *testing.T) {
	for _, tool := range []string{"aws", "rclone", "jq"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is required (apt-get install awscli rclone jq; .ci/run installs them)", tool)
	}
	ln := localnet.Start(t, localnet.Options{Validators: 1, BasePort: 28200, ProviderNode: true})
	ln.WaitForHeight(0, 2, 60*time.Second)

	cmd := exec.Command("bash", filepath.Join(ln.Root, "scripts", "test-s3-clients.sh"))
	cmd.Env = append(os.Environ(),
		"LOCALNET_DIR="+ln.Dir, "BASE_PORT=28200", "FLASHBACKD_BIN="+ln.Bin,
		fmt.Sprintf("PROVIDER_PORT=%d", ln.ProviderPort()))
	out, err := cmd.CombinedOutput()
	t.Logf("test-s3-clients.sh:\n%s", out)
	require.NoError(t, err)
	require.Contains(t, string(out), "all S3 client checks passed")

	status, err := exec.Command(ln.Bin, "provider", "status", "--home", ln.ProviderHome()).CombinedOutput()
	require.NoError(t, err, string(status))
	require.Contains(t, string(status), "(registered)")
	require.Contains(t, string(status), "read-write")

	ln.Stop()
	_, err = exec.Command(ln.Bin, "provider", "status", "--home", ln.ProviderHome()).CombinedOutput()
	require.Error(t, err, "the provider node stops with the localnet")
	state, err := os.ReadFile(filepath.Join(ln.ProviderHome(), "node_state.json"))
	require.NoError(t, err)
	require.True(t, strings.Contains(string(state), `"phase": "running"`), "the node wrote its state file on SIGTERM:\n%s", state)
}
