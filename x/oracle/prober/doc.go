// Package prober measures the quality of service of storage units off-chain,
// inside the validator node.
//
// The consensus path (ABCI ExtendVote) must never wait on the network, so
// the work is split in two:
//
//   - background goroutines (Start) probe every assigned unit about every
//     ProbeInterval over HTTP(S), following PROTOCOL.md, and fold each
//     completed check into an in-memory per-unit summary;
//   - ExtendVote calls Snapshot, which only copies those summaries under a
//     mutex that no goroutine ever holds across I/O.
//
// SetAssignment (called when the chain assigns a new window of units) is
// equally non-blocking: it swaps the target set and wakes the scheduler.
// Checks that were running for a replaced assignment are cancelled and their
// results dropped.
//
// A check is capped by CheckTimeout, and Snapshot counts a check that is
// still running unanswered as failed: an assigned unit that does not answer
// is reported down within the window, never left out.
//
// Everything reported is an integer (ms, kbps, basis points) so that
// validators aggregate the same numbers on every platform.
package prober
