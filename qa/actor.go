package qa

import "time"

// Scope is what an API token allows: read, or read and write.
type Scope string

// Token scopes.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// ParseScope validates a scope name; "" means read.
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case "", ScopeRead:
		return ScopeRead, nil
	case ScopeWrite:
		return ScopeWrite, nil
	}
	return "", E(KeyScope, nil)
}

// Actor is whoever makes a request: a visitor (no member), a member through a
// session or an API token, or the system itself (the command line). Every
// rule in qa is decided from the actor as the database holds it now: the
// member is loaded fresh for each request, so a lapsed membership or a lower
// role takes effect at once.
type Actor struct {
	// Member is nil for a visitor and for the system.
	Member *Member
	// Scope limits a token; sessions and the system have ScopeWrite.
	Scope Scope
	// TokenID is the API token used, 0 for a session.
	TokenID int64
	// System marks the command line acting for the operator.
	System bool
	// Teasers lets one who may not read the member-only answers find them
	// in lists, counts and searches as teasers, never their text: the
	// storefront's visitors when the owner allows it (Store.Storefront).
	Teasers bool
}

// Visitor is the actor of a request that is not signed in.
func Visitor() Actor { return Actor{Scope: ScopeRead} }

// System is the actor of the operator's command line: it may do everything.
func System() Actor { return Actor{System: true, Scope: ScopeWrite} }

// IsVisitor reports whether nobody is signed in.
func (a Actor) IsVisitor() bool { return a.Member == nil && !a.System }

// IsExpert reports whether the actor has the expert's rights (or is the
// system). A disabled expert has none.
func (a Actor) IsExpert() bool {
	return a.System || a.Member != nil && a.Member.Role == RoleExpert && !a.Member.Disabled()
}

// MemberID returns the member's id, 0 for visitors and the system.
func (a Actor) MemberID() int64 {
	if a.Member == nil {
		return 0
	}
	return a.Member.ID
}

// CanReadArchive reports whether the actor may read member-only answers in
// full at time now: the expert, the system, and members whose standing
// allows it (membership.go). Token scope does not matter: read is the least
// scope.
func (a Actor) CanReadArchive(now time.Time) bool {
	if a.IsExpert() {
		return true
	}
	return a.Member != nil && a.Member.Standing(now).MayReadArchive()
}

// CanWrite reports whether the actor's credentials allow changes.
func (a Actor) CanWrite() bool { return a.System || a.Scope == ScopeWrite }

// requireSignedIn fails with EUNAUTHORIZED for visitors, and with
// KeyMemberDisabled for a disabled member (whose sessions and tokens are
// refused already: this holds for an actor made any other way too).
func (a Actor) requireSignedIn() error {
	if a.IsVisitor() {
		return E(KeySignInFirst, nil)
	}
	if a.Member != nil && a.Member.Disabled() {
		return E(KeyMemberDisabled, nil)
	}
	return nil
}

// requireWrite fails for visitors and read-only tokens.
func (a Actor) requireWrite() error {
	if err := a.requireSignedIn(); err != nil {
		return err
	}
	if !a.CanWrite() {
		return E(KeyReadOnly, nil)
	}
	return nil
}

// requireExpert fails unless the actor is the expert (with write rights when
// write is true).
// MayCopyIndex says whether the actor may download the search index (a
// server joining the site): it holds every answer's text, member-only
// ones too, so only the expert's token may.
func (a Actor) MayCopyIndex() error { return a.requireExpert(false) }

func (a Actor) requireExpert(write bool) error {
	if err := a.requireSignedIn(); err != nil {
		return err
	}
	if !a.IsExpert() {
		return E(KeyExpertOnly, nil)
	}
	if write {
		return a.requireWrite()
	}
	return nil
}
