package prober

import "time"

// Measurement is the prober's summary for one unit over the current
// assignment window. Everything that goes on chain is an integer.
type Measurement struct {
	UnitID       uint64
	LatencyMs    uint32    // median time to first byte of successful pings, ms (at least 1 when any succeeded)
	DownloadKbps uint64    // median download throughput, kilobits (1000 bits) per second
	UploadKbps   uint64    // median upload throughput, kilobits per second
	UptimeBps    uint32    // up checks / all checks, basis points (0..10000)
	ErrorRateBps uint32    // failed operations / all operations, basis points (0..10000)
	Checks       uint32    // checks the numbers above are based on
	LastCheck    time.Time // wall-clock time of the last completed check; for staleness only, never on chain
}
