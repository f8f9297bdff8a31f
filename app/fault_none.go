//go:build !faultinject

package app

// FaultInjection reports whether this binary reads OracleFaultEnv: not a
// binary built without the `faultinject` build tag, such as every release.
const FaultInjection = false

// oracleFault is always empty in a production build: no environment
// variable, flag or configuration makes this node misbehave
// (fault_inject.go is the test build's version).
func oracleFault() string { return "" }
