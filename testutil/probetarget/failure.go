package probetarget

// failurePattern decides deterministically which requests fail so that tests
// are reproducible: request n (1-based) fails when floor(n*rate/10000) is
// larger than floor((n-1)*rate/10000). Over any run of 10000 requests exactly
// rate of them fail, and failures are spread evenly (rate 5000 fails every
// second request, rate 2500 every fourth).
//
// failurePattern is not goroutine-safe; Server guards it with its mutex.
type failurePattern struct {
	rate uint32 // basis points, 0..10000
	n    uint64 // requests decided so far
}

// next decides the next request and reports whether it must fail.
func (f *failurePattern) next() bool {
	prev := f.n * uint64(f.rate) / maxFailureRate
	f.n++
	return f.n*uint64(f.rate)/maxFailureRate > prev
}
