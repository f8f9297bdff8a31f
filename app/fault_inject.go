//go:build faultinject

package app

import (
	"fmt"
	"os"

	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
)

// FaultInjection reports whether this binary reads OracleFaultEnv.
const FaultInjection = true

// oracleFault is the fault named by OracleFaultEnv. This file is compiled
// only with the `faultinject` build tag (`make build-faultinject`, used by
// the e2e fault tests): a binary built without it has no way to turn a fault
// on, whatever its environment or configuration says. An unknown name stops
// the node rather than running it honest by mistake.
func oracleFault() string {
	fault := os.Getenv(OracleFaultEnv)
	if !oracleabci.ValidFault(fault) {
		panic(fmt.Sprintf("%s=%q: unknown fault (want %q or %q)", OracleFaultEnv, fault,
			oracleabci.FaultGarbageExtensions, oracleabci.FaultExtremeExtensions))
	}
	return fault
}
