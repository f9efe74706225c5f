package mail

import "crypto/tls"

// insecureTLS accepts any certificate: only for tests against a server
// with a self-signed one.
func insecureTLS(host string) *tls.Config {
	return &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // tests only
}
