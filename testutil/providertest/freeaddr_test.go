package providertest

import "testing"

// TestFreeAddrNeverRepeats: the kernel may hand out a just-closed port
// again (TestProviderNodeServesDeals once got one port for its S3 and its
// status listener); FreeAddr never returns an address twice in a process.
func TestFreeAddrNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		addr := FreeAddr(t)
		if seen[addr] {
			t.Fatalf("FreeAddr returned %s twice", addr)
		}
		seen[addr] = true
	}
}
