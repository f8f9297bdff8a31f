package prober

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// errNonPublicAddress marks a connection the prober refused to open because
// the address it resolved to is not a public unicast address.
var errNonPublicAddress = errors.New("not a public unicast address")

// nonPublicPrefixes are ranges that are not globally reachable unicast
// (IANA special-purpose registries) and that netip's predicates do not
// already cover. Any provider can register any endpoint, so without this
// list a validator could be made to send requests into its own network.
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // deprecated IPv4-compatible addresses
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use IPv4/IPv6 translation
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo: tunnels to an embedded IPv4 address
	netip.MustParsePrefix("2001:2::/48"),     // benchmarking
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: tunnels to an embedded IPv4 address
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// nat64 is the well-known NAT64 prefix: the last four bytes are an IPv4
// address. A validator on an IPv6-only network with DNS64 sees every IPv4
// provider here, so the embedded address is judged instead of the prefix.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// publicAddr reports whether a is a public unicast address a probe may
// connect to: not loopback, private (RFC 1918, IPv6 ULA), link-local
// (including the cloud metadata address 169.254.169.254), multicast,
// unspecified, shared (CGNAT) or any other special-purpose range.
func publicAddr(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		return publicAddr(netip.AddrFrom4([4]byte(b[12:])))
	}
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() {
		// IsGlobalUnicast is false for unspecified, loopback, link-local
		// and multicast addresses (and the IPv4 broadcast address).
		return false
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// publicOnly is a net.Dialer Control function: it runs after name
// resolution, for every address the dialer tries, so it sees exactly the
// IP being connected to, whatever the URL's host said and whichever request
// (a redirect's too) made the connection.
func publicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q: %v", errNonPublicAddress, address, err)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s (set oracle.allow-private-endpoints to probe it)", errNonPublicAddress, ap.Addr())
	}
	return nil
}
