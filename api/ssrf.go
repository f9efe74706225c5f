package api

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// errPrivateAddress is the dial refused by the webhook dialer's guard.
var errPrivateAddress = errors.New("the address is not public")

// blockedPrefixes are networks a webhook may not reach unless the operator
// allows private targets: beside what netip classifies (loopback, private,
// link-local, multicast, unspecified), the shared, reserved, documentation
// and benchmarking ranges, and NAT64's well-known prefix (which embeds an
// IPv4 address, checked on its own).
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// nat64 is the well-known NAT64 prefix: its addresses stand for the IPv4
// address in their last 32 bits.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// PublicAddress reports whether a webhook may connect to ip without the
// operator's leave: not loopback, private, link-local (169.254.169.254, the
// cloud metadata service, is one), multicast, unspecified or reserved, in
// IPv4, IPv6, or IPv4 inside IPv6.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		return PublicAddress(netip.AddrFrom4([4]byte(b[12:16])))
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// guardControl is the webhook dialer's Control: it runs after the name was
// resolved, on the very address about to be connected to, so neither a
// name that resolves to a private address (localhost, a rebinding DNS
// server) nor an address written oddly (2130706433, 0x7f.1) gets past.
func guardControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !PublicAddress(ap.Addr()) {
		return errPrivateAddress
	}
	return nil
}

// webhookClient is the HTTP client of deliveries: no proxy from the
// environment (it would connect for us, past the guard), no redirects
// followed, a timeout, and unless allowPrivate the guard on every
// connection.
func webhookClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = guardControl
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
	}
	return &http.Client{Timeout: 15 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// deliveryError is what the delivery log says of a failed connection: a
// few coarse words, never the system's error text, so that the log cannot
// serve as a port scanner of the places the server reaches.
func deliveryError(err error) string {
	var dnsErr *net.DNSError
	var tlsErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, errPrivateAddress):
		return "refused: the URL leads to a private, loopback or link-local address (serve --webhooks-allow-private allows them)"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "the receiver did not answer in time"
	case errors.As(err, &dnsErr):
		return "the host name could not be resolved"
	case errors.As(err, &tlsErr) || errors.As(err, &recErr):
		return "the TLS handshake failed"
	}
	return "could not connect to the receiver"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
