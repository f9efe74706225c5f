// Package arch holds no code, only the test that keeps the import arrows of
// ARCHITECTURE.md: cmd → api, web, search, mail, qa; api → qa, search;
// web → qa, search; search → qa; mail → qa; qa → nothing of ours; and the wiring
// (internal/server, and internal/servertest for tests) → api, web, search,
// qa, as cmd. Sub-packages belong to their package's component.
package arch
