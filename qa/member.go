package qa

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Role is a member's role.
type Role string

// Roles.
const (
	RoleMember Role = "member"
	RoleExpert Role = "expert"
)

// ParseRole validates a role name; "" means member.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case "", RoleMember:
		return RoleMember, nil
	case RoleExpert:
		return RoleExpert, nil
	}
	return "", E(KeyRole, nil)
}

// Member is a person with an account: a member of the community or the expert.
type Member struct {
	ID       int64 `gorm:"primaryKey"`
	Email    string
	EmailKey string
	Name     string
	Role     Role
	// ActiveUntil is the last day (UTC midnight) of the membership, inclusive;
	// nil means no end date. The expert's membership never ends.
	ActiveUntil  *time.Time
	PasswordHash string
	// AuthEpoch grows whenever the member's credentials or rights change;
	// sessions made under an older epoch stop working.
	AuthEpoch int64
	// DisabledAt is when the expert disabled the account; nil while it is
	// enabled. See Standing (membership.go).
	DisabledAt *time.Time
	// Lang is the language the member last used the site in (a code of
	// qa/i18n: "en", "zh-Hans"); their e-mail is written in it.
	Lang string
	// EmailConfirmedAt is when the member proved the address is theirs;
	// until then no e-mail but the confirmation is sent to it.
	EmailConfirmedAt *time.Time
	// TimeZone is the IANA zone the member reads times in ("Asia/Shanghai");
	// "" until set, which means UTC. See Location.
	TimeZone string
	// PlanID is the plan the member holds (see plan.go); nil for members
	// without one, whose quota is the site's default.
	PlanID    *int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Member) TableName() string { return "members" }

// ParseDate parses a YYYY-MM-DD date as UTC midnight.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, E(KeyDateInvalid, Args{"Date": s})
	}
	return t.UTC(), nil
}

// MemberCreate is what it takes to create a member.
type MemberCreate struct {
	Email       string
	Name        string
	Role        Role
	ActiveUntil *time.Time
	// Password may be empty: the member then cannot sign in with a password
	// until one is set (API tokens still work).
	Password string
	// Unconfirmed leaves the e-mail address to be confirmed by the member
	// (a visitor who joined): the member is made with a confirmation link
	// and its mail queued, in one transaction. An address the expert or the
	// operator typed counts as confirmed.
	Unconfirmed bool
	// Lang is the language of the member's e-mail ("en", "zh-Hans").
	Lang string
}

// CreateMember creates a member. Only the expert and the system may; the email
// must be new (ignoring case), else ECONFLICT.
func (s *Store) CreateMember(ctx context.Context, actor Actor, mc MemberCreate) (*Member, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	return s.createMember(ctx, mc, nil)
}

// createMember validates and inserts a member; extra runs inside the same
// transaction before the insert and may adjust the member (setup uses it to
// spend its token, a membership code to spend a use and set the end date);
// after runs in it after the insert, with the member's id known (a joining
// member's webhook event).
func (s *Store) createMember(ctx context.Context, mc MemberCreate, extra func(tx *gorm.DB, m *Member) error, after ...func(tx *gorm.DB, m *Member) error) (*Member, error) {
	email, key, err := NormalizeEmail(mc.Email)
	if err != nil {
		return nil, err
	}
	name, err := NormalizeName(mc.Name)
	if err != nil {
		return nil, err
	}
	role, err := ParseRole(string(mc.Role))
	if err != nil {
		return nil, err
	}
	m := &Member{Email: email, EmailKey: key, Name: name, Role: role}
	if mc.ActiveUntil != nil && role == RoleMember {
		d := mc.ActiveUntil.UTC().Truncate(24 * time.Hour)
		m.ActiveUntil = &d
	}
	if mc.Password != "" {
		if err := checkPassword(mc.Password); err != nil {
			return nil, err
		}
		if m.PasswordHash, err = s.hashPassword(ctx, mc.Password); err != nil {
			return nil, err
		}
	}
	now := s.clock()
	m.CreatedAt, m.UpdatedAt = now, now
	if len(mc.Lang) <= maxLangLen {
		m.Lang = mc.Lang
	}
	if !mc.Unconfirmed {
		m.EmailConfirmedAt = &now
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if extra != nil {
			if err := extra(tx, m); err != nil {
				return err
			}
		}
		if err := s.insertMember(tx, m, mc.Unconfirmed); err != nil {
			return err
		}
		for _, fn := range after {
			if err := fn(tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if ErrorCode(err) == ECONFLICT {
		return nil, E(KeyEmailTaken, Args{"Email": email}).Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// insertMember inserts a member made and checked by the caller, inside its
// transaction: with an unconfirmed address the confirmation mail goes out
// with the member, or neither does; a new expert voids the setup links.
func (s *Store) insertMember(tx *gorm.DB, m *Member, unconfirmed bool) error {
	if err := tx.Create(m).Error; err != nil {
		return err
	}
	if unconfirmed {
		if err := s.queueConfirmation(tx, m); err != nil {
			return err
		}
	}
	if m.Role == RoleExpert {
		return voidSetupLinks(tx)
	}
	return nil
}

// FindMemberByID returns the member, or ENOTFOUND.
func (s *Store) FindMemberByID(ctx context.Context, id int64) (*Member, error) {
	var m Member
	if err := s.read(ctx).First(&m, id).Error; err != nil {
		return nil, NotFound(err, "member")
	}
	return &m, nil
}

// FindMemberByEmail returns the member with this email (ignoring case), or
// ENOTFOUND.
func (s *Store) FindMemberByEmail(ctx context.Context, email string) (*Member, error) {
	_, key, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	var m Member
	if err := s.read(ctx).Where("email_key = ?", key).First(&m).Error; err != nil {
		return nil, NotFound(err, "member")
	}
	return &m, nil
}

// MemberFilter narrows FindMembers.
type MemberFilter struct {
	Role *Role
	// Standing keeps the members of that standing today (membership.go).
	Standing *Standing
	// Query keeps the members whose name or e-mail contains it (any case;
	// at most MaxMemberQuery characters, else KeySearchLong).
	Query string
	// PlanID keeps the members holding that plan; a pointer to 0 keeps
	// those holding none.
	PlanID *int64
	Page
}

// MaxMemberQuery is the longest member search text.
const MaxMemberQuery = 100

// likeEscaper escapes LIKE's wildcards (with ESCAPE '\'), so that a
// search for "50%" finds "50%", not everything.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// FindMembers lists members, newest first, with the total. Expert only.
func (s *Store) FindMembers(ctx context.Context, actor Actor, f MemberFilter) ([]*Member, int, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, 0, err
	}
	p, err := f.Page.normalize()
	if err != nil {
		return nil, 0, err
	}
	q := s.read(ctx).Model(&Member{})
	if f.Role != nil {
		q = q.Where("role = ?", *f.Role)
	}
	if f.Standing != nil {
		q = whereStanding(q, *f.Standing, s.clock())
	}
	switch {
	case f.PlanID != nil && *f.PlanID == 0:
		q = q.Where("plan_id IS NULL")
	case f.PlanID != nil:
		q = q.Where("plan_id = ?", *f.PlanID)
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		if utf8.RuneCountInString(text) > MaxMemberQuery {
			return nil, 0, E(KeySearchLong, Args{"Max": MaxMemberQuery})
		}
		like := "%" + likeEscaper.Replace(strings.ToLower(text)) + "%"
		q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR email_key LIKE ? ESCAPE '\')`, like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var ms []*Member
	if err := q.Order("id DESC").Offset(p.offset()).Limit(p.PerPage).Find(&ms).Error; err != nil {
		return nil, 0, translate(err)
	}
	return ms, int(total), nil
}

// MemberUpdate holds the fields to change; nil means unchanged.
type MemberUpdate struct {
	Name *string
	Role *Role
	// ActiveUntil sets the membership's last day; ClearActiveUntil removes it.
	ActiveUntil      *time.Time
	ClearActiveUntil bool
}

// UpdateMember changes a member. Expert only. A change of role or of the
// membership's end ends the member's sessions' old rights at once (the rights
// are read fresh on every request; the epoch bump also ends sessions when the
// role is lowered).
func (s *Store) UpdateMember(ctx context.Context, actor Actor, id int64, u MemberUpdate) (*Member, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	var m Member
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&m, id).Error; err != nil {
			return NotFound(err, "member")
		}
		if u.Name != nil {
			n, err := NormalizeName(*u.Name)
			if err != nil {
				return err
			}
			m.Name = n
		}
		if u.Role != nil {
			r, err := ParseRole(string(*u.Role))
			if err != nil {
				return err
			}
			if r != m.Role {
				if m.Role == RoleExpert && r != RoleExpert && !m.Disabled() {
					// A disabled expert cannot act: only enabled
					// ones keep the community run.
					experts, err := enabledExperts(tx)
					if err != nil {
						return err
					}
					if experts <= 1 {
						return E(KeyLastExpert, nil)
					}
				}
				m.Role = r
				m.AuthEpoch++
				if r == RoleExpert {
					if err := voidSetupLinks(tx); err != nil {
						return err
					}
				}
			}
		}
		if u.ClearActiveUntil {
			m.ActiveUntil = nil
		} else if u.ActiveUntil != nil {
			d := u.ActiveUntil.UTC().Truncate(24 * time.Hour)
			m.ActiveUntil = &d
		}
		m.UpdatedAt = s.clock()
		return tx.Save(&m).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ChangePassword sets a new password after checking the current one (the
// system may skip the check by passing actor System()). Every session of the
// member ends, and so does every session made before. It is
// ChangePasswordFrom without a client address.
func (s *Store) ChangePassword(ctx context.Context, actor Actor, id int64, current, next string) error {
	return s.ChangePasswordFrom(ctx, actor, id, current, next, "")
}

// ChangePasswordFrom is ChangePassword with the client's address (as the
// transport knows it, "" when unknown): the check of the current password
// is limited like sign-ins, per member and per address, and the attempt is
// counted before the password is hashed (ERATELIMITED, KeyPasswordLimited,
// when a limit is reached).
func (s *Store) ChangePasswordFrom(ctx context.Context, actor Actor, id int64, current, next, addr string) error {
	if err := actor.requireWrite(); err != nil {
		return err
	}
	if !actor.System && actor.MemberID() != id {
		return E(KeyPasswordOwn, nil)
	}
	if err := checkPassword(next); err != nil {
		return err
	}
	m, err := s.FindMemberByID(ctx, id)
	if err != nil {
		return err
	}
	var buckets []bucketLimit
	if !actor.System {
		buckets = passwordBuckets(id, addr)
		if err := s.reserveAttempt(ctx, buckets, KeyPasswordLimited); err != nil {
			return err
		}
		ok, err := s.verifyPassword(ctx, m.PasswordHash, current)
		if err != nil {
			return s.releaseAttempt(ctx, buckets, err)
		}
		if !ok {
			return E(KeyCurrentPassword, nil) // the reservation is the failure
		}
	}
	h, err := s.hashPassword(ctx, next)
	if err != nil {
		if buckets != nil {
			return s.releaseAttempt(ctx, buckets, err)
		}
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Member{}).Where("id = ?", id).Updates(map[string]any{
			"password_hash": h, "auth_epoch": gorm.Expr("auth_epoch + 1"), "updated_at": s.clock(),
		}).Error; err != nil {
			return err
		}
		if buckets != nil {
			// The right password: the member's count starts again, the
			// address gets its attempt back.
			if err := tx.Where("bucket = ?", buckets[0].name).Delete(&signInBucket{}).Error; err != nil {
				return err
			}
			if err := decrementBuckets(tx, buckets[1:]); err != nil {
				return err
			}
		}
		return tx.Where("member_id = ?", id).Delete(&session{}).Error
	})
}

// passwordBuckets are the limits of the current-password check: the member,
// and the address (shared with sign-ins: guesses are guesses).
func passwordBuckets(id int64, addr string) []bucketLimit {
	out := []bucketLimit{{"password:member:" + strconv.FormatInt(id, 10), MaxAccountFailures}}
	if addr != "" {
		out = append(out, bucketLimit{"address:" + addr, MaxAddressFailures})
	}
	return out
}

// CheckPassword returns the member whose email and password these are. An
// unknown email and a wrong password give the same EUNAUTHORIZED error and
// cost the same time. A disabled member with the right password is
// EFORBIDDEN (KeyMemberDisabled): the password proves the account is
// theirs, so telling them why they cannot sign in reveals nothing.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (*Member, error) {
	bad := E(KeySignIn, nil)
	if len(password) > 4*MaxPasswordLen {
		return nil, bad
	}
	m, err := s.FindMemberByEmail(ctx, email)
	if err != nil {
		if _, herr := s.verifyPassword(ctx, "", password); herr != nil {
			return nil, herr
		}
		if c := ErrorCode(err); c == ENOTFOUND || c == EINVALID {
			return nil, bad
		}
		return nil, err
	}
	// A member without a password is compared against the dummy hash
	// (verifyPassword), so they answer in the time of everyone else.
	ok, err := s.verifyPassword(ctx, m.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bad
	}
	if !m.Standing(s.clock()).MaySignIn() {
		return nil, E(KeyMemberDisabled, nil)
	}
	return m, nil
}

// CountExperts returns how many experts exist.
func (s *Store) CountExperts(ctx context.Context) (int, error) {
	var n int64
	if err := s.read(ctx).Model(&Member{}).Where("role = ?", RoleExpert).Count(&n).Error; err != nil {
		return 0, translate(err)
	}
	return int(n), nil
}
