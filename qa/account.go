package qa

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Account links: one-time links sent to a member's address to set a new
// password (reset) or to prove the address is theirs (confirm). The link
// carries a 130-bit secret; the database keeps only its SHA-256.
//
// Reset links: a member may hold several unused ones (asked for twice, or
// one from the expert); each stays valid for ResetLinkLifetime until one of
// them is used, and using one voids every other (the issue's "all older
// links void once used"). The same holds for confirmation links.
const (
	// ResetLinkLifetime is how long a password link works.
	ResetLinkLifetime = time.Hour
	// ConfirmLinkLifetime is how long an address confirmation link works.
	ConfirmLinkLifetime = 7 * 24 * time.Hour
	// MaxResetsPerAccount is how many password links one address (known
	// or not) may ask for per SignInWindow.
	MaxResetsPerAccount = 3
	// MaxResetsPerAddress is how many password links one client address
	// may ask for per SignInWindow, whatever the accounts.
	MaxResetsPerAddress = 10
	// MaxConfirmResends is how many confirmation mails a member may ask
	// for per SignInWindow.
	MaxConfirmResends = 3
	// maxLinkSecret bounds a link's secret as it arrives, before it is
	// even hashed (the secrets made here are 26 characters).
	maxLinkSecret = 100
)

// Purposes of account links (the check constraint of account_links).
const (
	purposeReset   = "reset"
	purposeConfirm = "confirm"
)

// Site-relative paths of the account links' pages.
const (
	ResetPath   = "/password/reset"
	ConfirmPath = "/confirm"
)

// accountLink is a row of account_links.
type accountLink struct {
	ID       int64 `gorm:"primaryKey"`
	MemberID int64
	Purpose  string
	Hash     string
	// Email is the address the link was sent to: a confirmation proves
	// that address, and only while it is still the member's.
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (accountLink) TableName() string { return "account_links" }

// linkPath is the site-relative address of a link's page with its secret.
func linkPath(purpose, raw string) string {
	p := ResetPath
	if purpose == purposeConfirm {
		p = ConfirmPath
	}
	return p + "?t=" + url.QueryEscape(raw)
}

// newAccountLink stores a fresh link for m inside tx and returns its secret.
func (s *Store) newAccountLink(tx *gorm.DB, m *Member, purpose string, life time.Duration) (string, error) {
	raw := newSecret("")
	now := s.clock()
	l := &accountLink{MemberID: m.ID, Purpose: purpose, Hash: hashSecret(raw), Email: m.Email, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := tx.Create(l).Error; err != nil {
		return "", err
	}
	// Forget links that ended long ago, so the table stays small.
	if err := tx.Where("member_id = ? AND expires_at < ?", m.ID, now.Add(-24*time.Hour)).Delete(&accountLink{}).Error; err != nil {
		return "", err
	}
	return raw, nil
}

// queueAccountLink makes a link for m and queues its mail (kind) to m's
// address, both inside tx, and returns the link's site-relative address.
// The mail's Args: Token (the secret, wiped once sent), URL (the
// site-relative link), Name.
func (s *Store) queueAccountLink(tx *gorm.DB, m *Member, purpose string, kind Kind, life time.Duration, send bool) (string, error) {
	raw, err := s.newAccountLink(tx, m, purpose, life)
	if err != nil {
		return "", err
	}
	path := linkPath(purpose, raw)
	if send {
		args := Args{"Token": raw, "URL": path, "Name": m.Name}
		if err := s.enqueueMail(tx, m, m.Email, kind, args); err != nil {
			return "", err
		}
	}
	return path, nil
}

// resetBuckets names the buckets of a password-link request: the account
// (by the email's key, hashed, whether or not the account exists) and the
// client's address.
func resetBuckets(key, addr string) []bucketLimit {
	out := []bucketLimit{{"reset:account:" + hashSecret(key), MaxResetsPerAccount}}
	if addr != "" {
		out = append(out, bucketLimit{"reset:addr:" + addr, MaxResetsPerAddress})
	}
	return out
}

// RequestPasswordReset sends a one-time password link (valid
// ResetLinkLifetime) to the member with this e-mail address. The answer is
// the same (nil) whether or not such a member exists, or is disabled: it
// tells nobody whether an address has an account. A malformed address is
// EINVALID (that tells nothing either). Requests are limited per account
// and per client address (addr, as the transport knows it; "" when
// unknown): ERATELIMITED (KeyResetLimited) when over. Each request is
// counted first, in the transaction that then does its work, so parallel
// requests cannot pass the limit together; and a known address and an
// unknown one cost the same kind of transaction, so the time taken tells
// little either.
func (s *Store) RequestPasswordReset(ctx context.Context, email, addr string) error {
	if len(email) > 4*MaxEmailLen {
		return E(KeyEmailLong, Args{"Max": MaxEmailLen})
	}
	_, key, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.reserveLimits(tx, resetBuckets(key, addr), KeyResetLimited); err != nil {
			return err
		}
		var m Member
		err := tx.Where("email_key = ?", key).First(&m).Error
		if isMissingRow(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if m.Disabled() {
			return nil
		}
		_, err = s.queueAccountLink(tx, &m, purposeReset, MailReset, ResetLinkLifetime, true)
		return err
	})
}

// ResetLinkFor makes a password link for a member, for the expert to hand
// over, and returns its site-relative address (ResetPath?t=…), which
// nothing keeps: show it once. With send the reset mail is queued too.
// The link works like one the member asked for (ResetLinkLifetime, single
// use). Expert only; a disabled member gets none (KeyMemberDisabled).
func (s *Store) ResetLinkFor(ctx context.Context, actor Actor, memberID int64, send bool) (string, error) {
	if err := actor.requireExpert(true); err != nil {
		return "", err
	}
	var path string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var m Member
		if err := tx.First(&m, memberID).Error; err != nil {
			return NotFound(err, "member")
		}
		if m.Disabled() {
			return E(KeyMemberDisabled, nil)
		}
		var err error
		path, err = s.queueAccountLink(tx, &m, purposeReset, MailReset, ResetLinkLifetime, send)
		return err
	})
	return path, err
}

// findLink returns the live (unused, unexpired) link of the purpose with
// this secret, or bad.
func (s *Store) findLink(db *gorm.DB, raw, purpose string, bad error) (*accountLink, error) {
	if len(raw) < 16 || len(raw) > maxLinkSecret {
		return nil, bad
	}
	var l accountLink
	err := db.Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashSecret(raw), purpose, s.clock()).First(&l).Error
	if isMissingRow(err) {
		return nil, bad
	}
	if err != nil {
		return nil, translate(err)
	}
	return &l, nil
}

// spendLink marks a live link used inside tx: of two uses at once exactly
// one succeeds (a conditional update: SQLite's write lock, Postgres's row
// lock). Then it voids the member's other live links of the purpose.
func (s *Store) spendLink(tx *gorm.DB, raw, purpose string, bad error) (*accountLink, error) {
	l, err := s.findLink(tx, raw, purpose, bad)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	res := tx.Model(&accountLink{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", l.ID, now).Update("used_at", now)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, bad
	}
	err = tx.Model(&accountLink{}).Where("member_id = ? AND purpose = ? AND used_at IS NULL", l.MemberID, purpose).Update("used_at", now).Error
	if err != nil {
		return nil, err
	}
	l.UsedAt = &now
	return l, nil
}

// CheckResetLink returns the member a live password link is for (for the
// page that asks for the new password); a wrong, used or expired link is
// EINVALID (KeyResetLink), and so is one of a disabled member.
func (s *Store) CheckResetLink(ctx context.Context, raw string) (*Member, error) {
	bad := E(KeyResetLink, nil)
	l, err := s.findLink(s.read(ctx), raw, purposeReset, bad)
	if err != nil {
		return nil, err
	}
	m, err := s.FindMemberByID(ctx, l.MemberID)
	if ErrorCode(err) == ENOTFOUND || err == nil && m.Disabled() {
		return nil, bad
	}
	return m, err
}

// ResetPassword sets a new password through a password link. The link is
// spent (single use) and every other password link of the member is void;
// every session of the member ends (the auth epoch grows, the sessions are
// deleted); and the member's address counts as confirmed, when the link
// went to it, since following the link proved it. A wrong, used or expired
// link is EINVALID (KeyResetLink) and changes nothing; a password the
// policy refuses is EINVALID too, and leaves the link usable.
func (s *Store) ResetPassword(ctx context.Context, raw, newPassword string) (*Member, error) {
	bad := E(KeyResetLink, nil)
	if err := checkPassword(newPassword); err != nil {
		return nil, err
	}
	// A cheap look first: a wrong link costs no password hash.
	if _, err := s.findLink(s.read(ctx), raw, purposeReset, bad); err != nil {
		return nil, err
	}
	h, err := hashPassword(newPassword)
	if err != nil {
		return nil, Internal(err, "hash password")
	}
	var m Member
	err = s.tx(ctx, func(tx *gorm.DB) error {
		l, err := s.spendLink(tx, raw, purposeReset, bad)
		if err != nil {
			return err
		}
		if m, err = s.lockMember(tx, l.MemberID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return bad
			}
			return err
		}
		if m.Disabled() {
			return bad
		}
		now := s.clock()
		m.PasswordHash, m.AuthEpoch, m.UpdatedAt = h, m.AuthEpoch+1, now
		cols := map[string]any{"password_hash": h, "auth_epoch": m.AuthEpoch, "updated_at": now}
		if m.EmailConfirmedAt == nil && sameEmail(m.Email, l.Email) {
			m.EmailConfirmedAt = &now
			cols["email_confirmed_at"] = now
		}
		if err := tx.Model(&Member{}).Where("id = ?", m.ID).Updates(cols).Error; err != nil {
			return err
		}
		return tx.Where("member_id = ?", m.ID).Delete(&session{}).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// sameEmail compares addresses as the members table does (by key).
func sameEmail(a, b string) bool {
	_, ka, erra := NormalizeEmail(a)
	_, kb, errb := NormalizeEmail(b)
	return erra == nil && errb == nil && ka == kb
}

// queueConfirmation makes an address confirmation link for m (valid
// ConfirmLinkLifetime) and queues its mail, inside tx. createMember calls
// it for every member made unconfirmed, in the transaction that makes them.
func (s *Store) queueConfirmation(tx *gorm.DB, m *Member) error {
	_, err := s.queueAccountLink(tx, m, purposeConfirm, MailConfirm, ConfirmLinkLifetime, true)
	return err
}

// ConfirmEmail confirms a member's address through a confirmation link and
// returns the member. The link is spent and the member's other
// confirmation links are void. A wrong, used or expired link, or one sent
// to an address that is no longer the member's, is EINVALID
// (KeyConfirmLink) and changes nothing. It needs no sign-in: the link is
// the proof.
func (s *Store) ConfirmEmail(ctx context.Context, raw string) (*Member, error) {
	bad := E(KeyConfirmLink, nil)
	var m Member
	err := s.tx(ctx, func(tx *gorm.DB) error {
		l, err := s.spendLink(tx, raw, purposeConfirm, bad)
		if err != nil {
			return err
		}
		if m, err = s.lockMember(tx, l.MemberID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return bad
			}
			return err
		}
		if !sameEmail(m.Email, l.Email) {
			return bad
		}
		if m.EmailConfirmedAt != nil {
			return nil
		}
		now := s.clock()
		m.EmailConfirmedAt, m.UpdatedAt = &now, now
		return tx.Model(&Member{}).Where("id = ?", m.ID).Updates(map[string]any{"email_confirmed_at": now, "updated_at": now}).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ResendConfirmation sends the signed-in member a new confirmation link
// (older ones stay valid until one is used). Nothing is sent when the
// address is confirmed already. Limited per member (MaxConfirmResends per
// SignInWindow): ERATELIMITED (KeyConfirmLimited) when over.
func (s *Store) ResendConfirmation(ctx context.Context, actor Actor) error {
	if err := requireOwnMember(actor); err != nil {
		return err
	}
	if err := actor.requireWrite(); err != nil {
		return err
	}
	id := actor.Member.ID
	buckets := []bucketLimit{{"confirm:member:" + strconv.FormatInt(id, 10), MaxConfirmResends}}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.reserveLimits(tx, buckets, KeyConfirmLimited); err != nil {
			return err
		}
		var m Member
		if err := tx.First(&m, id).Error; err != nil {
			return NotFound(err, "member")
		}
		if m.EmailConfirmedAt != nil {
			return nil
		}
		return s.queueConfirmation(tx, &m)
	})
}
